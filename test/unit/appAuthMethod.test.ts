import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { AppAuthMethodProvider, diffAppAuthMethod, readAuthSettings, withAuthSettings } from "../../dynamic";
import {
  putDrift,
  putDriftMessage,
  releaseMessage,
  renumberedKeys,
  withKeys,
} from "../../dynamic/appAuthMethod";

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

describe("AppAuthMethod delete releases the app (no Okta call)", () => {
  const provider = new AppAuthMethodProvider();
  const outs = {
    appId: "0oa1",
    tokenEndpointAuthMethod: "private_key_jwt" as const,
    previousMethod: "client_secret_basic",
  };

  it("says which app keeps which method, and how to change it by hand or by privateKeyJwt.rollback", () => {
    expect(releaseMessage(outs)).toBe(
      "AppAuthMethod of app 0oa1 is released, not reverted: the app keeps token_endpoint_auth_method " +
        "private_key_jwt in Okta (it had client_secret_basic before this stack), so its clients keep " +
        "authenticating as they do now; it is no longer managed by this stack. To go back to a client secret " +
        "without downtime, set privateKeyJwt.rollback: true on the app and run pulumi up before removing it from " +
        "the stack. To change it by hand, first give the clients a credential for the new method, then set " +
        "credentials.oauthClient.token_endpoint_auth_method in the Okta Admin Console (or GET + PUT the whole app).",
    );
    const secret = releaseMessage({
      appId: "0oa2",
      tokenEndpointAuthMethod: "client_secret_basic",
      jwksUri: "https://keys.example/jwks",
      previousMethod: "client_secret_basic",
    });
    expect(secret).toMatch(
      /^AppAuthMethod of app 0oa2 is released, not reverted: the app keeps token_endpoint_auth_method client_secret_basic and jwks_uri https:\/\/keys.example\/jwks in Okta, so/,
    );
    expect(secret).not.toMatch(/rollback/);
  });

  it("warns with that message and touches nothing (no Okta connection is even configured here)", async () => {
    // providerWarning logs only under the engine or in the dynamic provider host (recognised by its argv).
    const warnings: string[] = [];
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async (m: string) => {
      warnings.push(m);
    });
    process.argv.push("--as-in-dynamic-provider");
    try {
      await provider.delete("0oa1", outs);
    } finally {
      process.argv.splice(process.argv.indexOf("--as-in-dynamic-provider"), 1);
      warn.mockRestore();
    }
    expect(warnings).toEqual([releaseMessage(outs)]);
  });
});

describe("a whole-app PUT and what it must keep", () => {
  const key = (kid: string, id: string, over: Record<string, string> = {}) => ({
    id,
    kid,
    status: "ACTIVE" as const,
    kty: "RSA",
    alg: "RS256",
    use: "sig",
    ...over,
  });
  const sent = {
    ...app,
    credentials: { oauthClient: { client_id: "0oa1", token_endpoint_auth_method: "private_key_jwt" } },
    settings: {
      oauthClient: { ...app.settings.oauthClient, dpop_bound_access_tokens: true },
    },
  };

  it("carries every key in settings.oauthClient.jwks.keys, and none when there is none", () => {
    const k = key("k1", "pks1");
    const next = withKeys(app, [k]);
    expect(next.settings).toEqual({ oauthClient: { ...app.settings.oauthClient, jwks: { keys: [k] } } });
    expect(withKeys(next, []).settings).toEqual(app.settings);
    expect(app.settings.oauthClient).not.toHaveProperty("jwks");
  });

  it("sees nothing when the app reads back as sent, keys renumbered but matched by kid", () => {
    expect(putDrift(sent, [key("k1", "pks1")], structuredClone(sent), [key("k1", "pks9")])).toEqual([]);
  });

  it("names each field dropped or changed: dpop_bound_access_tokens, jwks_uri, a key's use, the set of kids", () => {
    const after = structuredClone(sent) as Record<string, unknown> & typeof sent;
    delete (after.settings.oauthClient as Record<string, unknown>).dpop_bound_access_tokens;
    (after.settings.oauthClient as Record<string, unknown>).jwks_uri = "https://keys.example/jwks";
    const drift = putDrift(sent, [key("k1", "pks1"), key("k2", "pks2")], after, [
      key("k1", "pks7", { use: "enc" }),
    ]);
    expect(drift).toEqual([
      { field: "settings.oauthClient.jwks_uri", sent: undefined, found: "https://keys.example/jwks" },
      { field: "settings.oauthClient.dpop_bound_access_tokens", sent: true, found: undefined },
      { field: "settings.oauthClient.jwks.keys (kids)", sent: ["k1", "k2"], found: ["k1"] },
      { field: "settings.oauthClient.jwks.keys[kid=k1].use", sent: "sig", found: "enc" },
    ]);
    const message = putDriftMessage("0oa1", "private_key_jwt", drift);
    expect(message).toContain(
      "AppAuthMethod of app 0oa1: the PUT that set token_endpoint_auth_method to private_key_jwt",
    );
    expect(message).toContain(
      "settings.oauthClient.dpop_bound_access_tokens: sent true, Okta now has absent",
    );
    expect(message).toContain('settings.oauthClient.jwks.keys[kid=k1].use: sent "sig", Okta now has "enc"');
    expect(message).toMatch(/What to do: put those fields back on app 0oa1 .*re-register keys that are gone/);
  });

  it("sees an auth method Okta did not take", () => {
    const after = withAuthSettings(sent, "client_secret_basic", undefined);
    expect(putDrift(sent, [], after, []).map((d) => d.field)).toEqual([
      "credentials.oauthClient.token_endpoint_auth_method",
    ]);
  });
});

describe("renumberedKeys: the ids a whole-app PUT gave the keys", () => {
  const key = (id: string, kid: string) => ({ id, kid, status: "ACTIVE" as const });
  it("maps each kept key's id before the PUT to its id after, by kid; a key that kept its id is not listed", () => {
    expect(
      renumberedKeys(undefined, [key("pks1", "a"), key("pks2", "b")], [key("pks3", "a"), key("pks2", "b")]),
    ).toEqual({
      pks1: "pks3",
    });
    expect(renumberedKeys(undefined, [key("pks1", "a")], [])).toEqual({});
  });
  it("follows a key through several PUTs: an id from before the first names its id after the last", () => {
    const first = renumberedKeys(undefined, [key("pks1", "a")], [key("pks2", "a")]);
    const second = renumberedKeys(
      first,
      [key("pks2", "a"), key("pks9", "n")],
      [key("pks3", "a"), key("pks4", "n")],
    );
    expect(second).toEqual({ pks1: "pks3", pks2: "pks3", pks9: "pks4" });
  });
});
