// The official Okta SDK, loaded when a connection to Okta is first made, not when a module of this package is.
//
// @okta/okta-sdk-nodejs loads about two thousand modules (two seconds here). The program itself never calls Okta
// (the providers do, in their own process), and a preview that changes nothing calls it from no provider: loading it
// on import made every `pulumi preview` pay for it twice, in the program and in the provider process.

/* eslint-disable @typescript-eslint/no-require-imports -- loading on first use is the point */
type OktaSdk = typeof import("@okta/okta-sdk-nodejs");

let sdk: OktaSdk | undefined;

/** The SDK's module, required on first use. */
export function loadOktaSdk(): OktaSdk {
  return (sdk ??= require("@okta/okta-sdk-nodejs") as OktaSdk);
}
