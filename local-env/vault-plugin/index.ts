// The local environment's stand-in for the `vault` resource plugin: serves `vault:kv/secretV2:SecretV2` against a
// real Vault, for the demo and the tests on machines where the official pulumi-vault plugin cannot be obtained.
// It is never installed under ~/.pulumi/plugins: the local environment puts its bin directory first on PATH, and
// only when the official plugin is not installed (../plugin-host.ts).

import * as path from "node:path";
import { standInPluginPath } from "../plugin-host";
import { vaultSdkVersion } from "./provider";

export { VaultPluginProvider, vaultSdkVersion } from "./provider";
export { SECRET_V2_TYPE } from "./secretV2";

/** The directory holding `pulumi-resource-vault`. */
export const PLUGIN_BIN_DIR = path.join(__dirname, "bin");

/**
 * The directory to put first on PATH so the engine uses this plugin, or `undefined` when the official plugin
 * for the installed `@pulumi/vault` version is in $PULUMI_HOME/plugins — the official plugin is preferred whenever
 * present (a plugin on PATH would shadow it).
 */
export function vaultPluginPath(
  env: NodeJS.ProcessEnv = process.env,
  version: string = vaultSdkVersion(),
): string | undefined {
  return standInPluginPath("vault", PLUGIN_BIN_DIR, version, env);
}
