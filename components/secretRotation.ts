import * as pulumi from "@pulumi/pulumi";
import type * as vault from "@pulumi/vault";
import type * as k8s from "@pulumi/kubernetes";
import { ClientSecret } from "../dynamic/clientSecret";
import { GeneratedSecret } from "../dynamic/generatedSecret";
import { SecretValue } from "../dynamic/secretValue";
import { RefusalProof } from "../dynamic/refusalProof";
import { Revocation } from "../dynamic/revocation";
import type { RolloutCensus } from "../dynamic/rolloutCensus";
import { TokenExchangeGate } from "../dynamic/tokenExchangeGate";
import { secretAuditRecord, type AuditRecord } from "./audit";
import { defaultTokenUrl, secretExchangeRefusal } from "../dynamic/tokenEndpoint";
import { argumentError } from "./errors";
import { checkedMaxAge, componentGeneration, GENERATIONS_KEY } from "./generations";
import { vaultPackage } from "./peers";
import { planRotation, slotName, type RotationPlan, type SlotPlan } from "./plan";
import { stackOrgUrl } from "./settings";
import { claimVaultPath } from "./vaultPaths";
import {
  rollDeployments,
  deliveryAuditFacts,
  type DeploymentRolloutArgs,
  type PodCensusArgs,
} from "./rollout";

export {
  REVISION_ANNOTATION,
  ROLLOUT_ANNOTATION,
  rolloutRevisions,
  type DeploymentRolloutArgs,
  type PodCensusArgs,
} from "./rollout";

/** Where a rotation writes the credential: a Vault KV v2 entry, and the provider to write it with. */
export interface VaultDeliveryArgs {
  /** KV v2 mount, e.g. `secret`. */
  readonly mount: pulumi.Input<string>;
  /** Path inside the mount; set explicitly (auto-naming would add a suffix). */
  readonly path: pulumi.Input<string>;
  /** Key of the client secret in the entry (default `client_secret`). */
  readonly key?: pulumi.Input<string>;
  /** Explicit Vault provider; default: the stack's `vault:*` config. */
  readonly provider?: vault.Provider;
}

/** What must hold before a rotation retires the previous credential: token exchange, minimum overlap, pod census. */
export interface RotationGatesArgs {
  /** Prove the credential with a real client_credentials exchange before the previous one is retired. */
  readonly tokenExchange?: boolean;
  /**
   * Token endpoint for the exchange: a custom authorization server's. Default: the org's `default` server,
   * `<org URL>/oauth2/default/v1/token`, the org URL from `okta-credential-rotation:oktaOrgUrl` (or `okta:orgName` +
   * `okta:baseUrl`, or `OKTA_ORG_URL`, `OKTA_ORG_NAME`). The org server (`/oauth2/v1/token`) refuses secrets.
   */
  readonly tokenUrl?: pulumi.Input<string>;
  /**
   * A scope defined on that server whose access policy rule admits the app for client_credentials (required with
   * `tokenExchange`).
   */
  readonly scope?: pulumi.Input<string>;
  /** Minimum seconds both credentials stay ACTIVE before the previous one is retired (default 0). */
  readonly minOverlapSeconds?: number;
}

