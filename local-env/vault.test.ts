// The local Vault dev server itself: up on loopback with KV v2 at secret/, gone after stop().

import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { kvMetadata, readKv, startVault, vaultRequest } from "./vault";

describe("startVault", () => {
  it("serves KV v2 at secret/ on 127.0.0.1 with its own token, and stops", async () => {
    const vault = await startVault();
    try {
      expect(vault.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await vaultRequest({ ...vault, token: "wrong" }, "GET", "secret/metadata/x")).status).toBe(403);
      expect(await readKv(vault, "secret", "absent")).toBeUndefined();
      expect(await kvMetadata(vault, "secret", "absent")).toBeUndefined();

      expect((await vaultRequest(vault, "POST", "secret/data/check", { data: { a: "1" } })).status).toBe(200);
      expect((await vaultRequest(vault, "POST", "secret/data/check", { data: { a: "2" } })).status).toBe(200);
      expect(await readKv(vault, "secret", "check")).toMatchObject({
        data: { a: "2" },
        version: 2,
        deletionTime: "",
      });
      expect((await readKv(vault, "secret", "check", 1))?.data).toEqual({ a: "1" });
      expect(await kvMetadata(vault, "secret", "check")).toMatchObject({ currentVersion: 2, maxVersions: 0 });
    } finally {
      await vault.stop();
    }
    await expect(fetch(`${vault.address}/v1/sys/health`)).rejects.toThrow();
  });

  it("two servers run side by side, each with its own token", async () => {
    const [a, b] = await Promise.all([startVault(), startVault()]);
    try {
      expect(a.address).not.toBe(b.address);
      expect(a.token).not.toBe(b.token);
      expect((await vaultRequest({ ...a, token: b.token }, "GET", "secret/metadata/x")).status).toBe(403);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("is killed when the process that started it exits", async () => {
    const script = `const { startVault } = require(${JSON.stringify(path.join(__dirname, "vault.ts"))});
      startVault().then((v) => { process.stdout.write(v.address); process.exit(0); });`;
    const tsx = path.join(__dirname, "..", "node_modules", "tsx", "dist", "loader.mjs");
    const address = execFileSync(process.execPath, ["--import", `file://${tsx}`, "-e", script], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // SIGKILL is sent on exit; the port closes as soon as the kernel reaps the process.
    let answered = true;
    for (let i = 0; i < 100 && answered; i++) {
      answered = await fetch(`${address}/v1/sys/health`).then(
        () => true,
        () => false,
      );
      if (answered) await new Promise((r) => setTimeout(r, 100));
    }
    expect(answered).toBe(false);
  });
});
