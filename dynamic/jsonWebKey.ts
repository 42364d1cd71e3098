// `JsonWebKey`: one public JSON Web Key registered on an Okta app (for private_key_jwt), as a Pulumi
// dynamic resource. Create = POST …/credentials/jwks; status change = lifecycle activate/deactivate;
// delete = DELETE of an INACTIVE key. An ACTIVE key is never deactivated by a delete: clients may sign with it,
// so it is released (left ACTIVE in Okta, no longer managed, with a warning); only a finished rotation retires
// it (an update to INACTIVE once its successor is delivered). Changing appId, generation or the key replaces it.
// A whole-app PUT may give a kept key a new id (okta-api.md): a key not found under its recorded id is looked up
// by `kid` (same key material) on refresh, update and delete, and its state takes the new id.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configureConnection, exclusive, getOktaApi, providerWarning } from "./connection";
import { createOnce } from "./createOnce";
import type { OktaApi } from "./oktaApi";
import { OktaApiError, describeFailure, failureMentions, isNotFound, operationError } from "./oktaErrors";
import type { LifecycleStatus, OktaJsonWebKey } from "./oktaObjects";
import { compact, isUnknown } from "./providerValues";
import { sameValue, validateInputs } from "./validation";
import { providerByReference } from "./providerByReference";
import { activeReplacementProblem } from "./slotTransition";

/** Members of a JWK that only a private (or symmetric) key has. They must never reach Okta or state. */
export const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/** The public members kept from an input JWK; anything else is dropped. */
export const PUBLIC_JWK_MEMBERS = ["kty", "kid", "alg", "use", "e", "n", "crv", "x", "y"] as const;

/** The smallest RSA modulus Okta accepts for an app's key, in bits. */
export const MIN_RSA_BITS = 2048;

/** Bit length of an RSA modulus given as base64url (the JWK `n`). Pure. */
export function rsaModulusBits(n: string): number {
  const bytes = Buffer.from(n, "base64url");
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  const first = bytes[i]!;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(first));
}

/** Names (never values) of the private members present in a JWK-like object. */
export function privateJwkMembers(jwk: Record<string, unknown>): string[] {
  const members = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]; // PRIVATE_JWK_MEMBERS
  return members.filter((m) => jwk[m] !== undefined);
}

/** The public part of a JWK: only the members Okta needs. Pure. */
export function publicJwk(jwk: Record<string, unknown>): PublicJwk {
  const out: Record<string, unknown> = {};
  for (const m of ["kty", "kid", "alg", "use", "e", "n", "crv", "x", "y"])
    if (jwk[m] !== undefined && jwk[m] !== null) out[m] = jwk[m];
  return out as unknown as PublicJwk;
}

