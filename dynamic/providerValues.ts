// Values as the engine exchanges them with the providers: the placeholder of a value that is unknown during
// preview, and outputs that fit a protobuf Struct. Pure.

/** Pulumi's "unknown during preview" placeholder for inputs computed by other resources. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Drops `undefined` members so the result is a valid protobuf Struct. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
