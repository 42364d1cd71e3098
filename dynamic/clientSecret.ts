// `ClientSecret`: one client secret of an Okta OIDC app, as a Pulumi dynamic resource.
//
// Create = POST …/credentials/secrets (generated or own value), or adopt an existing secret by id;
// status change = lifecycle activate/deactivate (an update); delete = deactivate if ACTIVE, then DELETE.
// Changing appId, generation, value or adoptSecretId replaces the secret — except in a rotation slot (`slot`
// given), where value and adoptSecretId only say how the secret is made and a change of them alone is no change.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configureConnection, exclusive, getOktaApi, providerWarning } from "./connection";
import { createOnce } from "./createOnce";
import type { OktaApi } from "./oktaApi";
import { OktaApiError, describeFailure, failureMentions, isNotFound, operationError } from "./oktaErrors";
import { secretHash, type LifecycleStatus, type OktaClientSecret } from "./oktaObjects";
import { compact, isUnknown } from "./providerValues";
import { sameValue, checkInputs } from "./validation";
import { providerByReference } from "./providerByReference";
import {
  activeReplacementProblem,
  slotRecordChanged,
  slotTransitionProblem,
  type SlotContext,
} from "./slotTransition";

// Schemas are built by functions, not held in module constants, so that the provider stays serializable by
// value (see connection.ts): a captured schema object would be serialized with it.

/** The resolved inputs of a ClientSecret (the single source of its types). */
export function clientSecretInputsSchema() {
  return z
    .object({
      appId: z
        .string({ error: "appId must be a string (the Okta app id, 0oa…)" })
        .trim()
        .min(1, "appId must not be empty (the Okta app id, 0oa…)"),
      status: z
        .enum(["ACTIVE", "INACTIVE"], { error: 'status must be "ACTIVE" or "INACTIVE"' })
        .default("ACTIVE"),
      value: z
        .string({ error: "value must be a string" })
        .min(14, "value must be at least 14 characters long (Okta's minimum for a client secret)")
        .max(100, "value must be at most 100 characters long (Okta's maximum for a client secret)")
        .regex(/^[\x20-\x7E]+$/, "value must contain only printable ASCII characters (0x20-0x7E)")
        .optional(),
      adoptSecretId: z
        .string({ error: "adoptSecretId must be a string (an Okta secret id, ocs…)" })
        .trim()
        .min(1, "adoptSecretId must not be empty; leave it out to create a new secret")
        .optional(),
      generation: z
        .number({ error: "generation must be a number" })
        .int("generation must be a whole number")
        .nonnegative("generation must not be negative")
        .optional(),
      replaceOnlyInactive: z.boolean({ error: "replaceOnlyInactive must be a boolean" }).optional(),
      /** In a slot: the generation the rotation was first applied at (SecretValue), for the onboarding check. */
      onboardedGeneration: z.number().int().nonnegative().optional(),
      slot: z
        .object({
          app: z.string({ error: "slot.app must be a string (the app's name in the stack config)" }),
          generation: z
            .number({ error: "slot.generation must be a number" })
            .int("slot.generation must be a whole number")
            .nonnegative("slot.generation must not be negative"),
          rollback: z.boolean({ error: "slot.rollback must be a boolean" }),
          revoke: z.boolean({ error: "slot.revoke must be a boolean" }).optional(),
          adopting: z.string().trim().min(1).optional(),
        })
        .optional(),
    })
    .superRefine((v, ctx) => {
      if (v.value !== undefined && v.adoptSecretId !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["value"],
          message:
            "give either value (create a secret with this value) or adoptSecretId (adopt an existing one), not both",
        });
      }
    });
}

/** The resolved inputs of a {@link ClientSecret}. */
export type ClientSecretInputs = z.infer<ReturnType<typeof clientSecretInputsSchema>>;

/** The state of a {@link ClientSecret}: Okta's id, status and times; the value only as a Pulumi secret. */
export interface ClientSecretOutputs {
  readonly appId: string;
  readonly status: LifecycleStatus;
  readonly value?: string;
  readonly adoptSecretId?: string;
  readonly generation?: number;
  readonly replaceOnlyInactive?: boolean;
  readonly onboardedGeneration?: number;
  readonly slot?: SlotContext & { readonly adopting?: string };
  readonly secretId: string;
  readonly secretHash: string;
  readonly created?: string;
  readonly lastUpdated?: string;
  readonly clientSecret?: string;
  /** When the secret became INACTIVE: Okta's `lastUpdated` of it then. Absent while ACTIVE. */
  readonly deactivatedAt?: string;
  /**
   * A slot's secret created right after its predecessor in the slot was deleted (delete-before-replace): that
   * secret's id and when Okta confirmed the delete. For the audit record; absent when not seen by this process.
   */
  readonly replacedSecret?: { readonly secretId: string; readonly deletedAt: string };
}

/**
 * Deletions of slot secrets made by this provider process, by app: a slot replaced delete-before-replace is
 * deleted and then created again in the same process, and the new secret records which one it replaced. Kept on
 * `globalThis` (like the connection registry), so that nothing of it is part of a serialized provider.
 */
function deletionLog(): Map<string, { secretId: string; deletedAt: string }> {
  const g = globalThis as unknown as Record<string, Map<string, { secretId: string; deletedAt: string }>>;
  return (g.__oktaRotationSecretDeletions ??= new Map());
}

