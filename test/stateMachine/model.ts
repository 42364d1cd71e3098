// The state-machine test's pure layer: what a team does to the stack config (and what happens to Okta out of
// band), as fast-check model-based commands, run against the project's own rules — the config validation
// (parseAppsConfig), the slot plan (planRotation), the slot resources' refusals (slotTransitionProblem,
// rollbackTargetMissing, the two-secret cap at a new slot) and the Deployment patch names and annotation keys —
// and a small simulation of what the engine and Okta then do with an accepted plan (create, deliver, deactivate,
// delete, in the order the components declare). After every step it checks the invariants the simulation can
// see: what pods hold stays ACTIVE until its successor is delivered; ≤ 2 secrets, ≥ 1 ACTIVE per app; a refused
// app is left exactly as it was; a rollback reactivates the secret made for the generation it goes back to;
// a refusal names the app and what to set; the audit keeps a revoke's deletion; a failed run is completed by the
// same config's next run; patches are named by Deployment and apps sharing one never write the same key.
// private_key_jwt the same way: the migration, key bumps, the switch back to a client secret and forth again, an
// algorithm change, keys deactivated or deleted in Okta, faults at any step of a key run — run through the key
// slots' rules (slotTransitionProblem with the key words, diffJsonWebKey, unsafeKeyReplacement), the secret
// handover's (currentSecret, retirementOrder, usesClientSecrets), the audit record (keyAuditRecord) and the ids a
// whole-app PUT gives the keys (renumberedKeys), against a simulation of Okta's keys and the app's auth method.
// What only the engine shows (phantom or hidden writes in a preview, aliases, state) is the engine layer's.
import fc from "fast-check";
import { ConfigError, parseAppsConfig, type AppConfig } from "../../components/config";
import { planRotation, slotName, slotOf, type RotationPlan } from "../../components/plan";
import { patchName } from "../../components/rollout";
import { ROLLOUT_ANNOTATION, scopedAnnotation } from "../../dynamic/rolloutCensus";
import { KEY_SLOTS, slotTransitionProblem, type SlotContext } from "../../dynamic/slotTransition";
import { diffJsonWebKey, unsafeKeyReplacement } from "../../dynamic/jsonWebKey";
import { renumberedKeys } from "../../dynamic/appAuthMethod";
import { pendingAlgorithm, type KeyPairAlgorithm } from "../../dynamic/keyPair";
import { currentSecret, retirementOrder, usesClientSecrets } from "../../dynamic/secretHandover";
import { keyAuditRecord } from "../../components/audit";
import {
  createsWithoutListing,
  rollbackTargetMissing,
  secretAdoptionProblem,
  unrecordedRetiredSecret,
  type ClientSecretInputs,
} from "../../dynamic/clientSecret";
import type { OktaClientSecret } from "../../dynamic/oktaObjects";
import { onboardingProblem } from "../../dynamic/preflight";
import { keyStartProblem } from "../../dynamic/keyRotationStart";

export const NS = "okta-credential-rotation";

/** One app as the team writes it in the stack config. */
export interface ModelApp {
  name: string;
  formerNames: string[];
  appId: string;
  generation: number;
  rollback?: boolean;
  revoke?: boolean;
  adoptSecretId?: string;
  deployments: string[]; // "namespace/name"
  /** As the config's privateKeyJwt (enabled: a KeyRotation replaces the app's SecretRotation). */
  privateKeyJwt?: { algorithm: KeyPairAlgorithm; keyGeneration: number; rollback: boolean };
}

/** A JSON Web Key in Okta. `madeFor`: the key generation whose pair it is. */
interface OktaKey {
  id: string;
  kid: string;
  status: "ACTIVE" | "INACTIVE";
  madeFor: number;
  alg: KeyPairAlgorithm;
}

/** What the app's token endpoint accepts. */
type AuthMethod = "client_secret_basic" | "private_key_jwt";

/** The state of one key slot: its KeyPair (state only) and its JsonWebKey (as last recorded). */
interface KeySlotState {
  pair?: { ctx: SlotContext; generation: number; kid: string; alg: KeyPairAlgorithm };
  jwk?: { keyId: string; kid: string; status: "ACTIVE" | "INACTIVE"; generation: number };
}

/** What the stack keeps of an app's KeyRotation. */
interface KeyState {
  /** KeyRotationStart: made at the rotation's first run (its check looked at the app's keys then, never again). */
  started?: boolean;
  slots: [KeySlotState, KeySlotState];
  /** SecretHandover `-secrets-read` (mode read) or `-rollback-value` (generate): its trigger and value. */
  handover?: { mode: "read" | "generate"; trigger: string; value: string };
  /** ClientSecret `-rollback-secret`: the secret made for the switch back. */
  rollbackSecret?: { secretId: string; value: string };
  /** AppAuthMethod, as recorded. */
  method?: AuthMethod;
  /** SecretHandover `-secrets-retire`: the trigger and keep it last ran with. */
  retire?: { trigger: string; keep: string[] };
  /** AppAuthMethod's renumberedKeys: the ids its PUTs gave the keys, by the ids they had before. */
  renumbered?: Record<string, string>;
  /** Not state: a PUT's answer was lost (a stopped run), so its new key ids are in no map (see the audit check). */
  renumberingLost?: boolean;
  /** The component's audit record, as the last finished run left it. */
  audit?: ReturnType<typeof keyAuditRecord>;
}

interface OktaSecret {
  id: string;
  status: "ACTIVE" | "INACTIVE";
  /** The generation whose rotation made it (0: there before the stack). */
  madeFor: number;
  /** The value, as a token: a slot finds a secret its lost create made by it (Okta's secret_hash). */
  value: string;
}

interface SlotState {
  ctx: SlotContext & { adopting?: string };
  secretId: string;
  generation: number;
}

/** The simulated stack: Okta's secrets by app id, and the state the stack keeps per app name. */
export interface World {
  okta: Map<string, OktaSecret[]>;
  /** Okta's JSON Web Keys, and each app's token endpoint auth method (client_secret_basic unless set). */
  keys: Map<string, OktaKey[]>;
  method: Map<string, AuthMethod>;
  stack: Map<string, AppState>;
  /** An app whose last run stopped half-way (a fault): the same config must complete it. */
  interrupted: Set<string>;
  nextId: number;
}

/** What the stack's state holds of one app (per resource, as the engine records it), and what its pods hold. */
interface AppState {
  appId: string;
  /** SecretValue: the next secret's value, made per generation before Okta is called (kept by a rollback). */
  value?: { generation: number; value: string };
  /** SecretValue: the generation the rotation was first applied at. */
  onboarded?: number;
  slots: [SlotState?, SlotState?];
  /** Not state: the secret the app's pods hold, as Vault delivered it. */
  delivered?: string;
  deletedAt?: number;
  /** KeyRotation: its resources, and (not state) the key and secret value the pods hold, as Vault delivered them. */
  keys?: KeyState;
  pods?: { kid?: string; secret?: string };
}

/**
 * A fault in one app's run: the run stops at its `at`-th step that calls Okta (counted from 0, wrapping), after the
 * call took effect in Okta or before. `kill`: a killed `pulumi up` (the answer never recorded); `429`: a burst
 * longer than the retries (Okta did nothing); `5xx`: a burst longer than the retries, the last call's outcome
 * unclear (done or not). A burst the retries absorb is `absorbed`: the run completes as without it.
 */
export interface Fault {
  app: string;
  kind: "kill" | "429" | "5xx";
  at: number;
  happened: boolean;
  absorbed: boolean;
}

/** What the generated sequences did, for `npm run fuzz` to print: runs, refusals, faults and what they stopped. */
export const stats = {
  runs: 0,
  applied: 0,
  refused: 0,
  /** Refused by SecretValue's lookup at a first run (an app holding secrets, or none at generation ≥ 2). */
  refusedAtOnboarding: 0,
  /** Refused by KeyRotationStart's lookup at a key rotation's first run (an app with keys it did not register). */
  refusedAtKeyStart: 0,
  faults: 0,
  /** Faults that stopped a run part-way (the rest were absorbed by the retries, or came after the last step). */
  stopped: 0,
  /** Of those, the ones where the last call took effect in Okta and its answer was lost. */
  lostAnswers: 0,
  /** Runs of the same config after a stopped one, each of which completed it. */
  completed: 0,
  /** KeyRotation runs that finished, and of them: migrations, key rotations, switches back to secrets. */
  keyRuns: 0,
  migrations: 0,
  keyRotations: 0,
  switchesBack: 0,
  /** Faults that stopped a KeyRotation run part-way. */
  keyFaults: 0,
};

/** Thrown inside a run where its fault stops it. */
class Stopped extends Error {}

/** The config the team holds, and what the last run did. */
export interface Model {
  apps: ModelApp[];
  lastRefusal?: string;
}

export function newWorld(appIds: readonly string[]): World {
  const okta = new Map<string, OktaSecret[]>();
  // Every app but the last had a secret before the stack; the last has none (an app created for it).
  appIds.forEach((id, i) =>
    okta.set(
      id,
      i < appIds.length - 1
        ? [{ id: `ocs-seed-${i}`, status: "ACTIVE", madeFor: 0, value: `seed-${i}` }]
        : [],
    ),
  );
  return {
    okta,
    keys: new Map(appIds.map((id) => [id, []])),
    method: new Map(),
    stack: new Map(),
    interrupted: new Set(),
    nextId: 1,
  };
}

