import * as pulumi from "@pulumi/pulumi";
import { kubeconfigText, kubeGet, kubeTarget, type KubeTarget } from "./kubeApi";
import { providerByReference } from "./providerByReference";

/** Annotation on the pod template whose change rolls a Deployment onto the new credential. */
export const ROLLOUT_ANNOTATION = "okta-rotation/credential-generation";

/** The Deployment's annotation with the revision of its current ReplicaSet (set by the Deployment controller). */
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

export interface DeploymentRef {
  namespace: string;
  name: string;
  /**
   * The pod-template annotation that carries this app's generation on this Deployment: ROLLOUT_ANNOTATION, or
   * `<app>.` + it on a Deployment whose pods use the credentials of more than one app (see `rolloutAnnotation`).
   */
  annotation?: string;
}

/**
 * The annotation key of app `app`'s generation on a Deployment: ROLLOUT_ANNOTATION, or prefixed with the app's name
 * when the Deployment is shared by several apps, so that each app's patch owns keys of its own. App names are DNS
 * labels, so `<app>.okta-rotation` is a valid annotation prefix. Pure.
 */
export function scopedAnnotation(key: string, app: string | undefined): string {
  return app === undefined ? key : `${app}.${key}`;
}

export interface RolloutCensusInputs {
  appId: string;
  /** Consuming Deployments: every pod they own is counted, terminating ones included. */
  deployments: DeploymentRef[];
  /** The value of ROLLOUT_ANNOTATION that pods holding the new credential carry. */
  generation: string;
  /** How long to wait for the last holder of an older credential to go. */
  timeoutSeconds: number;
  /** A kubeconfig (secret); default: $KUBECONFIG or ~/.kube/config, as kubectl. Never stored in outputs. */
  kubeconfig?: string;
  /** The kubeconfig's context to use; default: its current context. */
  context?: string;
}

export interface RolloutCensusOutputs extends Omit<RolloutCensusInputs, "kubeconfig"> {
  /** When no pod held an older credential any more. */
  clearedAt: string;
  /** Pods counted in the last census (all on the new credential). */
  podsCounted: number;
  /** Each Deployment's `deployment.kubernetes.io/revision` as read in the last census (its current ReplicaSet). */
  revisions: (DeploymentRef & { revision?: string })[];
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface PodSummary {
  name: string;
  namespace: string;
  annotations: Record<string, string>;
  terminating: boolean;
  /** The annotation that carries the generation this census waits for (default ROLLOUT_ANNOTATION). */
  key?: string;
}

/** A Deployment's label selector as the API's `labelSelector` query value. Pure. */
export function selectorQuery(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else throw new Error(`unknown label selector operator '${e.operator}'`);
  }
  return parts.join(",");
}

/** The pods that do not carry `generation` — they may still hold an older credential. Pure. */
export function holdersOfOlder(pods: PodSummary[], generation: string): PodSummary[] {
  return pods.filter((p) => p.annotations[p.key ?? ROLLOUT_ANNOTATION] !== generation);
}

/** One line per holder, for errors and logs: `ns/name (generation 1, terminating)`. Pure. */
export function describeHolders(holders: PodSummary[], limit = 10): string {
  const shown = holders.slice(0, limit).map((p) => {
    const g = p.annotations[p.key ?? ROLLOUT_ANNOTATION];
    const what = [g === undefined ? "no generation annotation" : `generation ${g}`];
    if (p.terminating) what.push("terminating");
    return `${p.namespace}/${p.name} (${what.join(", ")})`;
  });
  const more = holders.length > limit ? ` and ${holders.length - limit} more` : "";
  return shown.join(", ") + more;
}

interface PodList {
  items: {
    metadata: {
      name: string;
      namespace: string;
      annotations?: Record<string, string>;
      deletionTimestamp?: string;
    };
  }[];
}

/** Every pod the Deployment's selector matches, terminating ones included. */
export async function deploymentPods(target: KubeTarget, d: DeploymentRef): Promise<PodSummary[]> {
  return (await deploymentState(target, d)).pods;
}

/**
 * The Deployment's pods (as deploymentPods) and its revision annotation, read before the pods: a Deployment whose
 * pods all carry the new generation has its new ReplicaSet's revision by then (the controller sets it when it makes
 * that ReplicaSet, before its pods).
 */