/** Arguments of {@link SecretRotation}: the app, the generation, the delivery and the gates. */
export interface SecretRotationArgs {
  /** Okta app id (`0oa…`), or the `id` of an `okta.app.OAuth` in the same stack. */
  readonly appId: pulumi.Input<string>;
  /** OAuth client id, for the token exchange gate; default: the app id. */
  readonly clientId?: pulumi.Input<string>;
  /**
   * Bump by one to rotate. Left out, it is read from the stack config's `okta-credential-rotation:generations`
   * entry of this rotation's name — where `okta-rotation-due --write` bumps it (docs/configuration.md).
   */
  readonly generation?: number;
  /**
   * The age in days at which `okta-rotation-due` reports this rotation's current secret due (recorded in the
   * stack's state; default: never, unless `okta-rotation-due --max-age-days` gives one).
   */
  readonly maxCredentialAgeDays?: number;
  /** Day one: the secret the app already uses; it is generation 0 and is retired by generation 1. */
  readonly adoptSecretId?: string;
  /**
   * Day one of an app created in the same program (`okta.app.OAuth` with `rotatedAppArgs`): adopt, as generation 0,
   * the one secret Okta generated when it created the app, whose id is not known in advance. Looked up once,
   * before anything is written; refused when the app has more than one secret or none ACTIVE (then name the one
   * its clients use with `adoptSecretId`). Not with `adoptSecretId`.
   */
  readonly adoptGeneratedSecret?: boolean;
  /** Go back to the previous (INACTIVE) secret: reactivate, deliver, roll, deactivate the current one. */
  readonly rollback?: boolean;
  /**
   * Emergency: the previous secret leaked. This generation's rotation holds no minimum overlap, deactivates the
   * previous secret as soon as the new one is rolled out, and deletes it in the same run (no rollback to it).
   */
  readonly revoke?: boolean;
  /** Deliver the secret to Vault KV v2 (a new version per rotation). */
  readonly vault?: VaultDeliveryArgs;
  /** Deployments whose pods read the secret; their pod template is patched so they roll. */
  readonly deployments?: DeploymentRolloutArgs[];
  /** Explicit Kubernetes provider for the Deployment patches. */
  readonly kubernetesProvider?: k8s.Provider;
  /** Before the previous secret is retired: wait until no pod of the Deployments carries an older generation. */
  readonly podCensus?: PodCensusArgs;
  readonly gates?: RotationGatesArgs;
  /**
   * Names this rotation had before (renames in the stack config): the component and its children take over
   * their resources by alias, so a rename changes nothing in Okta, Vault or the Deployments.
   */
  readonly formerNames?: readonly string[];
}

const SECRET_ROTATION_TYPE = "okta-rotation:index:SecretRotation";

type ArgumentFailure = (argument: string, problem: string, fix: string) => pulumi.ResourceError;

/**
 * The token endpoint of the gates, checked where it is known: with `tokenExchange`, `scope` is required, and
 * `tokenUrl` defaults to the org's `default` custom authorization server (`<org URL>/oauth2/default/v1/token`, the
 * org URL from `okta-credential-rotation:oktaOrgUrl` or `okta:orgName`, or their variables). An endpoint or scope
 * Okta would refuse a secret at is refused here, before anything is written (the gate's own check runs only once
 * the new secret exists).
 */
export function gateTokenUrl(
  gates: RotationGatesArgs,
  fail: ArgumentFailure,
  orgUrl: () => string | undefined = () => stackOrgUrl(),
): pulumi.Input<string> | undefined {
  if (!gates.tokenExchange) return gates.tokenUrl;
  if (gates.scope === undefined) {
    throw fail(
      "gates.scope",
      "is required with gates.tokenExchange: Okta grants a client_credentials token only for a scope defined on " +
        "the authorization server",
      "add a scope there whose access policy rule admits this app, and set gates.scope to it, e.g. " +
        'gates: { tokenExchange: true, scope: "rotation.check" }',
    );
  }
  let tokenUrl = gates.tokenUrl;
  if (tokenUrl === undefined) {
    let org: string | undefined;
    try {
      org = orgUrl();
    } catch (err) {
      throw fail(
        "gates.tokenUrl",
        `is not set, and its default cannot be derived: ${(err as Error).message}`,
        "fix the org URL, or set gates.tokenUrl",
      );
    }
    if (org === undefined) {
      throw fail(
        "gates.tokenUrl",
        "is not set, and no Okta org URL is configured to derive its default (<org URL>/oauth2/default/v1/token) from",
        "set gates.tokenUrl to the token endpoint, or the org URL: pulumi config set " +
          "okta-credential-rotation:oktaOrgUrl https://<org>.okta.com (or okta:orgName, or OKTA_ORG_URL)",
      );
    }
    tokenUrl = defaultTokenUrl(org);
  }
  if (typeof tokenUrl === "string" && typeof gates.scope === "string") {
    const why = secretExchangeRefusal(tokenUrl, gates.scope, "gates.tokenUrl and gates.scope");
    if (why !== undefined)
      throw fail(/^the scope /.test(why) ? "gates.scope" : "gates.tokenUrl", "is refused", why);
  }
  return tokenUrl;
}