export function rawConfig(apps: readonly ModelApp[]): unknown[] {
  return apps.map((a) => ({
    name: a.name,
    ...(a.formerNames.length > 0 ? { formerNames: a.formerNames } : {}),
    appId: a.appId,
    generation: a.generation,
    ...(a.rollback ? { rollback: true } : {}),
    ...(a.revoke ? { revoke: true } : {}),
    ...(a.adoptSecretId ? { adoptSecretId: a.adoptSecretId } : {}),
    deployments: a.deployments.map((d) => ({ namespace: d.split("/")[0], name: d.split("/")[1] })),
    ...(a.privateKeyJwt
      ? {
          privateKeyJwt: {
            enabled: true,
            ...(a.privateKeyJwt.algorithm !== "RS256" ? { algorithm: a.privateKeyJwt.algorithm } : {}),
            keyGeneration: a.privateKeyJwt.keyGeneration,
            ...(a.privateKeyJwt.rollback ? { rollback: true } : {}),
          },
          gates: { tokenUrl: "https://example.okta.com/oauth2/default/v1/token", scope: "rotation.check" },
        }
      : {}),
  }));
}

/** Why a property failed: thrown from `run` or `check` with what was found. */
export class Violation extends Error {}
function must(ok: boolean, what: string): void {
  if (!ok) throw new Violation(what);
}

export type Outcome =
  { kind: "applied" } | { kind: "refused"; reasons: string[] } | { kind: "failed"; reasons: string[] };

/**
 * One `pulumi up` of `apps`: the config check, then per app the first resource's lookups (SecretValue, preflight.ts),
 * the slots' checks and, when they pass, the steps of the plan. `fault`: the app's run stops at one of its steps
 * (see Fault); the apps after it do not run, and nothing is released.
 */
export function up(world: World, apps: readonly ModelApp[], fault?: Fault): Outcome {
  const outcome = upOnce(world, apps, fault);
  stats.runs++;
  if (fault) stats.faults++;
  if (outcome.kind === "applied") stats.applied++;
  else if (outcome.kind === "refused") {
    stats.refused++;
    if (outcome.reasons.some((x) => /^SecretRotation '[a-z0-9-]+': /.test(x))) stats.refusedAtOnboarding++;
    if (outcome.reasons.some((x) => /^KeyRotation '[a-z0-9-]+': /.test(x))) stats.refusedAtKeyStart++;
  } else {
    stats.stopped++;
    if (outcome.reasons.some((x) => /\(done, not recorded\)$/.test(x))) stats.lostAnswers++;
  }
  return outcome;
}

function upOnce(world: World, apps: readonly ModelApp[], fault?: Fault): Outcome {
  let parsed: AppConfig[];
  try {
    parsed = parseAppsConfig(rawConfig(apps), NS);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) {
      must(/^okta-credential-rotation:apps(\[\d+\])?/.test(p), `config error without its key: ${p}`);
    }
    return { kind: "refused", reasons: [...err.problems] };
  }
  const reasons: string[] = [];
  const seen = new Set<string>();
  for (const app of parsed) {
    // A rename with formerNames takes the old name's state over (aliases); without, the old name is released.
    let state = world.stack.get(app.name);
    let movedFrom: string | undefined;
    const saved = state === undefined ? undefined : structuredClone(state);
    for (const former of app.formerNames) {
      const old = world.stack.get(former);
      if (state === undefined && old !== undefined) {
        movedFrom = former;
        state = structuredClone(old);
        world.stack.delete(former);
        world.stack.set(app.name, state);
        for (const s of state.slots) if (s) s.ctx = { ...s.ctx, app: app.name };
      }
    }
    seen.add(app.name);
    let reason: string | undefined;
    try {
      const f = fault?.app === app.name ? fault : undefined;
      reason = app.privateKeyJwt?.enabled ? applyKeys(world, app, state, f) : applyApp(world, app, state, f);
    } catch (err) {
      if (!(err instanceof Stopped)) throw err;
      return { kind: "failed", reasons: [...reasons, `app '${app.name}': ${err.message}`] };
    }
    if (reason !== undefined) {
      reasons.push(reason);
      // A refused app keeps its state as it was, under the name it had.
      if (movedFrom !== undefined) {
        world.stack.set(movedFrom, world.stack.get(app.name)!);
        world.stack.delete(app.name);
        for (const s of world.stack.get(movedFrom)!.slots) if (s) s.ctx = { ...s.ctx, app: movedFrom };
        seen.add(movedFrom);
      } else if (saved !== undefined) world.stack.set(app.name, saved);
      else world.stack.delete(app.name);
    }
  }
  // Apps no longer in the config: released. The INACTIVE secret of their retired slot is deleted; the ACTIVE one
  // pods hold stays ACTIVE, unmanaged. The engine deletes last, so a refused run releases nothing.
  if (reasons.length > 0) return { kind: "refused", reasons };
  for (const [name, state] of [...world.stack]) {
    if (seen.has(name)) continue;
    const secrets = world.okta.get(state.appId)!;
    for (const slot of state.slots) {
      const s = slot && secrets.find((x) => x.id === slot.secretId);
      if (s && s.status === "INACTIVE") secrets.splice(secrets.indexOf(s), 1);
    }
    // A KeyRotation's: the INACTIVE key is deleted, the ACTIVE one and the auth method stay (retainOnDelete).
    const keys = world.keys.get(state.appId)!;
    for (const slot of state.keys?.slots ?? []) {
      const k = slot.jwk && findKey(keys, slot.jwk.keyId, slot.jwk.kid);
      if (k && k.status === "INACTIVE") keys.splice(keys.indexOf(k), 1);
    }
    world.stack.delete(name);
  }
  return { kind: "applied" };
}

