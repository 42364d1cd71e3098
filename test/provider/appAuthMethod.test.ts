import { generateKeyPairSync } from "crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AppAuthMethodProvider,
  ClientSecretProvider,
  JsonWebKeyProvider,
  type AppAuthMethodInputs,
  type ClientSecretInputs,
} from "../../dynamic";
import { startOktaLocal } from "../../okta-local";
import { calls, startOkta, thrown, useSsws, type OktaLocal } from "./helpers";

const provider = new AppAuthMethodProvider();
const keys = new JsonWebKeyProvider();
let okta: OktaLocal;

beforeAll(async () => {
  okta = await startOkta({ apps: [] });
});
afterAll(async () => okta?.close());
beforeEach(() => okta.clearLog());

type App = {
  credentials: { oauthClient: Record<string, unknown> };
  settings: { oauthClient: Record<string, unknown> };
};
const appJson = (id: string) => okta.getApp(id) as App;

async function checked(news: Record<string, unknown>): Promise<AppAuthMethodInputs> {
  const r = await provider.check({}, news);
  expect(r.failures).toBeUndefined();
  return r.inputs!;
}

async function registerKey(appId: string) {
  const jwk = {
    ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }),
    kid: `k-${appId}`,
  };
  await keys.create((await keys.check({}, { appId, jwk })).inputs!);
}

describe("AppAuthMethod", () => {
  it("switches to private_key_jwt by GET + PUT of the whole app, changing nothing else, and restores on delete", async () => {
    const app = okta.addApp({ secrets: 1 });
    await registerKey(app.id);
    const before = appJson(app.id);
    okta.clearLog();
    const c = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" }),
    );
    expect(c.id).toBe(app.id);
    expect(c.outs).toEqual({
      appId: app.id,
      tokenEndpointAuthMethod: "private_key_jwt",
      previousMethod: "client_secret_basic",
    });
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id} 200`, `PUT /api/v1/apps/${app.id} 200`]);
    const after = appJson(app.id) as unknown as Record<string, unknown>;
    const expected = structuredClone(before) as unknown as Record<string, unknown>;
    (expected as unknown as App).credentials.oauthClient.token_endpoint_auth_method = "private_key_jwt";
    delete after.lastUpdated;
    delete expected.lastUpdated;
    expect(after).toEqual(expected);

    await provider.delete(c.id, c.outs!);
    expect(appJson(app.id).credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
  });

  it("is a no-op (GET only, no PUT) when the app already has the method, and restores nothing then", async () => {
    const app = okta.addApp({ secrets: 1, tokenEndpointAuthMethod: "client_secret_post" });
    const c = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" }),
    );
    expect(c.outs?.previousMethod).toBe("client_secret_post");
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id} 200`]);
    okta.clearLog();
    const d = await provider.diff(
      c.id,
      c.outs!,
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" }),
    );
    expect(d).toEqual({ changes: false, replaces: [] });
    expect(okta.requestLog).toEqual([]);
    await provider.delete(c.id, c.outs!);
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id} 200`]);
  });

  it("updates the method in place, keeping the method found at create for the restore", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" }),
    );
    const u = await provider.update(
      c.id,
      c.outs!,
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_jwt" }),
    );
    expect(u.outs?.previousMethod).toBe("client_secret_basic");
    expect(appJson(app.id).credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_jwt");
    await provider.delete(c.id, u.outs!);
    expect(appJson(app.id).credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
  });

  it("sets and removes a JWKS URL", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await provider.create(
      await checked({
        appId: app.id,
        tokenEndpointAuthMethod: "private_key_jwt",
        jwksUri: "https://keys.example.com/jwks",
      }),
    );
    expect(appJson(app.id).settings.oauthClient.jwks_uri).toBe("https://keys.example.com/jwks");
    await provider.delete(c.id, c.outs!);
    expect(appJson(app.id).settings.oauthClient.jwks_uri).toBeUndefined();
    expect(appJson(app.id).credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
  });

  it("refresh reads the current method; a deleted app is gone", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" }),
    );
    const r = await provider.read(c.id, c.outs!);
    expect(r.props?.tokenEndpointAuthMethod).toBe("client_secret_post");
    expect(await provider.read("0oaGone", { ...c.outs!, appId: "0oaGone" })).toEqual({ id: "" });
  });

  it("names the app and says what to do when Okta refuses private_key_jwt without keys", async () => {
    const app = okta.addApp({ secrets: 1 });
    const err = await thrown(async () =>
      provider.create(await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" })),
    );
    expect(err.message).toContain(
      `Okta refused to update AppAuthMethod of app ${app.id} (setting token_endpoint_auth_method to private_key_jwt`,
    );
    expect(err.message).toMatch(
      /What to do: private_key_jwt needs a public key: register an ACTIVE JsonWebKey/,
    );
    expect(appJson(app.id).credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
  });
});

describe("when Okta deletes the client secrets on the switch to private_key_jwt", () => {
  it("the secrets' refresh sees them gone and their delete is a no-op", async () => {
    const other = await startOktaLocal({
      apps: [{ label: "purge", secrets: 1 }],
      deleteSecretsOnPrivateKeyJwt: true,
    });
    try {
      useSsws(other);
      const appId = other.apps[0]!.id;
      const secrets = new ClientSecretProvider();
      const s = await secrets.create(
        (await secrets.check({}, { appId, status: "INACTIVE" })).inputs as ClientSecretInputs,
      );
      const jwk = {
        ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }),
        kid: "purge-1",
      };
      await keys.create((await keys.check({}, { appId, jwk })).inputs!);
      await provider.create(await checked({ appId, tokenEndpointAuthMethod: "private_key_jwt" }));
      expect(other.listSecrets(appId)).toEqual([]);
      expect(await secrets.read(s.id, s.outs!)).toEqual({ id: "" });
      await secrets.delete(s.id, s.outs!);
    } finally {
      await other.close();
      useSsws(okta);
    }
  });
});