async function deploymentState(
  target: KubeTarget,
  d: DeploymentRef,
): Promise<{ pods: PodSummary[]; revision?: string }> {
  const ns = encodeURIComponent(d.namespace);
  const dep = await kubeGet<{
    metadata: { annotations?: Record<string, string> };
    spec: { selector: LabelSelector };
  }>(target, `/apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(d.name)}`);
  const list = await kubeGet<PodList>(
    target,
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selectorQuery(dep.spec.selector))}`,
  );
  const pods = list.items.map((p) => ({
    name: p.metadata.name,
    namespace: p.metadata.namespace,
    annotations: p.metadata.annotations ?? {},
    terminating: p.metadata.deletionTimestamp !== undefined,
    ...(d.annotation !== undefined ? { key: d.annotation } : {}),
  }));
  const revision = dep.metadata.annotations?.[REVISION_ANNOTATION];
  return revision !== undefined ? { pods, revision } : { pods };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function census(inputs: RolloutCensusInputs): Promise<RolloutCensusOutputs> {
  const target = kubeTarget(kubeconfigText(inputs.kubeconfig), process.cwd(), inputs.context);
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;
  for (;;) {
    const states = await Promise.all(inputs.deployments.map((d) => deploymentState(target, d)));
    const pods = states.flatMap((s) => s.pods);
    const holders = holdersOfOlder(pods, inputs.generation);
    if (holders.length === 0) {
      const { kubeconfig: _omit, ...rest } = inputs;
      return {
        ...rest,
        clearedAt: new Date().toISOString(),
        podsCounted: pods.length,
        revisions: inputs.deployments.map(({ annotation: _key, ...d }, i) => ({
          namespace: d.namespace,
          name: d.name,
          ...(states[i]!.revision !== undefined ? { revision: states[i]!.revision } : {}),
        })),
      };
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Pod census of app ${inputs.appId}: after ${inputs.timeoutSeconds} s, ${holders.length} pod(s) may still ` +
          `hold the previous credential: ${describeHolders(holders)}. The previous credential stays ACTIVE. ` +
          `Let those pods finish (or delete them), then run pulumi up again; raise ` +
          `gates.podCensusTimeoutSeconds if the rollout is just slow.`,
      );
    }
    await sleep(1000);
  }
}

const WATCHED = ["appId", "generation", "timeoutSeconds"] as const;

/** The provider's implementation; in state, the resources refer to it (see providerByReference.ts). */
export const censusProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: RolloutCensusOutputs, news: RolloutCensusInputs) {
    const changed = WATCHED.filter((k) => olds[k] !== news[k]);
    const deploymentsChanged = JSON.stringify(olds.deployments) !== JSON.stringify(news.deployments);
    return { changes: changed.length > 0 || deploymentsChanged, replaces: [] };
  },
  async create(inputs: RolloutCensusInputs) {
    return { id: `${inputs.appId}-census`, outs: await census(inputs) };
  },
  async update(_id: string, _olds: RolloutCensusOutputs, news: RolloutCensusInputs) {
    return { outs: await census(news) };
  },
};

const censusProviderReference = providerByReference(__filename, "censusProvider");

export interface RolloutCensusArgs {
  readonly appId: pulumi.Input<string>;
  readonly deployments: pulumi.Input<
    { namespace: pulumi.Input<string>; name: pulumi.Input<string>; annotation?: string }[]
  >;
  readonly generation: pulumi.Input<string>;
  readonly timeoutSeconds: pulumi.Input<number>;
  readonly kubeconfig?: pulumi.Input<string>;
  readonly context?: pulumi.Input<string>;
}

/**
 * Opens only when no pod of the consuming Deployments — terminating pods included — may still hold an older
 * credential: each pod must carry the new generation's rollout annotation. A Deployment's rollout can be
 * "complete" while pods of the old ReplicaSet are still terminating (and still using what they read at
 * start), so the retirement of the previous credential waits for this census, not for the rollout alone.
 */
export class RolloutCensus extends pulumi.dynamic.Resource {
  declare public readonly clearedAt: pulumi.Output<string>;
  declare public readonly podsCounted: pulumi.Output<number>;
  declare public readonly revisions: pulumi.Output<{ namespace: string; name: string; revision?: string }[]>;

  constructor(name: string, args: RolloutCensusArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      censusProviderReference,
      name,
      { ...args, clearedAt: undefined, podsCounted: undefined, revisions: undefined },
      { ...opts, additionalSecretOutputs: ["kubeconfig"] },
      "okta-rotation",
      "RolloutCensus",
    );
  }
}