function applyApp(
  world: World,
  app: AppConfig,
  state: AppState | undefined,
  fault: Fault | undefined,
): string | undefined {
  const secrets = world.okta.get(app.appId)!;
  const plan: RotationPlan = planRotation(app.generation, {
    rollback: app.rollback,
    adopting: app.adoptSecretId !== undefined,
  });
  const ctx: SlotContext & { adopting?: string } = {
    app: app.name,
    generation: app.generation,
    rollback: app.rollback,
    ...(app.revoke ? { revoke: true } : {}),
    ...(app.adoptSecretId !== undefined ? { adopting: app.adoptSecretId } : {}),
  };
  const slots = state?.slots ?? [undefined, undefined];
  const find = (id: string | undefined) => secrets.find((x) => x.id === id);

  // SecretValue, the rotation's first resource, made once per name (and per generation after): at its creation
  // without adoption, the app must hold no secret and start at generation 1 (its check, before any write).
  if (state === undefined && app.adoptSecretId === undefined) {
    const problem = onboardingProblem(app.name, app.appId, secrets, app.generation);
    if (problem) return problem;
  }
  // SecretValue's check of an existing rotation: the generation only goes up (the slots say the same, while in state).
  if (state?.value !== undefined && app.generation < state.value.generation) {
    const last = { app: app.name, generation: state.value.generation, rollback: false };
    return `${slotTransitionProblem(last, { ...last, generation: app.generation })} Nothing was changed.`;
  }
  const value = state?.value?.generation === app.generation ? state.value.value : `value-${world.nextId++}`;

  // The slots' checks, holder first (the first resource that writes), each before anything of it is written.
  for (const p of [plan.holder, plan.retired]) {
    if (!p) continue;
    const before = slots[p.slot];
    const problem = slotTransitionProblem(before?.ctx, ctx);
    // As ClientSecret's check: dropping adoptSecretId is refused only while the adopted secret is in Okta.
    const adoptedGone =
      typeof before?.ctx.adopting === "string" && ctx.adopting === undefined && !find(before.ctx.adopting);
    if (problem && !adoptedGone) return `${problem} Nothing was changed.`;
  }
  const holderBefore = slots[plan.holder.slot];
  if (app.rollback && plan.holder.adopts === undefined) {
    if (holderBefore === undefined) {
      const missing = rollbackTargetMissing({
        appId: app.appId,
        status: "ACTIVE",
        generation: plan.holder.generation,
        slot: ctx,
      } as ClientSecretInputs);
      if (missing) return missing;
    }
    if (holderBefore !== undefined && find(holderBefore.secretId) === undefined) {
      return `app '${app.name}': rollback: true goes back to the secret of generation ${plan.holder.generation}, which (${holderBefore.secretId}) is no longer in Okta; remove rollback. Nothing was changed.`;
    }
  }
  if (
    holderBefore === undefined &&
    plan.holder.adopts &&
    app.adoptSecretId !== undefined &&
    find(app.adoptSecretId) === undefined
  ) {
    // The holder adopts at create (ClientSecret adoptSecret): a secret that is gone fails its read, before a write.
    return `app '${app.name}': adoptSecretId ${app.adoptSecretId} is not a secret of the app any more; remove adoptSecretId. Nothing was changed.`;
  }
  const creates = holderBefore === undefined || holderBefore.generation !== plan.holder.generation;
  // ClientSecret's check of a slot the stack never had, about to create with its value: at Okta's cap, unless one
  // of the two holds that value (a lost create of this slot, which the create then adopts).
  if (
    holderBefore === undefined &&
    !app.rollback &&
    app.adoptSecretId === undefined &&
    secrets.length >= 2 &&
    !secrets.some((x) => x.value === value)
  ) {
    return `app '${app.name}': the app already holds two client secrets; if you renamed app '${app.name}', put the old name in its formerNames. Nothing was changed.`;
  }
  // ClientSecret's check of the slot that writes first at onboarding (the holder, or the retired slot's adoption
  // when the holder itself adopts, rolled back at onboarding): the secret to adopt is there, ACTIVE, the only one.
  if (
    state === undefined &&
    app.adoptSecretId !== undefined &&
    (plan.retired?.adopts || plan.holder.adopts)
  ) {
    const problem = secretAdoptionProblem(app.appId, app.adoptSecretId, app.name, secrets);
    if (problem) return problem;
  }

  // Okta refuses any client secret on a private_key_jwt app: the holder's create fails before anything is written
  // in Okta, with the ClientSecret's hint (the SecretValue made before it is state only).
  if (world.method.get(app.appId) === "private_key_jwt" && creates) {
    return (
      `app '${app.name}' authenticates with private_key_jwt, which has no client secrets. To go back to client ` +
      `secrets, keep privateKeyJwt.enabled: true and set privateKeyJwt.rollback: true: that switches the app back ` +
      `safely (privateKeyJwt.enabled: false alone cannot).`
    );
  }
  // Accepted: the steps in the components' order. Each step's effect (in Okta, or the pods) comes first, then the
  // engine records it in state; a fault stops the run between the two, or before both.
  const record: AppState = state ?? { appId: app.appId, slots: [undefined, undefined] };
  const heldBefore = record.delivered;
  let n = 0;
  const step = (what: string, effect: () => void, recorded: () => void = () => {}): void => {
    const i = n++;
    if (fault && !fault.absorbed && i === fault.at) {
      const done = fault.happened && fault.kind !== "429";
      if (done) effect();
      world.interrupted.add(app.name);
      throw new Stopped(`${fault.kind} at ${what}${done ? " (done, not recorded)" : ""}`);
    }
    effect();
    recorded();
  };
  // 0. SecretValue: a new value per generation (no Okta call).
  if (state === undefined || record.value?.generation !== app.generation) {
    step(
      "SecretValue",
      () => {},
      () => {
        record.value = { generation: app.generation, value };
        record.onboarded ??= app.generation;
        world.stack.set(app.name, record);
      },
    );
  }
  // 1. The holder: replace (delete the INACTIVE secret of g − 2 first, then create), or reactivate.
  let holderId = holderBefore?.secretId ?? "";
  const holderSlot = (id: string) => () => {
    record.slots[plan.holder.slot] = { ctx, secretId: id, generation: plan.holder.generation };
  };
  if (creates && plan.holder.adopts && app.adoptSecretId !== undefined && find(app.adoptSecretId)) {
    // A rollback at onboarding: the holder is the adopted secret itself, reactivated.
    holderId = app.adoptSecretId;
    step(
      "adopting the holder",
      () => {
        const adopted = find(holderId)!;
        adopted.status = "ACTIVE";
        adopted.madeFor = plan.holder.generation;
      },
      holderSlot(holderId),
    );
  } else if (creates) {
    if (holderBefore !== undefined) {
      const old = find(holderBefore.secretId);
      if (old) {
        must(
          old.status === "INACTIVE",
          `app ${app.name}: the slot of generation ${plan.holder.generation} replaced its ACTIVE secret ${old.id}`,
        );
      }
      // Delete-before-replace: a secret found gone (404) counts as deleted.
      step(
        "deleting generation − 2",
        () => {
          const o = find(holderBefore.secretId);
          if (o) secrets.splice(secrets.indexOf(o), 1);
        },
        () => {
          record.slots[plan.holder.slot] = undefined;
        },
      );
    }
    // As ClientSecret's create: without listing first (a lost create's secret then found by its value only once
    // Okta refuses a third), except at onboarding without adoption.
    const lazy = createsWithoutListing({
      slot: ctx,
      value,
      generation: plan.holder.generation,
      onboardedGeneration: state?.onboarded ?? app.generation,
    });
    step(
      "creating the holder",
      () => {
        const own = !lazy || secrets.length >= 2 ? secrets.find((x) => x.value === value) : undefined;
        if (own) {
          own.status = "ACTIVE";
          holderId = own.id;
          return;
        }
        must(secrets.length < 2, `app ${app.name}: a third secret would be created (Okta refuses it)`);
        holderId = `ocs-${world.nextId++}`;
        secrets.push({ id: holderId, status: "ACTIVE", madeFor: plan.holder.generation, value });
      },
      () => holderSlot(holderId)(),
    );
  } else {
    const held = find(holderId);
    must(held !== undefined, `app ${app.name}: the holder's secret ${holderId} is gone from Okta`);
    step(
      "updating the holder",
      () => {
        held!.status = "ACTIVE";
      },
      holderSlot(holderId),
    );
  }
  // 2. Delivered (Vault, rollout, census): pods now hold the holder's secret.
  step("delivering", () => {
    record.delivered = holderId;
  });
  // 3. The retired slot: deactivate (adopting it first at onboarding); a revoke with a bump deletes it.
  if (plan.retired) {
    const r = plan.retired;
    const retiredState = record.slots[r.slot];
    let retiredId = retiredState?.secretId;
    if (retiredState === undefined || retiredState.generation !== r.generation) {
      // A slot adopts only when made at onboarding (ClientSecret's secretToAdopt); made again later, it makes its own.
      const onboarding = record.onboarded === undefined || record.onboarded === app.generation;
      const id = r.adopts && app.adoptSecretId !== undefined && onboarding ? app.adoptSecretId : undefined;
      if (id === undefined) {
        // Created INACTIVE, its value made by Okta (the create lists the app's secrets first). At Okta's cap with
        // one INACTIVE secret, that one is what a killed run's same create left: the slot takes it over.
        step(
          "creating the retired slot",
          () => {
            const unrecorded = unrecordedRetiredSecret(
              { slot: ctx, status: "INACTIVE" },
              secrets as unknown as OktaClientSecret[],
            );
            const taken = unrecorded && find(unrecorded.id);
            if (taken) {
              taken.madeFor = r.generation;
              retiredId = taken.id;
              return;
            }
            must(secrets.length < 2, `app ${app.name}: the retired slot would create a third secret`);
            retiredId = `ocs-${world.nextId++}`;
            secrets.push({
              id: retiredId,
              status: "INACTIVE",
              madeFor: r.generation,
              value: `okta-${retiredId}`,
            });
          },
          () => {
            record.slots[r.slot] = { ctx, secretId: retiredId!, generation: r.generation };
          },
        );
      } else {
        // The adopted secret plays generation − 1 from now on; one that is gone fails the adoption's read.
        const adopted = find(id);
        if (!adopted) {
          return `app '${app.name}': adoptSecretId ${id} is not a secret of the app any more; remove adoptSecretId. Nothing was changed.`;
        }
        retiredId = id;
        step(
          "adopting the retired slot",
          () => {
            adopted.madeFor = r.generation;
            adopted.status = "INACTIVE";
          },
          () => {
            record.slots[r.slot] = { ctx, secretId: id, generation: r.generation };
          },
        );
      }
    }
    must(retiredId !== holderId, `app ${app.name}: the holder's secret retired`);
    step(
      "deactivating the retired slot",
      () => {
        const s = find(retiredId);
        if (s) s.status = "INACTIVE";
      },
      () => {
        record.slots[r.slot] = { ...record.slots[r.slot]!, ctx };
      },
    );
    if (app.revoke && !app.rollback) {
      step(
        "revoking",
        () => {
          const s = find(retiredId);
          if (s) secrets.splice(secrets.indexOf(s), 1);
        },
        () => {
          record.deletedAt = app.generation;
        },
      );
    }
  } else {
    // No retired slot in the plan (generation 1, nothing adopted): a slot of generation 0 left in state is deleted.
    const other = (1 - plan.holder.slot) as 0 | 1;
    if (record.slots[other] !== undefined) {
      step(
        "deleting generation 0",
        () => {
          const s = find(record.slots[other]!.secretId);
          if (s && s.status === "INACTIVE") secrets.splice(secrets.indexOf(s), 1);
        },
        () => {
          record.slots[other] = undefined;
        },
      );
    }
  }
  if (!app.revoke) record.deletedAt = undefined;
  world.interrupted.delete(app.name);
  // What pods held before is retired only now that its successor is delivered.
  must(
    heldBefore === undefined || heldBefore === holderId || record.delivered === holderId,
    `app ${app.name}: the secret pods held was retired before its successor was delivered`,
  );
  return undefined;
}

/** A key by its recorded id, or — renumbered by a whole-app PUT — by its kid (JsonWebKey's relocate). */
function findKey(
  keys: readonly OktaKey[],
  keyId: string | undefined,
  kid: string | undefined,
): OktaKey | undefined {
  return keys.find((k) => k.id === keyId) ?? keys.find((k) => k.kid === kid);
}

/** Whether what the app's pods hold authenticates now: the key when the app is on private_key_jwt, else the secret. */
function podsAuthenticate(world: World, appId: string, pods: AppState["pods"]): boolean {
  if (world.method.get(appId) === "private_key_jwt") {
    return world.keys.get(appId)!.some((k) => k.kid === pods?.kid && k.status === "ACTIVE");
  }
  return world.okta.get(appId)!.some((s) => s.value === pods?.secret && s.status === "ACTIVE");
}

/** The stand-in for a JsonWebKey's public JWK: its kid names the material. */
const jwkOf = (kid: string | undefined) => (kid === undefined ? undefined : { kty: "EC", kid, x: kid });

/**
 * One app's KeyRotation in a `pulumi up` (components/keyRotation.ts, in its order): the key pairs' checks (the
 * slot rules with the key words), then the holder's pair and key, the secret handover, delivery, the gate, the
 * switch of the auth method (a whole-app PUT: Okta gives every key a new id), the proof (with the rollback: the
 * switch back, then the secret registered with the value delivered), the retired slot, the secrets' retirement,
 * and what the engine deletes at the end (the SecretRotation's children, the handover of the other mode).
 */
