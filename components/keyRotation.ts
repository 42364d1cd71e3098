import * as pulumi from "@pulumi/pulumi";
import type * as vault from "@pulumi/vault";
import type * as k8s from "@pulumi/kubernetes";
import { AppAuthMethod } from "../dynamic/appAuthMethod";
import { AssertionGate } from "../dynamic/assertionGate";
import { ClientSecret } from "../dynamic/clientSecret";
import { JsonWebKey } from "../dynamic/jsonWebKey";
import { KeyPair, pendingAlgorithm, type KeyPairAlgorithm } from "../dynamic/keyPair";
import { KeyRotationStart } from "../dynamic/keyRotationStart";
import { SecretHandover } from "../dynamic/secretHandover";
import { TokenExchangeGate } from "../dynamic/tokenExchangeGate";
import { keyAuditRecord, type AuditRecord } from "./audit";
import { planRotation, slotName, type SlotPlan } from "./plan";
import { argumentError } from "./errors";
import { checkedMaxAge, componentGeneration, KEY_GENERATIONS_KEY } from "./generations";
import { vaultPackage } from "./peers";
import { planOrFail, withFormerNames, type VaultDeliveryArgs } from "./secretRotation";
import { claimVaultPath } from "./vaultPaths";
import {
  rollDeployments,
  deliveryAuditFacts,
  type DeploymentRolloutArgs,
  type PodCensusArgs,
} from "./rollout";
import type { RolloutCensus } from "../dynamic/rolloutCensus";

/** Annotation with the kid pods should hold after the rollout. */
export const KID_ANNOTATION = "okta-rotation/kid";

/** Arguments of {@link KeyRotation}: the app, the key generation, the delivery and the gates of a private_key_jwt app. */
export interface KeyRotationArgs {
  /** Okta app id (`0oa…`), or the `id` of an `okta.app.OAuth` in the same stack. */
  readonly appId: pulumi.Input<string>;
  /** OAuth client id (`iss`/`sub` of the assertions); default: the app id. */
  readonly clientId?: pulumi.Input<string>;
  /**
   * Bump by one to rotate the key. Key generation g lives in key slot g % 2. Left out, it is read from the stack
   * config's `okta-credential-rotation:keyGenerations` entry of this rotation's name — where
   * `okta-rotation-due --write` bumps it (docs/configuration.md).
   */
  readonly keyGeneration?: number;
  /**
   * The age in days at which `okta-rotation-due` reports this rotation's current key due (recorded in the stack's
   * state; default: never, unless `okta-rotation-due --max-age-days` gives one).
   */
  readonly maxCredentialAgeDays?: number;
  /** RS256 (default, most compatible) or ES256 (smallest). A change takes effect with the next key. */
  readonly algorithm?: pulumi.Input<KeyPairAlgorithm>;
  /** Go back to a client secret: create one, deliver it, switch the app back, retire other secrets. */
  readonly rollback?: boolean;
  /**
   * The token endpoint the gates call and the assertions' `aud`: a custom authorization server's, e.g.
   * `https://<org>.okta.com/oauth2/default/v1/token` (the org server takes only Okta scopes from service apps).
   */
  readonly tokenUrl: pulumi.Input<string>;
  readonly scope?: pulumi.Input<string>;
  /** Minimum seconds both keys stay ACTIVE before the previous one is deactivated (default 0). */
  readonly minOverlapSeconds?: pulumi.Input<number>;
  /** Deliver the key to Vault KV v2 (a new version per change); `key` names the client secret's entry key. */
  readonly vault?: VaultDeliveryArgs;
  /** Deployments whose pods read the credential; their pod template is patched so they roll. */
  readonly deployments?: DeploymentRolloutArgs[];
  readonly kubernetesProvider?: k8s.Provider;
  /** Before the previous key is retired: wait until no pod of the Deployments carries an older generation. */
  readonly podCensus?: PodCensusArgs;
  /**
   * The app was rotated by a `SecretRotation` of the same name (default true): this component takes over its
   * URN (alias), so its Vault entry and Deployment patches are updated, not deleted and recreated.
   */
  readonly takesOverSecretRotation?: boolean;
  /**
   * Names this rotation had before: a rename keeps its resources (aliases, its children's too) instead of
   * registering new keys and releasing the old ones.
   */
  readonly formerNames?: readonly string[];
  /**
   * At the rotation's first run the app may already have keys (registered by hand, by another tool, or by this
   * stack under okta-credential-rotation 0.1.0): true registers the rotation's key next to them and leaves them as
   * they are. Without it, such a start is refused before anything is written — a rename without `formerNames`
   * would otherwise leave the old name's ACTIVE key registered with nobody holding it. Read at the start only.
   */
  readonly keepExistingKeys?: boolean;
}

