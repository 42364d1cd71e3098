// One `okta.app.OAuth`, a service app as the example consumer program declares it, its label from config.
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";

const config = new pulumi.Config();

// The auth method is left to whoever switches it later (a key rotation does), as rotatedAppOptions() says.
const app = new okta.app.OAuth(
  "app",
  {
    label: config.require("label"),
    type: "service",
    grantTypes: ["client_credentials"],
    responseTypes: ["token"],
    omitSecret: config.getBoolean("omitSecret") ?? false,
  },
  { ignoreChanges: ["tokenEndpointAuthMethod"] },
);

export const id = app.id;
export const clientId = app.clientId;
export const label = app.label;
export const status = app.status;
export const clientSecret = app.clientSecret;