/** Notes that Okta confirmed the delete of a secret (204, or 404: already gone). */
export function noteDeletion(appId: string, secretId: string, deletedAt: string): void {
  deletionLog().set(appId, { secretId, deletedAt });
}

/** The deletion noted for the app since, if any; it is then forgotten (one replacement takes it). */
export function takeDeletion(appId: string): { secretId: string; deletedAt: string } | undefined {
  const log = deletionLog();
  const found = log.get(appId);
  log.delete(appId);
  return found;
}

/**
 * When the secret became INACTIVE, for its outputs: kept from before when it was INACTIVE already, else Okta's
 * `lastUpdated` of the answer that made it so (the time of the deactivation). Pure.
 */
export function deactivationTime(
  before:
    { readonly status?: string; readonly deactivatedAt?: string; readonly lastUpdated?: string } | undefined,
  now: { readonly status: string; readonly lastUpdated?: string },
): string | undefined {
  if (now.status !== "INACTIVE") return undefined;
  if (before?.status === "INACTIVE") return before.deactivatedAt ?? before.lastUpdated ?? now.lastUpdated;
  return now.lastUpdated;
}

/** Inputs whose change replaces the secret (a new secret is created, the old one deleted); in a slot, the first two. */
export const CLIENT_SECRET_REPLACE_KEYS = ["appId", "generation", "value", "adoptSecretId"] as const;
/** Inputs whose change is an in-place update. */
export const CLIENT_SECRET_UPDATE_KEYS = ["status", "slot"] as const;

/**
 * The diff of a ClientSecret: old outputs against new inputs. Pure. In a rotation slot (`slot` given), value and
 * adoptSecretId only say how the slot's secret is made: a change of them alone replaces nothing (a new value
 * comes with a new generation), and a change of the slot's context is an update that calls no Okta API.
 */
export function diffClientSecret(
  olds: Partial<Record<string, unknown>>,
  news: Partial<Record<string, unknown>>,
): { changes: boolean; replaces: string[] } {
  const inSlot = news.slot !== undefined;
  const replaceKeys = inSlot
    ? (["appId", "generation"] as const)
    : (["appId", "generation", "value", "adoptSecretId"] as const); // CLIENT_SECRET_REPLACE_KEYS
  const replaces = replaceKeys.filter((k) => !sameValue(olds[k], news[k]));
  const newStatus = news.status ?? "ACTIVE";
  const updates =
    !sameValue(olds.status ?? "ACTIVE", newStatus) || (inSlot && slotRecordChanged(olds.slot, news.slot)); // CLIENT_SECRET_UPDATE_KEYS
  return { changes: replaces.length > 0 || updates, replaces: [...replaces] };
}

/**
 * Refuses to replace a secret that is still ACTIVE when the resource asks for it (`replaceOnlyInactive`): in a
 * rotation slot, an ACTIVE secret about to be replaced means the previous rotation never retired it, and clients
 * may still hold it. Returns the reason, or undefined when the replacement is safe. Pure.
 */
export function unsafeReplacement(
  id: string,
  olds: Partial<Record<string, unknown>>,
  news: Partial<Record<string, unknown>>,
  replaces: readonly string[],
): string | undefined {
  return activeReplacementProblem(olds, news, replaces, {
    name: describeClientSecret(String(news.appId ?? olds.appId), id),
    credential: "secret",
    rotation: "rotation",
    use: "hold",
    successorIs: "delivered",
    finish: "Set generation back to the previous value",
  });
}

/** How to name the resource in messages. */
export function describeClientSecret(appId: string, secretId?: string): string {
  return secretId ? `ClientSecret ${secretId} of app ${appId}` : `a new ClientSecret of app ${appId}`;
}

/** A secret as a context line: id, status, created. Never the value. */
export function secretSummary(s: Pick<OktaClientSecret, "id" | "status" | "created">): string {
  return `${s.id} ${s.status}${s.created ? ` created ${s.created}` : ""}`;
}

/**
 * The inputs a refreshed secret stands for: its outputs' echo of each input, with the status Okta holds. Pure.
 * A slot's `value` is left out: it only said how the slot's secret was made, and the engine keeps a refreshed input
 * secret only under the name it had before (`__value` in a slot, `value` in state written before the prefix).
 */
export function readBackInputs(outs: ClientSecretOutputs): ClientSecretInputs {
  const o = outs as unknown as Record<string, unknown>;
  const inputs: Record<string, unknown> = {};
  for (const k of CLIENT_SECRET_INPUT_KEYS) {
    if (k === "value" && o.slot !== undefined) continue;
    if (o[k] !== undefined) inputs[k] = o[k];
  }
  return inputs as ClientSecretInputs;
}

/** Every input of a ClientSecret (echoed into its outputs). */
const CLIENT_SECRET_INPUT_KEYS = [
  "appId",
  "status",
  "value",
  "adoptSecretId",
  "generation",
  "replaceOnlyInactive",
  "onboardedGeneration",
  "slot",
] as const;

function outputs(
  inputs: ClientSecretInputs,
  s: OktaClientSecret,
  audit: Pick<ClientSecretOutputs, "deactivatedAt" | "replacedSecret"> = {},
): ClientSecretOutputs {
  const value = s.client_secret ?? inputs.value;
  return compact({
    appId: inputs.appId,
    status: s.status,
    value: inputs.value,
    adoptSecretId: inputs.adoptSecretId,
    generation: inputs.generation,
    replaceOnlyInactive: inputs.replaceOnlyInactive,
    onboardedGeneration: inputs.onboardedGeneration,
    slot: inputs.slot,
    secretId: s.id,
    secretHash: s.secret_hash ?? (value !== undefined ? secretHash(value) : ""),
    created: s.created,
    lastUpdated: s.lastUpdated,
    clientSecret: value,
    deactivatedAt: audit.deactivatedAt,
    replacedSecret: audit.replacedSecret,
  });
}

