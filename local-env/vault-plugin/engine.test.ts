// The plugin under the real Pulumi engine: the fixture program (test-fixture/, one vault.kv.SecretV2) run with the
// Automation API, a file backend, the plugin's directory first on PATH (unless the official plugin is installed)
// and VAULT_ADDR / VAULT_TOKEN of a real Vault dev server. Outcomes are read on Vault's HTTP API.

import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { readBackendState } from "../../test/engine/harness";
import { createStack } from "../stack";
import { kvMetadata, readKv, startVault, vaultRequest, type VaultDev } from "../vault";
import { PLUGIN_BIN_DIR, vaultPluginPath } from "./index";

const FIXTURE_DIR = path.join(__dirname, "test-fixture");
const ENGINE_TIMEOUT = 10 * 60_000;

let vault: VaultDev;

beforeAll(async () => {
  vault = await startVault();
});

afterAll(async () => {
  await vault?.stop();
});

interface FixtureStack {
  stack: Stack;
  backendDir: string;
  /** Everything the engine printed (stdout and stderr of every operation). */
  output: string[];
  dispose(): Promise<void>;
}

interface FixtureConfig {
  name: string;
  deleteAllVersions: boolean;
  /**
   * Where the Vault address and token come from: VAULT_ADDR/VAULT_TOKEN (default), stack config vault:*, or an
   * explicit vault.Provider in the program.
   */
  connection?: "env" | "stackConfig" | "explicitProvider";
}

async function fixtureStack(label: string, config: FixtureConfig): Promise<FixtureStack> {
  const pluginDir = vaultPluginPath();
  const { stack, backendDir, dispose } = await createStack(
    `vault-plugin-${label}-${process.pid}`,
    {
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      PATH: [...(pluginDir ? [pluginDir] : []), process.env.PATH ?? ""].join(path.delimiter),
      // Empty counts as unset, whatever the test process inherited.
      VAULT_ADDR: (config.connection ?? "env") === "env" ? vault.address : "",
      VAULT_TOKEN: (config.connection ?? "env") === "env" ? vault.token : "",
    },
    FIXTURE_DIR,
  );
  await stack.setConfig("name", { value: config.name });
  await stack.setConfig("deleteAllVersions", { value: String(config.deleteAllVersions) });
  if (config.connection === "stackConfig") {
    await stack.setConfig("vault:address", { value: vault.address });
    await stack.setConfig("vault:token", { value: vault.token, secret: true });
  }
  if (config.connection === "explicitProvider") {
    await stack.setConfig("providerAddress", { value: vault.address });
    await stack.setConfig("providerToken", { value: vault.token, secret: true });
  }
  return { stack, backendDir, output: [], dispose };
}

const secretJson = (value: string) => JSON.stringify({ client_secret: value });
const newValue = (label: string) => `engine-${label}-${Math.random().toString(36).slice(2)}`;

async function up(f: FixtureStack) {
  const collect = (s: string) => f.output.push(s);
  return f.stack.up({ onOutput: collect, onError: collect });
}

