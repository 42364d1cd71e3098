// The pure rules of the OAuth app (oauthApp.ts): defaults, the app body sent to Okta, what Okta's answer becomes,
// check and diff. Each expectation is a rule of terraform-provider-okta's resource_okta_app_oauth.go.

import { describe, expect, it } from "vitest";
import { isSecretValue, secretValue, UNKNOWN, unwrapSecrets } from "../plugin-host";
import {
  buildAppBody,
  checkOAuthApp,
  defaultGrantTypes,
  defaultResponseTypes,
  diffOAuthApp,
  grantTypesProblem,
  oauthAppInputsSchema,
  outputsFromApp,
  pkceRequiredFor,
  SERVED_INPUTS,
} from "./oauthApp";

const VERSION = "7.0.0";
const parse = (v: Record<string, unknown>) => oauthAppInputsSchema().parse(v);
const service = { label: "billing", type: "service" };

describe("defaults", () => {
  it("fills the schema defaults: client_secret_basic, ACTIVE, omitSecret false, key rotation on, TRUSTED, ORG_URL", () => {
    expect(parse(service)).toEqual({
      ...service,
      tokenEndpointAuthMethod: "client_secret_basic",
      omitSecret: false,
      status: "ACTIVE",
      autoKeyRotation: true,
      consentMethod: "TRUSTED",
      issuerMode: "ORG_URL",
    });
  });

  it("grant types default to the type's required ones, or all valid ones of a type that requires none", () => {
    expect(defaultGrantTypes("service", undefined)).toEqual(["client_credentials"]);
    expect(defaultGrantTypes("web", [])).toEqual(["authorization_code"]);
    expect(defaultGrantTypes("native", undefined)).toEqual(["authorization_code"]);
    expect(defaultGrantTypes("browser", undefined)).toContain("implicit");
    expect(defaultGrantTypes("browser", undefined)).toContain("authorization_code");
    expect(defaultGrantTypes("web", ["authorization_code", "refresh_token"])).toEqual([
      "authorization_code",
      "refresh_token",
    ]);
    expect(defaultGrantTypes("unknown-type", undefined)).toEqual([]);
  });

  it("response types default to token for implicit/client_credentials and code for password/code/refresh", () => {
    expect(defaultResponseTypes(["client_credentials"], undefined)).toEqual(["token"]);
    expect(defaultResponseTypes(["authorization_code", "refresh_token"], undefined)).toEqual(["code"]);
    expect(defaultResponseTypes(["implicit", "authorization_code"], [])).toEqual(["token", "code"]);
    expect(defaultResponseTypes(["client_credentials"], ["id_token"])).toEqual(["id_token"]);
  });

  it("PKCE: as given; else on for auth method none and for a new native or browser app", () => {
    expect(pkceRequiredFor(parse({ ...service, pkceRequired: true }), false)).toBe(true);
    expect(pkceRequiredFor(parse({ label: "n", type: "native", pkceRequired: false }), true)).toBe(false);
    expect(pkceRequiredFor(parse({ ...service, tokenEndpointAuthMethod: "none" }), false)).toBe(true);
    expect(pkceRequiredFor(parse({ label: "n", type: "native" }), true)).toBe(true);
    expect(pkceRequiredFor(parse({ label: "b", type: "browser" }), true)).toBe(true);
    expect(pkceRequiredFor(parse({ label: "n", type: "native" }), false)).toBe(false);
    expect(pkceRequiredFor(parse({ label: "w", type: "web" }), true)).toBe(false);
  });
});