async function listForError(api: OktaApi, appId: string): Promise<string[]> {
  try {
    const secrets = await api.listSecrets(appId);
    return [
      `The app's secrets now: ${secrets.length === 0 ? "none" : secrets.map(secretSummary).join("; ")}.`,
    ];
  } catch {
    return [];
  }
}

async function createSecret(api: OktaApi, inputs: ClientSecretInputs): Promise<OktaClientSecret> {
  return exclusive(`secrets:${inputs.appId}`, () => createSecretExclusive(api, inputs));
}

async function createSecretExclusive(api: OktaApi, inputs: ClientSecretInputs): Promise<OktaClientSecret> {
  const { appId, value, status } = inputs;
  const resource = describeClientSecret(appId);
  const listFirst = async (): Promise<OktaClientSecret[]> => {
    try {
      return await api.listSecrets(appId);
    } catch (err) {
      throw new OktaApiError({
        resource,
        action: "create",
        step: "listing the app's secrets first",
        failure: describeFailure(err),
        hint: isNotFound(err)
          ? `check appId: there is no app ${appId} in this Okta org.`
          : "check the Okta connection and the token's permissions (okta.apps.read, okta.apps.manage).",
      });
    }
  };
  const wantHash = value !== undefined ? secretHash(value) : undefined;
  const isOwn = (s: OktaClientSecret) =>
    wantHash !== undefined &&
    (s.secret_hash === wantHash || (s.client_secret !== undefined && s.client_secret === value));
  const listLazily = createsWithoutListing(inputs);
  let before: OktaClientSecret[] | undefined = listLazily ? undefined : await listFirst();
  // A secret with this very value already there (e.g. an interrupted earlier run): it is ours.
  const existing = before?.find(isOwn);
  if (existing !== undefined)
    return existing.status === status ? existing : setStatus(api, appId, existing.id, status);
  const unrecorded = before !== undefined ? unrecordedRetiredSecret(inputs, before) : undefined;
  if (unrecorded !== undefined) {
    providerWarning(
      `${describeClientSecret(appId, unrecorded.id)} is INACTIVE beside the app's current secret, at Okta's ` +
        `two-secret cap: an interrupted run made it for this slot and never recorded it. Taking it over instead ` +
        `of creating a third secret.`,
    );
    return unrecorded;
  }
  let created: OktaClientSecret;
  try {
    ({ item: created } = await createOnce({
      before: before ?? [],
      list: () => api.listSecrets(appId),
      create: () =>
        api.createSecret(appId, value !== undefined ? { client_secret: value, status } : { status }),
      recognise: (s) => (wantHash !== undefined ? isOwn(s) : before !== undefined),
      what: `client secret of app ${appId}`,
    }));
  } catch (err) {
    if (err instanceof Error && err.name === "OktaRotationError") throw err;
    const failure = describeFailure(err);
    const atCap = failureMentions(failure, "maximum number of client secrets");
    if (atCap && before === undefined) {
      before = await listFirst();
      const lost = before.find(isOwn);
      if (lost !== undefined) {
        providerWarning(
          `${describeClientSecret(appId, lost.id)} holds this slot's value: an interrupted run created it and ` +
            `never recorded it. Adopting it instead of creating a third secret.`,
        );
        return lost.status === status ? lost : setStatus(api, appId, lost.id, status);
      }
    }
    const context = atCap
      ? [
          `The app's secrets (at most two are allowed): ${
            (await api.listSecrets(appId).catch(() => before ?? [])).map(secretSummary).join("; ") || "none"
          }.`,
        ]
      : failure.status !== undefined
        ? await listForError(api, appId)
        : [];
    throw new OktaApiError({
      resource,
      action: "create",
      failure,
      context,
      hint: atCap
        ? inputs.slot !== undefined
          ? `the app holds two secrets (above) and neither is this slot's new one. ${capHint(inputs.slot.app)}`
          : "free a slot first: deactivate and delete one of the secrets above that no running client uses " +
            "(Okta Admin Console or the API), or bring it under this stack with adoptSecretId instead of creating a new one."
        : isNotFound(err)
          ? `check appId: there is no app ${appId} in this Okta org (the app's id, 0oa…, as in the Admin Console's address of the app).`
          : failureMentions(failure, "private_key_jwt")
            ? inputs.slot !== undefined
              ? `app '${inputs.slot.app}' authenticates with private_key_jwt, which has no client secrets. To go back to ` +
                `client secrets, keep privateKeyJwt.enabled: true and set privateKeyJwt.rollback: true: that switches ` +
                `the app back safely (privateKeyJwt.enabled: false alone cannot).`
              : "the app authenticates with private_key_jwt, which has no client secrets; remove this secret from the stack or switch the app back first."
            : failureMentions(failure, "client_secret")
              ? "fix the value input (14-100 printable ASCII characters; at least 32 for client_secret_jwt apps)."
              : failure.ambiguous
                ? "Okta did not answer clearly and the secret is not in Okta; run again."
                : "see Okta's message above.",
    });
  }
  return created.status === status ? created : setStatus(api, appId, created.id, status);
}

