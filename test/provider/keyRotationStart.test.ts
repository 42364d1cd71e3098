// A key rotation's start (KeyRotationStart's check): before its first write, an app that already has keys the
// rotation did not register is refused, naming them and the fixes, unless the rotation keeps them. Reads only.
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getOktaApi, KeyRotationStartProvider, keyStartProblem } from "../../dynamic";
import { UNKNOWN } from "../../dynamic/providerValues";
import { calls, startOkta, type OktaLocal } from "./helpers";

const provider = new KeyRotationStartProvider();
let okta: OktaLocal;

beforeAll(async () => {
  okta = await startOkta({ apps: [] });
});
afterAll(async () => {
  await okta?.close();
});
beforeEach(() => okta.clearLog());

const writes = () => calls(okta).filter((c) => !c.startsWith("GET"));
const reads = () => calls(okta).filter((c) => c.startsWith("GET"));

/** An app with `n` keys registered (RS256 public JWKs), the first ACTIVE, the rest as `status`. */
async function appWithKeys(n: number): Promise<string> {
  const app = okta.addApp({ tokenEndpointAuthMethod: "private_key_jwt", secrets: 0 });
  const { generateKeyPairSync } = await import("node:crypto");
  for (let i = 0; i < n; i++) {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = publicKey.export({ format: "jwk" }) as Record<string, string>;
    await getOktaApi().addKey(app.id, { ...jwk, kid: `kid-${app.id}-${i}`, alg: "RS256", use: "sig" });
  }
  okta.clearLog();
  return app.id;
}

describe("keyStartProblem", () => {
  const key = fc.record({
    id: fc.stringMatching(/^pks[A-Za-z0-9]{6}$/),
    kid: fc.stringMatching(/^[A-Za-z0-9_-]{8,43}$/),
    status: fc.constantFrom("ACTIVE" as const, "INACTIVE" as const),
  });

  it("refuses any key the rotation did not register, naming each, the app and the fixes", () => {
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 4 }), (keys) => {
        const problem = keyStartProblem("billing", "0oaB1", keys);
        expect(problem).toBeDefined();
        expect(problem).toContain("app 'billing' (0oaB1)");
        for (const k of keys) expect(problem).toContain(`${k.id} (kid ${k.kid}, ${k.status})`);
        expect(problem).toContain("formerNames");
        expect(problem).toContain("privateKeyJwt.keepExistingKeys: true");
        expect(problem).toMatch(/Nothing was changed\.$/);
        // It says the ACTIVE ones would stay ACTIVE only when there are ACTIVE ones.
        expect(problem!.includes("with nobody holding")).toBe(keys.some((k) => k.status === "ACTIVE"));
      }),
    );
  });

  it("lets an app with no key start, and any app when the rotation keeps its keys", () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 4 }), (keys) => {
        expect(keyStartProblem("billing", "0oaB1", keys, true)).toBeUndefined();
      }),
    );
    expect(keyStartProblem("billing", "0oaB1", [])).toBeUndefined();
  });
});

describe("KeyRotationStartProvider.check", () => {
  it("refuses a start on an app with keys, in one read and no write", async () => {
    const appId = await appWithKeys(2);
    const res = await provider.check(undefined, { appId, rotation: "billing" });
    expect(res.failures).toHaveLength(1);
    expect(res.failures![0]!.property).toBe("appId");
    expect(res.failures![0]!.reason).toContain(
      `KeyRotation 'billing': app 'billing' (${appId}) already has 2 keys`,
    );
    expect(res.failures![0]!.reason).toContain(`kid-${appId}-0`);
    expect(reads()).toEqual([`GET /api/v1/apps/${appId}/credentials/jwks 200`]);
    expect(writes()).toEqual([]);
  });

  it("lets a start on an app with no key through", async () => {
    const app = okta.addApp({ secrets: 1 });
    okta.clearLog();
    const res = await provider.check(undefined, { appId: app.id, rotation: "billing" });
    expect(res.failures ?? []).toEqual([]);
    expect(reads()).toEqual([`GET /api/v1/apps/${app.id}/credentials/jwks 200`]);
  });

  it("keeps the keys when told, without a read", async () => {
    const appId = await appWithKeys(1);
    const res = await provider.check(undefined, { appId, rotation: "billing", keepExistingKeys: true });
    expect(res.failures ?? []).toEqual([]);
    expect(calls(okta)).toEqual([]);
  });

  it("never looks again once started (the first key bump makes a slot anew on an app with keys)", async () => {
    const appId = await appWithKeys(1);
    const olds = { appId, rotation: "billing", startedAt: "2026-01-01T00:00:00.000Z" };
    const res = await provider.check(olds, { appId, rotation: "billing" });
    expect(res.failures ?? []).toEqual([]);
    expect(calls(okta)).toEqual([]);
    // Another app is another start: looked at again.
    const other = await appWithKeys(1);
    const moved = await provider.check(olds, { appId: other, rotation: "billing" });
    expect(moved.failures?.[0]?.reason).toContain(`(${other}) already has a key`);
    expect((await provider.diff("x", olds, { appId, rotation: "renamed" })).changes).toBe(false);
    expect((await provider.diff("x", olds, { appId: other, rotation: "billing" })).replaces).toEqual([
      "appId",
    ]);
  });

  it("lets an app id not known yet through (a preview of an app the program creates)", async () => {
    const res = await provider.check(undefined, { appId: UNKNOWN, rotation: "billing" });
    expect(res.failures ?? []).toEqual([]);
    expect(calls(okta)).toEqual([]);
  });

  it("says when the app is not in the org", async () => {
    const res = await provider.check(undefined, { appId: "0oaNoSuchApp", rotation: "billing" });
    expect(res.failures?.[0]?.reason).toContain(
      "KeyRotation 'billing': app 'billing': appId 0oaNoSuchApp is not an app of this Okta org",
    );
  });

  it("creates with no Okta call", async () => {
    const made = await provider.create({ appId: "0oaB1", rotation: "billing" });
    expect(made.id).toBe("0oaB1-key-rotation-start");
    expect(Date.parse(made.outs!.startedAt)).toBeGreaterThan(0);
    expect(calls(okta)).toEqual([]);
  });
});
