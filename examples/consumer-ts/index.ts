import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import { SecretRotation, rotatedAppArgs, rotatedAppOptions } from "okta-credential-rotation";

const config = new pulumi.Config();
const existingAppId = config.get("appId");

// The app, the @pulumi/okta way. Its generated secret stays out of state (`rotatedAppArgs`), and later `up`s leave
// the credentials the rotation owns alone (`rotatedAppOptions`). With `appId` set, an app that already exists is
// rotated instead.
const app =
  existingAppId === undefined
    ? new okta.app.OAuth(
        "billing",
        {
          ...rotatedAppArgs,
          label: config.get("label") ?? "billing",
          type: "service",
          grantTypes: ["client_credentials"],
          responseTypes: ["token"],
        },
        rotatedAppOptions(),
      )
    : undefined;

// With a token endpoint, each rotation proves its new secret by a real token exchange before the previous one is
// retired: the app must then be admitted by an access policy rule of that authorization server.
const tokenUrl = config.get("tokenUrl");

// Bump the generation to rotate: a new secret, delivered and proven, before the previous one is retired. It is kept
// in the stack config, where `okta-rotation-due --write` bumps it when the secret is older than maxCredentialAgeDays:
//   pulumi config set --path 'okta-credential-rotation:generations.billing' 2
const rotation = new SecretRotation("billing", {
  appId: app?.id ?? config.require("appId"),
  maxCredentialAgeDays: 90,
  // A new app: adopt the secret Okta generated for it. An existing one: the secret its clients use now, if any.
  ...(app ? { adoptGeneratedSecret: true } : { adoptSecretId: config.get("adoptSecretId") }),
  ...(tokenUrl ? { gates: { tokenExchange: true, tokenUrl, scope: config.get("scope") } } : {}),
});

export const appId = app?.id ?? existingAppId;
export const currentSecretId = rotation.current.secretId;
export const currentGeneration = rotation.current.generation;