/**
 * Whether a create skips listing the app's secrets first. A rotation slot creates its own value (made in a step
 * before, kept in state) without listing: one call of the rate-limited bucket fewer per rotation. A secret of this
 * slot whose create answer was lost to a killed run still shows: the app is then at Okta's two-secret cap (the
 * secret clients hold is the other one), Okta refuses the create, and the list read then finds it by its hash. Only
 * a secret with this very value is taken — never one this slot did not make. Not at onboarding without adoption:
 * the app held no secret, so a lost create leaves it below the cap, and a second create would make a second
 * secret with the same value that the stack never holds (and that blocks the next generation). Pure.
 */
export function createsWithoutListing(
  inputs: Pick<ClientSecretInputs, "slot" | "value" | "generation" | "onboardedGeneration">,
): boolean {
  if (inputs.slot === undefined || inputs.value === undefined) return false;
  const onboarding =
    inputs.onboardedGeneration === undefined || inputs.onboardedGeneration === inputs.generation;
  return !(onboarding && inputs.slot.adopting === undefined);
}

/**
 * The secret a slot made again from nothing takes over instead of creating one, or undefined. Such a slot (the
 * retired slot of a rotation, INACTIVE, with no value of its own: Okta makes it) is created only after a refresh
 * dropped it, its secret deleted in Okta. When Okta then already holds two secrets, one of them INACTIVE, that one is
 * what an earlier run's same create left unrecorded (killed before the answer came back), and nothing else could
 * recognise it: a new create would meet Okta's two-secret cap on every run. It is INACTIVE, so no client uses it;
 * the slot takes it over as the create would have made it. Pure.
 */
export function unrecordedRetiredSecret(
  inputs: Pick<ClientSecretInputs, "slot" | "value" | "adoptSecretId" | "status">,
  secrets: readonly OktaClientSecret[],
): OktaClientSecret | undefined {
  if (inputs.slot === undefined || inputs.value !== undefined || inputs.adoptSecretId !== undefined)
    return undefined;
  if (inputs.status !== "INACTIVE" || secrets.length < 2) return undefined;
  const inactive = secrets.filter((s) => s.status === "INACTIVE");
  return inactive.length === 1 ? inactive[0] : undefined;
}

/**
 * The secret a create adopts, or undefined when it makes one. A rotation slot adopts only when it is made at the
 * rotation's onboarding (plan.ts: "a slot's adoptSecretId only matters when it is made"): a slot made again later
 * — a refresh dropped it, its secret deleted by a revoke or out of band — makes its own, as a slot that adopts
 * nothing, instead of asking Okta for the app's original secret, long gone. Pure.
 */
export function secretToAdopt(
  inputs: Pick<ClientSecretInputs, "slot" | "adoptSecretId" | "onboardedGeneration">,
): string | undefined {
  if (inputs.adoptSecretId === undefined || inputs.slot === undefined) return inputs.adoptSecretId;
  return atOnboarding(inputs.slot, inputs.onboardedGeneration) ? inputs.adoptSecretId : undefined;
}

/**
 * Whether a slot is applied at its rotation's onboarding: the generation SecretValue recorded as the first is the
 * app's now, or is not known yet (the first run, while SecretValue is being made). A slot made again later (a
 * create lost to a killed run, cleared by refresh) is not. Pure.
 */
function atOnboarding(slot: Pick<SlotContext, "generation">, onboardedGeneration: unknown): boolean {
  return typeof onboardedGeneration !== "number" || onboardedGeneration === slot.generation;
}

/** What to do when an app is at Okta's two-secret cap and none of them is a slot's new one. */
function capHint(app: string): string {
  return (
    `If you renamed app '${app}' in the stack config, put the old name in its formerNames so the stack keeps the ` +
    `secrets it has; if another stack or a person manages secrets of this app, give the app to one of them only; ` +
    `if this is the app's first rotation, set adoptSecretId to the secret its clients used before this stack; and ` +
    `deactivate and delete, in the Okta Admin Console or the API, any secret above that is neither this stack's ` +
    `current one nor used by a client. Nothing was changed.`
  );
}

/**
 * The app's secrets, when it already holds two (Okta's "maximum number of client secrets") and none holds the slot's
 * value, so that no new one can be created; else undefined. One read; an app that cannot be read is left to the create's own error.
 */
async function secretsAtCap(api: OktaApi, appId: string, ownHash: string): Promise<string | undefined> {
  let list: OktaClientSecret[];
  try {
    list = await api.listSecrets(appId);
  } catch {
    return undefined;
  }
  // One of them holding this slot's value was made by a run killed before it recorded it: the create adopts it.
  if (list.length < 2 || list.some((x) => x.secret_hash === ownHash)) return undefined;
  return (
    `the app already holds two client secrets (${list.map(secretSummary).join("; ")}), Okta's maximum number of ` +
    `client secrets per client, and neither is one this stack made for it under this name: a new one cannot be created.`
  );
}

/**
 * Why `secretId` cannot be adopted by app `appId` (named `app` in the stack config), or undefined when it can:
 * it must be a secret of the app, and ACTIVE (the one its clients use now). One read.
 */
