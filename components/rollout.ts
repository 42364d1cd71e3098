import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { kubernetesPackage } from "./peers";
import type * as vault from "@pulumi/vault";
import {
  REVISION_ANNOTATION,
  ROLLOUT_ANNOTATION,
  RolloutCensus,
  scopedAnnotation,
} from "../dynamic/rolloutCensus";

export { ROLLOUT_ANNOTATION };

/** A Deployment a rotation rolls onto the new credential, and whether its rollout is awaited. */
export interface DeploymentRolloutArgs {
  readonly namespace: pulumi.Input<string>;
  readonly name: pulumi.Input<string>;
  /**
   * Do not wait for the rollout (`pulumi.com/skipAwait`). The pod census still holds the retirement of the
   * previous credential until every pod carries the new one; without the census this retires a credential
   * pods still use.
   */
  readonly skipAwait?: boolean;
  /**
   * The pods of this Deployment also use another app's credential (two Okta clients in one service): this app's
   * annotations are then prefixed with its name (`<app>.okta-rotation/…`), so that each app's patch owns keys of
   * its own and the two never conflict. The program sets it for a Deployment listed by more than one app.
   */
  readonly shared?: boolean;
}

/**
 * The resource name of an app's patch of a Deployment: by namespace and name, so that removing or reordering other
 * Deployments leaves it alone (`/` is in no Kubernetes name, so two Deployments never share one). Deployments given
 * as outputs (not known when the program runs) keep the list position. Pure.
 */
export function patchName(app: string, d: DeploymentRolloutArgs, index: number): string {
  return typeof d.namespace === "string" && typeof d.name === "string"
    ? `${app}-rollout-${d.namespace}/${d.name}`
    : `${app}-rollout-${index}`;
}

/** The pod census: waits, before the previous credential is retired, until no pod of the Deployments holds it. */
export interface PodCensusArgs {
  /** Wait, before the previous credential is retired, until no pod carries an older generation (default on). */
  readonly enabled?: boolean;
  /** How long to wait for the last holder to go (default 600 s). */
  readonly timeoutSeconds?: number;
  /** The cluster's kubeconfig; default: $KUBECONFIG or ~/.kube/config, as for kubectl. */
  readonly kubeconfig?: pulumi.Input<string>;
  /** The kubeconfig's context (as `kubernetes:context`); default: its current context. */
  readonly context?: pulumi.Input<string>;
}

export interface RolloutArgs {
  readonly appId: pulumi.Input<string>;
  readonly deployments: readonly DeploymentRolloutArgs[];
  /** What pods of the new ReplicaSet carry as ROLLOUT_ANNOTATION; its change rolls each Deployment. */
  readonly generation: string;
  /** Further pod-template annotations (which credential, for people reading the pod). */
  readonly annotations: Record<string, pulumi.Input<string>>;
  readonly kubernetesProvider?: k8s.Provider;
  readonly census?: PodCensusArgs;
  /** What the rollout must wait for (the Vault write). */
  readonly dependsOn: pulumi.Resource[];
}

export interface Rollout {
  readonly patches: k8s.apps.v1.DeploymentPatch[];
  readonly census?: RolloutCensus;
  /** What the gates wait for: the census, else the patches, else what the rollout waited for. */
  readonly done: pulumi.Resource[];
}

/**
 * Rolls each consuming Deployment by patching its pod template (awaited by @pulumi/kubernetes unless
 * `skipAwait`), then counts the Deployments' pods until none — terminating ones included — carries an older
 * generation. The patches are kept on delete: deleting one would strip its annotations and roll the pods again.
 */
