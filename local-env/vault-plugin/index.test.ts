import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pulumiPluginsDir } from "../plugin-host";
import { PLUGIN_BIN_DIR, vaultPluginPath, vaultSdkVersion } from "./index";

const homes: string[] = [];
function pulumiHome(plugins: string[]): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "vault-plugin-home-"));
  homes.push(home);
  for (const p of plugins) fs.mkdirSync(path.join(home, "plugins", p), { recursive: true });
  return home;
}

afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

describe("vaultPluginPath", () => {
  it("answers the plugin's bin directory, holding an executable pulumi-resource-vault, when no official plugin is installed", () => {
    const home = pulumiHome(["resource-kubernetes-v4.25.0"]);
    expect(vaultPluginPath({ PULUMI_HOME: home }, "7.8.0")).toBe(PLUGIN_BIN_DIR);
    fs.accessSync(path.join(PLUGIN_BIN_DIR, "pulumi-resource-vault"), fs.constants.X_OK);
  });

  it("answers undefined when the official plugin of that version is installed: it is preferred", () => {
    const home = pulumiHome(["resource-vault-v7.8.0"]);
    expect(vaultPluginPath({ PULUMI_HOME: home }, "7.8.0")).toBeUndefined();
  });

  it("does not count another version, nor an install still in progress", () => {
    expect(vaultPluginPath({ PULUMI_HOME: pulumiHome(["resource-vault-v7.7.0"]) }, "7.8.0")).toBe(
      PLUGIN_BIN_DIR,
    );
    const partial = pulumiHome(["resource-vault-v7.8.0"]);
    fs.writeFileSync(path.join(partial, "plugins", "resource-vault-v7.8.0.partial"), "");
    expect(vaultPluginPath({ PULUMI_HOME: partial }, "7.8.0")).toBe(PLUGIN_BIN_DIR);
  });

  it("looks in ~/.pulumi/plugins without PULUMI_HOME, for the installed @pulumi/vault's version", () => {
    expect(pulumiPluginsDir({}, "/home/someone")).toBe("/home/someone/.pulumi/plugins");
    const installed = JSON.parse(
      fs.readFileSync(path.join(__dirname, "../../node_modules/@pulumi/vault/package.json"), "utf8"),
    ) as { version: string };
    expect(vaultSdkVersion()).toBe(installed.version);
  });
});