export async function adoptionProblem(
  api: OktaApi,
  appId: string,
  secretId: string,
  app: string,
): Promise<string | undefined> {
  let secrets: OktaClientSecret[];
  try {
    secrets = await api.listSecrets(appId);
  } catch (err) {
    if (isNotFound(err)) {
      return (
        `app '${app}': there is no app ${appId} in this Okta org. Check appId (the app's id, 0oa…, as in the ` +
        `Admin Console's address of the app). Nothing was changed.`
      );
    }
    throw new OktaApiError({
      resource: describeClientSecret(appId, secretId),
      action: "adopt",
      step: "checking the secret to adopt",
      failure: describeFailure(err),
      hint: "check the Okta connection and the token's permissions (okta.apps.read), then run again.",
    });
  }
  return secretAdoptionProblem(appId, secretId, app, secrets);
}

/** {@link adoptionProblem} on the app's secrets as listed. Pure. */
export function secretAdoptionProblem(
  appId: string,
  secretId: string,
  app: string,
  secrets: readonly Pick<OktaClientSecret, "id" | "status" | "created">[],
): string | undefined {
  const found = secrets.find((x) => x.id === secretId);
  const list = secrets.length === 0 ? "none" : secrets.map(secretSummary).join("; ");
  if (found === undefined) {
    return (
      `app '${app}': adoptSecretId ${secretId} is not a secret of app ${appId} (its secrets: ${list}). Set ` +
      `adoptSecretId to the id of the ACTIVE secret its clients use now, or remove adoptSecretId if the app has ` +
      `none. If you renamed the app in the stack config, put the old name in formerNames instead. Nothing was changed.`
    );
  }
  if (found.status !== "ACTIVE") {
    return (
      `app '${app}': adoptSecretId ${secretId} is INACTIVE, so no client can be using it (the app's secrets: ` +
      `${list}). Set adoptSecretId to the ACTIVE secret its clients use now. Nothing was changed.`
    );
  }
  if (secrets.length >= 2) {
    return (
      `app '${app}': the app already has ${secrets.length} secrets (${list}) and Okta allows two, so there is no room ` +
      `for the new one. If you renamed app '${app}' in the stack config, put the old name in its formerNames (the ` +
      `stack keeps the secrets it made); otherwise deactivate and delete the one that is not ${secretId} and that ` +
      `no client uses, then run again. Nothing was changed.`
    );
  }
  return undefined;
}

async function adoptSecret(
  api: OktaApi,
  inputs: ClientSecretInputs,
  secretId: string,
): Promise<OktaClientSecret> {
  const { appId, status } = inputs;
  let s: OktaClientSecret;
  try {
    s = await api.getSecret(appId, secretId);
  } catch (err) {
    throw new OktaApiError({
      resource: describeClientSecret(appId, secretId),
      action: "adopt",
      failure: describeFailure(err),
      context: isNotFound(err) ? await listForError(api, appId) : [],
      hint: isNotFound(err)
        ? "adoptSecretId must name an existing secret of this app (see the list above); remove adoptSecretId to create a new secret."
        : "check the Okta connection and run again.",
    });
  }
  return s.status === status ? s : setStatus(api, appId, secretId, status);
}

async function setStatus(
  api: OktaApi,
  appId: string,
  secretId: string,
  status: LifecycleStatus,
): Promise<OktaClientSecret> {
  try {
    return await api.setSecretStatus(appId, secretId, status);
  } catch (err) {
    const failure = describeFailure(err);
    const onlyActive = failureMentions(failure, "only active client secret");
    throw new OktaApiError({
      resource: describeClientSecret(appId, secretId),
      action: status === "ACTIVE" ? "activate" : "deactivate",
      failure,
      context: failure.status !== undefined ? await listForError(api, appId) : [],
      hint: onlyActive
        ? "it is the app's only ACTIVE secret and clients still need one: create and activate another secret first " +
          "(e.g. rotate: bump the generation of the other slot), then deactivate this one."
        : isNotFound(err)
          ? "the secret is gone from Okta; run `pulumi refresh` so the stack forgets it, then `pulumi up`."
          : "see Okta's message above and run again.",
    });
  }
}

async function deleteSecret(
  api: OktaApi,
  appId: string,
  secretId: string,
  recorded: LifecycleStatus | undefined,
): Promise<void> {
  const resource = describeClientSecret(appId, secretId);
  // Only a delete Okta answered (204) is noted for the audit record: a secret found gone (revoked in an earlier
  // run, deleted out of band or by Okta) was not deleted by this run, and its time is not known.
  const deleted = () => noteDeletion(appId, secretId, new Date().toISOString());
  const remove = async (): Promise<void> => {
    try {
      await api.deleteSecret(appId, secretId);
      deleted();
    } catch (err) {
      if (isNotFound(err)) return; // already gone: deleted out of band, or by Okta on a switch to private_key_jwt
      throw new OktaApiError({
        resource,
        action: "delete",
        failure: describeFailure(err),
        hint: "the secret is INACTIVE now (no client can use it); run again to finish deleting it.",
      });
    }
  };
  // A secret the state records as INACTIVE (a retired slot) is deleted straight away, without reading it first:
  // one call of the rate-limited bucket fewer per rotation. Okta refuses to delete an ACTIVE one, so a secret
  // activated out of band since is found that way, and released like any ACTIVE one.
  if (recorded === "INACTIVE") {
    try {
      await api.deleteSecret(appId, secretId);
      return deleted();
    } catch (err) {
      if (isNotFound(err)) return;
      if (!failureMentions(describeFailure(err), "delete an active client secret")) {
        throw new OktaApiError({
          resource,
          action: "delete",
          failure: describeFailure(err),
          hint: "see Okta's message above and run again.",
        });
      }
    }
  }
  let current: OktaClientSecret;
  try {
    current = await api.getSecret(appId, secretId);
  } catch (err) {
    if (isNotFound(err)) return;
    throw new OktaApiError({
      resource,
      action: "delete",
      step: "reading it first",
      failure: describeFailure(err),
    });
  }
  if (current.status === "ACTIVE") {
    // An ACTIVE secret is retired only by a finished rotation (an update to INACTIVE once its successor is
    // delivered), never by a delete: removing an app from the stack, renaming it without formerNames, or
    // destroying the stack releases the secret its clients may hold. It stays ACTIVE in Okta, unmanaged.
    providerWarning(
      `${resource} is ACTIVE, and clients may hold it: released, not deleted. It stays ACTIVE in Okta and is no ` +
        `longer managed by this stack. To manage it again, adopt it with adoptSecretId; to retire it, deactivate ` +
        `and delete it in Okta once no client uses it.`,
    );
    return;
  }
  await remove();
}

