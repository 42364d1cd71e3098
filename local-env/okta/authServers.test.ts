// Which authorization server takes a client_credentials request, and the management API that sets a custom
// one up. Outcomes are asserted as Okta answers them (okta-api.md, "Token endpoint"), over raw HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_AUTH_SERVER_ID, ROTATION_POLICY, ROTATION_SCOPE } from "./authServers";
import { startOktaLocal } from "./server";
import {
  api,
  ASSERTION_TYPE,
  clientAssertion,
  CUSTOM_TOKEN_PATH,
  oktaError,
  ORG_TOKEN_PATH,
  rsaKey,
  serviceToken,
  token,
  type KeyPair,
  type Reply,
} from "./test-helpers";
import { DESCRIPTIONS as D } from "./tokens";
import type { OktaLocal } from "./types";

let okta: OktaLocal;
let key: KeyPair;
beforeAll(async () => {
  // Bearer management tokens for the seeded service app (its DPoP binding is tested in dpop.test.ts).
  okta = await startOktaLocal({ apps: [{ label: "seeded" }], serviceAppDpop: false });
  key = await rsaKey("authz-key");
});
afterAll(() => okta.close());

const cc = { grant_type: "client_credentials" };
const oauth = (r: Reply) => ({ status: r.status, json: r.json as unknown });
const refused = (status: number, error: string, description: string) => ({
  status,
  json: { error, error_description: description },
});
const servers = `/api/v1/authorizationServers/${DEFAULT_AUTH_SERVER_ID}`;

/** A private_key_jwt app with `key` registered; optionally of another application_type. */
async function keyApp(label: string, applicationType?: "service" | "web"): Promise<string> {
  const app = okta.addApp({ label, tokenEndpointAuthMethod: "private_key_jwt", applicationType });
  expect(
    (await api(okta, "POST", `/api/v1/apps/${app.id}/credentials/jwks`, { body: key.publicJwk })).status,
  ).toBe(201);
  return app.id;
}

/** A client_credentials request with a client assertion, at the org server unless `path` says otherwise. */
async function withKey(clientId: string, scope: string | undefined, path = ORG_TOKEN_PATH): Promise<Reply> {
  const assertion = await clientAssertion(key.privateKey, { clientId, aud: `${okta.orgUrl}${path}` });
  const form: Record<string, string> = {
    ...cc,
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertion,
  };
  if (scope !== undefined) form.scope = scope;
  return token(okta, form, { path });
}

describe("org authorization server, client_credentials", () => {
  it("refuses a client secret, whatever the scope", async () => {
    const app = okta.addApp({ label: "org-secret" });
    const basic: [string, string] = [app.clientId, app.secrets[0].clientSecret];
    for (const scope of ["okta.apps.read", ROTATION_SCOPE]) {
      const r = await token(okta, { ...cc, scope }, { basic, path: ORG_TOKEN_PATH });
      expect(oauth(r)).toEqual(refused(401, "invalid_client", D.orgServerNeedsPrivateKeyJwt));
    }
  });

  it("refuses an app that is not a service app", async () => {
    const id = await keyApp("org-web", "web");
    expect(oauth(await withKey(id, "okta.apps.read"))).toEqual(
      refused(401, "invalid_client", D.orgServerNeedsService),
    );
  });

  it("needs Okta scopes: none, custom ones and openid are refused", async () => {
    const id = await keyApp("org-scopes");
    expect(oauth(await withKey(id, undefined))).toEqual(refused(400, "invalid_scope", D.noScopes));
    expect(oauth(await withKey(id, ROTATION_SCOPE))).toEqual(
      refused(400, "invalid_scope", D.customScopesAtOrg),
    );
    expect(oauth(await withKey(id, "openid"))).toEqual(refused(400, "invalid_scope", D.openidScopes));
  });

  it("issues only the granted Okta scopes, and none when none is granted", async () => {
    const id = await keyApp("org-grants");
    expect(oauth(await withKey(id, "okta.apps.read"))).toEqual(
      refused(400, "consent_required", D.notAllowedScopes),
    );
    const g = await api(okta, "POST", `/api/v1/apps/${id}/grants`, {
      body: { issuer: okta.orgUrl, scopeId: "okta.apps.read" },
    });
    expect(g.status).toBe(201);
    const r = await withKey(id, "okta.apps.read okta.apps.manage");
    expect(r.status).toBe(200);
    expect(r.json.scope).toBe("okta.apps.read");
    const read = await api(okta, "GET", `/api/v1/apps/${id}`, { auth: `Bearer ${r.json.access_token}` });
    expect(read.status).toBe(200);
    const write = await api(okta, "POST", `/api/v1/apps/${id}/credentials/secrets`, {
      auth: `Bearer ${r.json.access_token}`,
      body: {},
    });
    expect(oktaError(write)).toMatchObject({ status: 403, errorCode: "E0000006" });
  });

  it("keeps the seeded service app working for management tokens", async () => {
    const t = await serviceToken(okta, "okta.apps.read okta.authorizationServers.read");
    expect((await api(okta, "GET", `${servers}/scopes`, { auth: `Bearer ${t}` })).status).toBe(200);
  });
});