/** The zod schema of {@link JsonWebKey}'s inputs: a public JWK only (private members are refused). */
export function jsonWebKeyInputsSchema() {
  const b64url = /^[A-Za-z0-9_-]+$/;
  const jwk = z
    .record(z.string(), z.unknown(), { error: "jwk must be an object (a public JSON Web Key)" })
    .superRefine((k, ctx) => {
      const priv = privateJwkMembers(k);
      if (priv.length > 0) {
        ctx.addIssue({
          code: "custom",
          message:
            `jwk contains private key material (member${priv.length > 1 ? "s" : ""} ${priv.join(", ")}); ` +
            "register only the public key (kty, kid, e, n or crv, x, y)",
        });
        return; // nothing more to say about a key that must not be used at all
      }
      if (typeof k.kid !== "string" || k.kid.trim() === "") {
        ctx.addIssue({
          code: "custom",
          path: ["kid"],
          message: "jwk.kid is required (e.g. the JWK thumbprint)",
        });
      }
      if (k.kty === "RSA") {
        if (typeof k.e !== "string" || !b64url.test(k.e)) {
          ctx.addIssue({ code: "custom", path: ["e"], message: "jwk.e must be the base64url RSA exponent" });
        }
        if (typeof k.n !== "string" || !b64url.test(k.n)) {
          ctx.addIssue({ code: "custom", path: ["n"], message: "jwk.n must be the base64url RSA modulus" });
        } else {
          const bits = rsaModulusBits(k.n);
          if (bits < 2048) {
            ctx.addIssue({
              code: "custom",
              path: ["n"],
              message: `RSA key is ${bits} bits; Okta requires at least 2048 bits`,
            });
          }
        }
      } else if (k.kty === "EC") {
        for (const m of ["x", "y"] as const) {
          if (typeof k[m] !== "string" || !b64url.test(k[m] as string)) {
            ctx.addIssue({
              code: "custom",
              path: [m],
              message: `jwk.${m} must be the base64url EC coordinate`,
            });
          }
        }
        if (k.crv !== undefined && !["P-256", "P-384", "P-521"].includes(String(k.crv))) {
          ctx.addIssue({ code: "custom", path: ["crv"], message: "jwk.crv must be P-256, P-384 or P-521" });
        }
      } else {
        ctx.addIssue({ code: "custom", path: ["kty"], message: 'jwk.kty must be "RSA" or "EC"' });
      }
      if (k.use !== undefined && k.use !== "sig" && k.use !== "enc") {
        ctx.addIssue({ code: "custom", path: ["use"], message: 'jwk.use must be "sig" or "enc"' });
      }
      if (k.use === "enc" && k.kty !== "RSA") {
        ctx.addIssue({
          code: "custom",
          path: ["use"],
          message: "Okta accepts encryption keys (use enc) only for RSA",
        });
      }
    })
    .transform((k) => publicJwk(k));
  return z.object({
    appId: z
      .string({ error: "appId must be a string (the Okta app id, 0oa…)" })
      .trim()
      .min(1, "appId must not be empty (the Okta app id, 0oa…)"),
    jwk,
    status: z
      .enum(["ACTIVE", "INACTIVE"], { error: 'status must be "ACTIVE" or "INACTIVE"' })
      .default("ACTIVE"),
    generation: z
      .number({ error: "generation must be a number" })
      .int("generation must be a whole number")
      .nonnegative("generation must not be negative")
      .optional(),
    replaceOnlyInactive: z.boolean({ error: "replaceOnlyInactive must be a boolean" }).optional(),
  });
}

/** The public members of a JSON Web Key, as registered on an app. */
export interface PublicJwk {
  readonly kty: "RSA" | "EC";
  readonly kid: string;
  readonly alg?: string;
  readonly use?: "sig" | "enc";
  readonly e?: string;
  readonly n?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
}

/** The resolved inputs of a {@link JsonWebKey}. */
export type JsonWebKeyInputs = Omit<z.infer<ReturnType<typeof jsonWebKeyInputsSchema>>, "jwk"> & {
  readonly jwk: PublicJwk;
};

/** The state of a {@link JsonWebKey}: the public JWK, Okta's key id, status and times. */
export interface JsonWebKeyOutputs {
  readonly appId: string;
  readonly jwk: PublicJwk;
  readonly status: LifecycleStatus;
  readonly generation?: number;
  readonly keyId: string;
  readonly kid: string;
  readonly created?: string;
  readonly lastUpdated?: string;
}

/** The inputs of a {@link JsonWebKey} whose change replaces the key. */
export const JSON_WEB_KEY_REPLACE_KEYS = ["appId", "generation", "jwk"] as const;

/** The diff of a JsonWebKey: old outputs against new inputs. Pure. */
export function diffJsonWebKey(
  olds: Partial<Record<string, unknown>>,
  news: Partial<Record<string, unknown>>,
): { changes: boolean; replaces: string[] } {
  const replaceKeys = ["appId", "generation", "jwk"] as const; // JSON_WEB_KEY_REPLACE_KEYS
  // A jwk not known yet is not known to change: in a preview, the key pair of a slot is updated (its slot context)
  // on every key bump, which leaves its public JWK unknown until the update runs. A pair whose material changes is
  // replaced with a new generation, which replaces this key anyway; and `pulumi up` diffs again with the real
  // value before it writes this key.
  const replaces = replaceKeys.filter((k) =>
    k === "jwk" ? !isUnknown(news.jwk) && !sameJwk(olds.jwk, news.jwk) : !sameValue(olds[k], news[k]),
  );
  const statusChanged = !sameValue(olds.status ?? "ACTIVE", news.status ?? "ACTIVE");
  return { changes: replaces.length > 0 || statusChanged, replaces: [...replaces] };
}