describe("the vault plugin under the Pulumi engine", () => {
  it(
    "up writes version 1, a changed dataJson version 2, destroy soft-deletes the latest; no secret in state or output",
    async () => {
      const name = `engine/soft-${process.pid}`;
      const f = await fixtureStack("soft", { name, deleteAllVersions: false });
      try {
        const first = newValue("v1");
        await f.stack.setConfig("dataJson", { value: secretJson(first), secret: true });
        const up1 = await up(f);
        expect(up1.outputs.path.value).toBe(`secret/data/${name}`);
        expect(up1.outputs.version.value).toBe("1");
        const v1 = await readKv(vault, "secret", name);
        expect(v1?.version).toBe(1);
        expect(v1?.data).toEqual({ client_secret: first });
        if (vaultPluginPath() === PLUGIN_BIN_DIR) {
          expect(f.output.join("")).toContain(`using pulumi-resource-vault from $PATH at ${PLUGIN_BIN_DIR}`);
        }

        const second = newValue("v2");
        await f.stack.setConfig("dataJson", { value: secretJson(second), secret: true });
        const up2 = await up(f);
        expect(up2.summary.resourceChanges?.update).toBe(1);
        expect(up2.outputs.version.value).toBe("2");
        expect((await readKv(vault, "secret", name))?.data).toEqual({ client_secret: second });
        expect((await readKv(vault, "secret", name, 1))?.data).toEqual({ client_secret: first });

        const state = readBackendState(f.backendDir);
        expect(state).toContain("secret/data/");
        for (const value of [first, second]) {
          expect(state).not.toContain(value);
          expect(f.output.join("")).not.toContain(value);
        }

        await f.stack.destroy({ onOutput: (s) => f.output.push(s) });
        const latest = await readKv(vault, "secret", name);
        expect(latest?.version).toBe(2);
        expect(latest?.data).toBeUndefined();
        expect(latest?.deletionTime).not.toBe("");
        expect((await readKv(vault, "secret", name, 1))?.data).toEqual({ client_secret: first });
      } finally {
        await f.dispose();
      }
    },
    ENGINE_TIMEOUT,
  );

  it(
    "destroy with deleteAllVersions removes the entry with every version",
    async () => {
      const name = `engine/all-${process.pid}`;
      const f = await fixtureStack("all", { name, deleteAllVersions: true });
      try {
        await f.stack.setConfig("dataJson", { value: secretJson(newValue("all")), secret: true });
        const result = await up(f);
        expect(result.outputs.version.value).toBe("1");
        expect((await kvMetadata(vault, "secret", name))?.currentVersion).toBe(1);

        await f.stack.destroy({ onOutput: (s) => f.output.push(s) });
        expect(await kvMetadata(vault, "secret", name)).toBeUndefined();
      } finally {
        await f.dispose();
      }
    },
    ENGINE_TIMEOUT,
  );

  it(
    "takes vault:address and vault:token from stack config, and refuses a stack with neither config nor environment",
    async () => {
      const name = `engine/config-${process.pid}`;
      const f = await fixtureStack("config", { name, deleteAllVersions: true, connection: "stackConfig" });
      try {
        await f.stack.setConfig("dataJson", { value: secretJson(newValue("config")), secret: true });
        const result = await up(f);
        expect(result.outputs.version.value).toBe("1");
        expect((await readKv(vault, "secret", name))?.version).toBe(1);
        expect(readBackendState(f.backendDir)).not.toContain(vault.token);

        await f.stack.removeConfig("vault:address");
        const refused = await f.stack.preview().then(
          () => undefined,
          (e: Error) => e,
        );
        expect(refused?.message).toContain("no Vault address");
        expect(refused?.message).toContain("vault:address");
        expect(refused?.message).toContain("VAULT_ADDR");
        expect(refused?.message).not.toContain(vault.token);

        await f.stack.setConfig("vault:address", { value: vault.address });
        await f.stack.destroy();
        expect(await kvMetadata(vault, "secret", name)).toBeUndefined();
      } finally {
        await f.dispose();
      }
    },
    ENGINE_TIMEOUT,
  );

  it(
    "refresh records an out-of-band write as a new metadata.version; the next up leaves that data (7.x reads no data)",
    async () => {
      const name = `engine/refresh-${process.pid}`;
      const f = await fixtureStack("refresh", { name, deleteAllVersions: true });
      try {
        const mine = newValue("mine");
        await f.stack.setConfig("dataJson", { value: secretJson(mine), secret: true });
        await up(f);
        const theirs = await vaultRequest(vault, "POST", `secret/data/${name}`, {
          data: { client_secret: "theirs" },
        });
        expect(theirs.status).toBe(200);

        await f.stack.refresh({ onOutput: (s) => f.output.push(s) });
        const entry = (await f.stack.exportStack()).deployment.resources.find(
          (r: { type: string }) => r.type === "vault:kv/secretV2:SecretV2",
        );
        expect(entry.outputs.metadata.version).toBe("2");

        const again = await up(f);
        expect(again.summary.resourceChanges?.update ?? 0).toBe(0);
        expect(await readKv(vault, "secret", name)).toMatchObject({
          version: 2,
          data: { client_secret: "theirs" },
        });
        expect(readBackendState(f.backendDir)).not.toContain(mine);

        await f.stack.destroy();
        expect(await kvMetadata(vault, "secret", name)).toBeUndefined();
      } finally {
        await f.dispose();
      }
    },
    ENGINE_TIMEOUT,
  );

  it(
    "an explicit vault.Provider's address and token reach the plugin",
    async () => {
      const name = `engine/explicit-${process.pid}`;
      const f = await fixtureStack("explicit", {
        name,
        deleteAllVersions: true,
        connection: "explicitProvider",
      });
      try {
        await f.stack.setConfig("dataJson", { value: secretJson(newValue("explicit")), secret: true });
        const result = await up(f);
        expect(result.outputs.version.value).toBe("1");
        expect((await readKv(vault, "secret", name))?.version).toBe(1);
        expect(readBackendState(f.backendDir)).not.toContain(vault.token);
        await f.stack.destroy();
        expect(await kvMetadata(vault, "secret", name)).toBeUndefined();
      } finally {
        await f.dispose();
      }
    },
    ENGINE_TIMEOUT,
  );
});