/**
 * Why a rollback cannot go back to this slot, which the stack no longer holds (a refresh dropped it once Okta
 * no longer had it): creating it would register a new secret under the old generation, and nothing would be
 * rolled back. Pure.
 */
export function rollbackTargetMissing(inputs: ClientSecretInputs): string | undefined {
  const slot = inputs.slot;
  if (!slot?.rollback || inputs.status !== "ACTIVE" || inputs.adoptSecretId !== undefined) return undefined;
  return rollbackRefusal(
    slot,
    inputs.generation,
    "is no longer in the stack (a refresh found it gone from Okta)",
  );
}

function rollbackRefusal(
  slot: NonNullable<ClientSecretInputs["slot"]>,
  target: number | undefined,
  why: string,
): string {
  const to = target ?? slot.generation - 1;
  return (
    `app '${slot.app}': rollback: true goes back to the secret of generation ${to}, which ${why}: it was ` +
    `revoked or deleted, so there is nothing to roll back to. Remove rollback (the app stays on generation ` +
    `${slot.generation}, whose secret its clients hold); if that secret must not be used any more, set generation ` +
    `to ${slot.generation + 1} (with revoke: true if it leaked). Nothing was changed.`
  );
}

/** Why the rollback target `secretId` cannot be reactivated (gone from Okta), or undefined. One read. */
export async function rollbackTargetGone(
  api: OktaApi,
  inputs: ClientSecretInputs,
  secretId: string,
): Promise<string | undefined> {
  if (!inputs.slot) return undefined;
  try {
    await api.getSecret(inputs.appId, secretId);
    return undefined;
  } catch (err) {
    if (!isNotFound(err)) return undefined; // the update says what Okta answered
  }
  return rollbackRefusal(inputs.slot, inputs.generation, `(${secretId}) is no longer in Okta`);
}

/**
 * Whether the refusal to drop adoptSecretId at generation 1 (it would delete the adopted rollback target) does not
 * apply because that secret is gone from Okta already (deleted out of band): then dropping it is the way on. One read,
 * only in that case.
 */
async function adoptedSecretGone(
  before: (SlotContext & { adopting?: unknown }) | undefined,
  inputs: ClientSecretInputs,
): Promise<boolean> {
  if (typeof before?.adopting !== "string" || inputs.slot?.adopting !== undefined) return false;
  try {
    return !(await getOktaApi().listSecrets(inputs.appId)).some((x) => x.id === before.adopting);
  } catch {
    return false;
  }
}

/**
 * Slots this provider process has checked against their old inputs. When the engine replaces a resource it calls
 * `check` once with the old inputs and once more without them (for the replacement); only a slot never checked
 * with old inputs is new.
 */
const checkedWithOlds = new Set<string>();

/**
 * A rotation slot's bookkeeping, kept in state under a `__` prefix so that no diff shows it (hiddenInputs.ts): what
 * the slot last recorded of the app's config, the guard against replacing an ACTIVE secret, the onboarding
 * generation; and in a slot, how its secret is made (a value made in a step before, or a secret to adopt).
 */
export function clientSecretHiddenInputs(props: Readonly<Record<string, unknown>>): readonly string[] {
  return props.slot !== undefined
    ? ["slot", "replaceOnlyInactive", "onboardedGeneration", "value", "adoptSecretId"]
    : ["replaceOnlyInactive", "onboardedGeneration"];
}

/** The dynamic provider of ClientSecret. Holds no state: credentials come from `configure` or the environment. */
export class ClientSecretProvider implements pulumi.dynamic.ResourceProvider<
  ClientSecretInputs,
  ClientSecretOutputs
