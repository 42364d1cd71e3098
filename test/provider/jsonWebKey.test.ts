import { generateKeyPairSync } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  JsonWebKeyProvider,
  OktaApiError,
  type JsonWebKeyInputs,
  type JsonWebKeyOutputs,
} from "../../dynamic";
import { calls, outOfBand, startOkta, thrown, useSsws, type OktaLocal } from "./helpers";

const provider = new JsonWebKeyProvider();
let okta: OktaLocal;

beforeAll(async () => {
  okta = await startOkta({ apps: [] });
});
afterAll(async () => okta?.close());
beforeEach(() => okta.clearLog());

function rsa(kid: string, bits = 2048): { pub: Record<string, string>; priv: Record<string, string> } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return {
    pub: { ...(publicKey.export({ format: "jwk" }) as Record<string, string>), kid, alg: "RS256" },
    priv: { ...(privateKey.export({ format: "jwk" }) as Record<string, string>), kid },
  };
}

/**
 * Runs `fn` and returns the warnings it emitted. providerWarning logs only under the engine or in the dynamic
 * provider host, which it recognises by its argv: this pretends to be the host and catches pulumi.log.warn.
 */
async function warningsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const warnings: string[] = [];
  const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async (m: string) => {
    warnings.push(m);
  });
  const marker = "--as-in-dynamic-provider";
  process.argv.push(marker);
  try {
    await fn();
  } finally {
    process.argv.splice(process.argv.indexOf(marker), 1);
    warn.mockRestore();
  }
  return warnings;
}

const released = (resource: string) =>
  `${resource} is ACTIVE, and clients may sign with it: released, not deleted. It stays ACTIVE in Okta and is no ` +
  `longer managed by this stack. To retire it, deliver another key to its clients first (or switch the app away ` +
  `from private_key_jwt), then deactivate and delete it in Okta once no client uses it.`;

