"use strict";
const pulumi = require("@pulumi/pulumi");
const { SecretRotation } = require("okta-credential-rotation");

const config = new pulumi.Config();

// Bump `generation` to rotate the secret of the app `appId`.
const rotation = new SecretRotation("billing", {
  appId: config.require("appId"),
  generation: config.requireNumber("generation"),
  adoptSecretId: config.get("adoptSecretId"),
  gates: { tokenExchange: true, tokenUrl: config.require("tokenUrl"), scope: config.get("scope") },
});

exports.currentSecretId = rotation.current.secretId;
exports.currentGeneration = rotation.current.generation;