function sameJwk(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return sameValue(a, b);
  const pa = publicJwk(a as Record<string, unknown>);
  const pb = publicJwk(b as Record<string, unknown>);
  const members = ["kty", "kid", "alg", "use", "e", "n", "crv", "x", "y"] as const;
  return members.every((m) => sameValue(pa[m], pb[m]));
}

/**
 * Refuses to replace a key that is still ACTIVE when the resource asks for it (`replaceOnlyInactive`): in a key
 * rotation slot, an ACTIVE key about to be replaced means the previous rotation never retired it, and clients may
 * still sign with it. Returns the reason, or undefined when the replacement is safe. Pure.
 */
export function unsafeKeyReplacement(
  id: string,
  olds: Partial<Record<string, unknown>>,
  news: Partial<Record<string, unknown>>,
  replaces: readonly string[],
): string | undefined {
  const kid = typeof olds.kid === "string" ? olds.kid : undefined;
  // The rotation that retires generation g is the one to g + 1.
  const finish =
    typeof olds.generation === "number"
      ? `Set privateKeyJwt.keyGeneration back to ${olds.generation + 1}`
      : typeof news.generation === "number"
        ? `Set privateKeyJwt.keyGeneration back to ${news.generation - 1}`
        : "Set privateKeyJwt.keyGeneration back to its previous value";
  return activeReplacementProblem(olds, news, replaces, {
    name: describeJsonWebKey(String(news.appId ?? olds.appId), id, kid),
    credential: "key",
    rotation: "key rotation",
    use: "sign with",
    successorIs: "delivered and proven",
    finish,
    notBumped: (subject, fields) =>
      `${subject} would be deleted and replaced (${fields} changed), but it is still ACTIVE, and clients may ` +
      `still sign with it. Put ${fields} back as before: a key in use is retired only by a key rotation (bump ` +
      `privateKeyJwt.keyGeneration: the next key is registered and delivered before this one is deactivated).`,
    closing: " Nothing was changed.",
  });
}

/** A JsonWebKey as messages name it, e.g. `JsonWebKey pks1 (kid k1) of app 0oa1`. Pure. */
export function describeJsonWebKey(appId: string, keyId?: string, kid?: string): string {
  const k = kid ? ` (kid ${kid})` : "";
  return keyId ? `JsonWebKey ${keyId}${k} of app ${appId}` : `a new JsonWebKey${k} of app ${appId}`;
}

function keySummary(k: OktaJsonWebKey): string {
  return `${k.id} kid ${k.kid ?? "?"} ${k.status}${k.created ? ` created ${k.created}` : ""}`;
}

async function listForError(api: OktaApi, appId: string): Promise<string[]> {
  try {
    const keys = await api.listKeys(appId);
    return [`The app's keys now: ${keys.length === 0 ? "none" : keys.map(keySummary).join("; ")}.`];
  } catch {
    return [];
  }
}

function outputs(inputs: JsonWebKeyInputs, k: OktaJsonWebKey): JsonWebKeyOutputs {
  return compact({
    appId: inputs.appId,
    jwk: inputs.jwk,
    status: k.status,
    generation: inputs.generation,
    keyId: k.id,
    kid: k.kid ?? inputs.jwk.kid,
    created: k.created,
    lastUpdated: k.lastUpdated,
  });
}

function sameMaterial(k: OktaJsonWebKey, jwk: PublicJwk): boolean {
  return (
    k.kid === jwk.kid &&
    (jwk.kty === "RSA" ? k.n === undefined || k.n === jwk.n : k.x === undefined || k.x === jwk.x)
  );
}

function lifecycleHint(failure: ReturnType<typeof describeFailure>, err: unknown): string {
  if (failureMentions(failure, "only active JSON Web Key")) {
    return (
      "the app authenticates with private_key_jwt and this is its only ACTIVE key: register and activate the next " +
      "key first (bump the generation of the other key slot), or switch the app's token_endpoint_auth_method away " +
      "from private_key_jwt."
    );
  }
  if (isNotFound(err))
    return "the key is gone from Okta; run `pulumi refresh` so the stack forgets it, then `pulumi up`.";
  return "see Okta's message above and run again.";
}

/**
 * The key under another id: a whole-app PUT replaces the app's key set and may give a kept key a new id, so a key
 * not found under its recorded id is looked up by `kid` (and the same key material). Undefined: it is gone.
 */
