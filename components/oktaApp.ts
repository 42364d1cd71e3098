import type * as pulumi from "@pulumi/pulumi";

/**
 * Fields of an `okta.app.OAuth` that a rotation owns. An app defined in the same stack must leave them alone,
 * or every `pulumi up` would fight the rotation: pass these as `ignoreChanges` on the app resource.
 */
export const ROTATION_OWNED_APP_FIELDS = [
  "clientSecret",
  "clientBasicSecret",
  "tokenEndpointAuthMethod",
  "jwks",
  "jwksUri",
];

/**
 * Arguments an `okta.app.OAuth` needs when its secrets are rotated by this package: the secret Okta generates when
 * it creates the app stays out of the app's state (`omitSecret`), and no later update of the app sends a secret
 * back to Okta. Okta still generates that one secret: give the rotation `adoptGeneratedSecret: true` so it adopts
 * it as generation 0 and retires it once its own is delivered, and the app's two secrets stay the rotation's.
 */
export const rotatedAppArgs = { omitSecret: true } as const;

/** Resource options for an `okta.app.OAuth` whose secrets a rotation manages. */
export function rotatedAppOptions(opts: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  return { ...opts, ignoreChanges: [...(opts.ignoreChanges ?? []), ...ROTATION_OWNED_APP_FIELDS] };
}