async function switchToPrivateKeyJwt(appId: string): Promise<void> {
  const appJson = okta.getApp(appId) as { credentials: { oauthClient: Record<string, unknown> } };
  appJson.credentials.oauthClient.token_endpoint_auth_method = "private_key_jwt";
  const put = await fetch(`${okta.orgUrl}/api/v1/apps/${appId}`, {
    method: "PUT",
    headers: { Authorization: `SSWS ${okta.apiToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(appJson),
  });
  expect(put.status).toBe(200);
}

async function checked(news: Record<string, unknown>): Promise<JsonWebKeyInputs> {
  const r = await provider.check({}, news);
  expect(r.failures).toBeUndefined();
  return r.inputs!;
}

async function create(news: Record<string, unknown>): Promise<{ id: string; outs: JsonWebKeyOutputs }> {
  const r = await provider.create(await checked(news));
  return { id: r.id, outs: r.outs! };
}

describe("JsonWebKey lifecycle", () => {
  it("registers an RSA key ACTIVE, reads, deactivates, reactivates and deletes it", async () => {
    const app = okta.addApp({ secrets: 1 });
    const { pub } = rsa("k-1");
    const c = await create({ appId: app.id, jwk: pub, generation: 1 });
    expect(c.id).toMatch(/^pks/);
    expect(c.outs).toMatchObject({ appId: app.id, keyId: c.id, kid: "k-1", status: "ACTIVE", generation: 1 });
    expect(c.outs.jwk).toEqual({ kty: "RSA", kid: "k-1", alg: "RS256", e: pub.e, n: pub.n });
    expect(okta.listKeys(app.id)).toEqual([{ id: c.id, kid: "k-1", status: "ACTIVE" }]);

    expect(
      await provider.diff(c.id, c.outs, await checked({ appId: app.id, jwk: pub, generation: 1 })),
    ).toEqual({
      changes: false,
      replaces: [],
    });

    const down = await provider.update(
      c.id,
      c.outs,
      await checked({ appId: app.id, jwk: pub, status: "INACTIVE", generation: 1 }),
    );
    expect(down.outs?.status).toBe("INACTIVE");
    expect(okta.listKeys(app.id)[0]?.status).toBe("INACTIVE");
    const up = await provider.update(
      c.id,
      down.outs!,
      await checked({ appId: app.id, jwk: pub, generation: 1 }),
    );
    expect(up.outs?.status).toBe("ACTIVE");

    // Deleting the resource of an ACTIVE key releases it: one read, no write, the key stays ACTIVE.
    okta.clearLog();
    const warnings = await warningsOf(() => provider.delete(c.id, up.outs!));
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id}/credentials/jwks/${c.id} 200`]);
    expect(okta.listKeys(app.id)).toEqual([{ id: c.id, kid: "k-1", status: "ACTIVE" }]);
    expect(warnings).toEqual([released(`JsonWebKey ${c.id} (kid k-1) of app ${app.id}`)]);

    // An INACTIVE one (as the state records it) is deleted straight away, without reading it first.
    const retired = await provider.update(
      c.id,
      up.outs!,
      await checked({ appId: app.id, jwk: pub, status: "INACTIVE", generation: 1 }),
    );
    okta.clearLog();
    expect(await warningsOf(() => provider.delete(c.id, retired.outs!))).toEqual([]);
    expect(okta.listKeys(app.id)).toEqual([]);
    expect(calls(okta)).toEqual([`DELETE /api/v1/apps/${app.id}/credentials/jwks/${c.id} 204`]);
    okta.clearLog();
    await provider.delete(c.id, retired.outs!);
    // Gone, or renumbered by a whole-app PUT: one look by kid, and it is gone.
    expect(calls(okta)).toEqual([
      `DELETE /api/v1/apps/${app.id}/credentials/jwks/${c.id} 404`,
      `GET /api/v1/apps/${app.id}/credentials/jwks 200`,
    ]);
  });

  it("registers an EC key INACTIVE", async () => {
    const app = okta.addApp({ secrets: 1 });
    const ec = {
      ...(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" }) as object),
      kid: "ec-1",
    };
    const c = await create({ appId: app.id, jwk: ec, status: "INACTIVE" });
    expect(c.outs.status).toBe("INACTIVE");
    expect(okta.listKeys(app.id)).toEqual([{ id: c.id, kid: "ec-1", status: "INACTIVE" }]);
  });

  it("adopts the same key left by an interrupted run, and refuses a different key under the same kid", async () => {
    const app = okta.addApp({ secrets: 1 });
    const { pub } = rsa("dup");
    const first = await create({ appId: app.id, jwk: pub });
    const again = await create({ appId: app.id, jwk: pub });
    expect(again.id).toBe(first.id);
    const err = await thrown(() => create({ appId: app.id, jwk: rsa("dup").pub }));
    expect(err.message).toMatch(/already has key .* with kid dup but different key material/);
    expect(okta.listKeys(app.id)).toHaveLength(1);
  });

  it("refuses private material and short RSA keys before any call", async () => {
    const app = okta.addApp({ secrets: 1 });
    const { priv } = rsa("p-1");
    const short = rsa("s-1", 1024).pub;
    okta.clearLog();
    const a = await provider.check({}, { appId: app.id, jwk: priv });
    const b = await provider.check({}, { appId: app.id, jwk: short });
    const c = await provider.check({}, { appId: app.id, jwk: { ...rsa("x").pub, kid: undefined } });
    expect(a.failures?.[0]?.reason).toMatch(/private key material/);
    expect(JSON.stringify(a).includes(priv.d!)).toBe(false);
    expect(b.failures?.[0]).toEqual({
      property: "jwk.n",
      reason: "RSA key is 1024 bits; Okta requires at least 2048 bits",
    });
    expect(c.failures?.[0]?.property).toBe("jwk.kid");
    expect(okta.requestLog).toEqual([]);
  });

  it("refresh: sees a key deactivated or deleted out of band", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, jwk: rsa("r-1").pub });
    const base = `/api/v1/apps/${app.id}/credentials/jwks/${c.id}`;
    expect(await outOfBand(okta, "POST", `${base}/lifecycle/deactivate`)).toBe(200);
    expect((await provider.read(c.id, c.outs)).props?.status).toBe("INACTIVE");
    expect(await outOfBand(okta, "DELETE", base)).toBe(204);
    expect(await provider.read(c.id, c.outs)).toEqual({ id: "" });
  });

  it("refuses to deactivate the only ACTIVE key of a private_key_jwt app, saying what to do", async () => {
    const app = okta.addApp({ secrets: 1 });
    const { pub } = rsa("only");
    const c = await create({ appId: app.id, jwk: pub });
    await switchToPrivateKeyJwt(app.id);
    // The switch is a whole-app PUT: the key may have a new id now, found by kid.
    const now = okta.listKeys(app.id)[0]!.id;
    const err = await thrown(async () =>
      provider.update(c.id, c.outs, await checked({ appId: app.id, jwk: pub, status: "INACTIVE" })),
    );
    expect(err).toBeInstanceOf(OktaApiError);
    expect(err.message).toContain(`JsonWebKey ${now} (kid only) of app ${app.id}`);
    expect(err.message).toMatch(/What to do: .*register and activate the next key first/);
    expect(okta.listKeys(app.id)[0]?.status).toBe("ACTIVE");
  });
});