function applyKeys(
  world: World,
  app: AppConfig,
  state: AppState | undefined,
  fault: Fault | undefined,
): string | undefined {
  const pkj = app.privateKeyJwt!;
  const kg = pkj.keyGeneration;
  const plan = planRotation(kg);
  const ctx: SlotContext = { app: app.name, generation: kg, rollback: false };
  const keys = world.keys.get(app.appId)!;
  const secrets = world.okta.get(app.appId)!;
  const ks: KeyState = state?.keys ?? { slots: [{}, {}] };

  // KeyRotationStart's check, the rotation's first resource, at its first run only: the app has no key it did not
  // register (a rename without formerNames finds the old name's keys there).
  if (!ks.started) {
    const problem = keyStartProblem(app.name, app.appId, keys);
    if (problem) return problem;
  }
  // The pairs' checks (KeyPair.check), holder first, before anything of the rotation is written.
  for (const p of [plan.holder, plan.retired]) {
    if (!p) continue;
    const problem = slotTransitionProblem(ks.slots[p.slot].pair?.ctx, ctx, KEY_SLOTS);
    if (problem) return `${problem} Nothing was changed.`;
  }
  // Each slot's JsonWebKey diff (replaceOnlyInactive): a replaced key that is still ACTIVE is refused. In a preview,
  // before anything is written; under --skip-preview only after the new pair was made (state only, no Okta call),
  // which this model leaves out: it takes the preview's order, and the refused app's state is kept as it was.
  const keyDiff = (p: NonNullable<typeof plan.retired>, kid: string | undefined) => {
    const jwk = ks.slots[p.slot].jwk;
    if (jwk === undefined) return { replaces: [] as string[], changes: true, unsafe: undefined };
    const olds = {
      appId: app.appId,
      generation: jwk.generation,
      jwk: jwkOf(jwk.kid),
      kid: jwk.kid,
      status: jwk.status,
    };
    const news = {
      appId: app.appId,
      generation: p.generation,
      jwk: jwkOf(kid),
      status: p.status,
      replaceOnlyInactive: true,
    };
    const diff = diffJsonWebKey(olds, news);
    const unsafe = unsafeKeyReplacement(jwk.keyId, olds, news, diff.replaces);
    return { ...diff, unsafe };
  };
  for (const p of [plan.holder, plan.retired]) {
    if (!p) continue;
    const pair = ks.slots[p.slot].pair;
    const kid = pair?.generation === p.generation ? pair.kid : "a-new-kid";
    const unsafe = keyDiff(p, kid).unsafe;
    if (unsafe) return `JsonWebKey (${app.name}-jwk-${slotName(p.slot)}): ${unsafe}`;
  }

  // Every check passed: the start is made before anything else of the rotation (it writes nothing).
  ks.started = true;
  const record: AppState = state ?? { appId: app.appId, slots: [undefined, undefined] };
  // A migration starts from what the SecretRotation delivered: pods hold that secret.
  if (record.pods === undefined) {
    const held = secrets.find((s) => s.id === record.delivered);
    // The app's pods are the same under a new name (a rename without formerNames): they hold what the old had.
    const renamed = [...world.stack.values()].find((x) => x.appId === app.appId && x !== state)?.pods;
    record.pods = held ? { secret: held.value } : { ...renamed };
  }
  record.delivered = undefined;
  const pods = record.pods;
  // The one moment the pods' credential cannot authenticate: a switch back to client secrets comes before the
  // secret is registered (Okta refuses secrets on a private_key_jwt app); the client retries until it is. A run
  // stopped in between leaves it open until the next run registers the secret.
  let switchingBack =
    pkj.rollback &&
    world.method.get(app.appId) !== "private_key_jwt" &&
    ks.handover?.mode === "generate" &&
    !secrets.some((s) => s.value === ks.handover!.value);
  let n = 0;
  const step = (what: string, effect: () => void, recorded: () => void = () => {}): void => {
    const i = n++;
    if (fault && !fault.absorbed && i === fault.at) {
      const done = fault.happened && fault.kind !== "429";
      if (done) effect();
      world.interrupted.add(app.name);
      stats.keyFaults++;
      throw new Stopped(`${fault.kind} at ${what}${done ? " (done, not recorded)" : ""}`);
    }
    effect();
    recorded();
    world.stack.set(app.name, record);
    record.keys = ks;
    must(
      switchingBack || podsAuthenticate(world, app.appId, pods),
      `app ${app.name}: after ${what}, what pods hold (kid ${pods.kid ?? "none"}, ${pods.secret ? "a secret" : "no secret"}) does not authenticate (${world.method.get(app.appId) ?? "client_secret_basic"})`,
    );
  };

  /** A slot's pair, made anew when its generation changes (with the algorithm asked for now), else its context kept. */
  const pairStep = (p: NonNullable<typeof plan.retired>) => {
    const slot = ks.slots[p.slot];
    if (slot.pair === undefined || slot.pair.generation !== p.generation) {
      const kid = `kid-${world.nextId++}`;
      step(
        "making the key pair",
        () => {},
        () => {
          slot.pair = { ctx, generation: p.generation, kid, alg: pkj.algorithm };
        },
      );
    } else if (JSON.stringify(slot.pair.ctx) !== JSON.stringify(ctx)) {
      step(
        "recording the pair's context",
        () => {},
        () => {
          slot.pair = { ...slot.pair!, ctx };
        },
      );
    }
  };
  /** A slot's JsonWebKey: replaced (its INACTIVE key deleted first), created (listing first, by kid), or its status set. */
  const keyStep = (p: NonNullable<typeof plan.retired>) => {
    const slot = ks.slots[p.slot];
    const pair = slot.pair!;
    const { replaces, changes } = keyDiff(p, pair.kid);
    if (slot.jwk !== undefined && replaces.length > 0) {
      const old = slot.jwk;
      step(
        "deleting the slot's old key",
        () => {
          const k = findKey(keys, old.keyId, old.kid);
          // Okta refuses to delete an ACTIVE key: the provider releases it (a key recorded INACTIVE but active now).
          if (k && k.status === "INACTIVE") keys.splice(keys.indexOf(k), 1);
        },
        () => {
          slot.jwk = undefined;
        },
      );
    }
    if (slot.jwk === undefined) {
      let id = "";
      step(
        `registering the key of generation ${p.generation}`,
        () => {
          let k = keys.find((x) => x.kid === pair.kid);
          if (k === undefined) {
            k = {
              id: `pks-${world.nextId++}`,
              kid: pair.kid,
              status: p.status,
              madeFor: p.generation,
              alg: pair.alg,
            };
            keys.push(k);
            if (p.role === "holder" && p.generation >= 2) stats.keyRotations++;
          }
          if (k.status !== p.status) setKeyStatus(k, p.status);
          id = k.id;
        },
        () => {
          slot.jwk = { keyId: id, kid: pair.kid, status: p.status, generation: p.generation };
        },
      );
    } else if (changes) {
      const jwk = slot.jwk;
      let id = jwk.keyId;
      step(
        `setting the key of generation ${p.generation} ${p.status}`,
        () => {
          const k = findKey(keys, jwk.keyId, jwk.kid);
          must(
            k !== undefined,
            `app ${app.name}: the key of generation ${p.generation} (${jwk.kid}) is gone from Okta`,
          );
          setKeyStatus(k!, p.status);
          id = k!.id;
        },
        () => {
          slot.jwk = { ...jwk, keyId: id, status: p.status, generation: p.generation };
        },
      );
    }
  };
  const setKeyStatus = (k: OktaKey, status: OktaKey["status"]) => {
    if (status === "INACTIVE" && k.status === "ACTIVE" && world.method.get(app.appId) === "private_key_jwt") {
      must(
        keys.some((x) => x !== k && x.status === "ACTIVE"),
        `app ${app.name}: Okta refuses to deactivate the only ACTIVE key (${k.kid}) of a private_key_jwt app`,
      );
    }
    k.status = status;
  };

  // 1–2. The holder: its pair, then its key, ACTIVE.
  pairStep(plan.holder);
  keyStep(plan.holder);
  const holder = ks.slots[plan.holder.slot];
  // 3. The handover: the current secret read (while the app uses secrets), or a value generated for the switch back.
  const mode = pkj.rollback ? "generate" : "read";
  const trigger = `${kg}${pkj.rollback ? "-rollback" : ""}`;
  if (ks.handover?.mode !== mode || ks.handover.trigger !== trigger) {
    let value = "";
    step(
      `the secret handover (${mode})`,
      () => {
        if (mode === "generate") {
          // A generated value stays the same for the life of the resource: only a new one makes a new value.
          value = ks.handover?.mode === "generate" ? ks.handover.value : `value-${world.nextId++}`;
        } else if (usesClientSecrets(world.method.get(app.appId))) {
          const current = currentSecret(
            secrets.map((s, i) => ({
              id: s.id,
              status: s.status,
              created: `2026-12-06T00:00:${String(i).padStart(2, "0")}Z`,
            })),
          );
          value = secrets.find((s) => s.id === current?.id)?.value ?? "";
        }
      },
      () => {
        ks.handover = { mode, trigger, value };
      },
    );
  }
  // 4. Delivered (Vault, rollout, census): the key and, while needed, the secret.
  step("delivering the key", () => {
    pods.kid = holder.pair!.kid;
    pods.secret = ks.handover!.value || undefined;
  });
  // 5. The gate: the key registered, ACTIVE (and a real exchange once the app uses private_key_jwt).
  const holderKey = () => keys.find((k) => k.kid === holder.pair!.kid);
  must(
    holderKey()?.status === "ACTIVE",
    `app ${app.name}: the key gate finds the key of generation ${kg} not ACTIVE`,
  );
  // 6. The switch: GET + PUT of the whole app when the method differs; Okta gives every key a new id.
  const want: AuthMethod = pkj.rollback ? "client_secret_basic" : "private_key_jwt";
  if ((world.method.get(app.appId) ?? "client_secret_basic") !== want || ks.method !== want) {
    let renumbered = ks.renumbered;
    const lostBefore = ks.renumberingLost ?? false;
    step(
      `switching the app to ${want}`,
      () => {
        if ((world.method.get(app.appId) ?? "client_secret_basic") === want) return;
        const before = keys.map((k) => ({ ...k }));
        for (const k of keys) k.id = `pks-${world.nextId++}`;
        renumbered = renumberedKeys(ks.renumbered, before, keys);
        ks.renumberingLost = true;
        world.method.set(app.appId, want);
        if (want === "client_secret_basic") switchingBack = true;
        if (want === "client_secret_basic") stats.switchesBack++;
        else stats.migrations++;
      },
      () => {
        if (renumbered !== ks.renumbered) ks.renumberingLost = lostBefore;
        ks.method = want;
        ks.renumbered = renumbered;
      },
    );
  }
  // 7. The proof after the switch; with the rollback, the secret registered with the value delivered first.
  let keep: string[] = [];
  if (pkj.rollback) {
    const value = ks.handover!.value;
    if (ks.rollbackSecret?.value !== value) {
      let id = "";
      step(
        "registering the rollback secret",
        () => {
          // No slot: the create lists first and takes a secret with its value (a lost create's) as its own.
          let s = secrets.find((x) => x.value === value);
          if (s === undefined) {
            must(
              secrets.length < 2,
              `app ${app.name}: the rollback secret would be a third secret (Okta refuses it)`,
            );
            s = { id: `ocs-${world.nextId++}`, status: "ACTIVE", madeFor: 0, value };
            secrets.push(s);
          }
          s.status = "ACTIVE";
          id = s.id;
        },
        () => {
          ks.rollbackSecret = { secretId: id, value };
        },
      );
    }
    switchingBack = false;
    must(
      podsAuthenticate(world, app.appId, pods),
      `app ${app.name}: the secret proof fails after the switch back`,
    );
    keep = [ks.rollbackSecret!.secretId];
  } else {
    must(podsAuthenticate(world, app.appId, pods), `app ${app.name}: the key proof fails after the switch`);
  }
  // 8. The retired slot: its pair and key, INACTIVE (a key never held when the slot had none).
  if (plan.retired) {
    pairStep(plan.retired);
    keyStep(plan.retired);
  }
  // 9. The client secrets retired: INACTIVE first; the only ACTIVE one on a private_key_jwt app is left, unusable.
  if (ks.retire?.trigger !== trigger || JSON.stringify(ks.retire.keep) !== JSON.stringify(keep)) {
    step(
      "retiring the client secrets",
      () => {
        const method = world.method.get(app.appId);
        must(
          !usesClientSecrets(method) || secrets.some((s) => s.status === "ACTIVE" && keep.includes(s.id)),
          `app ${app.name}: the retirement of the secrets is refused (the app uses ${method}, none kept)`,
        );
        for (const s of retirementOrder(secrets, keep)) {
          const x = secrets.find((y) => y.id === s.id)!;
          if (x.status === "ACTIVE" && !secrets.some((y) => y !== x && y.status === "ACTIVE")) continue;
          secrets.splice(secrets.indexOf(x), 1);
        }
      },
      () => {
        ks.retire = { trigger, keep };
      },
    );
  }
  // 10. The engine deletes what is no longer declared, last: the SecretRotation's children (their INACTIVE secrets
  // are deleted, an ACTIVE one is released), and the handover and secret of the other mode.
  if (
    record.value !== undefined ||
    record.slots.some((s) => s !== undefined) ||
    (!pkj.rollback && ks.rollbackSecret)
  ) {
    step(
      "deleting what is no longer declared",
      () => {
        for (const slot of record.slots) {
          const s = slot && secrets.find((x) => x.id === slot.secretId);
          if (s && s.status === "INACTIVE") secrets.splice(secrets.indexOf(s), 1);
        }
        if (!pkj.rollback && ks.rollbackSecret) {
          const s = secrets.find((x) => x.id === ks.rollbackSecret!.secretId);
          if (s && s.status === "INACTIVE") secrets.splice(secrets.indexOf(s), 1);
        }
      },
      () => {
        record.slots = [undefined, undefined];
        record.value = undefined;
        record.onboarded = undefined;
        record.deletedAt = undefined;
        if (!pkj.rollback) ks.rollbackSecret = undefined;
      },
    );
  }
  // What the component's audit record says of this run.
  const retired = plan.retired ? ks.slots[plan.retired.slot].jwk : undefined;
  ks.audit = keyAuditRecord({
    app: app.name,
    generation: kg,
    keyId: ks.renumbered?.[holder.jwk!.keyId] ?? holder.jwk!.keyId,
    kid: holder.pair!.kid,
    created: undefined,
    vault: undefined,
    rollouts: [],
    gates: [],
    minOverlapSeconds: 0,
    previous:
      retired && plan.retired
        ? {
            keyId: ks.renumbered?.[retired.keyId] ?? retired.keyId,
            generation: plan.retired.generation,
            status: retired.status,
            lastUpdated: "2026-12-06T00:00:00Z",
          }
        : undefined,
  });
  // What the audit record says is true of Okta: the key pods hold, ACTIVE, and the previous one, INACTIVE.
  // Known gap, not checked: after a switch whose answer was lost (a run stopped right after Okta took the PUT),
  // the next run finds the method set and sends no PUT, so the new ids of keys recorded before it are not known,
  // and the record names a key by the id it had before, until a refresh reads the JsonWebKeys.
  const audit = ks.audit;
  const said = keys.find((k) => k.id === audit.credential.id);
  must(
    ks.renumberingLost === true || (said?.kid === pods.kid && said?.status === "ACTIVE"),
    `app ${app.name}: the audit record names key ${audit.credential.id} (kid ${audit.credential.kid}), ` +
      `but Okta has ${said ? `${said.kid} ${said.status}` : "no key by that id"}: ${JSON.stringify(keys)}`,
  );
  if (audit.previous && ks.renumberingLost !== true) {
    const prev = keys.find((k) => k.id === audit.previous!.id);
    must(
      prev?.status === "INACTIVE" && prev.madeFor === audit.previous.generation,
      `app ${app.name}: the audit record names previous key ${audit.previous.id}, but Okta has ` +
        `${prev ? `${prev.kid} ${prev.status} of generation ${prev.madeFor}` : "no key by that id"}`,
    );
  }
  must(
    keys.find((k) => k.kid === pods.kid)?.madeFor === kg,
    `app ${app.name}: pods hold a key not made for key generation ${kg}`,
  );
  stats.keyRuns++;
  world.interrupted.delete(app.name);
  return undefined;
}

