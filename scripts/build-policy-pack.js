// Completes the compiled policy pack in dist/policy (tsc has put the modules there): its PulumiPolicy.yaml, its
// analyzer launcher, and its package.json with `main` the compiled index.js. A folder a program runs with
// `pulumi preview --policy-pack node_modules/okta-credential-rotation/dist/policy`, or publishes with
// `pulumi policy publish`: it imports nothing from outside itself.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const from = path.join(root, "policy");
const to = path.join(root, "dist", "policy");

if (!fs.existsSync(path.join(to, "index.js"))) {
  console.error(`${to}/index.js is missing: run tsc -p tsconfig.build.json first`);
  process.exit(1);
}
fs.copyFileSync(path.join(from, "PulumiPolicy.yaml"), path.join(to, "PulumiPolicy.yaml"));
fs.copyFileSync(path.join(from, "analyzer"), path.join(to, "analyzer"));
fs.chmodSync(path.join(to, "analyzer"), 0o755);
const manifest = JSON.parse(fs.readFileSync(path.join(from, "package.json"), "utf8"));
fs.writeFileSync(
  path.join(to, "package.json"),
  `${JSON.stringify({ ...manifest, main: "index.js" }, null, 2)}\n`,
);