/** The outputs of one key slot of a {@link KeyRotation}. */
export interface KeySlotOutputs {
  readonly kid: pulumi.Output<string>;
  /** Okta's id of the registered key (`pks…`). */
  readonly keyId: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  readonly generation: number;
}

/**
 * private_key_jwt for one Okta app: migrates it off its client secret, then rotates its key by generation with
 * the same overlap guarantees as secrets. In one `pulumi up`, in this order (each step `dependsOn` the one
 * before, so a failure stops everything after it):
 *
 * 1. the key pair of generation g is generated (slot g % 2; the slot's g−2 key, INACTIVE, is deleted first);
 * 2. its public JWK is registered ACTIVE on the app — two ACTIVE keys while pods roll;
 * 3. the private key and kid are written to Vault as a new KV version; while the app still authenticates with a
 *    client secret, that secret is written next to the key, and the app-side client (`client/`) falls back
 *    from one to the other, so no pod fails when the method switches;
 * 4. each consuming Deployment rolls, the rollout is awaited, and the pod census waits until no pod (terminating
 *    ones included) carries an older generation;
 * 5. the gate proves the key: registered, ACTIVE, verifying — and a real private_key_jwt exchange once the app
 *    uses private_key_jwt (before the switch Okta refuses every assertion, whatever the key);
 * 6. only then the app's `token_endpoint_auth_method` is switched to private_key_jwt (no-op once switched);
 * 7. a real private_key_jwt exchange proves the switch;
 * 8. the previous key (g−1) is deactivated, never before the new one is proven, so never the only ACTIVE one;
 *    and the client secrets are retired.
 *
 * How client secrets are retired: explicitly, by a `SecretHandover` in `retire` mode after step 7 — each
 * secret is deactivated and deleted (INACTIVE ones first; one already deleted by Okta on the switch is fine).
 * Okta will not deactivate the only ACTIVE secret, even on a private_key_jwt app, and will not create a
 * second one there; such a secret is left ACTIVE, reported as `unusableSecrets` with a warning: the token
 * endpoint accepts only private_key_jwt now, so it authenticates nobody. The `SecretRotation` children this
 * component does not take over (its secret slots, guard and gate) are no longer declared, so the engine
 * deletes them at the end of the update — after everything above succeeded — and finds them gone.
 *
 * Rollback (`rollback: true`) goes back to a client secret. Okta refuses to create or activate a secret while
 * the app uses private_key_jwt, so the secret cannot exist in Okta before the switch back; instead its value is
 * generated first and delivered with the key (pods hold both and keep using the key), then the app is switched
 * back and the secret registered with that value right away (the client retries the moment in between), a
 * real client_secret_basic exchange proves it, and every other secret (an `unusable` one left by the
 * migration) is retired. The keys stay registered, so removing `rollback` migrates again.
 *
 * What consumers hold is retired only by a finished rotation that delivered its successor: removing the app from
 * the stack, renaming it, or destroying the stack releases it. The ACTIVE key and the app's auth method stay as
 * they are in Okta (unmanaged), the Vault entry pods read and the Deployments' pod templates are left as they are
 * (`retainOnDelete`), and only what nobody holds (the INACTIVE previous key) is deleted. A config change that
 * would replace the ACTIVE key (a generation skipped, an unfinished rotation) is refused by the key slot's diff
 * (`replaceOnlyInactive`), in the preview and before Okta is called.
 */
