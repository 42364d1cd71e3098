import { Client } from "@okta/okta-sdk-nodejs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal } from "./server";
import { secretHash } from "./store";
import { DEFAULT_AUTH_SERVER_ID, ROTATION_SCOPE } from "./authServers";
import { SERVICE_APP_SCOPES } from "./server";
import { CUSTOM_TOKEN_PATH, token } from "./test-helpers";
import { ecKey, rsaKey } from "./test-helpers";
import type { OktaLocal } from "./types";

// The official Okta SDK (v8) as the client. Some SDK releases refuse http:// org URLs unless
// `testing.disableHttpsCheck` is set; the config is passed through a variable so releases without
// that option accept it as well.
function sdk(
  okta: OktaLocal,
  auth: "ssws" | "privateKey",
  scopes = ["okta.apps.read", "okta.apps.manage"],
): Client {
  const config =
    auth === "ssws"
      ? { orgUrl: okta.orgUrl, token: okta.apiToken, testing: { disableHttpsCheck: true } }
      : {
          orgUrl: okta.orgUrl,
          authorizationMode: "PrivateKey",
          clientId: okta.serviceApp.clientId,
          scopes,
          privateKey: okta.serviceApp.privateJwk as Record<string, unknown>,
          keyId: okta.serviceApp.kid,
          testing: { disableHttpsCheck: true },
        };
  return new Client(config);
}

async function all<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of collection) if (item !== null) items.push(item);
  return items;
}

let okta: OktaLocal;
beforeAll(async () => {
  okta = await startOktaLocal({ apps: [] });
});
afterAll(() => okta.close());

describe.each(["ssws", "privateKey"] as const)("official SDK with %s auth", (auth) => {
  it("runs the client secret lifecycle: list, create, deactivate, delete", async () => {
    const app = okta.addApp({ label: `sdk-secrets-${auth}` });
    const api = sdk(okta, auth).applicationSSOPublicKeysApi;
    const listed = await all(await api.listOAuth2ClientSecrets({ appId: app.id }));
    expect(listed.map((s) => s.id)).toEqual([app.secrets[0].id]);
    expect(listed[0].status).toBe("ACTIVE");
    expect(listed[0].secret_hash === secretHash(app.secrets[0].clientSecret)).toBe(true);

    const created = await api.createOAuth2ClientSecret({ appId: app.id, oAuth2ClientSecretRequestBody: {} });
    expect(created.status).toBe("ACTIVE");
    expect(created.id).toMatch(/^ocs/);
    expect((created.client_secret ?? "").length >= 40).toBe(true);

    const deactivated = await api.deactivateOAuth2ClientSecret({
      appId: app.id,
      secretId: app.secrets[0].id,
    });
    expect(deactivated.status).toBe("INACTIVE");
    await api.deleteOAuth2ClientSecret({ appId: app.id, secretId: app.secrets[0].id });
    expect(okta.listSecrets(app.id).map((s) => s.id)).toEqual([created.id]);

    const after = await all(await api.listOAuth2ClientSecrets({ appId: app.id }));
    expect(after.map((s) => s.id)).toEqual([created.id]);
  });

  it("surfaces Okta's error body for a refused call", async () => {
    const app = okta.addApp({ label: `sdk-error-${auth}` });
    const api = sdk(okta, auth).applicationSSOPublicKeysApi;
    const err = await api
      .deactivateOAuth2ClientSecret({ appId: app.id, secretId: app.secrets[0].id })
      .then(() => undefined)
      .catch(
        (e: unknown) =>
          e as { status?: number; errorCode?: string; errorCauses?: { errorSummary: string }[] },
      );
    expect(err?.status).toBe(400);
    expect(err?.errorCode).toBe("E0000001");
    expect(err?.errorCauses?.[0]?.errorSummary).toBe("You can't deactivate the only active client secret.");
  });

  it("adds and lists JSON Web Keys", async () => {
    const app = okta.addApp({ label: `sdk-jwks-${auth}` });
    const api = sdk(okta, auth).applicationSSOPublicKeysApi;
    const rsa = await rsaKey("sdk-rsa");
    const ec = await ecKey("sdk-ec");
    const addedRsa = await api.addJwk({
      appId: app.id,
      addJwkRequest: { ...rsa.publicJwk, status: "ACTIVE" } as never,
    });
    expect(addedRsa.id).toMatch(/^pks/);
    expect(addedRsa.status).toBe("ACTIVE");
    const addedEc = await api.addJwk({
      appId: app.id,
      addJwkRequest: { ...ec.publicJwk, status: "INACTIVE" } as never,
    });
    expect(addedEc.status).toBe("INACTIVE");
    const listed = await api.listJwk({ appId: app.id });
    expect((listed.keys ?? []).map((k) => [k.id, k.kid, k.status])).toEqual([
      [addedRsa.id, "sdk-rsa", "ACTIVE"],
      [addedEc.id, "sdk-ec", "INACTIVE"],
    ]);
  });
});