describe("JsonWebKey delete never retires a key in use", () => {
  it("releases the only ACTIVE key of a private_key_jwt app: no deactivation, no delete, a warning", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, jwk: rsa("held").pub, generation: 1 });
    await switchToPrivateKeyJwt(app.id);
    const now = okta.listKeys(app.id)[0]!.id; // a new id: the switch is a whole-app PUT
    expect(now).not.toBe(c.id);
    okta.clearLog();
    const warnings = await warningsOf(() => provider.delete(c.id, c.outs));
    expect(warnings).toEqual([released(`JsonWebKey ${now} (kid held) of app ${app.id}`)]);
    expect(calls(okta)).toEqual([
      `GET /api/v1/apps/${app.id}/credentials/jwks/${c.id} 404`,
      `GET /api/v1/apps/${app.id}/credentials/jwks 200`,
    ]);
    expect(okta.listKeys(app.id)).toEqual([{ id: now, kid: "held", status: "ACTIVE" }]);
  });

  it("releases a key the state records INACTIVE but that was activated out of band (Okta refuses the delete)", async () => {
    const app = okta.addApp({ secrets: 1 });
    const { pub } = rsa("back");
    const c = await create({ appId: app.id, jwk: pub, status: "INACTIVE" });
    const base = `/api/v1/apps/${app.id}/credentials/jwks/${c.id}`;
    expect(await outOfBand(okta, "POST", `${base}/lifecycle/activate`)).toBe(200);
    okta.clearLog();
    const warnings = await warningsOf(() => provider.delete(c.id, c.outs));
    expect(calls(okta)).toEqual([`DELETE ${base} 400`]);
    expect(okta.listKeys(app.id)).toEqual([{ id: c.id, kid: "back", status: "ACTIVE" }]);
    expect(warnings).toEqual([released(`JsonWebKey ${c.id} (kid back) of app ${app.id}`)]);
  });

  it("deletes a key the state records ACTIVE once Okta says it is INACTIVE (deactivated out of band)", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, jwk: rsa("gone").pub });
    const base = `/api/v1/apps/${app.id}/credentials/jwks/${c.id}`;
    expect(await outOfBand(okta, "POST", `${base}/lifecycle/deactivate`)).toBe(200);
    okta.clearLog();
    expect(await warningsOf(() => provider.delete(c.id, c.outs))).toEqual([]);
    expect(calls(okta)).toEqual([`GET ${base} 200`, `DELETE ${base} 204`]);
    expect(okta.listKeys(app.id)).toEqual([]);
  });

  it("refuses, in diff, to replace the ACTIVE key of a rotation slot, before any call", async () => {
    const app = okta.addApp({ secrets: 1 });
    const { pub } = rsa("slot-1");
    const c = await create({ appId: app.id, jwk: pub, generation: 1, replaceOnlyInactive: true });
    okta.clearLog();
    const next = await checked({
      appId: app.id,
      jwk: rsa("slot-3").pub,
      generation: 3,
      replaceOnlyInactive: true,
    });
    const err = await thrown(() => provider.diff(c.id, c.outs, next));
    expect(err.message).toContain(
      `JsonWebKey ${c.id} (kid slot-1) of app ${app.id} (generation 1) would be deleted and replaced for generation 3, but it is still ACTIVE`,
    );
    expect(err.message).toContain("Set privateKeyJwt.keyGeneration back to 2 and run pulumi up");
    expect(okta.requestLog).toEqual([]);
    // Once a rotation retired it (INACTIVE), the same replacement is planned.
    const retired = await provider.update(
      c.id,
      c.outs,
      await checked({
        appId: app.id,
        jwk: pub,
        generation: 1,
        status: "INACTIVE",
        replaceOnlyInactive: true,
      }),
    );
    expect(await provider.diff(c.id, retired.outs!, next)).toEqual({
      changes: true,
      replaces: ["generation", "jwk"],
    });
  });
});