async function relocate(
  api: OktaApi,
  appId: string,
  keyId: string,
  kid: string | undefined,
  jwk: PublicJwk | undefined,
  action: string,
): Promise<OktaJsonWebKey | undefined> {
  if (kid === undefined) return undefined;
  let keys: OktaJsonWebKey[];
  try {
    keys = await api.listKeys(appId);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new OktaApiError({
      resource: describeJsonWebKey(appId, keyId, kid),
      action,
      step: `looking the key up by kid: ${keyId} is no longer its id`,
      failure: describeFailure(err),
      hint: "check the Okta connection and run again; nothing was changed.",
    });
  }
  return keys.find((k) => k.kid === kid && (jwk === undefined || sameMaterial(k, jwk)));
}

async function setStatus(
  api: OktaApi,
  appId: string,
  keyId: string,
  kid: string | undefined,
  status: LifecycleStatus,
): Promise<OktaJsonWebKey> {
  try {
    return await api.setKeyStatus(appId, keyId, status);
  } catch (err) {
    const failure = describeFailure(err);
    throw new OktaApiError({
      resource: describeJsonWebKey(appId, keyId, kid),
      action: status === "ACTIVE" ? "activate" : "deactivate",
      failure,
      context: failure.status !== undefined ? await listForError(api, appId) : [],
      hint: lifecycleHint(failure, err),
    });
  }
}

async function addKey(api: OktaApi, inputs: JsonWebKeyInputs): Promise<OktaJsonWebKey> {
  return exclusive(`jwks:${inputs.appId}`, () => addKeyExclusive(api, inputs));
}

async function addKeyExclusive(api: OktaApi, inputs: JsonWebKeyInputs): Promise<OktaJsonWebKey> {
  const { appId, jwk, status } = inputs;
  const resource = describeJsonWebKey(appId, undefined, jwk.kid);
  let before: OktaJsonWebKey[];
  try {
    before = await api.listKeys(appId);
  } catch (err) {
    throw new OktaApiError({
      resource,
      action: "add",
      step: "listing the app's keys first",
      failure: describeFailure(err),
      hint: isNotFound(err)
        ? `check appId: there is no app ${appId} in this Okta org.`
        : "check the Okta connection and the token's permissions (okta.apps.read, okta.apps.manage).",
    });
  }
  const existing = before.find((k) => k.kid === jwk.kid);
  let key: OktaJsonWebKey;
  if (existing !== undefined) {
    if (!sameMaterial(existing, jwk)) {
      throw operationError(
        `Cannot add ${resource}: the app already has key ${existing.id} with kid ${jwk.kid} but different key material. ` +
          "Use a unique kid (the JWK thumbprint is a good one), or delete the old key first.",
      );
    }
    // Same key already registered (e.g. by an interrupted earlier run): it is ours.
    key = existing;
  } else {
    try {
      ({ item: key } = await createOnce({
        before,
        list: () => api.listKeys(appId),
        create: () => api.addKey(appId, { ...jwk, use: jwk.use ?? "sig", status }),
        recognise: (k) => k.kid === jwk.kid,
        what: `JSON Web Key ${jwk.kid} of app ${appId}`,
      }));
    } catch (err) {
      if (err instanceof Error && err.name === "OktaRotationError") throw err;
      const failure = describeFailure(err);
      throw new OktaApiError({
        resource,
        action: "add",
        failure,
        context: failure.status !== undefined ? await listForError(api, appId) : [],
        hint: failureMentions(failure, "maximum number of keys")
          ? "delete keys that are no longer used (deactivate, then delete) to make room."
          : failureMentions(failure, "2,048") || failureMentions(failure, "2048")
            ? "use an RSA key of at least 2048 bits (or an EC key)."
            : failure.ambiguous
              ? "Okta did not answer clearly and the key is not in Okta; run again."
              : "see Okta's message above.",
      });
    }
  }
  if (key.status !== status) key = await setStatus(api, appId, key.id, jwk.kid, status);
  return key;
}

/** The warning of a key left ACTIVE in Okta by a delete. */
function releaseKey(resource: string): void {
  providerWarning(
    `${resource} is ACTIVE, and clients may sign with it: released, not deleted. It stays ACTIVE in Okta and is ` +
      `no longer managed by this stack. To retire it, deliver another key to its clients first (or switch the app ` +
      `away from private_key_jwt), then deactivate and delete it in Okta once no client uses it.`,
  );
}

