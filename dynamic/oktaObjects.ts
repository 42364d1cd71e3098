// The Okta objects the resources handle (client secrets, JSON Web Keys, the app) as plain types, and how
// Okta's answers are read into them.

import { createHash } from "crypto";

export type LifecycleStatus = "ACTIVE" | "INACTIVE";

export interface OktaClientSecret {
  readonly id: string;
  readonly status: LifecycleStatus;
  readonly client_secret?: string;
  readonly secret_hash?: string;
  readonly created?: string;
  readonly lastUpdated?: string;
}

export interface OktaJsonWebKey {
  readonly id: string;
  readonly status: LifecycleStatus;
  readonly kid?: string;
  readonly kty?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly e?: string;
  readonly n?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly created?: string;
  readonly lastUpdated?: string;
}

export type OktaApp = Record<string, unknown> & { id?: string };

/** `base64url(SHA-256(value)[0..16])`, the construction behind Okta's `secret_hash`. */
export function secretHash(value: string): string {
  return createHash("sha256").update(value, "utf8").digest().subarray(0, 16).toString("base64url");
}

export function toSecret(raw: unknown): OktaClientSecret {
  const o = (raw ?? {}) as Record<string, unknown>;
  return {
    id: String(o.id ?? ""),
    status: o.status === "INACTIVE" ? "INACTIVE" : "ACTIVE",
    ...(typeof o.client_secret === "string" ? { client_secret: o.client_secret } : {}),
    ...(typeof o.secret_hash === "string" ? { secret_hash: o.secret_hash } : {}),
    ...(o.created !== undefined && o.created !== null ? { created: isoString(o.created) } : {}),
    ...(o.lastUpdated !== undefined && o.lastUpdated !== null
      ? { lastUpdated: isoString(o.lastUpdated) }
      : {}),
  };
}

function isoString(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}

export function toKey(raw: unknown): OktaJsonWebKey {
  const o = (raw ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {
    id: String(o.id ?? ""),
    status: o.status === "INACTIVE" ? "INACTIVE" : "ACTIVE",
  };
  for (const f of ["kid", "kty", "alg", "use", "e", "n", "crv", "x", "y"])
    if (typeof o[f] === "string") out[f] = o[f];
  if (o.created !== undefined && o.created !== null) out.created = isoString(o.created);
  if (o.lastUpdated !== undefined && o.lastUpdated !== null) out.lastUpdated = isoString(o.lastUpdated);
  return out as unknown as OktaJsonWebKey;
}

/** Okta's JWK list in any of its documented shapes: `[...]`, `{keys: [...]}`, `{jwks: {keys: [...]}}`. */
export function parseJwkList(body: unknown): OktaJsonWebKey[] {
  let list: unknown = body;
  if (list && typeof list === "object" && !Array.isArray(list)) {
    const o = list as { keys?: unknown; jwks?: { keys?: unknown } };
    list = o.keys ?? o.jwks?.keys ?? [];
  }
  return Array.isArray(list) ? list.map(toKey) : [];
}
