import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OKTA_PLUGIN_BIN_DIR, oktaPluginPath, oktaSdkVersion } from "./index";

const homes: string[] = [];
function pulumiHome(plugins: string[]): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "okta-plugin-home-"));
  homes.push(home);
  for (const p of plugins) fs.mkdirSync(path.join(home, "plugins", p), { recursive: true });
  return home;
}

afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

describe("oktaPluginPath", () => {
  it("answers the bin directory, holding an executable pulumi-resource-okta, when no official plugin is installed", () => {
    const home = pulumiHome(["resource-vault-v7.8.0"]);
    expect(oktaPluginPath({ PULUMI_HOME: home }, "7.0.0")).toBe(OKTA_PLUGIN_BIN_DIR);
    fs.accessSync(path.join(OKTA_PLUGIN_BIN_DIR, "pulumi-resource-okta"), fs.constants.X_OK);
  });

  it("answers undefined when the official plugin of that version is installed; another version or a partial install does not count", () => {
    expect(oktaPluginPath({ PULUMI_HOME: pulumiHome(["resource-okta-v7.0.0"]) }, "7.0.0")).toBeUndefined();
    expect(oktaPluginPath({ PULUMI_HOME: pulumiHome(["resource-okta-v6.9.0"]) }, "7.0.0")).toBe(
      OKTA_PLUGIN_BIN_DIR,
    );
    const partial = pulumiHome(["resource-okta-v7.0.0"]);
    fs.writeFileSync(path.join(partial, "plugins", "resource-okta-v7.0.0.partial"), "");
    expect(oktaPluginPath({ PULUMI_HOME: partial }, "7.0.0")).toBe(OKTA_PLUGIN_BIN_DIR);
  });

  it("asks for the installed @pulumi/okta's version", () => {
    const installed = JSON.parse(
      fs.readFileSync(path.join(__dirname, "../../node_modules/@pulumi/okta/package.json"), "utf8"),
    ) as { version: string };
    expect(oktaSdkVersion()).toBe(installed.version);
  });
});