/** The slot plan, or the planner's refusal as an argument error. */
export function planOrFail(
  plan: () => RotationPlan,
  fail: ArgumentFailure,
  field = "generation",
): RotationPlan {
  try {
    return plan();
  } catch (err) {
    if (pulumi.ResourceError.isInstance(err)) throw err;
    const message = (err as Error).message;
    const rollback = /roll back/.test(message);
    throw fail(
      rollback ? "rollback" : field,
      `is refused: ${message}`,
      rollback ? "remove rollback" : `set ${field} to a whole number ≥ 1, and bump it by one to rotate`,
    );
  }
}

/** The resource options of a component renamed from `formerNames`: an alias per former name. */
export function withFormerNames(
  opts: pulumi.ComponentResourceOptions | undefined,
  formerNames: readonly string[] | undefined,
  component?: { readonly name: string; readonly type: string },
): pulumi.ComponentResourceOptions | undefined {
  if (!formerNames || formerNames.length === 0) return opts;
  // Children are named `<name>-…`. The engine derives a child's alias from its parent's only when the parent itself
  // was found by an alias: after a run that failed with the new name (a rename without formerNames), the component
  // is in state under its new name, and its children would be created anew. So each child is also given explicit
  // aliases: the same name under the component's former name.
  const childAliases: pulumi.ResourceTransformation | undefined =
    component === undefined
      ? undefined
      : (args) => {
          if (!args.name.startsWith(`${component.name}-`)) return undefined;
          const rest = args.name.slice(component.name.length);
          const aliases = formerNames.map((former) => ({
            name: `${former}${rest}`,
            parent: pulumi.createUrn(former, component.type, opts?.parent),
          }));
          return {
            props: args.props,
            opts: { ...args.opts, aliases: [...(args.opts.aliases ?? []), ...aliases] },
          };
        };
  return {
    ...opts,
    aliases: [...(opts?.aliases ?? []), ...formerNames.map((name) => ({ name }))],
    ...(childAliases ? { transformations: [...(opts?.transformations ?? []), childAliases] } : {}),
  };
}

/** The outputs of one secret slot of a {@link SecretRotation}. */
export interface SlotOutputs {
  readonly secretId: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  readonly generation: pulumi.Output<number | undefined>;
  /** The retired slot, with the token exchange gate on: when Okta refused its secret (`invalid_client`). */
  readonly refusedAt?: pulumi.Output<string>;
  /** The retired slot of a revoke: when its secret was deleted. */
  readonly revokedAt?: pulumi.Output<string>;
}

/**
 * Zero-downtime rotation of one Okta app's client secret. Two fixed slots hold the current and the
 * previous generation. A bump to generation g, in one `pulumi up`:
 *
 * 1. replaces the slot holding g−2 (INACTIVE, deleted before the new secret is created: never three);
 * 2. writes the new secret to Vault as a new KV version;
 * 3. patches each consuming Deployment's pod template, waits for the rollout, and counts the pods until none
 *    (terminating ones included) carries an older generation;
 * 4. passes the gates (minimum overlap, real token exchange);
 * 5. deactivates g−1, which stays INACTIVE for rollback until g+1 needs its slot.
 *
 * What consumers hold is never retired by anything but a finished rotation: removing the app, renaming it without
 * `formerNames` or destroying the stack releases its ACTIVE secret (left ACTIVE in Okta, unmanaged) and leaves
 * the Vault entry and the Deployments as they are (`retainOnDelete`). A config change that would retire a
 * credential in use is refused by the slots' `check`, before anything is written.
 */