describe("custom authorization server, client_credentials", () => {
  const basicOf = (app: { clientId: string; secrets: { clientSecret: string }[] }): [string, string] => [
    app.clientId,
    app.secrets[0].clientSecret,
  ];

  it("issues the seeded scope to a seeded app with its secret", async () => {
    const r = await token(
      okta,
      { ...cc, scope: ROTATION_SCOPE },
      { basic: basicOf(okta.addApp({ label: "ok" })) },
    );
    expect(r.status).toBe(200);
    expect(r.json.scope).toBe(ROTATION_SCOPE);
  });

  it("needs a scope when the server has no default scope, and one defined on it", async () => {
    const basic = basicOf(okta.addApp({ label: "scopes" }));
    expect(oauth(await token(okta, cc, { basic }))).toEqual(refused(400, "invalid_scope", D.noDefaultScopes));
    for (const scope of ["billing.read", "okta.apps.read", `${ROTATION_SCOPE} billing.read`]) {
      expect(oauth(await token(okta, { ...cc, scope }, { basic }))).toEqual(
        refused(400, "invalid_scope", D.unknownScopes),
      );
    }
  });

  it("refuses openid and the other OIDC scopes", async () => {
    const basic = basicOf(okta.addApp({ label: "openid" }));
    for (const scope of [
      "openid",
      "profile",
      "email",
      "address",
      "phone",
      "offline_access",
      `openid ${ROTATION_SCOPE}`,
    ]) {
      expect(oauth(await token(okta, { ...cc, scope }, { basic }))).toEqual(
        refused(400, "invalid_scope", D.openidScopes),
      );
    }
  });

  it("refuses a client no access policy rule admits", async () => {
    const app = okta.addApp({ label: "no-policy", inRotationPolicy: false });
    expect(oauth(await token(okta, { ...cc, scope: ROTATION_SCOPE }, { basic: basicOf(app) }))).toEqual(
      refused(401, "access_denied", D.policyFailed),
    );
  });

  it("refuses an app without client_credentials in its grant types", async () => {
    const app = okta.addApp({ label: "no-grant-type", grantTypes: ["authorization_code"] });
    expect(oauth(await token(okta, { ...cc, scope: ROTATION_SCOPE }, { basic: basicOf(app) }))).toEqual(
      refused(
        400,
        "unauthorized_client",
        "The client is not authorized to use the provided grant type. Configured grant types: [authorization_code].",
      ),
    );
  });

  it("takes private_key_jwt too, with the custom server's URL as aud", async () => {
    const id = await keyApp("custom-pkj");
    expect((await withKey(id, ROTATION_SCOPE, CUSTOM_TOKEN_PATH)).status).toBe(200);
  });

  it("answers 404 E0000007 for an unknown authorization server", async () => {
    const r = await token(
      okta,
      { ...cc, scope: ROTATION_SCOPE },
      { basic: basicOf(okta.addApp({ label: "unknown-as" })), path: "/oauth2/nope/v1/token" },
    );
    expect(oktaError(r)).toMatchObject({ status: 404, errorCode: "E0000007" });
  });
});

