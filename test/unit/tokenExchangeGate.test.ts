import { describe, expect, it } from "vitest";
import { basicExchangeRequest, gateProvider, overlapRemainingMs } from "../../dynamic/tokenExchangeGate";
import { UNKNOWN } from "../../dynamic/providerValues";
import { ROTATION_SCOPE, startOktaLocal } from "../../local-env/okta";
import {
  POLICY_REFUSAL,
  authServerIdOf,
  isPolicyRefusal,
  policyRefusalHint,
} from "../../dynamic/tokenEndpoint";

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
          "policy rule that lets this app use client_credentials (docs/configuration.md#connecting-to-okta). " +
          "Nothing was changed: the new secret is proven only where Okta can grant it a token.",
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

describe("a gate Okta refuses for want of an access policy rule", () => {
  it("recognises Okta's refusal and says which policy and rule to create", () => {
    const body = { error: "access_denied", error_description: POLICY_REFUSAL };
    expect(isPolicyRefusal(401, body)).toBe(true);
    expect(isPolicyRefusal(400, body)).toBe(false);
    expect(isPolicyRefusal(401, { error: "invalid_client", error_description: POLICY_REFUSAL })).toBe(false);
    expect(authServerIdOf("https://org.example/oauth2/aus1abc/v1/token")).toBe("aus1abc");
    expect(authServerIdOf("https://org.example/oauth2/v1/token")).toBeUndefined();
    const hint = policyRefusalHint("https://org.example/oauth2/aus1abc/v1/token", "0oaX", "a.read b.write");
    expect(hint).toContain("no access policy rule on authorization server aus1abc");
    expect(hint).toContain("POST /api/v1/authorizationServers/aus1abc/policies");
    expect(hint).toContain("clients include 0oaX");
    expect(hint).toContain("grant types include client_credentials and whose scopes include a.read b.write");
    expect(policyRefusalHint("https://org.example/oauth2/default/v1/token", "0oaX", undefined)).toContain(
      "scopes include the server's default scopes",
    );
  });

  it("fails naming the policy and rule to create; a policy without rules does not block the rule added later", async () => {
    const okta = await startOktaLocal({ apps: [{ label: "no-policy", inRotationPolicy: false }] });
    try {
      const app = okta.apps[0];
      const [secret] = okta.listSecrets(app.id);
      const gateInputs = {
        appId: app.id,
        secretId: secret.id,
        generation: 1,
        clientId: app.clientId,
        clientSecret: secret.clientSecret,
        tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
        scope: ROTATION_SCOPE,
        exchange: true,
        minOverlapSeconds: 0,
        activeSince: new Date().toISOString(),
      };
      const fail = async (): Promise<Error> => {
        try {
          await gateProvider.create(gateInputs);
        } catch (e) {
          return e as Error;
        }
        throw new Error("expected the gate to fail");
      };
      const err = await fail();
      expect(err.message).toContain(`HTTP 401 access_denied: ${POLICY_REFUSAL}`);
      expect(err.message).toContain(
        `no access policy rule on authorization server default that lets client ${app.clientId} use client_credentials for ${ROTATION_SCOPE}`,
      );
      expect(err.message).toContain("The previous secret stays ACTIVE");
      expect(err.message.includes(secret.clientSecret)).toBe(false);
      // What the message says to create, created through Okta's API: first the policy (no rule yet)…
      const mgmt = (path: string, body: unknown) =>
        fetch(`${okta.orgUrl}/api/v1/authorizationServers/default${path}`, {
          method: "POST",
          headers: { Authorization: `SSWS ${okta.apiToken}`, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, json: (await r.json()) as { id: string } }));
      const policy = await mgmt("/policies", {
        type: "OAUTH_AUTHORIZATION_POLICY",
        name: "gate",
        priority: 1,
        conditions: { clients: { include: [app.clientId] } },
      });
      expect(policy.status).toBe(201);
      expect((await fail()).message).toContain("Create on that server");
      // …then its rule: the gate opens.
      const rule = await mgmt(`/policies/${policy.json.id}/rules`, {
        type: "RESOURCE_ACCESS",
        name: "client_credentials",
        conditions: {
          grantTypes: { include: ["client_credentials"] },
          scopes: { include: [ROTATION_SCOPE] },
        },
      });
      expect(rule.status).toBe(201);
      const opened = await gateProvider.create(gateInputs);
      expect(opened.outs).toMatchObject({ exchangeStatus: 200 });
      expect(JSON.stringify(opened.outs).includes(secret.clientSecret)).toBe(false);
    } finally {
      await okta.close();
    }
  });
});