export class SecretRotation extends pulumi.ComponentResource {
  /** The credential consumers hold after this run. */
  public readonly current: SlotOutputs;
  /** The retired credential kept INACTIVE for rollback, if any. */
  public readonly previous?: SlotOutputs;
  /** The Vault write, if Vault delivery is configured. */
  public readonly vaultSecret?: vault.kv.SecretV2;
  public readonly rollouts: k8s.apps.v1.DeploymentPatch[];
  /** With Deployments (and the census on): no pod carries an older generation. */
  public readonly census?: RolloutCensus;
  public readonly gate: TokenExchangeGate;
  /** With `gates.tokenExchange`: proof that Okta refuses the retired secret (`invalid_client`). */
  public readonly refusalProof?: RefusalProof;
  /** With `revoke`: the deletion of the previous secret in the same run. */
  public readonly revocation?: Revocation;
  /** What the run that reached this generation did: Okta ids and times, the Vault version, revisions, gates. */
  public readonly audit: pulumi.Output<AuditRecord>;

  constructor(name: string, args: SecretRotationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(
      SECRET_ROTATION_TYPE,
      name,
      {},
      withFormerNames(opts, args.formerNames, { name, type: SECRET_ROTATION_TYPE }),
    );
    // Every argument is checked here, before any child is registered: a wrong one fails `pulumi preview` with one
    // message (no stack trace), and `pulumi up --skip-preview` the same, before anything is written.
    const fail = (argument: string, problem: string, fix: string) =>
      argumentError(this, "SecretRotation", name, argument, problem, fix);
    if (args.adoptGeneratedSecret && args.adoptSecretId !== undefined) {
      throw fail(
        "adoptSecretId",
        "and adoptGeneratedSecret are both given",
        "give adoptSecretId (a secret the app's clients use) or adoptGeneratedSecret (the secret Okta generated " +
          "for an app created in this program), not both",
      );
    }
    const { generation, source: generationSource } = componentGeneration(
      GENERATIONS_KEY,
      name,
      args.generation,
      fail,
    );
    const maxCredentialAgeDays = checkedMaxAge(args.maxCredentialAgeDays, fail);
    const gates = args.gates ?? {};
    const tokenUrl = gateTokenUrl(gates, fail);
    const vaultClaim = args.vault ? claimVaultPath(this, "SecretRotation", name, args.vault) : undefined;
    // The secret Okta generated for a new app, found before the rotation's own secret is made (which would be a
    // second one). Its id plays adoptSecretId.
    const generated = args.adoptGeneratedSecret
      ? new GeneratedSecret(`${name}-generated`, { appId: args.appId, app: name }, { parent: this })
      : undefined;
    const adoptSecretId: pulumi.Input<string> | undefined = generated?.secretId ?? args.adoptSecretId;
    const plan = planOrFail(
      () =>
        planRotation(generation, {
          rollback: args.rollback ?? false,
          adopting: adoptSecretId !== undefined,
        }),
      fail,
    );
    // The app's config as each slot records it: the rules on changing it live in the slots (slotTransition.ts).
    const context = {
      app: name,
      generation,
      rollback: args.rollback ?? false,
      // Recorded only when set: the slots refuse a revoke without a bump (it would revoke the wrong secret).
      ...(args.revoke ? { revoke: true } : {}),
      ...(adoptSecretId !== undefined ? { adopting: adoptSecretId } : {}),
    };

    // The next secret's value, made before Okta is called: a secret whose create answer a killed run lost is
    // found again by it. Only a new generation makes a new value (a rollback keeps it: it creates nothing).
    const value = new SecretValue(
      `${name}-value`,
      {
        appId: args.appId,
        generation,
        // Recorded only when set: a new generation is judged by the slots' rules, rollback included.
        ...(args.rollback ? { rollback: true } : {}),
        // What the first write needs is looked up first: the app (onboarding without adoption) and, with the pod
        // census on, the Deployments, in the cluster the census reads.
        rotation: name,
        adoption: args.adoptGeneratedSecret
          ? "adoptGeneratedSecret"
          : args.adoptSecretId !== undefined
            ? "adoptSecretId"
            : "none",
        ...(args.deployments?.length && args.podCensus?.enabled !== false
          ? {
              deployments: args.deployments.map((d) => ({ namespace: d.namespace, name: d.name })),
              ...(args.podCensus?.kubeconfig !== undefined ? { kubeconfig: args.podCensus.kubeconfig } : {}),
              ...(args.podCensus?.context !== undefined ? { context: args.podCensus.context } : {}),
            }
          : {}),
      },
      { parent: this, ...(generated ? { dependsOn: [generated] } : {}) },
    );

    const slot = (p: SlotPlan, dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>) =>
      new ClientSecret(
        `${name}-slot-${slotName(p.slot)}`,
        {
          appId: args.appId,
          generation: p.generation,
          status: p.status,
          ...(p.adopts && adoptSecretId !== undefined
            ? { adoptSecretId }
            : p.role === "holder"
              ? { value: value.value }
              : {}),
          // A slot is only ever replaced once its secret is INACTIVE; an ACTIVE one means an unfinished rotation.
          replaceOnlyInactive: true,
          slot: context,
          onboardedGeneration: value.onboardedGeneration,
        },
        {
          parent: this,
          dependsOn,
          deleteBeforeReplace: true,
          // The holder's secret is the one consumers hold: removing the app, renaming it without formerNames or
          // destroying the stack leaves it ACTIVE in Okta, and the preview says so (`delete[retain]`). The engine
          // decides from the state recorded at the slot's last registration, and slots alternate roles: the holder
          // of g is registered as the retired slot (INACTIVE, not retained) when the rotation to g+1 finishes, so
          // when g+2 replaces that slot its INACTIVE secret is really deleted. The provider releases an ACTIVE
          // secret on delete anyway (the retired slot of an unfinished rotation, or state from before this option).
          retainOnDelete: p.role === "holder",
        },
      );

    // The holder comes first; the retired slot only changes once delivery and gates are done.
    // The holder is the rotation's first write: it waits for a Vault path known only now to be checked.
    const holder = slot(plan.holder, vaultClaim ? vaultClaim.apply(() => [value]) : [value]);

    let delivered: pulumi.Resource[] = [holder];
    if (args.vault) {
      const v = args.vault;
      this.vaultSecret = new (vaultPackage(this, "SecretRotation", name).kv.SecretV2)(
        `${name}-vault`,
        {
          mount: v.mount,
          name: v.path,
          dataJson: pulumi.secret(
            pulumi
              .all([
                holder.clientSecret,
                v.key ?? "client_secret",
                args.clientId ?? args.appId,
                holder.secretId,
              ])
              .apply(([secret, key, clientId, secretId]) =>
                JSON.stringify({
                  [key]: secret,
                  client_id: clientId,
                  secret_id: secretId,
                  generation: plan.holder.generation,
                }),
              ),
          ),
        },
        // What pods read outlives this resource: removing the app or destroying the stack keeps the entry.
        { parent: this, provider: v.provider, dependsOn: [holder], retainOnDelete: true },
      );
      delivered = [this.vaultSecret];
    }

    const rollout = rollDeployments(
      name,
      {
        appId: args.appId,
        deployments: args.deployments ?? [],
        generation: `${plan.holder.generation}`,
        annotations: { "okta-rotation/secret-id": holder.secretId },
        kubernetesProvider: args.kubernetesProvider,
        census: args.podCensus,
        dependsOn: delivered,
      },
      this,
    );
    this.rollouts = rollout.patches;
    this.census = rollout.census;
    const rolledOut = rollout.done;

    this.gate = new TokenExchangeGate(
      `${name}-gate`,
      {
        appId: args.appId,
        secretId: holder.secretId,
        generation: plan.holder.generation,
        clientId: args.clientId ?? args.appId,
        clientSecret: holder.clientSecret,
        tokenUrl: tokenUrl ?? "",
        ...(gates.scope !== undefined ? { scope: gates.scope } : {}),
        exchange: gates.tokenExchange ?? false,
        // The overlap is the time both secrets stay ACTIVE: none without a previous secret, and none for a revoke
        // (the leaked secret is retired as soon as the new one is rolled out).
        minOverlapSeconds: args.revoke || !plan.retired ? 0 : (gates.minOverlapSeconds ?? 0),
        activeSince: holder.lastUpdated,
      },
      { parent: this, dependsOn: rolledOut },
    );

    const retired = plan.retired ? slot(plan.retired, [this.gate]) : undefined;

    // The other side of the proof: once deactivated, the retired secret must be refused by the token endpoint.
    if (retired && plan.retired && gates.tokenExchange) {
      this.refusalProof = new RefusalProof(
        `${name}-refusal-proof`,
        {
          appId: args.appId,
          secretId: retired.secretId,
          generation: plan.retired.generation,
          clientId: args.clientId ?? args.appId,
          clientSecret: retired.clientSecret,
          tokenUrl: tokenUrl ?? "",
          ...(gates.scope !== undefined ? { scope: gates.scope } : {}),
        },
        { parent: this, dependsOn: [retired] },
      );
    }

    if (retired && plan.retired && args.revoke && !args.rollback) {
      this.revocation = new Revocation(
        `${name}-revocation`,
        { appId: args.appId, secretId: retired.secretId, generation },
        { parent: this, dependsOn: [this.refusalProof ?? retired] },
      );
    }

    this.current = { secretId: holder.secretId, status: holder.status, generation: holder.generation };
    if (retired) {
      this.previous = {
        secretId: retired.secretId,
        status: retired.status,
        generation: retired.generation,
        ...(this.refusalProof ? { refusedAt: this.refusalProof.refusedAt } : {}),
        ...(this.revocation ? { revokedAt: this.revocation.revokedAt } : {}),
      };
    }
    this.audit = pulumi
      .output({
        secretId: holder.secretId,
        created: holder.created,
        // A rollback creates nothing, so it deleted nothing; the holder's record is from the run that made it.
        replaced: args.rollback ? undefined : holder.replacedSecret,
        ...deliveryAuditFacts(
          this.vaultSecret,
          args.vault,
          args.deployments ?? [],
          this.rollouts,
          this.census,
        ),
        openedAt: this.gate.openedAt,
        exchangeStatus: this.gate.exchangeStatus,
        refusal: this.refusalProof
          ? pulumi
              .all([this.refusalProof.refusal, this.refusalProof.refusedAt])
              .apply(([refusal, refusedAt]) => ({ refusal, refusedAt }))
          : undefined,
        previous:
          retired && plan.retired
            ? pulumi
                .all([retired.secretId, retired.deactivatedAt, this.revocation?.revokedAt])
                .apply(([secretId, deactivatedAt, revokedAt]) => ({
                  secretId,
                  generation: plan.retired!.generation,
                  deactivatedAt,
                  revokedAt,
                }))
            : undefined,
      })
      .apply((v) =>
        secretAuditRecord({
          app: name,
          generation: plan.holder.generation,
          secretId: v.secretId,
          created: v.created,
          replaced: v.replaced,
          vault: v.vault,
          rollouts: v.rollouts,
          census: v.census,
          gate: {
            exchange: gates.tokenExchange ?? false,
            exchangeStatus: v.exchangeStatus,
            openedAt: v.openedAt,
            minOverlapSeconds: args.revoke || !plan.retired ? 0 : (gates.minOverlapSeconds ?? 0),
          },
          refusal: v.refusal,
          previous: v.previous,
        }),
      );
    this.registerOutputs({
      current: this.current,
      previous: this.previous,
      audit: this.audit,
      // For okta-rotation-due, which reads them from the stack's state.
      generationSource,
      ...(maxCredentialAgeDays !== undefined ? { maxCredentialAgeDays } : {}),
    });
  }
}
