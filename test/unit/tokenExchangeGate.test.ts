import { describe, expect, it } from "vitest";
import { basicExchangeRequest, gateProvider, overlapRemainingMs } from "../../dynamic/tokenExchangeGate";
import { UNKNOWN } from "../../dynamic/providerValues";
import { ROTATION_SCOPE, startOktaLocal } from "../../local-env/okta";

describe("overlapRemainingMs", () => {
  const since = "2026-01-01T00:00:00.000Z";
  const t0 = Date.parse(since);
  it("counts down from activation to the minimum overlap", () => {
    expect(overlapRemainingMs(since, 900, t0)).toBe(900_000);
    expect(overlapRemainingMs(since, 900, t0 + 899_000)).toBe(1_000);
    expect(overlapRemainingMs(since, 900, t0 + 901_000)).toBe(0);
    expect(overlapRemainingMs(since, 0, t0)).toBe(0);
  });
  it("waits the whole overlap when the activation time is unknown", () => {
    expect(overlapRemainingMs("", 30, t0)).toBe(30_000);
  });
});

describe("basicExchangeRequest", () => {
  it("builds a client_secret_basic client_credentials request, form-encoding the credentials", () => {
    const req = basicExchangeRequest("my client", "p:ss", "api.read");
    const decoded = Buffer.from(req.headers.authorization.replace(/^Basic /, ""), "base64").toString();
    expect(decoded).toBe("my%20client:p%3Ass");
    expect(new URLSearchParams(req.body).get("grant_type")).toBe("client_credentials");
    expect(new URLSearchParams(req.body).get("scope")).toBe("api.read");
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });
});

describe("TokenExchangeGate check: where Okta can prove a secret (before anything is written)", () => {
  const SECRET = "never-in-a-message-0123456789";
  const news = (extra: Record<string, unknown> = {}) => ({
    appId: "0oaBilling",
    secretId: "ocs1",
    generation: 2,
    clientId: "0oaBilling",
    clientSecret: SECRET,
    tokenUrl: "https://example.okta.com/oauth2/default/v1/token",
    scope: ROTATION_SCOPE,
    exchange: true,
    minOverlapSeconds: 0,
    activeSince: "",
    ...extra,
  });

  it("refuses the org server with Okta's reason and what to set, naming the app and never the secret", async () => {
    const r = await gateProvider.check!({}, news({ tokenUrl: "https://example.okta.com/oauth2/v1/token" }));
    expect(r.failures).toEqual([
      {
        property: "tokenUrl",
        reason:
          "Token exchange gate of app 0oaBilling: https://example.okta.com/oauth2/v1/token is the org authorization " +
          "server, which takes client_credentials only from service apps authenticating with private_key_jwt, for " +
          'Okta scopes: a client secret is refused there (401 invalid_client: "Client Credentials requests to the Org ' +
          'Authorization Server must use the private_key_jwt token_endpoint_auth_method."); set gates.tokenUrl and ' +
          "gates.scope to a custom authorization server's token endpoint, e.g. " +
          "https://example.okta.com/oauth2/default/v1/token, and a scope defined on that server, with an access " +
          'policy rule that lets this app use client_credentials (README "Connecting to Okta"). Nothing was ' +
          "changed: the new secret is proven only where Okta can grant it a token.",
      },
    ]);
    expect(JSON.stringify(r.failures)).not.toContain(SECRET);
  });

  it("refuses openid at any server, and lets the rest through", async () => {
    const openid = await gateProvider.check!({}, news({ scope: "openid" }));
    expect(openid.failures?.[0]).toMatchObject({ property: "scope" });
    expect(openid.failures?.[0].reason).toContain("Cannot request 'openid' scopes using client credentials.");
    expect((await gateProvider.check!({}, news())).failures).toBeUndefined();
    // No exchange asked: nothing to refuse. Unknown in preview: decided once known.
    const org = "https://example.okta.com/oauth2/v1/token";
    expect(
      (await gateProvider.check!({}, news({ tokenUrl: org, exchange: false }))).failures,
    ).toBeUndefined();
    expect((await gateProvider.check!({}, news({ tokenUrl: UNKNOWN }))).failures).toBeUndefined();
  });

  it("refuses exactly what the local Okta refuses, with the same description", async () => {
    const okta = await startOktaLocal({ apps: [{ label: "gate-check" }] });
    try {
      const app = okta.apps[0];
      const [secret] = okta.listSecrets(app.id);
      for (const [path, scope] of [
        ["/oauth2/v1/token", ROTATION_SCOPE],
        ["/oauth2/default/v1/token", "openid"],
        ["/oauth2/default/v1/token", ROTATION_SCOPE],
      ] as const) {
        const tokenUrl = `${okta.orgUrl}${path}`;
        const req = basicExchangeRequest(app.clientId, secret.clientSecret, scope);
        const res = await fetch(tokenUrl, { method: "POST", headers: req.headers, body: req.body });
        const body = (await res.json()) as { error_description?: string };
        const check = await gateProvider.check!({}, news({ tokenUrl, scope, clientId: app.clientId }));
        if (res.status === 200) expect(check.failures).toBeUndefined();
        else expect(check.failures?.[0].reason).toContain(body.error_description);
      }
    } finally {
      await okta.close();
    }
  });
});
