// Policy `private-key-jwt-required`: the apps the policy config names authenticate with private_key_jwt.

import type { StackValidationPolicy } from "@pulumi/policy";
import { APPS_CONFIG_KEY, rotationsOf, type Rotation } from "./resources";

export const PRIVATE_KEY_JWT_REQUIRED = "private-key-jwt-required";

export interface AuthMethodConfig {
  /** App names (the `name` in the stack config) or Okta app ids (`0oa…`). */
  readonly apps: readonly string[];
}

/** Whether the policy config names this rotation's app, by name or by one of its Okta app ids. Pure. */
export function isRequired(rotation: Pick<Rotation, "app" | "appIds">, apps: readonly string[]): boolean {
  const wanted = new Set(apps.map((a) => a.trim()));
  return wanted.has(rotation.app) || rotation.appIds.some((id) => wanted.has(id));
}

function appLabel(rotation: Pick<Rotation, "app" | "appIds">): string {
  return `app '${rotation.app}'${rotation.appIds.length > 0 ? ` (${rotation.appIds.join(", ")})` : ""}`;
}

/**
 * The violations of one rotation: a SecretRotation of a required app (it authenticates with a client secret), or a
 * KeyRotation that switches it back to another method (`privateKeyJwt.rollback`). Pure.
 */
export function authMethodViolations(
  rotation: Rotation,
  apps: readonly string[],
): { urn: string; message: string }[] {
  if (!isRequired(rotation, apps)) return [];
  const fix =
    `Set privateKeyJwt: { enabled: true } on app '${rotation.app}' in ${APPS_CONFIG_KEY} (README: private_key_jwt), ` +
    `or remove it from this policy's apps.`;
  if (rotation.kind === "secret") {
    return [
      {
        urn: rotation.urn,
        message:
          `${appLabel(rotation)} must authenticate with private_key_jwt (policy config apps), but the stack rotates a ` +
          `client secret for it (SecretRotation). ${fix}`,
      },
    ];
  }
  return rotation.authMethods
    .filter((a) => a.method !== undefined && a.method !== "private_key_jwt")
    .map((a) => ({
      urn: a.urn,
      message:
        `${appLabel(rotation)} must authenticate with private_key_jwt (policy config apps), but the stack switches it ` +
        `to ${a.method} (privateKeyJwt.rollback). Remove privateKeyJwt.rollback from app '${rotation.app}' in ` +
        `${APPS_CONFIG_KEY}, or remove the app from this policy's apps.`,
    }));
}

export const privateKeyJwtRequired: StackValidationPolicy = {
  name: PRIVATE_KEY_JWT_REQUIRED,
  description:
    "Apps named in this policy's config (by stack config name or Okta app id) authenticate with private_key_jwt: " +
    "a KeyRotation, not a SecretRotation, and no switch back to a client secret.",
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
