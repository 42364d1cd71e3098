// Builds the package (dist/) before the tests when a source file is newer than the last build: the engine,
// drill and bench tests run the program under Pulumi, which loads the package as a consumer does, compiled.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const SOURCES = ["components", "dynamic", "client", "due"];
const STAMP = path.join(ROOT, "dist", "components", "index.js");

function newestSource(): number {
  let newest = 0;
  for (const dir of SOURCES)
    for (const name of fs.readdirSync(path.join(ROOT, dir)))
      if (name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(path.join(ROOT, dir, name)).mtimeMs);
  return newest;
}

export default function setup(): void {
  const built = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
  if (built >= newestSource()) return;
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    stdio: "inherit",
  });
}
