import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { resetConnection } from "../../dynamic/connection";
import type { OktaClientSecret } from "../../dynamic/oktaObjects";
import {
  SecretHandoverProvider,
  currentSecret,
  retirementOrder,
  usesClientSecrets,
} from "../../dynamic/secretHandover";

const secret = (id: string, status: "ACTIVE" | "INACTIVE", created: string): OktaClientSecret => ({
  id,
  status,
  created,
});

describe("pure helpers", () => {
  it("currentSecret is the newest ACTIVE secret", () => {
    expect(
      currentSecret([
        secret("old", "ACTIVE", "2026-01-01T00:00:00Z"),
        secret("new", "ACTIVE", "2026-02-01T00:00:00Z"),
        secret("newest-but-inactive", "INACTIVE", "2026-03-01T00:00:00Z"),
      ])?.id,
    ).toBe("new");
    expect(currentSecret([secret("x", "INACTIVE", "")])).toBeUndefined();
  });

  it("retirementOrder takes INACTIVE secrets first and skips the kept ones", () => {
    const list = [secret("a", "ACTIVE", ""), secret("b", "INACTIVE", ""), secret("c", "ACTIVE", "")];
    expect(retirementOrder(list, ["c"]).map((s) => s.id)).toEqual(["b", "a"]);
  });

  it("usesClientSecrets is false for private_key_jwt and none", () => {
    expect(usesClientSecrets("client_secret_basic")).toBe(true);
    expect(usesClientSecrets("client_secret_post")).toBe(true);
    expect(usesClientSecrets("private_key_jwt")).toBe(false);
    expect(usesClientSecrets("none")).toBe(false);
  });
});

describe("SecretHandover against the local Okta", () => {
  let okta: OktaLocal;
  const saved = { url: process.env.OKTA_ORG_URL, token: process.env.OKTA_API_TOKEN };
  const provider = new SecretHandoverProvider();
  beforeAll(async () => {
    okta = await startOktaLocal({ apps: [{ label: "handover", secrets: 2 }] });
    process.env.OKTA_ORG_URL = okta.orgUrl;
    process.env.OKTA_API_TOKEN = okta.apiToken;
    resetConnection();
  });
  afterAll(async () => {
    process.env.OKTA_ORG_URL = saved.url;
    process.env.OKTA_API_TOKEN = saved.token;
    if (saved.url === undefined) delete process.env.OKTA_ORG_URL;
    if (saved.token === undefined) delete process.env.OKTA_API_TOKEN;
    resetConnection();
    await okta.close();
  });

  it("read: the current secret while the app uses secrets", async () => {
    const app = okta.apps[0];
    const { outs } = await provider.create({ appId: app.id, mode: "read", trigger: "1", keep: [] });
    const active = okta.listSecrets(app.id).filter((s) => s.status === "ACTIVE");
    expect(active.map((s) => s.id)).toContain(outs!.secretId);
    expect(outs!.clientSecret).toBe(active.find((s) => s.id === outs!.secretId)!.clientSecret);
    expect(outs!.authMethod).toBe("client_secret_basic");
  });

  it("generate: a fresh value, kept on update, without any Okta call", async () => {
    okta.clearLog();
    const { outs } = await provider.create({ appId: "0oaANY", mode: "generate", trigger: "1", keep: [] });
    expect(outs!.clientSecret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const updated = await provider.update("id", outs!, {
      appId: "0oaANY",
      mode: "generate",
      trigger: "2",
      keep: [],
    });
    expect(updated.outs!.clientSecret).toBe(outs!.clientSecret);
    expect(okta.requestLog).toEqual([]);
  });

  it("retire: refuses before any write while the app still authenticates with secrets and none is kept", async () => {
    const app = okta.apps[0];
    okta.clearLog();
    const err = (await provider
      .create({ appId: app.id, mode: "retire", trigger: "1", keep: [] })
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/Nothing was changed\. Retire them only after the switch/);
    expect(okta.requestLog.filter((r) => r.method !== "GET")).toEqual([]);
    expect(okta.listSecrets(app.id).map((s) => s.status)).toEqual(["ACTIVE", "ACTIVE"]);
  });

  it("retire: with an ACTIVE secret kept (the rollback), deactivates and deletes the others", async () => {
    const app = okta.apps[0];
    const [keep, other] = okta.listSecrets(app.id);
    const { outs } = await provider.create({ appId: app.id, mode: "retire", trigger: "2", keep: [keep.id] });
    expect(outs).toMatchObject({ retired: [other.id], unusable: [] });
    expect(okta.listSecrets(app.id).map((s) => s.id)).toEqual([keep.id]);
  });

  it("diff: mode and app replace; trigger and keep update", async () => {
    const olds = { appId: "a", mode: "read" as const, trigger: "1", keep: [], clientSecret: "" };
    expect(await provider.diff("id", olds, { ...olds, trigger: "2" })).toEqual({
      changes: true,
      replaces: [],
    });
    expect(await provider.diff("id", olds, { ...olds, mode: "retire" })).toEqual({
      changes: true,
      replaces: ["mode"],
    });
    expect(await provider.diff("id", olds, { ...olds })).toEqual({ changes: false, replaces: [] });
    // State from before every read recorded clientSecret: read once more.
    const { clientSecret: _none, ...stale } = olds;
    expect(await provider.diff("id", stale, { ...olds })).toEqual({ changes: true, replaces: [] });
  });

  it("read: once the app is on private_key_jwt, an empty value, never a missing one (a preview would see unknown)", async () => {
    const app = okta.addApp({ secrets: 1, tokenEndpointAuthMethod: "private_key_jwt" });
    const { outs } = await provider.create({ appId: app.id, mode: "read", trigger: "2", keep: [] });
    expect(outs).toHaveProperty("clientSecret", "");
    expect(outs!.authMethod).toBe("private_key_jwt");
  });
});
