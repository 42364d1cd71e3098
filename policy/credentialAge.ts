// Policy `credential-max-age`: the credential an app's clients hold must be younger than `maxAgeDays`.

import type { StackValidationPolicy } from "@pulumi/policy";
import {
  currentCredentials,
  rotationLabel,
  rotationsOf,
  whereToChange,
  type Credential,
  type Rotation,
} from "./resources";

export const CREDENTIAL_MAX_AGE = "credential-max-age";
export const DEFAULT_MAX_AGE_DAYS = 90;

const DAY_MS = 86_400_000;

export interface CredentialAgeConfig {
  readonly maxAgeDays: number;
}

/** Whole days from `created` (ISO 8601) to `nowMs`; undefined when `created` is not a date. Pure. */
export function ageInDays(created: string, nowMs: number): number | undefined {
  const t = Date.parse(created);
  return Number.isNaN(t) ? undefined : Math.floor((nowMs - t) / DAY_MS);
}

/**
 * The violation of one current credential, or undefined when it is young enough or its creation time is not known
 * (a credential about to be created or updated in a preview: the run at hand is what makes it). Pure.
 */
export function credentialAgeViolation(
  rotation: Pick<Rotation, "app" | "kind" | "appIds" | "generationSource">,
  credential: Credential,
  maxAgeDays: number,
  nowMs: number,
): string | undefined {
  if (credential.created === undefined) return undefined;
  const t = Date.parse(credential.created);
  if (Number.isNaN(t) || nowMs - t <= maxAgeDays * DAY_MS) return undefined;
  const days = ageInDays(credential.created, nowMs)!;
  const what = `${credential.kind}${credential.id !== undefined ? ` ${credential.id}` : ""}`;
  const generation = credential.generation !== undefined ? ` (generation ${credential.generation})` : "";
  // A KeyRotation's credentials (its key, or under rollback the client secret it made) follow keyGeneration.
  const bump =
    rotation.kind === "key"
      ? whereToChange(rotation, "keyGeneration", "privateKeyJwt.keyGeneration")
      : whereToChange(rotation, "generation");
  return (
    `${rotationLabel(rotation)}: its current ${what}${generation} was created ${credential.created}, ${days} days ` +
    `ago — older than maxAgeDays (${maxAgeDays}). Rotate it: bump ${bump} by one and run pulumi up.`
  );
}

/** Every violation of the stack's rotations, with the URN of the credential. Pure. */
export function credentialAgeViolations(
  rotations: readonly Rotation[],
  config: CredentialAgeConfig,
  nowMs: number,
): { urn: string; message: string }[] {
  return rotations.flatMap((rotation) =>
    currentCredentials(rotation).flatMap((c) => {
      const message = credentialAgeViolation(rotation, c, config.maxAgeDays, nowMs);
      return message === undefined ? [] : [{ urn: c.urn, message }];
    }),
  );
}

export const credentialMaxAge: StackValidationPolicy = {
  name: CREDENTIAL_MAX_AGE,
  description:
    "The credential an app's clients hold (the current client secret slot, or the current JSON Web Key) is " +
    "younger than maxAgeDays, judged by the creation time Okta recorded.",
  configSchema: {
    properties: {
      maxAgeDays: { type: "integer", minimum: 1, default: DEFAULT_MAX_AGE_DAYS },
    },
  },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<CredentialAgeConfig>();
    for (const v of credentialAgeViolations(rotationsOf(args.resources), config, Date.now())) {
      reportViolation(v.message, v.urn);
    }
  },
};
