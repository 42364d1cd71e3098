// Builds the package (dist/) before the tests when a source file is newer than the last build: the engine,
// drill and bench tests run the program under Pulumi, which loads the package as a consumer does, compiled.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const SOURCES = ["components", "dynamic", "client", "due", "policy"];
// Written last by the build (scripts/build-policy-pack.js): the policy pack's package.json.
const STAMP = path.join(ROOT, "dist", "policy", "package.json");

function newestSource(): number {
  let newest = 0;
  for (const dir of SOURCES)
    for (const name of fs.readdirSync(path.join(ROOT, dir)))
      // The policy pack's launcher, PulumiPolicy.yaml and package.json are copied into dist/ too.
      if (name.endsWith(".ts") || dir === "policy")
        newest = Math.max(newest, fs.statSync(path.join(ROOT, dir, name)).mtimeMs);
  return newest;
}

export default function setup(): void {
  const built = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
  if (built >= newestSource()) return;
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build-policy-pack.js")], {
    cwd: ROOT,
    stdio: "inherit",
  });
}
