// The local environment's stand-in for the `okta` resource plugin: serves `okta:app/oAuth:OAuth` (what
// `new okta.app.OAuth(...)` registers) against the local Okta, with terraform-provider-okta's rules (oauthApp.ts),
// for the demo and the tests on machines where the official pulumi-okta plugin cannot be obtained. It is never
// installed under ~/.pulumi/plugins: the local environment puts its bin directory first on PATH, and only when the
// official plugin is not installed (../plugin-host.ts).

import * as path from "node:path";
import { standInPluginPath } from "../plugin-host";
import { oktaSdkVersion } from "./provider";

export { OktaPluginProvider, oktaSdkVersion } from "./provider";
export { OAUTH_APP_TYPE } from "./oauthApp";

/** The directory holding `pulumi-resource-okta`. */
export const OKTA_PLUGIN_BIN_DIR = path.join(__dirname, "bin");

/**
 * The directory to put first on PATH so the engine uses this plugin, or `undefined` when the official plugin
 * `resource-okta-v<version>` for the installed `@pulumi/okta` is in $PULUMI_HOME/plugins — the official plugin is
 * preferred whenever present (a plugin on PATH would shadow it).
 */
export function oktaPluginPath(
  env: NodeJS.ProcessEnv = process.env,
  version: string = oktaSdkVersion(),
): string | undefined {
  return standInPluginPath("okta", OKTA_PLUGIN_BIN_DIR, version, env);
}