/**
 * Out of band: someone deactivates an ACTIVE key (where Okta allows it) or deletes an INACTIVE one; then
 * `pulumi refresh`: each JsonWebKey reads its key (by id, else by kid), and drops it when it is gone.
 */
export function keyChangeAndRefresh(world: World, appId: string, op: "deactivate" | "delete"): boolean {
  const keys = world.keys.get(appId)!;
  const pkj = world.method.get(appId) === "private_key_jwt";
  const k =
    op === "delete"
      ? keys.find((x) => x.status === "INACTIVE")
      : keys.find(
          (x) => x.status === "ACTIVE" && (!pkj || keys.some((y) => y !== x && y.status === "ACTIVE")),
        );
  if (!k) return false;
  if (op === "delete") keys.splice(keys.indexOf(k), 1);
  else k.status = "INACTIVE";
  refreshAll(world);
  return true;
}

/**
 * `pulumi refresh` of the whole stack: a ClientSecret whose secret is gone from Okta (deleted out of band, or by a
 * revoke) is dropped; each JsonWebKey reads its key (by id, else by kid), and is dropped when it is gone.
 */
export function refreshAll(world: World): void {
  for (const state of world.stack.values()) {
    const secrets = world.okta.get(state.appId)!;
    state.slots = state.slots.map((s) => (s && secrets.some((x) => x.id === s.secretId) ? s : undefined)) as [
      SlotState?,
      SlotState?,
    ];
    if (!state.keys) continue;
    const keys = world.keys.get(state.appId)!;
    for (const slot of state.keys.slots) {
      if (!slot.jwk) continue;
      const found = findKey(keys, slot.jwk.keyId, slot.jwk.kid);
      slot.jwk = found ? { ...slot.jwk, keyId: found.id, status: found.status } : undefined;
    }
    state.keys.renumberingLost = false;
  }
}

/** Out of band: someone deletes the app's INACTIVE secret in Okta; then `pulumi refresh` (of the whole stack). */
export function deleteInactiveAndRefresh(world: World, appId: string): boolean {
  const secrets = world.okta.get(appId)!;
  const inactive = secrets.find((s) => s.status === "INACTIVE");
  if (!inactive) return false;
  secrets.splice(secrets.indexOf(inactive), 1);
  refreshAll(world);
  return true;
}