export function rollDeployments(
  name: string,
  args: RolloutArgs,
  parent: pulumi.Resource,
  component = "SecretRotation",
): Rollout {
  if (args.deployments.length === 0) return { patches: [], done: args.dependsOn };
  const kubernetes = kubernetesPackage(parent, component, name);
  const scope = (d: DeploymentRolloutArgs) => (d.shared ? name : undefined);
  const patches = args.deployments.map((d, i) => {
    const annotations: Record<string, pulumi.Input<string>> = {
      [scopedAnnotation(ROLLOUT_ANNOTATION, scope(d))]: args.generation,
    };
    for (const [k, v] of Object.entries(args.annotations)) annotations[scopedAnnotation(k, scope(d))] = v;
    const resourceName = patchName(name, d, i);
    return new kubernetes.apps.v1.DeploymentPatch(
      resourceName,
      {
        metadata: {
          name: d.name,
          namespace: d.namespace,
          ...(d.skipAwait ? { annotations: { "pulumi.com/skipAwait": "true" } } : {}),
        },
        spec: { template: { metadata: { annotations } } },
      },
      {
        parent,
        provider: args.kubernetesProvider,
        dependsOn: args.dependsOn,
        retainOnDelete: true,
        // Stacks from before the patches were named by Deployment keep them: the name they had by position.
        ...(resourceName !== `${name}-rollout-${i}` ? { aliases: [{ name: `${name}-rollout-${i}` }] } : {}),
      },
    );
  });
  if (patches.length === 0) return { patches, done: args.dependsOn };
  const census =
    args.census?.enabled === false
      ? undefined
      : new RolloutCensus(
          `${name}-census`,
          {
            appId: args.appId,
            deployments: args.deployments.map((d) => ({
              namespace: d.namespace,
              name: d.name,
              ...(d.shared ? { annotation: scopedAnnotation(ROLLOUT_ANNOTATION, name) } : {}),
            })),
            generation: args.generation,
            timeoutSeconds: args.census?.timeoutSeconds ?? 600,
            ...(args.census?.kubeconfig !== undefined
              ? { kubeconfig: pulumi.secret(args.census.kubeconfig) }
              : {}),
            ...(args.census?.context !== undefined ? { context: args.census.context } : {}),
          },
          { parent, dependsOn: patches },
        );
  return { patches, ...(census ? { census } : {}), done: census ? [census] : patches };
}

export { REVISION_ANNOTATION };

/**
 * Each rollout's Deployment and its ReplicaSet revision after the rollout, for the audit record: as the pod census
 * read it when it opened, or without a census from the patch's result (which the rollout's await may have taken
 * before the controller's revision bump).
 */
export function rolloutRevisions(
  deployments: readonly DeploymentRolloutArgs[],
  patches: readonly k8s.apps.v1.DeploymentPatch[],
  census?: RolloutCensus,
): pulumi.Output<{ namespace: string; name: string; revision: string | undefined }[]> {
  if (census) {
    return census.revisions.apply((rs) =>
      (rs ?? []).map((r) => ({ namespace: r.namespace, name: r.name, revision: r.revision })),
    );
  }
  return pulumi.all(
    patches.map((p, i) =>
      pulumi
        .all([deployments[i]!.namespace, deployments[i]!.name, p.metadata])
        .apply(([namespace, name, m]) => ({
          namespace,
          name,
          revision: m?.annotations?.[REVISION_ANNOTATION],
        })),
    ),
  );
}

/**
 * What the audit record says of the delivery: the Vault version written, each Deployment's ReplicaSet revision
 * after its rollout, and when the pod census opened.
 */
export function deliveryAuditFacts(
  vaultSecret: vault.kv.SecretV2 | undefined,
  target: { readonly mount: pulumi.Input<string>; readonly path: pulumi.Input<string> } | undefined,
  deployments: readonly DeploymentRolloutArgs[],
  patches: readonly k8s.apps.v1.DeploymentPatch[],
  census: RolloutCensus | undefined,
) {
  return {
    vault:
      vaultSecret && target
        ? pulumi
            .all([target.mount, target.path, vaultSecret.metadata])
            .apply(([mount, path, metadata]) => ({ mount, path, version: metadata?.version }))
        : undefined,
    rollouts: rolloutRevisions(deployments, patches, census),
    census: census
      ? pulumi
          .all([census.clearedAt, census.podsCounted])
          .apply(([clearedAt, podsCounted]) => ({ clearedAt, podsCounted }))
      : undefined,
  };
}
