"use strict";
const pulumi = require("@pulumi/pulumi");
const { SecretRotation } = require("okta-credential-rotation");

const config = new pulumi.Config();
const tokenUrl = config.get("tokenUrl");

// Bump `generation` to rotate the secret of the app `appId`.
const rotation = new SecretRotation("billing", {
  appId: config.require("appId"),
  generation: config.requireNumber("generation"),
  adoptSecretId: config.get("adoptSecretId"),
  ...(tokenUrl ? { gates: { tokenExchange: true, tokenUrl, scope: config.get("scope") } } : {}),
});

exports.currentSecretId = rotation.current.secretId;
exports.currentGeneration = rotation.current.generation;
