// Policy `rotation-min-overlap`: outside an emergency revoke, both secrets stay ACTIVE at least minOverlapSeconds.

import type { StackValidationPolicy } from "@pulumi/policy";
import { rotationLabel, rotationsOf, whereToChange, type Rotation } from "./resources";

export const ROTATION_MIN_OVERLAP = "rotation-min-overlap";
/** The runbook's safe overlap (docs/operations.md#policy-pack). */
export const DEFAULT_MIN_OVERLAP_SECONDS = 900;

export interface MinOverlapConfig {
  readonly minOverlapSeconds: number;
}

/**
 * The violations of one rotation: a SecretRotation's TokenExchangeGate that holds the previous secret ACTIVE for less
 * than `minOverlapSeconds`. Exempt: a revoke (a `Revocation` is declared; the component sets the gate's overlap to 0
 * on purpose), and a rotation without a previous secret (one slot: nothing overlaps). A gate whose overlap is not
 * known is not judged. Pure.
 */
export function overlapViolations(
  rotation: Rotation,
  minOverlapSeconds: number,
): { urn: string; message: string }[] {
  if (rotation.kind !== "secret" || rotation.revoking) return [];
  // Every ClientSecret of a SecretRotation is one of its two slots (the engine does not hand a pack their `__slot`).
  const slots = rotation.credentials.filter((c) => c.kind === "client secret");
  if (slots.length < 2) return [];
  return rotation.gates
    .filter((g) => g.minOverlapSeconds !== undefined && g.minOverlapSeconds < minOverlapSeconds)
    .map((g) => ({
      urn: g.urn,
      message:
        `${rotationLabel(rotation)}: the previous secret stays ACTIVE next to the new one for ` +
        `${g.minOverlapSeconds} s, less than this policy's minOverlapSeconds (${minOverlapSeconds}) — clients that ` +
        `have not picked up the new secret yet would fail. Set ${whereToChange(rotation, "gates.minOverlapSeconds")} ` +
        `to at least ${minOverlapSeconds}; for a leaked secret, rotate with revoke: true instead.`,
    }));
}

export const rotationMinOverlap: StackValidationPolicy = {
  name: ROTATION_MIN_OVERLAP,
  description:
    "A secret rotation that is not a revoke holds both secrets ACTIVE for at least minOverlapSeconds before the " +
    "previous one is retired (the TokenExchangeGate's minOverlapSeconds).",
  configSchema: {
    properties: {
      minOverlapSeconds: { type: "integer", minimum: 0, default: DEFAULT_MIN_OVERLAP_SECONDS },
    },
  },
  validateStack: (args, reportViolation) => {
    const { minOverlapSeconds } = args.getConfig<MinOverlapConfig>();
    for (const rotation of rotationsOf(args.resources)) {
      for (const v of overlapViolations(rotation, minOverlapSeconds)) reportViolation(v.message, v.urn);
    }
  },
};
