// The policy pack of okta-credential-rotation (docs/operations.md#policy-pack). Compiled, it ships in the package as
// dist/policy: `pulumi preview --policy-pack node_modules/okta-credential-rotation/dist/policy`.
// First: a missing @pulumi/policy is named with what to install.
import "./sdk";
import { PolicyPack } from "@pulumi/policy";
import { privateKeyJwtRequired } from "./authMethod";
import { credentialMaxAge } from "./credentialAge";
import { rotationMinOverlap } from "./minOverlap";

new PolicyPack("okta-credential-rotation", {
  // Each policy blocks the update unless its config sets `"enforcementLevel": "advisory"`.
  enforcementLevel: "mandatory",
  policies: [credentialMaxAge, privateKeyJwtRequired, rotationMinOverlap],
});
