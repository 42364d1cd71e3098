import { describe, expect, it } from "vitest";
import { AppAuthMethodProvider, diffAppAuthMethod, readAuthSettings, withAuthSettings } from "../../dynamic";

const app = {
  id: "0oa1",
  label: "orders",
  status: "ACTIVE",
  custom: { keep: ["me"] },
  credentials: { oauthClient: { client_id: "0oa1", token_endpoint_auth_method: "client_secret_basic" } },
  settings: { oauthClient: { redirect_uris: ["https://a/cb"], grant_types: ["client_credentials"] } },
};

describe("app auth settings helpers", () => {
  it("reads the method and JWKS URL", () => {
    expect(readAuthSettings(app)).toEqual({ method: "client_secret_basic", jwksUri: undefined });
    expect(readAuthSettings({})).toEqual({ method: undefined, jwksUri: undefined });
  });

  it("changes only the method (and JWKS URL), leaving the input untouched", () => {
    const next = withAuthSettings(app, "private_key_jwt", "https://keys.example/jwks");
    expect(next).toEqual({
      ...app,
      credentials: { oauthClient: { client_id: "0oa1", token_endpoint_auth_method: "private_key_jwt" } },
      settings: { oauthClient: { ...app.settings.oauthClient, jwks_uri: "https://keys.example/jwks" } },
    });
    expect(app.credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
    expect(withAuthSettings(next, "client_secret_basic", null).settings).toEqual(app.settings);
    expect(withAuthSettings(app, "none", undefined).settings).toEqual(app.settings);
  });
});

describe("AppAuthMethod check and diff (no Okta call)", () => {
  const provider = new AppAuthMethodProvider();

  it("validates the method and the JWKS URL", async () => {
    expect(
      (await provider.check({}, { appId: "0oa1", tokenEndpointAuthMethod: "private_key_jwt" })).failures,
    ).toBeUndefined();
    const r = await provider.check(
      {},
      { appId: "", tokenEndpointAuthMethod: "mtls", jwksUri: "http://insecure/jwks" },
    );
    expect(r.failures?.map((f) => f.property).sort()).toEqual([
      "appId",
      "jwksUri",
      "tokenEndpointAuthMethod",
    ]);
  });

  it("updates on method or JWKS URL, replaces on app, no-op otherwise", () => {
    const olds = {
      appId: "0oa1",
      tokenEndpointAuthMethod: "private_key_jwt",
      previousMethod: "client_secret_basic",
    };
    expect(diffAppAuthMethod(olds, { appId: "0oa1", tokenEndpointAuthMethod: "private_key_jwt" })).toEqual({
      changes: false,
      replaces: [],
    });
    expect(diffAppAuthMethod(olds, { appId: "0oa1", tokenEndpointAuthMethod: "client_secret_post" })).toEqual(
      {
        changes: true,
        replaces: [],
      },
    );
    expect(
      diffAppAuthMethod(olds, {
        appId: "0oa1",
        tokenEndpointAuthMethod: "private_key_jwt",
        jwksUri: "https://x",
      }),
    ).toEqual({ changes: true, replaces: [] });
    expect(
      diffAppAuthMethod(olds, { appId: "0oa2", tokenEndpointAuthMethod: "private_key_jwt" }).replaces,
    ).toEqual(["appId"]);
  });
});
