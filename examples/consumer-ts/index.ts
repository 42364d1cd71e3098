import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import { SecretRotation, rotatedAppArgs, rotatedAppOptions } from "okta-credential-rotation";

const config = new pulumi.Config();

// The app, the @pulumi/okta way: Okta keeps no secret of its own for it, and the rotation owns its credentials.
// With `appId` set, an app that already exists is rotated instead (and @pulumi/okta's plugin is not needed).
const appId =
  config.get("appId") ??
  new okta.app.OAuth(
    "billing",
    {
      ...rotatedAppArgs,
      label: "billing",
      type: "service",
      grantTypes: ["client_credentials"],
      responseTypes: ["token"],
    },
    rotatedAppOptions(),
  ).id;

// Bump `generation` to rotate: a new secret, proven by a token exchange, before the previous one is retired.
const rotation = new SecretRotation("billing", {
  appId,
  generation: config.requireNumber("generation"),
  adoptSecretId: config.get("adoptSecretId"),
  gates: { tokenExchange: true, tokenUrl: config.require("tokenUrl"), scope: config.get("scope") },
});

export const currentSecretId = rotation.current.secretId;
export const currentGeneration = rotation.current.generation;
