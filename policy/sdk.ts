// The pack's framework, checked before any module of the pack loads it: @pulumi/policy is an optional peer
// dependency of okta-credential-rotation (only a program that runs the pack needs it), so a program without it is
// told what to install — the version this pack's package.json names, the one it is tested with.
import * as fs from "fs";
import * as path from "path";

export const POLICY_SDK = "@pulumi/policy";

/** The @pulumi/policy version the pack is tested with: its package.json's dependency, next to this module. */
export function testedPolicySdkVersion(dir: string = __dirname): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const version = manifest.dependencies?.[POLICY_SDK];
  if (version === undefined) throw new Error(`${path.join(dir, "package.json")} names no ${POLICY_SDK}`);
  return version;
}

/** What to do when @pulumi/policy does not resolve (`resolve` throws MODULE_NOT_FOUND), else undefined. Pure. */
export function missingPolicySdk(resolve: (id: string) => string, version: string): string | undefined {
  try {
    resolve(POLICY_SDK);
    return undefined;
  } catch (err) {
    if ((err as { code?: string }).code !== "MODULE_NOT_FOUND") throw err;
    return (
      `the okta-credential-rotation policy pack needs ${POLICY_SDK}, an optional peer dependency of ` +
      `okta-credential-rotation that this program has not installed: run npm install --save-dev ` +
      `${POLICY_SDK}@${version} in the program`
    );
  }
}

// Imported first by index.ts, so this runs before anything requires the framework.
const missing = missingPolicySdk(require.resolve, testedPolicySdkVersion());
if (missing !== undefined) throw new Error(missing);
