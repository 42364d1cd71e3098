// Where a component program keeps its generations, by convention: the stack config maps
// `okta-credential-rotation:generations` (a SecretRotation's `generation`) and `okta-credential-rotation:keyGenerations`
// (a KeyRotation's `keyGeneration`), each by the component's name:
//
//   config:
//     okta-credential-rotation:generations:
//       billing: 3
//
// A component given no `generation` (`keyGeneration`) reads its entry there. `okta-rotation-due --write` bumps
// those entries, and only those: a generation the program passes itself lives wherever the program keeps it, which
// no tool can know. Each component records which of the two it used (`generationSource`), so `due` never bumps an
// entry the program does not read.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PACKAGE_CONFIG_NAMESPACE } from "./settings";

/** The stack config key of a SecretRotation's generations (in the package's namespace). */
export const GENERATIONS_KEY = "generations";
/** The stack config key of a KeyRotation's key generations (in the package's namespace). */
export const KEY_GENERATIONS_KEY = "keyGenerations";

/** Which convention map a component's generation is kept in. */
export type GenerationsKey = typeof GENERATIONS_KEY | typeof KEY_GENERATIONS_KEY;

/**
 * Where a component's generation came from, as it records it in its outputs (`generationSource`): its argument, or
 * the convention's stack config entry.
 */
export type GenerationSource = "argument" | "stackConfig";

const generationsMapSchema = z.record(z.string(), z.number().int().nonnegative());

/** A generation and where it came from. */
export interface ResolvedGeneration {
  readonly generation: number;
  readonly source: GenerationSource;
}

/** A refusal of the generation's source: the argument it names, the problem and the fix. */
export interface GenerationProblem {
  readonly argument: string;
  readonly problem: string;
  readonly fix: string;
}

/**
 * The generation a component runs at: its argument, or else its entry in the convention's map (`configured`: the
 * map as `pulumi.Config.getObject` reads it, undefined when the key is not set). Both given, neither given, or a
 * map that is not names to whole numbers is a problem naming the argument, the key and the fix. Pure.
 */
export function resolveGeneration(
  namespace: string,
  key: GenerationsKey,
  name: string,
  given: number | undefined,
  configured: unknown,
): ResolvedGeneration | GenerationProblem {
  const argument = key === GENERATIONS_KEY ? "generation" : "keyGeneration";
  const entry = `${namespace}:${key}.${name}`;
  const setIt = `pulumi config set --path '${entry}' 1`;
  let map: Record<string, number> | undefined;
  if (configured !== undefined && configured !== null) {
    const parsed = generationsMapSchema.safeParse(configured);
    if (!parsed.success) {
      return {
        argument,
        problem: `cannot be read from ${namespace}:${key}, which must map each rotation's name to a whole number (got ${JSON.stringify(configured)})`,
        fix: `write it as a mapping, e.g. ${setIt}`,
      };
    }
    map = parsed.data;
  }
  const fromConfig = map !== undefined && Object.hasOwn(map, name) ? map[name] : undefined;
  if (given !== undefined && fromConfig !== undefined) {
    return {
      argument,
      problem: `is given (${given}) and the stack config sets ${entry} (${fromConfig}) too`,
      fix:
        `keep one: leave ${argument} out to take it from ${entry} (which okta-rotation-due --write bumps), or ` +
        `remove that entry`,
    };
  }
  if (given !== undefined) return { generation: given, source: "argument" };
  if (fromConfig !== undefined) return { generation: fromConfig, source: "stackConfig" };
  return {
    argument,
    problem: `is not given, and the stack config has no ${entry}`,
    fix: `pass ${argument}, or keep it in the stack config: ${setIt}`,
  };
}

type ArgumentFailure = (argument: string, problem: string, fix: string) => pulumi.ResourceError;

/**
 * A component's generation, from its argument or the stack config's convention map (`resolveGeneration`); a
 * problem is thrown as the component's argument error, before any child is registered.
 */
export function componentGeneration(
  key: GenerationsKey,
  name: string,
  given: number | undefined,
  fail: ArgumentFailure,
): ResolvedGeneration {
  let configured: unknown;
  try {
    configured = new pulumi.Config(PACKAGE_CONFIG_NAMESPACE).getObject<unknown>(key);
  } catch (err) {
    throw fail(
      key === GENERATIONS_KEY ? "generation" : "keyGeneration",
      `cannot be read from ${PACKAGE_CONFIG_NAMESPACE}:${key}: ${(err as Error).message}`,
      `write ${PACKAGE_CONFIG_NAMESPACE}:${key} as a mapping of rotation names to whole numbers`,
    );
  }
  const resolved = resolveGeneration(PACKAGE_CONFIG_NAMESPACE, key, name, given, configured);
  if ("problem" in resolved) throw fail(resolved.argument, resolved.problem, resolved.fix);
  return resolved;
}

/** `maxCredentialAgeDays` checked: a whole number of days ≥ 1, or undefined. */
export function checkedMaxAge(value: number | undefined, fail: ArgumentFailure): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) {
    throw fail(
      "maxCredentialAgeDays",
      `is ${JSON.stringify(value)}`,
      "set it to a whole number of days ≥ 1 (e.g. 90): the age at which okta-rotation-due reports the rotation due",
    );
  }
  return value;
}