describe("the app body", () => {
  it("an OIDC app with the credentials and client settings of the inputs", () => {
    const body = buildAppBody(
      parse({
        label: "portal",
        type: "web",
        grantTypes: ["authorization_code", "refresh_token"],
        redirectUris: ["https://b.example/cb", "https://a.example/cb"],
        postLogoutRedirectUris: ["https://a.example/"],
        tokenEndpointAuthMethod: "client_secret_post",
        autoKeyRotation: false,
        clientId: "portal-client",
        consentMethod: "REQUIRED",
        issuerMode: "DYNAMIC",
      }),
      true,
    );
    expect(body).toMatchObject({
      label: "portal",
      name: "oidc_client",
      signOnMode: "OPENID_CONNECT",
      credentials: {
        oauthClient: {
          autoKeyRotation: false,
          client_id: "portal-client",
          token_endpoint_auth_method: "client_secret_post",
          pkce_required: false,
        },
      },
      settings: {
        oauthClient: {
          application_type: "web",
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          redirect_uris: ["https://b.example/cb", "https://a.example/cb"],
          post_logout_redirect_uris: ["https://a.example/"],
          consent_method: "REQUIRED",
          issuer_mode: "DYNAMIC",
          refresh_token: { rotation_type: "STATIC", leeway: 0 },
        },
      },
    });
  });

  it("no client_id, no URIs and no refresh-token settings when not given; no client secret on create", () => {
    const body = buildAppBody(parse(service), true) as {
      credentials: { oauthClient: Record<string, unknown> };
      settings: { oauthClient: Record<string, unknown> };
    };
    expect(Object.keys(body.credentials.oauthClient).sort()).toEqual(
      ["autoKeyRotation", "pkce_required", "token_endpoint_auth_method"].sort(),
    );
    expect(body.settings.oauthClient.redirect_uris).toBeUndefined();
    expect(body.settings.oauthClient.post_logout_redirect_uris).toBeUndefined();
    expect(body.settings.oauthClient.refresh_token).toBeUndefined();
    expect(body.settings.oauthClient.grant_types).toEqual(["client_credentials"]);
    expect(body.settings.oauthClient.response_types).toEqual(["token"]);
  });

  it("an update sends the kept client secret, unless omitSecret", () => {
    const kept = "kept-secret-value";
    const send = buildAppBody(parse(service), false, kept) as { credentials: { oauthClient: object } };
    expect(send.credentials.oauthClient).toHaveProperty("client_secret");
    expect((send.credentials.oauthClient as { client_secret: string }).client_secret === kept).toBe(true);
    const omit = buildAppBody(parse({ ...service, omitSecret: true }), false, kept) as {
      credentials: { oauthClient: object };
    };
    expect(omit.credentials.oauthClient).not.toHaveProperty("client_secret");
  });
});

describe("what Okta's app object becomes", () => {
  const app = {
    id: "0oa1",
    name: "oidc_client",
    label: "billing",
    status: "INACTIVE",
    signOnMode: "OPENID_CONNECT",
    credentials: {
      oauthClient: {
        client_id: "0oa1",
        token_endpoint_auth_method: "client_secret_basic",
        autoKeyRotation: true,
        pkce_required: false,
        client_secret: "never-read",
      },
    },
    settings: {
      oauthClient: {
        application_type: "service",
        grant_types: ["client_credentials"],
        response_types: ["token"],
        redirect_uris: [],
        post_logout_redirect_uris: [],
        issuer_mode: "ORG_URL",
        consent_method: "TRUSTED",
      },
    },
  };

  it("the read-back outputs, without the client secret", () => {
    expect(outputsFromApp(app)).toEqual({
      name: "oidc_client",
      status: "INACTIVE",
      signOnMode: "OPENID_CONNECT",
      label: "billing",
      clientId: "0oa1",
      tokenEndpointAuthMethod: "client_secret_basic",
      autoKeyRotation: true,
      pkceRequired: false,
      type: "service",
      consentMethod: "TRUSTED",
      issuerMode: "ORG_URL",
      redirectUris: [],
      responseTypes: ["token"],
      grantTypes: ["client_credentials"],
      postLogoutRedirectUris: [],
    });
  });

  it("no consentMethod when Okta returns none; no credential fields without a client id", () => {
    const bare = {
      ...app,
      credentials: { oauthClient: {} },
      settings: { oauthClient: { ...app.settings.oauthClient, consent_method: "" } },
    };
    const out = outputsFromApp(bare);
    expect(out).not.toHaveProperty("consentMethod");
    expect(out).not.toHaveProperty("clientId");
    expect(out).not.toHaveProperty("tokenEndpointAuthMethod");
  });
});

