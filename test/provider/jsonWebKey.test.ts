import { generateKeyPairSync } from "crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  JsonWebKeyProvider,
  OktaApiError,
  type JsonWebKeyInputs,
  type JsonWebKeyOutputs,
} from "../../dynamic";
import { calls, outOfBand, startOkta, thrown, type OktaLocal } from "./helpers";

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

    okta.clearLog();
    await provider.delete(c.id, up.outs!);
    expect(okta.listKeys(app.id)).toEqual([]);
    expect(calls(okta)).toEqual([
      `GET /api/v1/apps/${app.id}/credentials/jwks/${c.id} 200`,
      `POST /api/v1/apps/${app.id}/credentials/jwks/${c.id}/lifecycle/deactivate 200`,
      `DELETE /api/v1/apps/${app.id}/credentials/jwks/${c.id} 204`,
    ]);
    okta.clearLog();
    await provider.delete(c.id, up.outs!);
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id}/credentials/jwks/${c.id} 404`]);
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
    const c = await create({ appId: app.id, jwk: rsa("only").pub });
    const appJson = okta.getApp(app.id) as { credentials: { oauthClient: Record<string, unknown> } };
    appJson.credentials.oauthClient.token_endpoint_auth_method = "private_key_jwt";
    const put = await fetch(`${okta.orgUrl}/api/v1/apps/${app.id}`, {
      method: "PUT",
      headers: { Authorization: `SSWS ${okta.apiToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(appJson),
    });
    expect(put.status).toBe(200);
    const err = await thrown(() => provider.delete(c.id, c.outs));
    expect(err).toBeInstanceOf(OktaApiError);
    expect(err.message).toContain(`JsonWebKey ${c.id} (kid only) of app ${app.id}`);
    expect(err.message).toMatch(/What to do: .*register and activate the next key first/);
    expect(okta.listKeys(app.id)[0]?.status).toBe("ACTIVE");
  });
});
