// Policy `private-key-jwt-required`: the apps the policy config names authenticate with private_key_jwt.

import type { StackValidationPolicy } from "@pulumi/policy";
import { APPS_CONFIG_KEY, rotationLabel, rotationsOf, whereToChange, type Rotation } from "./resources";

export const PRIVATE_KEY_JWT_REQUIRED = "private-key-jwt-required";

export interface AuthMethodConfig {
  /** Rotations by the component's name (the app's `name` in the stack config program) or Okta app ids (`0oa…`). */
  readonly apps: readonly string[];
}

/** Whether the policy config names this rotation's app, by name or by one of its Okta app ids. Pure. */
export function isRequired(rotation: Pick<Rotation, "app" | "appIds">, apps: readonly string[]): boolean {
  const wanted = new Set(apps.map((a) => a.trim()));
  return wanted.has(rotation.app) || rotation.appIds.some((id) => wanted.has(id));
}

/**
 * The violations of one rotation: a SecretRotation of a required app (it authenticates with a client secret), or a
 * KeyRotation that switches it back to another method (its `rollback`). Pure.
 */
export function authMethodViolations(
  rotation: Rotation,
  apps: readonly string[],
): { urn: string; message: string }[] {
  if (!isRequired(rotation, apps)) return [];
  const must = `${rotationLabel(rotation)} must authenticate with private_key_jwt (this policy's apps name it)`;
  if (rotation.kind === "secret") {
    return [
      {
        urn: rotation.urn,
        message:
          `${must}, but it rotates a client secret. Declare a KeyRotation named '${rotation.app}' in its place ` +
          `(docs/concepts.md#private_key_jwt; where ${APPS_CONFIG_KEY} declares it: set privateKeyJwt: ` +
          `{ enabled: true } on app '${rotation.app}'), or remove it from this policy's apps.`,
      },
    ];
  }
  return rotation.authMethods
    .filter((a) => a.method !== undefined && a.method !== "private_key_jwt")
    .map((a) => ({
      urn: a.urn,
      message:
        `${must}, but it switches the app to ${a.method}. Remove ` +
        `${whereToChange(rotation, "rollback", "privateKeyJwt.rollback")}, or remove it from this policy's apps.`,
    }));
}

export const privateKeyJwtRequired: StackValidationPolicy = {
  name: PRIVATE_KEY_JWT_REQUIRED,
  description:
    "Rotations named in this policy's config (by component name or Okta app id) authenticate with " +
    "private_key_jwt: a KeyRotation, not a SecretRotation, and no switch back to a client secret.",
  configSchema: {
    properties: {
      apps: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  validateStack: (args, reportViolation) => {
    const { apps } = args.getConfig<AuthMethodConfig>();
    for (const rotation of rotationsOf(args.resources)) {
      for (const v of authMethodViolations(rotation, apps)) reportViolation(v.message, v.urn);
    }
  },
};