/**
 * Deletes an INACTIVE key; releases an ACTIVE one (see `releaseKey`). A key the state records as INACTIVE (a
 * retired slot) is deleted straight away, without reading it first: one call of the rate-limited bucket fewer per
 * rotation. Okta refuses to delete an ACTIVE key, so one activated out of band since is found that way, and
 * released. A key recorded ACTIVE is read first: no DELETE is sent for a key this stack believes is in use.
 */
async function deleteKey(
  api: OktaApi,
  appId: string,
  recordedId: string,
  kid: string | undefined,
  recorded: LifecycleStatus | undefined,
  jwk?: PublicJwk,
): Promise<void> {
  let keyId = recordedId;
  let resource = describeJsonWebKey(appId, keyId, kid);
  /** The key under its new id after a 404, or undefined when it is gone. */
  const moved = async (): Promise<boolean> => {
    const found = await relocate(api, appId, keyId, kid, jwk, "delete");
    if (found === undefined || found.id === keyId) return false;
    keyId = found.id;
    resource = describeJsonWebKey(appId, keyId, kid);
    recorded = found.status;
    if (found.status === "ACTIVE") {
      releaseKey(resource);
      return false;
    }
    return true;
  };
  if (recorded !== "INACTIVE") {
    let current: OktaJsonWebKey;
    try {
      current = await api.getKey(appId, keyId);
    } catch (err) {
      if (isNotFound(err)) {
        if (!(await moved())) return;
        current = { id: keyId, status: "INACTIVE" };
      } else {
        throw new OktaApiError({
          resource,
          action: "delete",
          step: "reading it first",
          failure: describeFailure(err),
          hint: "check the Okta connection and run again; nothing was changed.",
        });
      }
    }
    if (current.status === "ACTIVE") {
      releaseKey(resource);
      return;
    }
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await api.deleteKey(appId, keyId);
      return;
    } catch (err) {
      if (isNotFound(err)) {
        // Gone, or renumbered by a whole-app PUT: look for it by kid once.
        if (attempt === 0 && (await moved())) continue;
        return;
      }
      const failure = describeFailure(err);
      if (failureMentions(failure, "delete an active JSON Web Key")) {
        releaseKey(resource); // activated out of band since the state recorded it INACTIVE
        return;
      }
      throw new OktaApiError({
        resource,
        action: "delete",
        failure,
        context: failure.status !== undefined ? await listForError(api, appId) : [],
        hint: "see Okta's message above and run again.",
      });
    }
  }
}

/** The dynamic provider of JsonWebKey. Holds no state: credentials come from `configure` or the environment. */
export class JsonWebKeyProvider implements pulumi.dynamic.ResourceProvider<
  JsonWebKeyInputs,
  JsonWebKeyOutputs