describe("check", () => {
  it("fills defaults and keeps a secret input secret", () => {
    const r = checkOAuthApp({}, { ...service, label: secretValue("billing") }, VERSION);
    expect(r.failures).toEqual([]);
    expect(isSecretValue(r.inputs.label)).toBe(true);
    expect(unwrapSecrets(r.inputs).plain).toMatchObject({
      label: "billing",
      status: "ACTIVE",
      tokenEndpointAuthMethod: "client_secret_basic",
    });
  });

  it("refuses an input it does not serve, naming it and the official plugin to install", () => {
    const r = checkOAuthApp({}, { ...service, jwksUri: "https://x.example/jwks", hideIos: false }, VERSION);
    expect(r.failures.map((f) => f.property)).toEqual(["jwksUri", "hideIos"]);
    for (const f of r.failures) {
      expect(f.reason).toContain("pulumi plugin install resource okta 7.0.0");
      expect(f.reason).toContain(SERVED_INPUTS.join(", "));
    }
  });

  it("refuses invalid values by field: missing label and type, a bad response type, a bad status", () => {
    const r = checkOAuthApp({}, { responseTypes: ["code", "secret"], status: "DELETED" }, VERSION);
    expect(r.failures.map((f) => f.property).sort()).toEqual(["label", "responseTypes.1", "status", "type"]);
  });

  it("grant types of the type (validateGrantTypes), implicit needs token or id_token (validateAppOAuth)", () => {
    const wrong = checkOAuthApp({}, { ...service, grantTypes: ["authorization_code"] }, VERSION);
    expect(wrong.failures).toEqual([
      { property: "grantTypes", reason: expect.stringContaining("must contain client_credentials") },
    ]);
    expect(grantTypesProblem("service", ["client_credentials", "password"])).toContain(
      "got client_credentials, password",
    );
    expect(grantTypesProblem("custom", ["anything"])).toBeUndefined();
    const implicit = checkOAuthApp(
      {},
      { label: "b", type: "browser", grantTypes: ["implicit"], responseTypes: ["code"] },
      VERSION,
    );
    expect(implicit.failures.map((f) => f.property)).toEqual(["responseTypes"]);
  });

  it("private_key_jwt needs jwks or jwksUri, which the stand-in does not serve", () => {
    const r = checkOAuthApp({}, { ...service, tokenEndpointAuthMethod: "private_key_jwt" }, VERSION);
    expect(r.failures.map((f) => f.property)).toEqual(["tokenEndpointAuthMethod"]);
    expect(r.failures[0].reason).toContain("jwksUri");
  });

  it("passes unknown values (preview) unchecked and without a default", () => {
    const r = checkOAuthApp({}, { label: UNKNOWN, type: "service", status: UNKNOWN }, VERSION);
    expect(r.failures).toEqual([]);
    expect(r.inputs.label).toBe(UNKNOWN);
    expect(r.inputs.status).toBe(UNKNOWN);
  });
});

describe("diff", () => {
  const olds = {
    ...parse(service),
    id: "0oa1",
    clientId: "0oa1",
    name: "oidc_client",
    signOnMode: "OPENID_CONNECT",
    grantTypes: ["client_credentials"],
    responseTypes: ["token"],
    redirectUris: [],
    postLogoutRedirectUris: [],
    pkceRequired: false,
    clientSecret: secretValue("s"),
  };
  const news = parse(service);

  it("no change when the inputs match what Okta holds (computed fields not given are not compared)", () => {
    expect(diffOAuthApp(olds, news)).toEqual({ changes: false, replaces: [], updates: [] });
  });

  it("type replaces; a given clientId that differs replaces; label and status update", () => {
    expect(diffOAuthApp(olds, { ...news, type: "web" }).replaces).toEqual(["type"]);
    expect(diffOAuthApp(olds, { ...news, clientId: "other" }).replaces).toEqual(["clientId"]);
    expect(diffOAuthApp(olds, { ...news, clientId: "0oa1" }).changes).toBe(false);
    expect(diffOAuthApp(olds, { ...news, label: "renamed" })).toEqual({
      changes: true,
      replaces: [],
      updates: ["label"],
    });
    expect(diffOAuthApp(olds, { ...news, status: "INACTIVE" }).updates).toEqual(["status"]);
  });

  it("omitSecret: false → true updates, true → false replaces", () => {
    expect(diffOAuthApp(olds, { ...news, omitSecret: true })).toMatchObject({
      replaces: [],
      updates: ["omitSecret"],
    });
    expect(diffOAuthApp({ ...olds, omitSecret: true }, news)).toMatchObject({
      replaces: ["omitSecret"],
      updates: [],
    });
  });

  it("grant, response and post-logout types compare as sets, redirect URIs as a list", () => {
    const o = {
      ...olds,
      redirectUris: ["a", "b"],
      postLogoutRedirectUris: ["x", "y"],
      responseTypes: ["token", "id_token"],
    };
    expect(
      diffOAuthApp(o, {
        ...news,
        redirectUris: ["a", "b"],
        postLogoutRedirectUris: ["y", "x"],
        responseTypes: ["id_token", "token"],
      }).changes,
    ).toBe(false);
    expect(
      diffOAuthApp(o, { ...news, redirectUris: ["b", "a"], postLogoutRedirectUris: ["x", "y"] }).updates,
    ).toEqual(["redirectUris"]);
    expect(diffOAuthApp(olds, { ...news, grantTypes: ["client_credentials", "implicit"] }).updates).toEqual([
      "grantTypes",
    ]);
  });

  it("an unknown value counts as a change (a replace for type)", () => {
    expect(diffOAuthApp(olds, { ...news, type: UNKNOWN }).replaces).toEqual(["type"]);
    expect(diffOAuthApp(olds, { ...news, label: UNKNOWN }).updates).toEqual(["label"]);
  });
});