// A whole-app PUT replaces the app's key set; whether a kept key keeps its id, sources differ (okta-api.md).
describe.each([
  { keepKeyIdsOnPut: false, mode: "new ids" },
  { keepKeyIdsOnPut: true, mode: "ids kept" },
])("JsonWebKey after a whole-app PUT ($mode)", ({ keepKeyIdsOnPut }) => {
  let local: OktaLocal;
  beforeAll(async () => {
    local = await startOkta({ apps: [], keepKeyIdsOnPut });
  });
  afterAll(async () => {
    await local?.close();
    useSsws(okta);
  });
  beforeEach(() => useSsws(local));

  async function put(appId: string): Promise<void> {
    const res = await fetch(`${local.orgUrl}/api/v1/apps/${appId}`, {
      method: "PUT",
      headers: { Authorization: `SSWS ${local.apiToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(local.getApp(appId)),
    });
    expect(res.status).toBe(200);
  }

  it("refresh, update and delete find the key by kid, and the state takes its id", async () => {
    const app = local.addApp({ secrets: 1 });
    const { pub } = rsa("moved");
    const c = await create({ appId: app.id, jwk: pub });
    await put(app.id);
    const now = local.listKeys(app.id)[0]!.id;
    expect(now === c.id).toBe(keepKeyIdsOnPut);

    const r = await provider.read(c.id, c.outs);
    expect(r.id).toBe(now);
    expect(r.props).toMatchObject({ keyId: now, kid: "moved", status: "ACTIVE" });

    // An update from the state written before the PUT (old id) reaches the key under its new id.
    const down = await provider.update(
      c.id,
      c.outs,
      await checked({ appId: app.id, jwk: pub, status: "INACTIVE" }),
    );
    expect(down.outs).toMatchObject({ keyId: now, status: "INACTIVE" });
    expect(local.listKeys(app.id)).toEqual([{ id: now, kid: "moved", status: "INACTIVE" }]);

    // Renumbered again, then deleted from a state that still has the first id.
    await put(app.id);
    await provider.delete(c.id, { ...down.outs!, keyId: c.id });
    expect(local.listKeys(app.id)).toEqual([]);
  });

  it("refresh of a key gone from the app (left out of a PUT) says it is gone", async () => {
    const app = local.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, jwk: rsa("left-out").pub, status: "INACTIVE" });
    const body = local.getApp(app.id) as { settings: { oauthClient: Record<string, unknown> } };
    delete body.settings.oauthClient.jwks;
    const res = await fetch(`${local.orgUrl}/api/v1/apps/${app.id}`, {
      method: "PUT",
      headers: { Authorization: `SSWS ${local.apiToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(await provider.read(c.id, c.outs)).toEqual({ id: "" });
    await provider.delete(c.id, c.outs); // already gone: no error
  });

  it("does not take another key under the same kid for its own", async () => {
    const app = local.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, jwk: rsa("same-kid").pub, status: "INACTIVE" });
    await provider.delete(c.id, c.outs);
    await create({ appId: app.id, jwk: rsa("same-kid").pub }); // other material, same kid
    expect(await provider.read(c.id, c.outs)).toEqual({ id: "" });
  });
});
