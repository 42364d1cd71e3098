// Input validation and comparison shared by the dynamic providers. Pure, Okta-free.

import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { UNKNOWN } from "./providerValues";

/** A failure of a provider's `check`: the input and why, as the engine reports it. */
export interface CheckFailure {
  readonly property: string;
  readonly reason: string;
}

/** A schema, or the function that builds it (then built once per process: see {@link schemaOf}). */
export type SchemaSource = z.ZodType | (() => z.ZodType);

/**
 * The schema `source` names: itself, or what its builder returns, built on the first call in this process and
 * reused after. Zod compiles a schema's parser on its first parse, which costs far more than the parse itself, and
 * a provider's `check` runs once per resource: a preview of a hundred apps would compile the same schema hundreds
 * of times. The cache is keyed by the builder and kept on `globalThis` (like the connection registry), so that
 * nothing of it is part of a provider serialized by value.
 */
export function schemaOf(source: SchemaSource): z.ZodType {
  if (typeof source !== "function") return source;
  const g = globalThis as unknown as Record<string, WeakMap<() => z.ZodType, z.ZodType> | undefined>;
  const cache = (g.__oktaRotationSchemas ??= new WeakMap());
  let schema = cache.get(source);
  if (schema === undefined) {
    schema = source();
    cache.set(source, schema);
  }
  return schema;
}

/**
 * Validates raw inputs against a schema (or its builder: see {@link schemaOf}), skipping members that are still
 * unknown (preview). Returns the parsed inputs (unknown members passed through) or field-named failures. Never
 * echoes input values.
 */
export function validateInputs(
  source: SchemaSource,
  news: Record<string, unknown>,
): { inputs: Record<string, unknown>; failures: CheckFailure[] } {
  const known: Record<string, unknown> = {};
  const unknown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(news)) {
    if (k === "__provider") continue;
    if (v === UNKNOWN) unknown[k] = v;
    else known[k] = v;
  }
  const result = schemaOf(source).safeParse(known);
  if (!result.success) {
    const failures = result.error.issues
      .filter((i) => !(String(i.path[0] ?? "") in unknown))
      .map((i) => ({
        property: i.path.length > 0 ? i.path.map(String).join(".") : "",
        reason: i.message,
      }));
    if (failures.length > 0) return { inputs: news, failures };
    // Only members that are unknown failed (e.g. a required one): accept until they are known.
    return { inputs: { ...known, ...unknown }, failures: [] };
  }
  return { inputs: { ...(result.data as Record<string, unknown>), ...unknown }, failures: [] };
}

/** A provider's `check`: the parsed inputs, or the raw ones with field-named failures (see validateInputs). */
export function checkInputs<T>(
  source: SchemaSource,
  news: Record<string, unknown>,
): pulumi.dynamic.CheckResult<T> {
  const { inputs, failures } = validateInputs(source, news);
  return failures.length > 0 ? { inputs: news as T, failures } : { inputs: inputs as T };
}

/** Equality of an old output and a new input; unknown (preview) never equals, absent == null == "". */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === UNKNOWN || b === UNKNOWN) return false;
  const norm = (v: unknown) => (v === null || v === undefined || v === "" ? undefined : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}