describe("official SDK and rate limits", () => {
  it("waits for X-Rate-Limit-Reset after a 429 and retries", async () => {
    const local = await startOktaLocal({ rateLimits: { apps: 2, windowSeconds: 2 } });
    try {
      const api = sdk(local, "ssws").applicationSSOPublicKeysApi;
      const appId = local.apps[0].id;
      for (let i = 0; i < 3; i++)
        expect((await all(await api.listOAuth2ClientSecrets({ appId }))).length).toBe(1);
      const statuses = local.requestLog.map((e) => e.status);
      expect(statuses).toContain(429);
      expect(statuses.at(-1)).toBe(200);
      const refused = local.requestLog.find((e) => e.status === 429);
      const retried = local.requestLog.at(-1);
      // The retry came after the window the 429 named had ended.
      const windowEnd = Math.ceil((refused?.time ?? 0) / 2000) * 2000;
      expect((retried?.time ?? 0) >= windowEnd).toBe(true);
    } finally {
      await local.close();
    }
  });
});

describe("official SDK and DPoP", () => {
  // okta-sdk-nodejs 8.1.0 sends a DPoP proof (signed with the client's own private key) with every token
  // request and retries once `use_dpop_nonce` comes back. That retry is reachable in 8.1.0 because oauth.js
  // chains `.then(Http.errorFilter)` where `Http` is the module object, so no error filter runs on the token
  // response at all.
  const lines = (local: OktaLocal) => local.requestLog.map((e) => `${e.method} ${e.path} ${e.status}`);

  it("does the nonce exchange with a DPoP-bound service app and then calls with DPoP proofs", async () => {
    const local = await startOktaLocal({ apps: [{}] });
    try {
      const api = sdk(local, "privateKey").applicationSSOPublicKeysApi;
      const appId = local.apps[0].id;
      expect((await all(await api.listOAuth2ClientSecrets({ appId }))).length).toBe(1);
      expect((await all(await api.listOAuth2ClientSecrets({ appId }))).length).toBe(1);
      const path = `/api/v1/apps/${appId}/credentials/secrets`;
      expect(lines(local)).toEqual([
        "POST /oauth2/v1/token 400",
        "POST /oauth2/v1/token 200",
        `GET ${path} 200`,
        `GET ${path} 200`,
      ]);
    } finally {
      await local.close();
    }
  });

  it("gets a Bearer token in one request from a service app without DPoP", async () => {
    const local = await startOktaLocal({ apps: [{}], serviceAppDpop: false });
    try {
      const api = sdk(local, "privateKey").applicationSSOPublicKeysApi;
      const appId = local.apps[0].id;
      expect((await all(await api.listOAuth2ClientSecrets({ appId }))).length).toBe(1);
      expect(lines(local)).toEqual([
        "POST /oauth2/v1/token 200",
        `GET /api/v1/apps/${appId}/credentials/secrets 200`,
      ]);
    } finally {
      await local.close();
    }
  });
});

describe("official SDK and apps", () => {
  it("reads an app, switches it to private_key_jwt with replaceApplication, and lists apps", async () => {
    const app = okta.addApp({ label: "sdk-app" });
    const client = sdk(okta, "ssws");
    const rsa = await rsaKey("sdk-switch");
    await client.applicationSSOPublicKeysApi.addJwk({ appId: app.id, addJwkRequest: rsa.publicJwk as never });
    const got = (await client.applicationApi.getApplication({ appId: app.id })) as unknown as {
      label: string;
      credentials: { oauthClient: { token_endpoint_auth_method: string; client_id: string } };
    };
    expect(got.label).toBe("sdk-app");
    expect(got.credentials.oauthClient.client_id).toBe(app.clientId);
    got.credentials.oauthClient.token_endpoint_auth_method = "private_key_jwt";
    const replaced = (await client.applicationApi.replaceApplication({
      appId: app.id,
      application: got as never,
    })) as unknown as typeof got;
    expect(replaced.credentials.oauthClient.token_endpoint_auth_method).toBe("private_key_jwt");
    expect((okta.getApp(app.id) as typeof got).credentials.oauthClient.token_endpoint_auth_method).toBe(
      "private_key_jwt",
    );
    const labels = (await all(await client.applicationApi.listApplications())).map((a) => a.label);
    expect(labels).toContain("sdk-app");
  });
});