> {
  /** The bookkeeping inputs kept under a `__` prefix, so that no diff shows them. */
  hiddenInputs(props: Record<string, unknown>): readonly string[] {
    return clientSecretHiddenInputs(props);
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  /**
   * Validates the inputs; in a rotation slot, also the change of the app's config against the slot's last applied
   * one (slotTransition.ts), and at onboarding the secret to adopt. `check` runs before anything of this resource
   * is written, in preview and under `pulumi up --skip-preview` alike: a refusal here writes nothing.
   */
  async check(
    olds: Record<string, unknown> | undefined,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<ClientSecretInputs>> {
    const result = checkInputs<ClientSecretInputs>(clientSecretInputsSchema, news);
    const inputs = result.inputs as ClientSecretInputs;
    if ((result.failures?.length ?? 0) > 0 || inputs.slot === undefined) return result;
    const before = olds?.slot as (SlotContext & { adopting?: unknown }) | undefined;
    const problem = slotTransitionProblem(before, inputs.slot);
    if (problem && !(await adoptedSecretGone(before, inputs))) {
      return { inputs, failures: [{ property: "", reason: `${problem} Nothing was changed.` }] };
    }
    const key = JSON.stringify([inputs.appId, inputs.slot, inputs.generation]);
    if (olds?.appId !== undefined) checkedWithOlds.add(key);
    // The engine checks a resource it replaces a second time, without olds: that is not a new slot.
    const fresh = olds?.appId === undefined && !checkedWithOlds.has(key);
    const gone = fresh ? rollbackTargetMissing(inputs) : undefined;
    if (gone) return { inputs, failures: [{ property: "", reason: gone }] };
    if (
      fresh &&
      inputs.slot.adopting === undefined &&
      inputs.value !== undefined &&
      typeof inputs.appId === "string"
    ) {
      // A slot this stack never had, about to create its secret: at Okta's cap of two that create would fail after
      // the run started writing (a rename without formerNames, another stack on the app). Said before anything is.
      const full = await secretsAtCap(getOktaApi(), inputs.appId, secretHash(inputs.value));
      if (full) {
        return {
          inputs,
          failures: [
            { property: "", reason: `app '${inputs.slot.app}': ${full} ${capHint(inputs.slot.app)}` },
          ],
        };
      }
    }
    const onboarding = atOnboarding(inputs.slot, news.onboardedGeneration);
    // The slot that writes first at onboarding: the holder, which creates the new secret (the one to adopt is only
    // taken over at the end of the run), or, rolled back at onboarding, adopts it itself (the retired slot then
    // creates one more). Make sure it is there, in use, and the only one, before anything is written.
    const firstWrite = inputs.adoptSecretId === undefined || inputs.status === "ACTIVE";
    if (fresh && onboarding && inputs.slot.adopting !== undefined && firstWrite) {
      // In a preview the app (an okta.app.OAuth of the same program) or the secret to adopt (GeneratedSecret) may
      // not exist yet: their ids are Pulumi's unknown placeholder, which is no id to send to Okta. The engine
      // checks again once they are known, in the `up`, before this secret is created.
      if (isUnknown(inputs.appId) || isUnknown(inputs.slot.adopting)) return result;
      const reason = await adoptionProblem(getOktaApi(), inputs.appId, inputs.slot.adopting, inputs.slot.app);
      if (reason) return { inputs, failures: [{ property: "", reason }] };
    }
    return result;
  }

  async diff(
    _id: pulumi.ID,
    olds: ClientSecretOutputs,
    news: ClientSecretInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const o = olds as unknown as Record<string, unknown>;
    const n = news as unknown as Record<string, unknown>;
    const { changes, replaces } = diffClientSecret(o, n);
    const unsafe = unsafeReplacement(_id, o, n, replaces);
    if (unsafe) throw operationError(unsafe);
    // A rollback reactivates this INACTIVE secret: it must still be in Okta (a revoke deletes it, and so may
    // someone outside the stack). Read once, only when a rollback is about to reactivate it, before any write.
    if (
      news.slot?.rollback &&
      news.status === "ACTIVE" &&
      olds.status === "INACTIVE" &&
      replaces.length === 0
    ) {
      const gone = await rollbackTargetGone(getOktaApi(), news, _id);
      if (gone) throw operationError(gone);
    }
    return { changes, replaces };
  }

  async create(inputs: ClientSecretInputs): Promise<pulumi.dynamic.CreateResult<ClientSecretOutputs>> {
    const api = getOktaApi();
    const adopt = secretToAdopt(inputs);
    const s =
      adopt !== undefined
        ? await adoptSecret(api, inputs, adopt)
        : await createSecret(api, { ...inputs, adoptSecretId: undefined });
    // A slot's new secret follows the delete of the one it replaces (delete-before-replace), in this process.
    const replacedSecret = inputs.slot !== undefined ? takeDeletion(inputs.appId) : undefined;
    return {
      id: s.id,
      outs: outputs(inputs, s, {
        deactivatedAt: deactivationTime(undefined, s),
        ...(replacedSecret !== undefined && replacedSecret.secretId !== s.id ? { replacedSecret } : {}),
      }),
    };
  }

  async read(
    id: pulumi.ID,
    props?: ClientSecretOutputs,
  ): Promise<pulumi.dynamic.ReadResult<ClientSecretOutputs>> {
    if (props === undefined) throw operationError(`ClientSecret ${id}: no state to refresh from.`);
    const api = getOktaApi();
    let s: OktaClientSecret;
    try {
      s = await api.getSecret(props.appId, id);
    } catch (err) {
      if (isNotFound(err)) return { id: "" };
      throw new OktaApiError({
        resource: describeClientSecret(props.appId, id),
        action: "read",
        failure: describeFailure(err),
      });
    }
    const value = s.client_secret ?? props.clientSecret;
    const outs = compact({
      ...props,
      status: s.status,
      secretHash: s.secret_hash ?? (value !== undefined ? secretHash(value) : props.secretHash),
      created: s.created ?? props.created,
      lastUpdated: s.lastUpdated ?? props.lastUpdated,
      clientSecret: value,
    });
    // The inputs as Okta holds them now: a status changed in the Admin Console shows in the next diff as the
    // change that puts it back (`status: "INACTIVE" => "ACTIVE"`), not as an update with nothing to read.
    // (The SDK types read inputs as outputs.)
    return { id, props: outs, inputs: readBackInputs(outs) as unknown as ClientSecretOutputs };
  }

  async update(
    id: pulumi.ID,
    olds: ClientSecretOutputs,
    news: ClientSecretInputs,
  ): Promise<pulumi.dynamic.UpdateResult<ClientSecretOutputs>> {
    // Only a status change calls Okta; anything else (the slot's context) is recorded as it is.
    const s: OktaClientSecret =
      olds.status === news.status
        ? compact({
            id,
            status: olds.status,
            created: olds.created,
            lastUpdated: olds.lastUpdated,
            secret_hash: olds.secretHash,
            client_secret: olds.clientSecret,
          })
        : await setStatus(getOktaApi(), news.appId, id, news.status);
    const outs = outputs(news, s, {
      deactivatedAt: deactivationTime(olds, s),
      replacedSecret: olds.replacedSecret,
    });
    return { outs: compact({ ...outs, clientSecret: outs.clientSecret ?? olds.clientSecret }) };
  }

  async delete(id: pulumi.ID, props: ClientSecretOutputs): Promise<void> {
    await deleteSecret(getOktaApi(), props.appId, id, props.status);
  }
}

// In state, the provider is a reference to ClientSecretProvider in this file (see providerByReference.ts).
const provider = providerByReference(__filename, "ClientSecretProvider");

/** Arguments of {@link ClientSecret}. */
export interface ClientSecretArgs {
  /** The Okta app (0oa…) that owns the secret. */
  readonly appId: pulumi.Input<string>;
  /** Default ACTIVE. A change is an update (lifecycle activate/deactivate), not a replacement. */
  readonly status?: pulumi.Input<"ACTIVE" | "INACTIVE">;
  /** Bring your own value (14-100 printable ASCII). Stored as a secret. A change replaces. */
  readonly value?: pulumi.Input<string>;
  /** Adopt this existing secret (ocs…) instead of creating one (`pulumi import` does not work for dynamic resources). */
  readonly adoptSecretId?: pulumi.Input<string>;
  /** Bump to rotate: a change replaces the secret. */
  readonly generation?: pulumi.Input<number>;
  /** Refuse (in diff, before any write) to replace this secret while it is ACTIVE. Used by rotation slots. */
  readonly replaceOnlyInactive?: pulumi.Input<boolean>;
  /**
   * Makes this secret a rotation slot: the app's config it was last applied with. `check` refuses, before any
   * write, a change of that config that would retire a credential in use (slotTransition.ts); value and
   * adoptSecretId then only say how the secret is made. `adopting`: the app's secret to adopt at onboarding,
   * checked (exists, ACTIVE) before the new secret is created.
   */
  /** In a rotation slot: the generation the rotation was first applied at (see SecretValue). Not diffed. */
  readonly onboardedGeneration?: pulumi.Input<number>;
  readonly slot?: pulumi.Input<{
    app: string;
    generation: number;
    rollback: boolean;
    adopting?: pulumi.Input<string>;
  }>;
}

/** A client secret of an Okta OIDC app. `clientSecret` and `value` are secret outputs. */
export class ClientSecret extends pulumi.dynamic.Resource {
  declare public readonly appId: pulumi.Output<string>;
  declare public readonly status: pulumi.Output<"ACTIVE" | "INACTIVE">;
  declare public readonly adoptSecretId: pulumi.Output<string | undefined>;
  declare public readonly generation: pulumi.Output<number | undefined>;
  declare public readonly secretId: pulumi.Output<string>;
  declare public readonly secretHash: pulumi.Output<string>;
  declare public readonly created: pulumi.Output<string>;
  declare public readonly lastUpdated: pulumi.Output<string>;
  /** The secret value (a Pulumi secret). */
  declare public readonly clientSecret: pulumi.Output<string>;
  /** When the secret became INACTIVE (Okta's `lastUpdated` then); undefined while ACTIVE. */
  declare public readonly deactivatedAt: pulumi.Output<string | undefined>;
  /** The secret this slot's secret replaced, and when Okta confirmed its delete (see ClientSecretOutputs). */
  declare public readonly replacedSecret: pulumi.Output<{ secretId: string; deletedAt: string } | undefined>;

  constructor(name: string, args: ClientSecretArgs, opts?: pulumi.CustomResourceOptions) {
    // Bookkeeping goes under the `__` prefix, which no diff shows (clientSecretHiddenInputs).
    const hidden = new Set(clientSecretHiddenInputs(args.slot !== undefined ? { slot: true } : {}));
    const key = (k: string) => (hidden.has(k) ? `__${k}` : k);
    super(
      provider,
      name,
      {
        appId: args.appId,
        status: args.status,
        [key("value")]: args.value === undefined ? undefined : pulumi.secret(args.value),
        [key("adoptSecretId")]: args.adoptSecretId,
        generation: args.generation,
        [key("replaceOnlyInactive")]: args.replaceOnlyInactive,
        [key("onboardedGeneration")]: args.onboardedGeneration,
        [key("slot")]: args.slot,
        secretId: undefined,
        secretHash: undefined,
        created: undefined,
        lastUpdated: undefined,
        clientSecret: undefined,
        deactivatedAt: undefined,
        replacedSecret: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["clientSecret", "value", "__value"] }),
      "okta-rotation",
      "ClientSecret",
    );
  }
}