/** The invariants that hold after every step, whatever it was. */
export function checkInvariants(world: World, model: Model): void {
  for (const [appId, secrets] of world.okta) {
    must(secrets.length <= 2, `app ${appId} holds ${secrets.length} secrets`);
    // An app created without a secret has none until its first rotation; every other keeps one ACTIVE.
    must(
      secrets.length === 0 || secrets.some((s) => s.status === "ACTIVE"),
      `app ${appId} has no ACTIVE secret: ${JSON.stringify(secrets)}`,
    );
  }
  for (const [appId, keys] of world.keys) {
    must(keys.length <= 2, `app ${appId} holds ${keys.length} keys: ${JSON.stringify(keys)}`);
    if (world.method.get(appId) === "private_key_jwt") {
      must(
        keys.some((k) => k.status === "ACTIVE"),
        `app ${appId} is on private_key_jwt without an ACTIVE key`,
      );
    }
  }
  for (const [name, state] of world.stack) {
    const secrets = world.okta.get(state.appId)!;
    if (state.keys) {
      // A KeyRotation's app: what pods hold authenticates (the key on private_key_jwt, else the secret).
      must(
        podsAuthenticate(world, state.appId, state.pods),
        `app ${name}: what pods hold (kid ${state.pods?.kid ?? "none"}) does not authenticate ` +
          `(${world.method.get(state.appId) ?? "client_secret_basic"})`,
      );
      continue;
    }
    if (!world.interrupted.has(name)) {
      // After a finished run, every secret of the app is one the stack holds in a slot: none made and lost.
      const known = new Set(state.slots.map((s) => s?.secretId));
      const lost = secrets.filter((s) => !known.has(s.id));
      must(
        lost.length === 0,
        `app ${name}: secrets in Okta the stack does not hold: ${lost.map((s) => `${s.id} ${s.status}`).join(", ")}`,
      );
    }
    const held = secrets.find((s) => s.id === state.delivered);
    if (state.delivered !== undefined) {
      must(held?.status === "ACTIVE", `app ${name}: the secret pods hold (${state.delivered}) is not ACTIVE`);
    }
    const app = model.apps.find((a) => a.name === name);
    if (app && !world.interrupted.has(name) && held) {
      // The secret pods hold was made for the generation the plan says they hold: a rollback goes back to the
      // secret of generation − 1, never a new one under its label.
      const plan = planRotation(app.generation, {
        rollback: app.rollback ?? false,
        adopting: app.adoptSecretId !== undefined,
      });
      must(
        held.madeFor === plan.holder.generation,
        `app ${name}: pods hold a secret made for generation ${held.madeFor}, the plan says ${plan.holder.generation}`,
      );
    }
  }
  // Deployments: one patch per Deployment of an app, named by it; apps sharing one write keys of their own.
  const users = new Map<string, string[]>();
  for (const a of model.apps) for (const d of a.deployments) users.set(d, [...(users.get(d) ?? []), a.name]);
  for (const a of model.apps) {
    const names = a.deployments.map((d, i) => {
      const [namespace, name] = d.split("/") as [string, string];
      return patchName(a.name, { namespace, name }, i);
    });
    must(new Set(names).size === names.length, `app ${a.name}: two patches with one name`);
  }
  for (const [d, apps] of users) {
    if (apps.length < 2) continue;
    const keys = apps.map((a) => scopedAnnotation(ROLLOUT_ANNOTATION, a));
    must(new Set(keys).size === keys.length, `Deployment ${d}: apps ${apps.join(", ")} write one key`);
  }
}

// ---- commands -------------------------------------------------------------------------------------------------

type Real = { world: World };
export type Command = fc.Command<Model, Real>;

const POOL = ["alpha", "beta", "gamma"];
const DEPLOYMENTS = ["a/api", "a/worker", "b/api"];

abstract class Edit implements Command {
  abstract readonly label: string;
  constructor(readonly index: number) {}
  check(m: Readonly<Model>): boolean {
    return m.apps.length > 0;
  }
  protected target(m: Model): ModelApp {
    return m.apps[this.index % m.apps.length]!;
  }
  /** The edited config, or undefined when the edit does not apply. */
  protected abstract edit(app: ModelApp, m: Model): ModelApp[] | undefined;
  /** A fault in the edited app's run, if any (see Fault). */
  fault?: Omit<Fault, "app">;
  run(m: Model, r: Real): void {
    const before = snapshot(r.world);
    const apps = this.edit(structuredClone(this.target(m)), m);
    if (apps === undefined) return;
    let outcome = up(r.world, apps, faultFor(r.world, apps, this.target(m).name, this.fault));
    if (outcome.kind === "failed") outcome = completes(r.world, apps, this.target(m).name, outcome.reasons);
    if (outcome.kind === "refused") {
      checkRefusals(outcome.reasons);
      // A refused run writes nothing to the apps it refused; others may have gone on (the engine runs them apart).
      const refusedApps = apps.filter((a) => outcome.reasons.some((x) => x.includes(`'${a.name}'`)));
      for (const a of refusedApps) {
        must(
          JSON.stringify(before.okta.get(a.appId)) === JSON.stringify(r.world.okta.get(a.appId)) &&
            JSON.stringify(before.keys.get(a.appId)) === JSON.stringify(r.world.keys.get(a.appId)) &&
            before.method.get(a.appId) === r.world.method.get(a.appId),
          `refused app ${a.name} was changed in Okta`,
        );
      }
      m.lastRefusal = outcome.reasons.join(" | ");
      // A config error changes nothing at all: keep the team's last good config.
      if (outcome.reasons.every((x) => x.startsWith(`${NS}:apps`))) {
        const after = snapshot(r.world);
        must(
          after.stack === before.stack &&
            JSON.stringify([...after.okta]) === JSON.stringify([...before.okta]),
          "a config error changed the stack",
        );
        return;
      }
      // The team undoes a refused edit (it was refused for a reason) for the apps refused, keeps the rest.
      m.apps = apps.map((a) =>
        refusedApps.includes(a) ? (m.apps.find((o) => o.appId === a.appId) ?? a) : a,
      );
      m.apps = m.apps.filter((a, i, all) => all.findIndex((o) => o.appId === a.appId) === i);
      m.apps = m.apps.filter((a) => r.world.stack.has(a.name) || !refusedApps.includes(a));
      return;
    }
    m.lastRefusal = undefined;
    // Per app edited without a bump (same generation, no fault): nothing of Okta's is lost — in particular the
    // INACTIVE rollback target — and a revoke recorded by this run retired the secret pods held before it.
    for (const a of apps) {
      const was = m.apps.find((o) => o.appId === a.appId);
      const held = before.delivered.get(a.appId);
      const state = r.world.stack.get(a.name);
      if (state?.deletedAt !== undefined && before.deletedAt.get(a.appId) === undefined) {
        must(
          !r.world.okta.get(a.appId)!.some((x) => x.id === held),
          `app ${a.name}: the run recorded a revoke, but the secret pods held before it (${held}) is still in Okta`,
        );
      }
      if (was && was.generation === a.generation && !a.revoke && state && !state.keys) {
        const gone = (before.okta.get(a.appId) ?? []).filter(
          (x) => !r.world.okta.get(a.appId)!.some((y) => y.id === x.id),
        );
        must(
          gone.length === 0,
          `app ${a.name}: an edit without a bump deleted ${gone.map((x) => x.id).join(", ")}`,
        );
      }
      if (
        was &&
        state &&
        before.deletedAt.get(a.appId) === was.generation &&
        was.generation === a.generation
      ) {
        must(state.deletedAt !== undefined, `app ${a.name}: the audit record lost the revoke's deletedAt`);
      }
    }
    this.verify?.(
      before,
      r.world,
      apps.find((a) => a.appId === this.target(m).appId),
    );
    m.apps = apps;
    checkInvariants(r.world, m);
  }
  /** What this edit must have done, when its run was applied (`app`: the edited app, if still in the config). */
  protected verify?(before: ReturnType<typeof snapshot>, world: World, app: ModelApp | undefined): void;
  toString(): string {
    return `${this.label}(${this.index})${this.fault ? ` with ${faultLabel(this.fault)}` : ""}`;
  }
}

/**
 * The fault to inject into `app`'s run, when a run without it would not be refused for that app or fail anyway (a
 * standing refusal, from an earlier step, is no fault's doing).
 */
function faultFor(
  world: World,
  apps: readonly ModelApp[],
  app: string,
  fault: Omit<Fault, "app"> | undefined,
): Fault | undefined {
  if (fault === undefined) return undefined;
  const { outcome: clean } = dryRun(world, apps);
  if (clean.kind !== "applied" && clean.reasons.some((x) => x.includes(`'${app}'`))) return undefined;
  return { ...fault, app };
}

/** What a run of `apps` would do, on a copy of the world (counted nowhere). */
function dryRun(world: World, apps: readonly ModelApp[]): { world: World; outcome: Outcome } {
  const counts = { ...stats };
  const copy = structuredClone(world);
  const outcome = upOnce(copy, apps);
  Object.assign(stats, counts);
  return { world: copy, outcome };
}

/**
 * No wedge: after a run that failed part-way for `app`, the same config's next run completes it (another app's
 * standing refusal, from before, may remain). Returns that run's outcome.
 */
function completes(world: World, apps: readonly ModelApp[], app: string, why: readonly string[]): Outcome {
  // After a killed up, the documented recovery refreshes the whole stack first (pulumi refresh --clear-pending-creates).
  if (why.some((x) => / kill at /.test(x))) refreshAll(world);
  const again = up(world, apps);
  const blocked =
    again.kind !== "applied" &&
    (again.kind === "failed" || again.reasons.some((x) => x.includes(`'${app}'`)));
  must(!blocked, `after ${why.join(" | ")}, the same config's next run: ${JSON.stringify(again)}`);
  must(!world.interrupted.has(app), `after ${why.join(" | ")}, the next run did not finish app ${app}`);
  stats.completed++;
  return again;
}

