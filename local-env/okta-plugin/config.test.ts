// How the plugin resolves its configuration (config.ts), as terraform-provider-okta's config.go and idaas.go do.

import { describe, expect, it } from "vitest";
import { secretValue, UNKNOWN } from "../plugin-host";
import { CONFIG_UNKNOWN, oktaOrgUrl, parseScopes, resolveOktaConnection } from "./config";

const TOKEN = "00local-api-token-value";

describe("the org URL", () => {
  it("is http_proxy without its trailing slash when set: it replaces the org URL, plain http included", () => {
    expect(oktaOrgUrl({ httpProxy: "http://127.0.0.1:41234/", orgName: "acme" })).toBe(
      "http://127.0.0.1:41234",
    );
    const c = resolveOktaConnection(
      { orgName: "local" },
      {},
      { OKTA_HTTP_PROXY: "http://127.0.0.1:8080", OKTA_API_TOKEN: TOKEN },
    );
    expect(c).toEqual({
      orgUrl: "http://127.0.0.1:8080",
      credentials: { kind: "apiToken", apiToken: TOKEN },
    });
  });

  it("is https://<org_name>.<base_url> otherwise, base_url okta.com unless set", () => {
    expect(oktaOrgUrl({ orgName: "acme" })).toBe("https://acme.okta.com");
    expect(oktaOrgUrl({ orgName: "acme", baseUrl: "oktapreview.com" })).toBe("https://acme.oktapreview.com");
  });

  it("names org_name and http_proxy when there is neither; refuses a proxy that is not an http(s) URL", () => {
    expect(() => oktaOrgUrl({})).toThrow(/okta:orgName.*OKTA_ORG_NAME.*okta:httpProxy.*OKTA_HTTP_PROXY/);
    expect(() => oktaOrgUrl({ httpProxy: "127.0.0.1:80" })).toThrow(/okta:httpProxy/);
    expect(() => oktaOrgUrl({ httpProxy: "not a url" })).toThrow(/is not a URL/);
  });
});

describe("the settings' sources", () => {
  it("the provider's inputs win over the environment, key by key (config.go NewConfig)", () => {
    const c = resolveOktaConnection(
      { orgName: "from-config", apiToken: secretValue("config-token") },
      {},
      { OKTA_ORG_NAME: "from-env", OKTA_BASE_URL: "oktapreview.com", OKTA_API_TOKEN: TOKEN },
    );
    expect(c).toEqual({
      orgUrl: "https://from-config.oktapreview.com",
      credentials: { kind: "apiToken", apiToken: "config-token" },
    });
  });

  it("takes the older okta:config:<key> variables", () => {
    const c = resolveOktaConnection(
      undefined,
      { "okta:config:httpProxy": "http://127.0.0.1:1", "okta:config:apiToken": TOKEN },
      {},
    );
    expect(c).toMatchObject({ orgUrl: "http://127.0.0.1:1" });
  });

  it("is unknown while a provider input is not known yet (preview)", () => {
    expect(resolveOktaConnection({ apiToken: UNKNOWN }, {}, { OKTA_ORG_NAME: "acme" })).toBe(CONFIG_UNKNOWN);
  });
});

describe("credentials", () => {
  const env = { OKTA_HTTP_PROXY: "http://127.0.0.1:9" };

  it("a private key with client id and scopes is an OAuth service app (comma-separated or JSON scopes)", () => {
    const c = resolveOktaConnection(
      {
        privateKey: secretValue("PEM"),
        clientId: "0oaService",
        privateKeyId: "kid1",
        scopes: '["okta.apps.read","okta.apps.manage"]',
      },
      {},
      env,
    );
    expect(c).toEqual({
      orgUrl: "http://127.0.0.1:9",
      credentials: {
        kind: "privateKey",
        clientId: "0oaService",
        privateKey: "PEM",
        privateKeyId: "kid1",
        scopes: ["okta.apps.read", "okta.apps.manage"],
      },
    });
    expect(parseScopes("okta.apps.read, okta.apps.manage")).toEqual(["okta.apps.read", "okta.apps.manage"]);
    expect(parseScopes(["a"])).toEqual(["a"]);
  });

  it("an API token comes before a private key (idaas.go's switch)", () => {
    const c = resolveOktaConnection({}, {}, { ...env, OKTA_API_TOKEN: TOKEN, OKTA_API_PRIVATE_KEY: "PEM" });
    expect(c).toMatchObject({ credentials: { kind: "apiToken" } });
  });

  it("refuses what it cannot use, naming the keys and never the values", () => {
    const errors = [
      () => resolveOktaConnection({}, {}, env),
      () => resolveOktaConnection({ accessToken: "bearer-value" }, {}, { ...env, OKTA_API_TOKEN: TOKEN }),
      () => resolveOktaConnection({ privateKey: "PEM-value" }, {}, env),
      () => resolveOktaConnection({ privateKey: "PEM-value", clientId: "c" }, {}, env),
    ].map((f) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    });
    expect(errors[0]).toMatch(/no Okta credentials.*okta:apiToken.*OKTA_API_TOKEN/);
    expect(errors[1]).toMatch(/okta:accessToken.*OKTA_ACCESS_TOKEN.*not served/);
    expect(errors[2]).toMatch(/okta:clientId.*OKTA_API_CLIENT_ID/);
    expect(errors[3]).toMatch(/okta:scopes.*OKTA_API_SCOPES/);
    for (const m of errors) {
      expect(m).not.toBe("");
      for (const v of [TOKEN, "bearer-value", "PEM-value"]) expect(m.includes(v)).toBe(false);
    }
  });
});
