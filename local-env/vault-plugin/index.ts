// The local environment's stand-in for the `vault` resource plugin: serves `vault:kv/secretV2:SecretV2` against a
// real Vault, for the demo and the tests on machines where the official pulumi-vault plugin cannot be obtained.
// It is never installed under ~/.pulumi/plugins: the local environment puts its bin directory first on PATH, and
// only when the official plugin is not installed.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { vaultSdkVersion } from "./provider";

export { VaultPluginProvider, urnType, vaultSdkVersion } from "./provider";
export { SECRET_V2_TYPE } from "./secretV2";

/** The directory holding `pulumi-resource-vault`. */
export const PLUGIN_BIN_DIR = path.join(__dirname, "bin");

/** Where the Pulumi CLI keeps installed plugins: `$PULUMI_HOME/plugins`, default `~/.pulumi/plugins`. */
export function pulumiPluginsDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  return path.join(env.PULUMI_HOME || path.join(home, ".pulumi"), "plugins");
}

/** True when the official plugin `resource-vault-v<version>` is installed (a complete install, not a partial one). */
export function officialVaultPluginInstalled(version: string, pluginsDir: string): boolean {
  const dir = path.join(pluginsDir, `resource-vault-v${version}`);
  return fs.existsSync(dir) && !fs.existsSync(`${dir}.partial`);
}

/**
 * The directory to put first on PATH so the engine uses this plugin, or `undefined` when the official plugin
 * for the installed `@pulumi/vault` version is in $PULUMI_HOME/plugins — the official plugin is preferred whenever
 * present (a plugin on PATH would shadow it).
 */
export function vaultPluginPath(
  env: NodeJS.ProcessEnv = process.env,
  version: string = vaultSdkVersion(),
): string | undefined {
  return officialVaultPluginInstalled(version, pulumiPluginsDir(env)) ? undefined : PLUGIN_BIN_DIR;
}
