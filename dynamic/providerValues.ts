// Values as the engine exchanges them with the providers: the placeholder of a value that is unknown during
// preview, and outputs that fit a protobuf Struct. Pure.

/** Pulumi's "unknown during preview" placeholder for inputs computed by other resources. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Whether a value a provider's `check` or `diff` received is not known yet (preview), at any depth. Such a value
 * is never sent anywhere: whatever it is checked against is checked again once it is known, before the create.
 */
export function isUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (typeof v === "object" && v !== null) return Object.values(v).some(isUnknown);
  return false;
}

/** Drops `undefined` members so the result is a valid protobuf Struct. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