> {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  async check(
    _olds: unknown,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<JsonWebKeyInputs>> {
    const { inputs, failures } = validateInputs(jsonWebKeyInputsSchema, news);
    if (failures.length > 0) {
      // Never hand private material back to the engine, even with the failures.
      const jwk = news.jwk;
      const safe =
        typeof jwk === "object" && jwk !== null
          ? { ...news, jwk: publicJwk(jwk as Record<string, unknown>) }
          : news;
      return { inputs: safe as JsonWebKeyInputs, failures };
    }
    return { inputs: inputs as JsonWebKeyInputs };
  }

  async diff(
    id: pulumi.ID,
    olds: JsonWebKeyOutputs,
    news: JsonWebKeyInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const o = olds as unknown as Record<string, unknown>;
    const n = news as unknown as Record<string, unknown>;
    const { changes, replaces } = diffJsonWebKey(o, n);
    const unsafe = unsafeKeyReplacement(id, o, n, replaces);
    if (unsafe) throw operationError(unsafe);
    return { changes, replaces };
  }

  async create(inputs: JsonWebKeyInputs): Promise<pulumi.dynamic.CreateResult<JsonWebKeyOutputs>> {
    const key = await addKey(getOktaApi(), inputs);
    return { id: key.id, outs: outputs(inputs, key) };
  }

  async read(
    id: pulumi.ID,
    props?: JsonWebKeyOutputs,
  ): Promise<pulumi.dynamic.ReadResult<JsonWebKeyOutputs>> {
    if (props === undefined) throw operationError(`JsonWebKey ${id}: no state to refresh from.`);
    const api = getOktaApi();
    const keyId = props.keyId ?? id;
    let k: OktaJsonWebKey;
    try {
      k = await api.getKey(props.appId, keyId);
    } catch (err) {
      if (!isNotFound(err)) {
        throw new OktaApiError({
          resource: describeJsonWebKey(props.appId, keyId, props.kid),
          action: "read",
          failure: describeFailure(err),
        });
      }
      const found = await relocate(api, props.appId, keyId, props.kid ?? props.jwk?.kid, props.jwk, "read");
      if (found === undefined) return { id: "" };
      k = found;
    }
    return {
      id: k.id !== "" ? k.id : keyId,
      props: compact({
        ...props,
        keyId: k.id !== "" ? k.id : keyId,
        status: k.status,
        kid: k.kid ?? props.kid,
        created: k.created ?? props.created,
        lastUpdated: k.lastUpdated ?? props.lastUpdated,
      }),
    };
  }

  async update(
    id: pulumi.ID,
    olds: JsonWebKeyOutputs,
    news: JsonWebKeyInputs,
  ): Promise<pulumi.dynamic.UpdateResult<JsonWebKeyOutputs>> {
    const api = getOktaApi();
    const keyId = olds.keyId ?? id;
    const apply = (kid: string) =>
      olds.status === news.status
        ? api.getKey(news.appId, kid)
        : setStatus(api, news.appId, kid, news.jwk.kid, news.status);
    let k: OktaJsonWebKey;
    try {
      k = await apply(keyId);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Renumbered by a whole-app PUT since the state was written: the same key under its new id.
      const found = await relocate(api, news.appId, keyId, olds.kid ?? news.jwk.kid, news.jwk, "update");
      if (found === undefined) throw err;
      k = await apply(found.id);
    }
    return { outs: outputs(news, k) };
  }

  async delete(id: pulumi.ID, props: JsonWebKeyOutputs): Promise<void> {
    await deleteKey(getOktaApi(), props.appId, props.keyId ?? id, props.kid, props.status, props.jwk);
  }
}

// In state, the provider is a reference to JsonWebKeyProvider in this file (see providerByReference.ts).
const provider = providerByReference(__filename, "JsonWebKeyProvider");

/** Arguments of {@link JsonWebKey}. */
export interface JsonWebKeyArgs {
  /** The Okta app (0oa…) the key is registered on. */
  readonly appId: pulumi.Input<string>;
  /** The PUBLIC JWK (kid required). Private members are refused. A change replaces. */
  readonly jwk: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Default ACTIVE. A change is an update. */
  readonly status?: pulumi.Input<"ACTIVE" | "INACTIVE">;
  /** Bump to rotate: a change replaces the key. */
  readonly generation?: pulumi.Input<number>;
  /**
   * Refuse (in diff, before any write) to replace this key while it is ACTIVE: clients may still sign with it.
   * Used by key rotation slots, whose ACTIVE key only a finished rotation retires.
   */
  readonly replaceOnlyInactive?: pulumi.Input<boolean>;
}

/**
 * A public JSON Web Key registered on an Okta app. Deleting the resource deletes an INACTIVE key and releases an
 * ACTIVE one (left ACTIVE in Okta, unmanaged, with a warning).
 */
export class JsonWebKey extends pulumi.dynamic.Resource {
  declare public readonly appId: pulumi.Output<string>;
  declare public readonly jwk: pulumi.Output<PublicJwk>;
  declare public readonly status: pulumi.Output<"ACTIVE" | "INACTIVE">;
  declare public readonly generation: pulumi.Output<number | undefined>;
  /** Okta's id of the key (pks…). */
  declare public readonly keyId: pulumi.Output<string>;
  declare public readonly kid: pulumi.Output<string>;
  declare public readonly created: pulumi.Output<string>;
  declare public readonly lastUpdated: pulumi.Output<string>;

  constructor(name: string, args: JsonWebKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        appId: args.appId,
        jwk: args.jwk,
        status: args.status,
        generation: args.generation,
        replaceOnlyInactive: args.replaceOnlyInactive,
        keyId: undefined,
        kid: undefined,
        created: undefined,
        lastUpdated: undefined,
      },
      opts,
      "okta-rotation",
      "JsonWebKey",
    );
  }
}
