// The rotations of a program that uses the components, as the stack's state reports them (`pulumi stack export`):
// each SecretRotation and KeyRotation, the app its credentials belong to, the generation its last `up` reached
// (its audit record), where the program keeps that generation (`generationSource`), its `maxCredentialAgeDays`, and
// whether it is in a state a scheduled bump must not touch (rolled back, revoking, going back from private_key_jwt).
// Only ids, names and numbers are read: a secret in the state stays encrypted and is never looked at.

import { z } from "zod";
import { GENERATIONS_KEY, KEY_GENERATIONS_KEY, type GenerationsKey } from "../components/generations";
import { CLIENT_SECRET, JSON_WEB_KEY, KEY_ROTATION, REVOCATION, SECRET_ROTATION } from "../policy/typeTokens";
import type { DueTarget } from "./due";

const props = z.record(z.string(), z.unknown()).optional();
const exportedStateSchema = z.object({
  deployment: z
    .object({
      resources: z
        .array(
          z
            .object({
              urn: z.string(),
              type: z.string(),
              parent: z.string().optional(),
              inputs: props,
              outputs: props,
            })
            .passthrough(),
        )
        .optional(),
    })
    .passthrough(),
});

/** One rotation of the stack, as its state reports it. */
export interface StateRotation {
  readonly component: "SecretRotation" | "KeyRotation";
  readonly name: string;
  readonly appId?: string;
  /** The generation the last `up` reached (its audit record), if recorded. */
  readonly generation?: number;
  readonly generationSource?: "argument" | "stackConfig";
  readonly maxCredentialAgeDays?: number;
  readonly rollback: boolean;
  readonly keyRollback: boolean;
  readonly revoke: boolean;
  /** The audit record (ids, versions and times only). */
  readonly audit?: unknown;
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const int = (v: unknown) => (typeof v === "number" && Number.isInteger(v) ? v : undefined);
const obj = (v: unknown) =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The rotations in `pulumi stack export`'s JSON; a text that is not such an export is an Error naming it. Pure. */
export function rotationsOfState(exported: unknown): StateRotation[] {
  const parsed = exportedStateSchema.safeParse(exported);
  if (!parsed.success) throw new Error("the stack's state is not a `pulumi stack export` deployment");
  const resources = parsed.data.deployment.resources ?? [];
  const children = new Map<string, (typeof resources)[number][]>();
  for (const r of resources) {
    if (r.parent === undefined) continue;
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const out: StateRotation[] = [];
  for (const r of resources) {
    if (r.type !== SECRET_ROTATION && r.type !== KEY_ROTATION) continue;
    const secret = r.type === SECRET_ROTATION;
    const outputs = r.outputs ?? {};
    const kids = children.get(r.urn) ?? [];
    const credentials = kids.filter((k) => k.type === (secret ? CLIENT_SECRET : JSON_WEB_KEY));
    const appId = credentials
      .map((k) => str(k.outputs?.appId) ?? str(k.inputs?.appId))
      .find((a) => a !== undefined);
    const audit = obj(outputs.audit);
    const generation = int(audit?.generation);
    const source = str(outputs.generationSource);
    const maxAge = int(outputs.maxCredentialAgeDays);
    const rollback =
      secret && credentials.some((k) => obj(k.inputs?.__slot ?? k.inputs?.slot)?.rollback === true);
    const authMethod = str(outputs.authMethod);
    out.push({
      component: secret ? "SecretRotation" : "KeyRotation",
      name: r.urn.slice(r.urn.lastIndexOf("::") + 2),
      ...(appId !== undefined ? { appId } : {}),
      ...(generation !== undefined ? { generation } : {}),
      ...(source === "argument" || source === "stackConfig" ? { generationSource: source } : {}),
      ...(maxAge !== undefined ? { maxCredentialAgeDays: maxAge } : {}),
      rollback,
      keyRollback: !secret && authMethod !== undefined && authMethod !== "private_key_jwt",
      revoke: kids.some((k) => k.type === REVOCATION),
      ...(audit !== undefined ? { audit } : {}),
    });
  }
  return out;
}

/** The convention's maps as the stack config file holds them (undefined: the key is not set). */
export interface GenerationMaps {
  readonly generations?: Readonly<Record<string, unknown>>;
  readonly keyGenerations?: Readonly<Record<string, unknown>>;
}

/** A rotation to judge, or why it cannot be judged. */
export type TargetOrError =
  | { readonly target: DueTarget; readonly key: GenerationsKey }
  | { readonly name: string; readonly error: string };

/**
 * Each rotation as the report judges it, with where `--write` would bump it: the convention's stack config entry
 * when the rotation reads its generation there and the file holds what the stack reached; else `notWritable`
 * says why and where to bump it. `maxAgeDays` applies to rotations that record none. Pure.
 */
export function componentTargets(
  rotations: readonly StateRotation[],
  maps: GenerationMaps,
  namespace: string,
  maxAgeDays: number | undefined,
): TargetOrError[] {
  return rotations.map((r): TargetOrError => {
    const key = r.component === "SecretRotation" ? GENERATIONS_KEY : KEY_GENERATIONS_KEY;
    const argument = key === GENERATIONS_KEY ? "generation" : "keyGeneration";
    const entry = `${namespace}:${key}.${r.name}`;
    const who = `${r.component} '${r.name}'`;
    if (r.appId === undefined || r.generation === undefined) {
      return {
        name: r.name,
        error:
          `${who}: the stack's state records no ${r.appId === undefined ? "app id" : "audit record"} for it; ` +
          `run pulumi up with this version of okta-credential-rotation, then run okta-rotation-due again`,
      };
    }
    const map = key === GENERATIONS_KEY ? maps.generations : maps.keyGenerations;
    const inFile = map !== undefined && Object.hasOwn(map, r.name) ? map[r.name] : undefined;
    let notWritable: string | undefined;
    if (r.generationSource !== "stackConfig") {
      notWritable =
        `${who} takes its ${argument} from the program (it is given as an argument), which this tool cannot ` +
        `edit: bump it where the program keeps it, or leave ${argument} out and keep it in ${entry} ` +
        `(docs/configuration.md) for --write to bump it`;
    } else if (inFile !== r.generation) {
      notWritable =
        `${who}: the stack config file has ${entry} = ${JSON.stringify(inFile ?? null)}, but the stack's last ` +
        `pulumi up reached ${r.generation}: a change is not applied yet. Run pulumi up (or settle the open bump) first`;
    }
    return {
      key,
      target: {
        name: r.name,
        appId: r.appId,
        kind: r.component === "SecretRotation" ? "clientSecret" : "privateKey",
        field: r.generationSource === "stackConfig" ? entry : `${argument} (in the program)`,
        generation: r.generation,
        ...((r.maxCredentialAgeDays ?? maxAgeDays) !== undefined
          ? { maxCredentialAgeDays: r.maxCredentialAgeDays ?? maxAgeDays }
          : {}),
        rollback: r.rollback,
        keyRollback: r.keyRollback,
        revoke: r.revoke,
        names: {
          rollback: `${who}'s rollback: true`,
          keyRollback: `${who}'s rollback: true`,
          revoke: `${who}'s revoke: true`,
        },
        ...(notWritable !== undefined ? { notWritable } : {}),
      },
    };
  });
}