/** Every refusal names the app and says what to set. */
function checkRefusals(reasons: readonly string[]): void {
  for (const reason of reasons) {
    must(
      /app '[a-z0-9-]+'|\(app '|apps\[\d+\]|^[A-Za-z]+ \([a-z0-9-]+-(jwk|key)-[ab]\): /.test(reason),
      `a refusal that names no app: ${reason}`,
    );
    must(
      /[Ss]et |[Rr]emove |[Kk]eep |put |give |list /.test(reason),
      `a refusal that says nothing to do: ${reason}`,
    );
  }
}

function faultLabel(f: Omit<Fault, "app">): string {
  if (f.kind === "kill") return `up killed at step ${f.at}${f.happened ? " (done, not recorded)" : ""}`;
  if (f.absorbed) return `a ${f.kind} burst the retries absorb`;
  return `a ${f.kind} burst at step ${f.at}${f.happened ? " (done, answer lost)" : ""}`;
}

function snapshot(w: World) {
  const byApp = <T>(f: (s: World["stack"] extends Map<string, infer S> ? S : never) => T) =>
    new Map([...w.stack.values()].map((s) => [s.appId, f(s)] as const));
  return {
    okta: new Map([...w.okta].map(([k, v]) => [k, v.map((s) => ({ ...s }))])),
    keys: new Map([...w.keys].map(([k, v]) => [k, v.map((x) => ({ ...x }))])),
    method: new Map(w.method),
    pods: byApp((s) => JSON.stringify(s.pods)),
    stack: JSON.stringify([...w.stack]),
    delivered: byApp((s) => s.delivered),
    deletedAt: byApp((s) => s.deletedAt),
  };
}

const replace = (m: Model, app: ModelApp) => m.apps.map((a) => (a.appId === app.appId ? app : a));

export class Bump extends Edit {
  label = "bump";
  constructor(
    index: number,
    readonly by: number,
    readonly revoke: boolean,
  ) {
    super(index);
    this.label = `bump+${by}${revoke ? " revoke" : ""}`;
  }
  edit(app: ModelApp, m: Model) {
    app.generation += this.by;
    if (this.revoke) app.revoke = true;
    else delete app.revoke;
    return replace(m, app);
  }
}
export class SetFlag extends Edit {
  constructor(
    index: number,
    readonly flag: "rollback" | "revoke",
    readonly on: boolean,
  ) {
    super(index);
  }
  get label() {
    return `${this.on ? "set" : "remove"} ${this.flag}`;
  }
  edit(app: ModelApp, m: Model) {
    if (this.on) app[this.flag] = true;
    else delete app[this.flag];
    return replace(m, app);
  }
}
export class Down extends Edit {
  label = "generation down";
  edit(app: ModelApp, m: Model) {
    if (app.generation < 2) return undefined;
    app.generation -= 1;
    return replace(m, app);
  }
}
export class Rename extends Edit {
  constructor(
    index: number,
    readonly withFormer: boolean,
  ) {
    super(index);
  }
  get label() {
    return `rename ${this.withFormer ? "with" : "without"} formerNames`;
  }
  edit(app: ModelApp, m: Model) {
    // Without formerNames, a rename starts the app afresh at its generation, on an app that holds the secrets the
    // old name made: refused before any write (SecretValue's lookup), whatever the generation; on private_key_jwt,
    // on an app that has the old name's keys (KeyRotationStart's check).
    const next = `${app.name.replace(/-r\d+$/, "")}-r${Math.floor(app.generation + this.index)}`;
    if (next === app.name || m.apps.some((a) => a.name === next)) return undefined;
    if (this.withFormer) app.formerNames = [...new Set([...app.formerNames, app.name])];
    app.name = next;
    return replace(m, app);
  }
  protected override verify(before: ReturnType<typeof snapshot>, _world: World, app: ModelApp | undefined) {
    // Applied: a key rotation started from nothing on an app with keys would leave the old name's ACTIVE key behind.
    if (!app?.privateKeyJwt || this.withFormer) return;
    must(
      (before.keys.get(app.appId) ?? []).length === 0,
      `app ${app.name}: renamed without formerNames on private_key_jwt, the run was applied while the app had keys`,
    );
  }
}
export class StopAdopting extends Edit {
  label = "remove adoptSecretId";
  edit(app: ModelApp, m: Model) {
    if (app.adoptSecretId === undefined) return undefined;
    delete app.adoptSecretId;
    return replace(m, app);
  }
}
class Deployments extends Edit {
  constructor(
    index: number,
    readonly op: "add" | "remove" | "reorder" | "share",
    readonly which: number,
  ) {
    super(index);
  }
  get label() {
    return `${this.op} Deployment`;
  }
  edit(app: ModelApp, m: Model) {
    const d = DEPLOYMENTS[this.which % DEPLOYMENTS.length]!;
    if (this.op === "add" && !app.deployments.includes(d)) app.deployments.push(d);
    else if (this.op === "remove") app.deployments = app.deployments.filter((x) => x !== d);
    else if (this.op === "reorder") app.deployments.reverse();
    else if (this.op === "share") {
      const other = m.apps.find((a) => a.appId !== app.appId && a.deployments.length > 0);
      const shared = other?.deployments[0];
      if (shared === undefined || app.deployments.includes(shared)) return undefined;
      app.deployments.push(shared);
    } else return undefined;
    return replace(m, app);
  }
}
/** Migrate an app to private_key_jwt (`privateKeyJwt: { enabled: true }`, with an algorithm). */
export class Migrate extends Edit {
  constructor(
    index: number,
    readonly algorithm: KeyPairAlgorithm,
  ) {
    super(index);
  }
  get label() {
    return `migrate to private_key_jwt (${this.algorithm})`;
  }
  edit(app: ModelApp, m: Model) {
    if (app.privateKeyJwt) return undefined;
    app.privateKeyJwt = { algorithm: this.algorithm, keyGeneration: 1, rollback: false };
    return replace(m, app);
  }
  protected override verify(_before: ReturnType<typeof snapshot>, world: World, app: ModelApp | undefined) {
    // A migration finished: the app is on private_key_jwt and no client secret it had is left but an unusable one.
    if (!app) return;
    must(world.method.get(app.appId) === "private_key_jwt", `app ${app.name}: migrated, but not switched`);
    const secrets = world.okta.get(app.appId)!;
    must(
      secrets.length <= 1 && secrets.every((s) => s.status === "ACTIVE"),
      `app ${app.name}: migrated, but its secrets were not retired: ${JSON.stringify(secrets)}`,
    );
  }
}
/** `privateKeyJwt.keyGeneration` bumped (by 1, or skipping one) or lowered. */
export class KeyBump extends Edit {
  constructor(
    index: number,
    readonly by: number,
  ) {
    super(index);
  }
  get label() {
    return this.by > 0 ? `key bump+${this.by}` : `keyGeneration down`;
  }
  edit(app: ModelApp, m: Model) {
    if (!app.privateKeyJwt || app.privateKeyJwt.keyGeneration + this.by < 1) return undefined;
    app.privateKeyJwt.keyGeneration += this.by;
    return replace(m, app);
  }
  protected override verify(before: ReturnType<typeof snapshot>, world: World, app: ModelApp | undefined) {
    // The key pods hold now was made for the new generation with the algorithm asked for at the bump.
    if (!app?.privateKeyJwt) return;
    const state = world.stack.get(app.name)!;
    const held = world.keys.get(app.appId)!.find((k) => k.kid === state.pods?.kid);
    must(
      held?.madeFor === app.privateKeyJwt.keyGeneration && held.alg === app.privateKeyJwt.algorithm,
      `app ${app.name}: after the key bump pods hold ${JSON.stringify(held)}, not a ${app.privateKeyJwt.algorithm} ` +
        `key of generation ${app.privateKeyJwt.keyGeneration}`,
    );
    must(
      before.pods.get(app.appId) !== JSON.stringify(state.pods),
      `app ${app.name}: a key bump delivered nothing`,
    );
  }
}
/** `privateKeyJwt.rollback` set (back to a client secret) or removed (migrate again). */
export class KeyRollback extends Edit {
  constructor(
    index: number,
    readonly on: boolean,
  ) {
    super(index);
  }
  get label() {
    return `${this.on ? "set" : "remove"} privateKeyJwt.rollback`;
  }
  edit(app: ModelApp, m: Model) {
    if (!app.privateKeyJwt) return undefined;
    app.privateKeyJwt.rollback = this.on;
    return replace(m, app);
  }
  protected override verify(_before: ReturnType<typeof snapshot>, world: World, app: ModelApp | undefined) {
    if (!app?.privateKeyJwt) return;
    const method = world.method.get(app.appId);
    must(
      method === (this.on ? "client_secret_basic" : "private_key_jwt"),
      `app ${app.name}: privateKeyJwt.rollback ${this.on ? "set" : "removed"}, the app is on ${method}`,
    );
    if (this.on) {
      // Back on client secrets: the one the switch back registered, and nothing else.
      const secrets = world.okta.get(app.appId)!;
      must(
        secrets.length === 1 && secrets[0]!.status === "ACTIVE",
        `app ${app.name}: after the switch back the app holds ${JSON.stringify(secrets)}`,
      );
    }
  }
}
/** `privateKeyJwt.algorithm` changed: nothing is written; the next key is made with it. */
export class ChangeAlgorithm extends Edit {
  label = "change privateKeyJwt.algorithm";
  /** What the same run without the change would have left (a run also puts back what changed out of band). */
  private baseline?: World;
  override run(m: Model, r: Real): void {
    this.baseline = dryRun(r.world, m.apps).world;
    super.run(m, r);
  }
  edit(app: ModelApp, m: Model) {
    if (!app.privateKeyJwt) return undefined;
    app.privateKeyJwt.algorithm = app.privateKeyJwt.algorithm === "RS256" ? "ES256" : "RS256";
    return replace(m, app);
  }
  protected override verify(before: ReturnType<typeof snapshot>, world: World, app: ModelApp | undefined) {
    if (!app?.privateKeyJwt) return;
    const state = world.stack.get(app.name)!;
    const base = this.baseline!;
    must(
      JSON.stringify([...base.keys]) === JSON.stringify([...world.keys]) &&
        JSON.stringify(base.stack.get(app.name)?.pods) === JSON.stringify(state.pods),
      `app ${app.name}: an algorithm change changed the keys or what pods hold (before: ${JSON.stringify([...before.keys])})`,
    );
    // What the run says: the held key keeps its algorithm until the next key generation.
    const { keyGeneration: kg, algorithm } = app.privateKeyJwt;
    const held = state.keys!.slots[slotOf(kg)].pair!.alg;
    const said = pendingAlgorithm(held, algorithm, kg, "privateKeyJwt.keyGeneration");
    must(
      held === algorithm ? said === undefined : said?.includes(`bumped to ${kg + 1}`) === true,
      `app ${app.name}: the run says ${said ?? "nothing"} of an algorithm ${algorithm} over a held ${held} key`,
    );
  }
}
/** Out of band: a key deactivated (where Okta allows it) or an INACTIVE one deleted; then `pulumi refresh`. */
export class OutOfBandKey implements Command {
  constructor(
    readonly index: number,
    readonly op: "deactivate" | "delete",
  ) {}
  check(m: Readonly<Model>) {
    return m.apps.length > 0;
  }
  run(m: Model, r: Real): void {
    const app = m.apps[this.index % m.apps.length]!;
    if (!keyChangeAndRefresh(r.world, app.appId, this.op)) return;
    checkInvariants(r.world, m);
  }
  toString() {
    return `${this.op} a key in Okta + refresh(${this.index})`;
  }
}
class RemoveApp extends Edit {
  label = "remove app";
  override check(m: Readonly<Model>) {
    return m.apps.length > 1;
  }
  edit(app: ModelApp, m: Model) {
    return m.apps.filter((a) => a.appId !== app.appId);
  }
}
export class AddApp implements Command {
  constructor(
    readonly n: number,
    readonly adopt: boolean,
    readonly fault?: Omit<Fault, "app">,
  ) {}
  check(m: Readonly<Model>) {
    return m.apps.length < POOL.length;
  }
  run(m: Model, r: Real): void {
    const free = [...r.world.okta.keys()].filter((id) => !m.apps.some((a) => a.appId === id));
    const appId = free[this.n % Math.max(1, free.length)];
    const name = POOL.find((p) => !m.apps.some((a) => a.name === p || a.formerNames.includes(p)));
    if (appId === undefined || name === undefined) return;
    const secrets = r.world.okta.get(appId)!;
    const active = secrets.filter((s) => s.status === "ACTIVE");
    const app: ModelApp = {
      name,
      formerNames: [],
      appId,
      // Any generation, adopting or not: an app that holds a secret the stack would not adopt, or one with no
      // secret at a generation ≥ 2, is refused before any write (SecretValue's lookup); the rest onboard.
      generation: 1 + (this.n % 3),
      ...(this.adopt && active.length === 1 ? { adoptSecretId: active[0]!.id } : {}),
      deployments: [],
    };
    const apps = [...m.apps, app];
    let outcome = up(r.world, apps, faultFor(r.world, apps, name, this.fault));
    if (outcome.kind === "failed") outcome = completes(r.world, apps, name, outcome.reasons);
    const reasons = outcome.kind === "applied" ? [] : outcome.reasons;
    const refused = reasons.some((x) => x.includes(`'${name}'`));
    checkRefusals(reasons);
    if (refused) {
      must(!r.world.stack.has(name), `refused app ${name} left state: ${reasons.join(" | ")}`);
      if (app.adoptSecretId === undefined && (secrets.length > 0 || app.generation > 1)) {
        must(
          reasons.some((x) => x.startsWith(`SecretRotation '${name}': `)),
          `app ${name}: refused, but not by the onboarding lookup: ${reasons.join(" | ")}`,
        );
      }
    } else {
      // Adopting none, an app with no secret at generation 1 gets exactly one: the rotation's own.
      if (app.adoptSecretId === undefined) {
        must(
          r.world.okta.get(appId)!.length === 1,
          `app ${name}: onboarded without adoption, it holds ${r.world.okta.get(appId)!.length} secrets`,
        );
      }
      m.apps = apps;
    }
    checkInvariants(r.world, m);
  }
  toString() {
    return `add app${this.adopt ? " adopting" : ""}(${this.n})${this.fault ? ` with ${faultLabel(this.fault)}` : ""}`;
  }
}
export class OutOfBandDelete implements Command {
  constructor(readonly index: number) {}
  check(m: Readonly<Model>) {
    return m.apps.length > 0;
  }
  run(m: Model, r: Real): void {
    const app = m.apps[this.index % m.apps.length]!;
    if (!deleteInactiveAndRefresh(r.world, app.appId)) return;
    checkInvariants(r.world, m);
  }
  toString() {
    return `delete INACTIVE in Okta + refresh(${this.index})`;
  }
}

const idx = fc.nat({ max: 5 });
/** A killed `pulumi up`, or a 429 / 5xx burst (absorbed by the retries, or longer), at one step of a run. */
const fault: fc.Arbitrary<Omit<Fault, "app">> = fc
  .record({
    kind: fc.constantFrom("kill" as const, "429" as const, "5xx" as const),
    at: fc.nat({ max: 10 }),
    happened: fc.boolean(),
    absorbed: fc.boolean(),
  })
  .map((f) => ({
    ...f,
    happened: f.kind !== "429" && f.happened,
    absorbed: f.kind !== "kill" && f.absorbed,
  }));
const maybeFault = fc.option(fault, { freq: 2, nil: undefined });
const faulted = <E extends Edit>(e: E, f: Omit<Fault, "app"> | undefined): E => {
  if (f) e.fault = f;
  return e;
};
/** Every command a team's day may bring. */
export const commands: fc.Arbitrary<Command>[] = [
  fc.tuple(idx, maybeFault).map(([i, f]) => faulted(new Bump(i, 1, false), f)),
  fc.tuple(idx, maybeFault).map(([i, f]) => faulted(new Bump(i, 2, false), f)),
  fc.tuple(idx, maybeFault).map(([i, f]) => faulted(new Bump(i, 1, true), f)),
  idx.map((i) => new Down(i)),
  fc.tuple(idx, fc.boolean(), maybeFault).map(([i, on, f]) => faulted(new SetFlag(i, "rollback", on), f)),
  fc.tuple(idx, fc.boolean()).map(([i, on]) => new SetFlag(i, "revoke", on)),
  fc.tuple(idx, fc.boolean()).map(([i, w]) => new Rename(i, w)),
  idx.map((i) => new StopAdopting(i)),
  fc
    .tuple(idx, fc.constantFrom("add", "remove", "reorder", "share") as fc.Arbitrary<"add">, fc.nat(5))
    .map(([i, op, w]) => new Deployments(i, op, w)),
  idx.map((i) => new RemoveApp(i)),
  fc.tuple(fc.nat(5), fc.boolean(), maybeFault).map(([n, a, f]) => new AddApp(n, a, f)),
  idx.map((i) => new OutOfBandDelete(i)),
  // private_key_jwt: migrate, bump or lower the key generation, go back to a client secret and forth again, change
  // the algorithm, and keys deactivated or deleted in Okta; faults at any step of a key run.
  // A key command needs a migrated app: migrations, key bumps and the rollback are listed more than once, so that
  // sequences reach them as often as the secret commands.
  ...[1, 2].map(() =>
    fc
      .tuple(idx, fc.constantFrom("RS256" as const, "ES256" as const), maybeFault)
      .map(([i, a, f]) => faulted(new Migrate(i, a), f)),
  ),
  ...[1, 2, 3].map(() => fc.tuple(idx, maybeFault).map(([i, f]) => faulted(new KeyBump(i, 1), f))),
  fc.tuple(idx, maybeFault).map(([i, f]) => faulted(new KeyBump(i, 2), f)),
  idx.map((i) => new KeyBump(i, -1)),
  ...[1, 2].map(() =>
    fc.tuple(idx, fc.boolean(), maybeFault).map(([i, on, f]) => faulted(new KeyRollback(i, on), f)),
  ),
  idx.map((i) => new ChangeAlgorithm(i)),
  fc
    .tuple(idx, fc.constantFrom("deactivate" as const, "delete" as const))
    .map(([i, op]) => new OutOfBandKey(i, op)),
];

export const APP_IDS = ["0oaSm1", "0oaSm2", "0oaSm3"];

/** A fresh world and model: no app yet (the first command adds one). */
export function setup(): { model: Model; real: Real } {
  return { model: { apps: [] }, real: { world: newWorld(APP_IDS) } };
}

export { slotOf };
