// Secret and unknown values as the engine sends them to a resource plugin.
//
// The Node SDK's provider server tells the engine it accepts secrets (`acceptSecrets` in its Configure answer) and
// passes property bags through as plain JavaScript: a secret arrives as the object
// `{ [specialSigKey]: specialSecretSig, value }` and must be returned in that form to stay secret — a bare value
// in `check`'s inputs or in the outputs is stored in plain text. Unknown values (preview) arrive as `unknownValue`.

import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

export const UNKNOWN = unknownValue;

export type PropertyBag = Record<string, unknown>;

export function isSecretValue(v: unknown): v is { value: unknown } {
  return (
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig
  );
}

/** `v` marked secret for the engine. */
export function secretValue(v: unknown): PropertyBag {
  return { [specialSigKey]: specialSecretSig, value: v };
}

function unwrapDeep(v: unknown): { value: unknown; secret: boolean } {
  if (isSecretValue(v)) return { value: unwrapDeep(v.value).value, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(unwrapDeep);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (typeof v === "object" && v !== null) {
    let secret = false;
    const out: PropertyBag = {};
    for (const [k, inner] of Object.entries(v)) {
      const u = unwrapDeep(inner);
      out[k] = u.value;
      secret ||= u.secret;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}

/**
 * The bag with every secret unwrapped, and the top-level keys that held a secret anywhere inside (a property
 * with a secret inside is returned secret as a whole).
 */
export function unwrapSecrets(bag: PropertyBag | undefined): { plain: PropertyBag; secretKeys: Set<string> } {
  const plain: PropertyBag = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(bag ?? {})) {
    const u = unwrapDeep(v);
    plain[k] = u.value;
    if (u.secret) secretKeys.add(k);
  }
  return { plain, secretKeys };
}

/** The bag with the given top-level keys marked secret (absent keys stay absent). */
export function wrapSecrets(bag: PropertyBag, keys: Iterable<string>): PropertyBag {
  const out: PropertyBag = { ...bag };
  for (const k of keys) {
    if (out[k] !== undefined && out[k] !== null && out[k] !== UNKNOWN) out[k] = secretValue(out[k]);
  }
  return out;
}
