// The type tokens of this project's resources, as every URN of a stack records them. Read by the policy pack and by
// okta-rotation-due (due/stackState.ts); this module imports nothing, so the pack stays self-contained.
//
// The dynamic resources are not the generic `pulumi-nodejs:dynamic:Resource`: each passes a module (`okta-rotation`)
// and a type name to `pulumi.dynamic.Resource`, so its token is `pulumi-nodejs:dynamic/okta-rotation:<Name>` (as
// `pulumi preview` shows). The components register `okta-rotation:index:SecretRotation` and
// `okta-rotation:index:KeyRotation`, named after the app's `name` in the stack config. Those tokens are stable:
// they are in every URN, and changing one would replace the resources.

export const SECRET_ROTATION = "okta-rotation:index:SecretRotation";
export const KEY_ROTATION = "okta-rotation:index:KeyRotation";
export const CLIENT_SECRET = "pulumi-nodejs:dynamic/okta-rotation:ClientSecret";
export const JSON_WEB_KEY = "pulumi-nodejs:dynamic/okta-rotation:JsonWebKey";
export const TOKEN_EXCHANGE_GATE = "pulumi-nodejs:dynamic/okta-rotation:TokenExchangeGate";
export const REVOCATION = "pulumi-nodejs:dynamic/okta-rotation:Revocation";
export const APP_AUTH_METHOD = "pulumi-nodejs:dynamic/okta-rotation:AppAuthMethod";
