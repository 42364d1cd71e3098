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
 * Arguments an `okta.app.OAuth` needs when its secrets are rotated by this package: Okta must not create or
 * store a secret of its own for it (`omitSecret`), so the app's two secret slots stay the rotation's.
 */
export const rotatedAppArgs = { omitSecret: true } as const;

/** Resource options for an `okta.app.OAuth` whose secrets a rotation manages. */
export function rotatedAppOptions(opts: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  return { ...opts, ignoreChanges: [...(opts.ignoreChanges ?? []), ...ROTATION_OWNED_APP_FIELDS] };
}
