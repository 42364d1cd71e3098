// The policy pack of okta-credential-rotation: `pulumi preview --policy-pack policy` (README "Policy pack").
import { PolicyPack } from "@pulumi/policy";
import { privateKeyJwtRequired } from "./authMethod";
import { credentialMaxAge } from "./credentialAge";
import { rotationMinOverlap } from "./minOverlap";

new PolicyPack("okta-credential-rotation", {
  // Each policy blocks the update unless its config sets `"enforcementLevel": "advisory"`.
  enforcementLevel: "mandatory",
  policies: [credentialMaxAge, privateKeyJwtRequired, rotationMinOverlap],
});