describe.each(["ssws", "privateKey"] as const)(
  "official SDK sets up a custom authorization server (%s)",
  (auth) => {
    it("creates an app, a scope, a policy and a rule; the app then gets a token with its secret", async () => {
      const client = sdk(okta, auth, SERVICE_APP_SCOPES);
      const authServerId = DEFAULT_AUTH_SERVER_ID;
      const app = (await client.applicationApi.createApplication({
        application: {
          name: "oidc_client",
          label: `sdk-created-${auth}`,
          signOnMode: "OPENID_CONNECT",
          credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
          settings: {
            oauthClient: {
              grant_types: ["client_credentials"],
              response_types: ["token"],
              application_type: "service",
            },
          },
        } as never,
      })) as unknown as {
        id: string;
        credentials: { oauthClient: { client_id: string; client_secret: string } };
      };
      expect(app.id).toMatch(/^0oa/);
      const { client_id: clientId, client_secret: secret } = app.credentials.oauthClient;
      expect(clientId).toBe(app.id);
      expect(typeof secret === "string" && secret.length >= 40).toBe(true);

      const scopeName = `rotation.sdk-${auth}`;
      const scope = await client.authorizationServerApi.createOAuth2Scope({
        authServerId,
        oAuth2Scope: { name: scopeName, description: "created with the SDK" },
      });
      expect(scope.id).toMatch(/^scp/);
      const scopes = await all(await client.authorizationServerApi.listOAuth2Scopes({ authServerId }));
      expect(scopes.map((x) => x.name)).toEqual(expect.arrayContaining([ROTATION_SCOPE, scopeName]));

      const policy = await client.authorizationServerApi.createAuthorizationServerPolicy({
        authServerId,
        policy: {
          type: "OAUTH_AUTHORIZATION_POLICY",
          name: `SDK ${auth}`,
          description: "created with the SDK",
          status: "ACTIVE",
          conditions: { clients: { include: [clientId] } },
        } as never,
      });
      expect(policy.id).toMatch(/^00p/);
      const policies = await all(
        await client.authorizationServerApi.listAuthorizationServerPolicies({ authServerId }),
      );
      expect(policies.map((p) => p.id)).toContain(policy.id);

      const rule = await client.authorizationServerApi.createAuthorizationServerPolicyRule({
        authServerId,
        policyId: policy.id ?? "",
        policyRule: {
          type: "RESOURCE_ACCESS",
          name: "client_credentials",
          conditions: {
            grantTypes: { include: ["client_credentials"] },
            scopes: { include: [scopeName] },
          },
        } as never,
      });
      expect(rule.id).toMatch(/^0pr/);
      const rules = await all(
        await client.authorizationServerApi.listAuthorizationServerPolicyRules({
          authServerId,
          policyId: policy.id ?? "",
        }),
      );
      expect(rules.map((r) => r.conditions?.grantTypes?.include)).toEqual([["client_credentials"]]);

      const t = await token(
        okta,
        { grant_type: "client_credentials", scope: scopeName },
        { basic: [clientId, secret], path: CUSTOM_TOKEN_PATH },
      );
      expect(t.status).toBe(200);
    });

    it("grants an Okta scope to a service app and lists its grants", async () => {
      const client = sdk(okta, auth, SERVICE_APP_SCOPES);
      const app = okta.addApp({ label: `sdk-grants-${auth}`, tokenEndpointAuthMethod: "private_key_jwt" });
      const granted = await client.applicationApi.grantConsentToScope({
        appId: app.id,
        oAuth2ScopeConsentGrant: { issuer: okta.orgUrl, scopeId: "okta.apps.read" },
      });
      expect(granted.id).toMatch(/^oag/);
      expect(granted.scopeId).toBe("okta.apps.read");
      const grants = await all(await client.applicationApi.listScopeConsentGrants({ appId: app.id }));
      expect(grants.map((g) => [g.scopeId, g.issuer, g.status])).toEqual([
        ["okta.apps.read", okta.orgUrl, "ACTIVE"],
      ]);
      const refused = await client.applicationApi
        .grantConsentToScope({
          appId: app.id,
          oAuth2ScopeConsentGrant: { issuer: okta.orgUrl, scopeId: ROTATION_SCOPE },
        })
        .then(() => undefined)
        .catch((e: unknown) => e as { status?: number; errorCode?: string });
      expect([refused?.status, refused?.errorCode]).toEqual([400, "E0000001"]);
    });
  },
);