describe("management API: apps, grants, scopes, policies, rules", () => {
  it("lists the seeded scope, policy and rule in Okta's shapes", async () => {
    const scopes = await api(okta, "GET", `${servers}/scopes`);
    expect(scopes.status).toBe(200);
    expect(scopes.json).toEqual([
      expect.objectContaining({ name: ROTATION_SCOPE, default: false, system: false, consent: "IMPLICIT" }),
    ]);
    expect(scopes.json[0].id).toMatch(/^scp/);
    const policies = await api(okta, "GET", `${servers}/policies`);
    expect(policies.json).toHaveLength(1);
    const policy = policies.json[0];
    expect(policy).toMatchObject({
      type: "OAUTH_AUTHORIZATION_POLICY",
      name: ROTATION_POLICY,
      status: "ACTIVE",
    });
    expect(policy.conditions.clients.include).toContain(okta.apps[0].clientId);
    expect(policy.conditions.clients.include).toContain(okta.serviceApp.clientId);
    const rules = await api(okta, "GET", `${servers}/policies/${policy.id}/rules`);
    expect(rules.json).toEqual([
      expect.objectContaining({
        type: "RESOURCE_ACCESS",
        status: "ACTIVE",
        conditions: expect.objectContaining({
          grantTypes: { include: ["client_credentials"] },
          scopes: { include: ["*"] },
        }),
      }),
    ]);
  });

  it("creates an OIDC app with a generated secret that a new policy rule then admits", async () => {
    const created = await api(okta, "POST", "/api/v1/apps", {
      body: {
        name: "oidc_client",
        label: "created-by-api",
        signOnMode: "OPENID_CONNECT",
        credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
        settings: {
          oauthClient: {
            grant_types: ["client_credentials"],
            response_types: ["token"],
            application_type: "service",
          },
        },
      },
    });
    expect(created.status).toBe(200);
    const oauthClient = created.json.credentials.oauthClient;
    expect(created.json.id).toMatch(/^0oa/);
    expect(oauthClient.client_id).toBe(created.json.id);
    expect(typeof oauthClient.client_secret === "string" && oauthClient.client_secret.length >= 40).toBe(
      true,
    );
    expect(created.json.settings.oauthClient).toMatchObject({
      issuer_mode: "DYNAMIC",
      grant_types: ["client_credentials"],
    });
    const basic: [string, string] = [oauthClient.client_id, oauthClient.client_secret];
    // The generated secret is the app's first client secret; GET does not show it again.
    expect(okta.listSecrets(created.json.id)).toHaveLength(1);
    expect(
      (await api(okta, "GET", `/api/v1/apps/${created.json.id}`)).json.credentials.oauthClient.client_secret,
    ).toBe(undefined);

    const exchange = () => token(okta, { ...cc, scope: "rotation.api-created" }, { basic });
    const scope = await api(okta, "POST", `${servers}/scopes`, { body: { name: "rotation.api-created" } });
    expect(scope.status).toBe(201);
    expect(oauth(await exchange())).toEqual(refused(401, "access_denied", D.policyFailed));

    const policy = await api(okta, "POST", `${servers}/policies`, {
      body: {
        type: "OAUTH_AUTHORIZATION_POLICY",
        name: "API-created apps",
        description: "client_credentials for apps created through the API",
        status: "ACTIVE",
        conditions: { clients: { include: [oauthClient.client_id] } },
      },
    });
    expect(policy.status).toBe(201);
    expect(policy.json).toMatchObject({
      priority: 2,
      system: false,
      conditions: { clients: { include: [oauthClient.client_id] } },
    });
    expect(oauth(await exchange())).toEqual(refused(401, "access_denied", D.policyFailed));

    const rule = await api(okta, "POST", `${servers}/policies/${policy.json.id}/rules`, {
      body: {
        type: "RESOURCE_ACCESS",
        name: "client_credentials",
        conditions: {
          grantTypes: { include: ["client_credentials"] },
          scopes: { include: ["rotation.api-created"] },
        },
        actions: { token: { accessTokenLifetimeMinutes: 15 } },
      },
    });
    expect(rule.status).toBe(201);
    expect(rule.json.id).toMatch(/^0pr/);
    const ok = await exchange();
    expect(ok.status).toBe(200);
    expect(ok.json.expires_in).toBe(900);
  });

  it("grants a scope with a default scope the server then issues unasked", async () => {
    const server = `/api/v1/authorizationServers/${DEFAULT_AUTH_SERVER_ID}`;
    const r = await api(okta, "POST", `${server}/scopes`, {
      body: { name: "rotation.default", default: true },
    });
    expect(r.json.default).toBe(true);
    const app = okta.addApp({ label: "default-scope" });
    const t = await token(okta, cc, { basic: [app.clientId, app.secrets[0].clientSecret] });
    expect(t.status).toBe(200);
    expect(t.json.scope).toBe("rotation.default");
  });

  it("lists grants and refuses what is not an Okta scope or has no issuer", async () => {
    const app = okta.addApp({ label: "grants" });
    const path = `/api/v1/apps/${app.id}/grants`;
    const g = await api(okta, "POST", path, { body: { issuer: okta.orgUrl, scopeId: "okta.apps.read" } });
    expect(g.json).toMatchObject({
      scopeId: "okta.apps.read",
      issuer: okta.orgUrl,
      clientId: app.clientId,
      status: "ACTIVE",
      source: "ADMIN",
    });
    expect(g.json.id).toMatch(/^oag/);
    expect((await api(okta, "GET", path)).json.map((x: { scopeId: string }) => x.scopeId)).toEqual([
      "okta.apps.read",
    ]);
    expect(
      oktaError(await api(okta, "POST", path, { body: { issuer: okta.orgUrl, scopeId: ROTATION_SCOPE } })),
    ).toMatchObject({ status: 400, errorCode: "E0000001", errorSummary: "Api validation failed: scopeId" });
    expect(oktaError(await api(okta, "POST", path, { body: { scopeId: "okta.apps.read" } }))).toMatchObject({
      status: 400,
      errorCode: "E0000001",
      errorSummary: "Api validation failed: issuer",
    });
  });

  it("validates scopes, policies and rules, and answers 404 for unknown servers and policies", async () => {
    expect(
      oktaError(await api(okta, "POST", `${servers}/scopes`, { body: { description: "no name" } })),
    ).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: "Api validation failed: name",
      cause: "name: The field cannot be left blank",
    });
    expect(
      oktaError(await api(okta, "POST", `${servers}/scopes`, { body: { name: ROTATION_SCOPE } })),
    ).toMatchObject({
      status: 400,
      errorCode: "E0000001",
    });
    expect(
      oktaError(await api(okta, "POST", `${servers}/policies`, { body: { name: "no clients" } })),
    ).toMatchObject({
      status: 400,
      errorSummary: "Api validation failed: conditions.clients.include",
    });
    const policyId = (await api(okta, "GET", `${servers}/policies`)).json[0].id;
    const noGrantTypes = await api(okta, "POST", `${servers}/policies/${policyId}/rules`, {
      body: { type: "RESOURCE_ACCESS", name: "x", conditions: { scopes: { include: ["*"] } } },
    });
    expect(oktaError(noGrantTypes)).toMatchObject({
      status: 400,
      errorSummary: "Api validation failed: conditions.grantTypes.include",
    });
    expect(oktaError(await api(okta, "GET", "/api/v1/authorizationServers/nope/scopes"))).toEqual({
      status: 404,
      errorCode: "E0000007",
      errorSummary: "Not found: Resource not found: nope (AuthorizationServer)",
      cause: undefined,
    });
    expect(oktaError(await api(okta, "GET", `${servers}/policies/00pMissing/rules`))).toMatchObject({
      status: 404,
      errorCode: "E0000007",
    });
  });

  it("authorizes each endpoint with the scopes its spec entry names", async () => {
    const appsOnly = await serviceToken(okta, "okta.apps.read okta.apps.manage");
    const asRead = await serviceToken(okta, "okta.authorizationServers.read");
    const bearer = (t: string) => `Bearer ${t}`;
    const forbidden = { status: 403, errorCode: "E0000006" };
    expect(oktaError(await api(okta, "GET", `${servers}/scopes`, { auth: bearer(appsOnly) }))).toMatchObject(
      forbidden,
    );
    expect(
      oktaError(
        await api(okta, "POST", `/api/v1/apps/${okta.apps[0].id}/grants`, {
          auth: bearer(appsOnly),
          body: { issuer: okta.orgUrl, scopeId: "okta.apps.read" },
        }),
      ),
    ).toMatchObject(forbidden);
    expect((await api(okta, "GET", `${servers}/policies`, { auth: bearer(asRead) })).status).toBe(200);
    expect(
      oktaError(
        await api(okta, "POST", `${servers}/scopes`, { auth: bearer(asRead), body: { name: "x.y" } }),
      ),
    ).toMatchObject(forbidden);
    const created = await api(okta, "POST", "/api/v1/apps", {
      auth: bearer(appsOnly),
      body: { name: "oidc_client", label: "by-service-app", signOnMode: "OPENID_CONNECT" },
    });
    expect(created.status).toBe(200);
    expect(oktaError(await api(okta, "POST", "/api/v1/apps", { auth: null, body: {} }))).toMatchObject({
      status: 401,
      errorCode: "E0000011",
    });
  });
});