export class KeyRotation extends pulumi.ComponentResource {
  /** The key consumers hold after this run. */
  public readonly current: KeySlotOutputs;
  /** The previous key, kept INACTIVE for one generation, if any. */
  public readonly previous?: KeySlotOutputs;
  /** The app's token endpoint auth method after this run. */
  public readonly authMethod: pulumi.Output<string>;
  public readonly vaultSecret?: vault.kv.SecretV2;
  public readonly rollouts: k8s.apps.v1.DeploymentPatch[];
  /** With Deployments (and the census on): no pod carries an older key generation. */
  public readonly census?: RolloutCensus;
  /** Client secrets deactivated and deleted (or found gone). */
  public readonly retiredSecrets: pulumi.Output<string[] | undefined>;
  /** ACTIVE secrets Okta would not deactivate on the private_key_jwt app; they cannot authenticate. */
  public readonly unusableSecrets: pulumi.Output<string[] | undefined>;
  /** What the run that reached this key generation did: Okta ids and times, the Vault version, revisions, gates. */
  public readonly audit: pulumi.Output<AuditRecord>;

  constructor(name: string, args: KeyRotationArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const takeOver = args.takesOverSecretRotation ?? true;
    const type = "okta-rotation:index:KeyRotation";
    const renamed = withFormerNames(opts, args.formerNames, { name, type }) ?? opts;
    super(
      type,
      name,
      {},
      takeOver
        ? {
            ...renamed,
            aliases: [...(renamed.aliases ?? []), { type: "okta-rotation:index:SecretRotation" }],
          }
        : renamed,
    );
    const fail = (argument: string, problem: string, fix: string) =>
      argumentError(this, "KeyRotation", name, argument, problem, fix);
    const { generation: keyGeneration, source: generationSource } = componentGeneration(
      KEY_GENERATIONS_KEY,
      name,
      args.keyGeneration,
      fail,
    );
    const maxCredentialAgeDays = checkedMaxAge(args.maxCredentialAgeDays, fail);
    const plan = planOrFail(() => planRotation(keyGeneration), fail, "keyGeneration");
    // Another rotation writing this Vault entry is refused before the first key is made.
    const vaultClaim = args.vault ? claimVaultPath(this, "KeyRotation", name, args.vault) : undefined;
    const rollback = args.rollback ?? false;
    const clientId = args.clientId ?? args.appId;
    const trigger = `${keyGeneration}${rollback ? "-rollback" : ""}`;

    // The app's key generation as each key slot records it: the pair's `check` refuses an unsafe change before
    // anything is replaced (slotTransition.ts). The retired slot's pair is updated last, so it records whether the
    // previous key rotation finished.
    const context = { app: name, generation: keyGeneration, rollback: false };

    const slot = (p: SlotPlan, dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>) => {
      const pair = new KeyPair(
        `${name}-key-${slotName(p.slot)}`,
        { algorithm: args.algorithm ?? "RS256", generation: p.generation, slot: context },
        { parent: this, dependsOn },
      );
      const jwk = new JsonWebKey(
        `${name}-jwk-${slotName(p.slot)}`,
        {
          appId: args.appId,
          jwk: pair.publicJwk as unknown as pulumi.Output<Record<string, string>>,
          generation: p.generation,
          status: p.status,
          // A slot is only ever replaced once its key is INACTIVE; an ACTIVE one means an unfinished rotation.
          replaceOnlyInactive: true,
        },
        {
          parent: this,
          dependsOn,
          deleteBeforeReplace: true,
          // The holder's key is the one consumers sign with: removing the app or destroying the stack must leave it
          // ACTIVE in Okta, and the preview should say so (`delete[retain]`) rather than show a delete. Only the
          // holder retains. The engine decides from the state of the resource being deleted, recorded at its last
          // registration, and slots alternate roles: the holder of g is registered as the retired slot (INACTIVE,
          // not retained) when the rotation to g+1 finishes, so when g+2 replaces that slot its INACTIVE key is
          // really deleted. A holder is replaced only while INACTIVE (replaceOnlyInactive). The provider releases
          // an ACTIVE key on delete anyway (state written before this option, or a key activated out of band).
          retainOnDelete: p.role === "holder",
        },
      );
      return { pair, jwk };
    };

    // 0. The start, made once: before the first key, the app must have none this rotation did not register.
    const start = new KeyRotationStart(
      `${name}-start`,
      {
        appId: args.appId,
        rotation: name,
        ...(args.keepExistingKeys !== undefined ? { keepExistingKeys: args.keepExistingKeys } : {}),
      },
      { parent: this, dependsOn: vaultClaim ?? [] },
    );

    // 1–2. The new key: generated, then registered ACTIVE next to the previous one.
    const holder = slot(plan.holder, [start]);
    // A new algorithm waits for the next key (KeyPair): say so where the held pair's algorithm is known (a preview
    // of an algorithm change alone; in the preview of a bump the new pair's is not known yet).
    pulumi.all([holder.pair.algorithm, args.algorithm]).apply(([held, wanted]) => {
      const pending = pendingAlgorithm(held, wanted, plan.holder.generation, "privateKeyJwt.keyGeneration");
      if (pending) void pulumi.log.info(`KeyRotation '${name}': ${pending}`, this);
    });

    // The client secret to deliver with the key: the one pods hold now (until the app is switched), or, for a
    // rollback, a new value made for the switch back.
    const secretSource = new SecretHandover(
      rollback ? `${name}-rollback-value` : `${name}-secrets-read`,
      { appId: args.appId, mode: rollback ? "generate" : "read", trigger },
      { parent: this, dependsOn: [holder.jwk] },
    );

    // 3. Vault: a new KV version with the private key, its kid and (while needed) the client secret.
    let delivered: pulumi.Resource[] = [holder.jwk, secretSource];
    if (args.vault) {
      const v = args.vault;
      this.vaultSecret = new (vaultPackage(this, "KeyRotation", name).kv.SecretV2)(
        `${name}-vault`,
        {
          mount: v.mount,
          name: v.path,
          dataJson: pulumi.secret(
            pulumi
              .all([
                holder.pair.privateJwk,
                holder.pair.kid,
                holder.pair.algorithm,
                clientId,
                secretSource.clientSecret,
                v.key ?? "client_secret",
              ])
              .apply(([privateJwk, kid, alg, id, clientSecret, secretKey]) =>
                JSON.stringify({
                  client_id: id,
                  token_endpoint_auth_method: rollback ? "client_secret_basic" : "private_key_jwt",
                  private_key: JSON.stringify(privateJwk),
                  kid,
                  alg,
                  key_generation: plan.holder.generation,
                  ...(clientSecret ? { [secretKey]: clientSecret } : {}),
                }),
              ),
          ),
        },
        // What pods read outlives this resource: removing the app or destroying the stack keeps the entry (a
        // delete would soft-delete the version pods read).
        { parent: this, provider: v.provider, dependsOn: delivered, retainOnDelete: true },
      );
      delivered = [this.vaultSecret];
    }

    // 4. Rollout, awaited.
    const rollout = rollDeployments(
      name,
      {
        appId: args.appId,
        deployments: args.deployments ?? [],
        generation: `key-${plan.holder.generation}${rollback ? "-rollback" : ""}`,
        annotations: { [KID_ANNOTATION]: holder.pair.kid },
        kubernetesProvider: args.kubernetesProvider,
        census: args.podCensus,
        dependsOn: delivered,
      },
      this,
      "KeyRotation",
    );
    this.rollouts = rollout.patches;
    this.census = rollout.census;
    const rolledOut = rollout.done;

    // 5. Gate: the key is proven as far as Okta allows before the switch.
    const gate = new AssertionGate(
      `${name}-key-gate`,
      {
        appId: args.appId,
        clientId,
        kid: holder.pair.kid,
        generation: plan.holder.generation,
        privateJwk: holder.pair.privateJwk,
        tokenUrl: args.tokenUrl,
        ...(args.scope !== undefined ? { scope: args.scope } : {}),
        exchange: "auto",
        minOverlapSeconds: args.minOverlapSeconds ?? 0,
        activeSince: holder.jwk.lastUpdated,
      },
      { parent: this, dependsOn: rolledOut },
    );

    // 6. The switch (GET + PUT of the whole app); a no-op once the app has the method.
    // Removing the app or destroying the stack leaves the method as it is: its provider's delete changes nothing
    // (and warns), and retainOnDelete makes the preview show the release (`delete[retain]`). The resource is only
    // replaced when appId changes, and then the old app keeps its method too.
    const authMethod = new AppAuthMethod(
      `${name}-auth-method`,
      { appId: args.appId, tokenEndpointAuthMethod: rollback ? "client_secret_basic" : "private_key_jwt" },
      { parent: this, dependsOn: [gate], retainOnDelete: true },
    );

    // 7. Proof after the switch: a real exchange with the credential the app now accepts.
    let proof: pulumi.Resource;
    let keep: pulumi.Input<pulumi.Input<string>[]> = [];
    if (rollback) {
      const secret = new ClientSecret(
        `${name}-rollback-secret`,
        { appId: args.appId, value: secretSource.clientSecret as pulumi.Output<string>, status: "ACTIVE" },
        { parent: this, dependsOn: [authMethod] },
      );
      keep = [secret.secretId];
      proof = new TokenExchangeGate(
        `${name}-secret-proof`,
        {
          appId: args.appId,
          secretId: secret.secretId,
          generation: plan.holder.generation,
          clientId,
          clientSecret: secret.clientSecret,
          tokenUrl: args.tokenUrl,
          ...(args.scope !== undefined ? { scope: args.scope } : {}),
          exchange: true,
          minOverlapSeconds: 0,
          activeSince: secret.lastUpdated,
        },
        { parent: this, dependsOn: [secret] },
      );
    } else {
      proof = new AssertionGate(
        `${name}-key-proof`,
        {
          appId: args.appId,
          clientId,
          kid: holder.pair.kid,
          generation: plan.holder.generation,
          privateJwk: holder.pair.privateJwk,
          tokenUrl: args.tokenUrl,
          ...(args.scope !== undefined ? { scope: args.scope } : {}),
          exchange: "always",
        },
        { parent: this, dependsOn: [authMethod] },
      );
    }

    // 8. Retire: the previous key to INACTIVE (kept one generation for a quick way back), the client secrets.
    const retired = plan.retired ? slot(plan.retired, [proof]) : undefined;
    const retirement = new SecretHandover(
      `${name}-secrets-retire`,
      { appId: args.appId, mode: "retire", trigger, keep },
      { parent: this, dependsOn: [proof] },
    );

    this.current = {
      kid: holder.pair.kid,
      keyId: holder.jwk.keyId,
      status: holder.jwk.status,
      generation: plan.holder.generation,
    };
    if (retired && plan.retired) {
      this.previous = {
        kid: retired.pair.kid,
        keyId: retired.jwk.keyId,
        status: retired.jwk.status,
        generation: plan.retired.generation,
      };
    }
    const gateFacts = (g: pulumi.Resource) =>
      g instanceof AssertionGate
        ? pulumi.all([g.proof, g.openedAt]).apply(([proof, openedAt]) => ({ proof, openedAt }))
        : undefined;
    this.audit = pulumi
      .output({
        keyId: holder.jwk.keyId,
        // A whole-app PUT (the switch, either way) may give every key a new id; a key recorded before it is named
        // by the id Okta gave it.
        renumbered: authMethod.renumberedKeys,
        kid: holder.pair.kid,
        created: holder.jwk.created,
        ...deliveryAuditFacts(
          this.vaultSecret,
          args.vault,
          args.deployments ?? [],
          this.rollouts,
          this.census,
        ),
        gates: [gateFacts(gate), gateFacts(proof)],
        minOverlapSeconds: args.minOverlapSeconds ?? 0,
        previous:
          retired && plan.retired
            ? pulumi
                .all([retired.jwk.keyId, retired.jwk.status, retired.jwk.lastUpdated])
                .apply(([keyId, status, lastUpdated]) => ({
                  keyId,
                  generation: plan.retired!.generation,
                  status,
                  lastUpdated,
                }))
            : undefined,
      })
      .apply((v) =>
        keyAuditRecord({
          app: name,
          generation: plan.holder.generation,
          keyId: v.renumbered?.[v.keyId] ?? v.keyId,
          kid: v.kid,
          created: v.created,
          vault: v.vault,
          rollouts: v.rollouts,
          census: v.census,
          gates: v.gates.filter((g) => g !== undefined),
          minOverlapSeconds: v.minOverlapSeconds,
          previous: v.previous && {
            ...v.previous,
            keyId: v.renumbered?.[v.previous.keyId] ?? v.previous.keyId,
          },
        }),
      );
    this.authMethod = authMethod.tokenEndpointAuthMethod;
    this.retiredSecrets = retirement.retired;
    this.unusableSecrets = retirement.unusable;
    this.registerOutputs({
      current: this.current,
      previous: this.previous,
      authMethod: this.authMethod,
      retiredSecrets: this.retiredSecrets,
      unusableSecrets: this.unusableSecrets,
      audit: this.audit,
      // For okta-rotation-due, which reads them from the stack's state.
      generationSource,
      ...(maxCredentialAgeDays !== undefined ? { maxCredentialAgeDays } : {}),
    });
  }
}
