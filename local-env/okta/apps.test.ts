import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
} from "./test-helpers";
import type { OktaLocal } from "./types";
import { ROTATION_SCOPE } from "./authServers";
import { DESCRIPTIONS } from "./tokens";

let okta: OktaLocal;
let key: KeyPair;
beforeAll(async () => {
  // Bearer service tokens here; DPoP-bound ones are covered in dpop.test.ts.
  okta = await startOktaLocal({ serviceAppDpop: false });
  key = await rsaKey("switch-key");
});
afterAll(() => okta.close());

const appPath = (id: string): string => `/api/v1/apps/${id}`;
type AppJson = {
  credentials: { oauthClient: { token_endpoint_auth_method: string; client_id: string } };
  settings: { oauthClient: Record<string, unknown> };
  [k: string]: unknown;
};
const withMethod = (app: AppJson, method: string): AppJson => {
  const copy = structuredClone(app);
  copy.credentials.oauthClient.token_endpoint_auth_method = method;
  return copy;
};

describe("apps", () => {
  it("seeds one service app called demo-service by default", () => {
    expect(okta.apps).toHaveLength(1);
    expect(okta.apps[0].label).toBe("demo-service");
    expect(okta.listSecrets(okta.apps[0].id).map((s) => s.status)).toEqual(["ACTIVE"]);
  });

  it("GET returns a realistic OIDC service app", async () => {
    const r = await api(okta, "GET", appPath(okta.apps[0].id));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      id: okta.apps[0].id,
      name: "oidc_client",
      label: "demo-service",
      status: "ACTIVE",
      signOnMode: "OPENID_CONNECT",
      credentials: {
        oauthClient: {
          client_id: okta.apps[0].clientId,
          token_endpoint_auth_method: "client_secret_basic",
          autoKeyRotation: true,
        },
      },
      settings: {
        oauthClient: {
          grant_types: ["client_credentials"],
          response_types: ["token"],
          application_type: "service",
        },
      },
    });
    expect(typeof r.json.created).toBe("string");
    expect(typeof r.json.lastUpdated).toBe("string");
    expect(r.json._links.users.href).toBe(`${okta.orgUrl}${appPath(okta.apps[0].id)}/users`);
    expect(r.json.credentials.oauthClient.client_secret).toBeUndefined();
    expect(okta.getApp(okta.apps[0].id)).toEqual(r.json);
  });

  it("PUT replaces the whole object and ignores id, status, created, lastUpdated", async () => {
    const app = okta.addApp({ label: "put" });
    const got = (await api(okta, "GET", appPath(app.id))).json;
    const r = await api(okta, "PUT", appPath(app.id), {
      body: {
        ...got,
        id: "0oaOther",
        status: "INACTIVE",
        created: "2000-01-01T00:00:00.000Z",
        label: "renamed",
      },
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: app.id, status: "ACTIVE", label: "renamed", created: got.created });
    expect((await api(okta, "GET", appPath(app.id))).json.label).toBe("renamed");
  });

  it("PUT validates token_endpoint_auth_method", async () => {
    const app = okta.addApp({ label: "put-invalid" });
    const got = (await api(okta, "GET", appPath(app.id))).json;
    const r = await api(okta, "PUT", appPath(app.id), { body: withMethod(got, "client_secret_magic") });
    expect(oktaError(r)).toMatchObject({ status: 400, errorCode: "E0000001" });
    expect(oktaError(r).cause).toContain("token_endpoint_auth_method");
    for (const m of ["client_secret_post", "client_secret_jwt", "none", "client_secret_basic"]) {
      const ok = await api(okta, "PUT", appPath(app.id), { body: withMethod(got, m) });
      expect(ok.status).toBe(200);
      expect(ok.json.credentials.oauthClient.token_endpoint_auth_method).toBe(m);
    }
  });

  it("PUT to private_key_jwt needs keys or a jwks_uri", async () => {
    const app = okta.addApp({ label: "pkj-nokeys" });
    const got = (await api(okta, "GET", appPath(app.id))).json;
    const r = await api(okta, "PUT", appPath(app.id), { body: withMethod(got, "private_key_jwt") });
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: "Api validation failed: jwks",
      cause: "jwks: 'jwks' or 'jwks_uri' is required when 'token_endpoint_auth_method' is 'private_key_jwt'.",
    });
    const viaUri = withMethod(got, "private_key_jwt");
    viaUri.settings.oauthClient.jwks_uri = "https://keys.example.com/jwks.json";
    const ok = await api(okta, "PUT", appPath(app.id), { body: viaUri });
    expect(ok.status).toBe(200);
    expect(ok.json.settings.oauthClient.jwks_uri).toBe("https://keys.example.com/jwks.json");
  });

  it("PUT registers inline settings.oauthClient.jwks.keys", async () => {
    const app = okta.addApp({ label: "pkj-inline" });
    const got = (await api(okta, "GET", appPath(app.id))).json;
    const body = withMethod(got, "private_key_jwt");
    body.settings.oauthClient.jwks = { keys: [key.publicJwk] };
    const r = await api(okta, "PUT", appPath(app.id), { body });
    expect(r.status).toBe(200);
    expect(okta.listKeys(app.id)).toMatchObject([{ kid: "switch-key", status: "ACTIVE" }]);
    expect(r.json.settings.oauthClient.jwks.keys[0].kid).toBe("switch-key");
    // Sending back what GET returned keeps the same keys (by kid).
    const again = await api(okta, "PUT", appPath(app.id), { body: r.json });
    expect(again.status).toBe(200);
    expect(okta.listKeys(app.id).map((k) => k.kid)).toEqual(["switch-key"]);
  });

  it("PUT replaces the key set: kept keys (by kid) get new ids, keys left out are deleted", async () => {
    const app = okta.addApp({ label: "put-keys" });
    const jwks = `${appPath(app.id)}/credentials/jwks`;
    const second = await rsaKey("second-key");
    const third = await rsaKey("third-key");
    await api(okta, "POST", jwks, { body: key.publicJwk });
    await api(okta, "POST", jwks, { body: { ...second.publicJwk, status: "INACTIVE" } });
    const before = okta.listKeys(app.id);
    const got = (await api(okta, "GET", appPath(app.id))).json;
    // Keep switch-key, leave second-key out, add third-key.
    const body = structuredClone(got);
    body.settings.oauthClient.jwks = {
      keys: [(got.settings.oauthClient.jwks as { keys: { kid: string }[] }).keys[0], third.publicJwk],
    };
    const r = await api(okta, "PUT", appPath(app.id), { body });
    expect(r.status).toBe(200);
    const after = okta.listKeys(app.id);
    expect(after.map((k) => [k.kid, k.status])).toEqual([
      ["switch-key", "ACTIVE"],
      ["third-key", "ACTIVE"],
    ]);
    expect(after[0].id).not.toBe(before[0].id);
    expect(after[0].id).toMatch(/^pks/);
    expect((await api(okta, "GET", `${jwks}/${before[0].id}`)).status).toBe(404);
    expect((await api(okta, "GET", `${jwks}/${after[0].id}`)).json.kid).toBe("switch-key");
    expect(r.json.settings.oauthClient.jwks.keys.map((k: { id: string }) => k.id)).toEqual(
      after.map((k) => k.id),
    );
    // A stale body (what GET returned before) is taken as it is: it brings back second-key, drops third-key.
    expect((await api(okta, "PUT", appPath(app.id), { body: got })).status).toBe(200);
    expect(okta.listKeys(app.id).map((k) => [k.kid, k.status])).toEqual([
      ["switch-key", "ACTIVE"],
      ["second-key", "INACTIVE"],
    ]);
    // No jwks in the body: no keys afterwards (switching to a jwks_uri deletes saved keys, too).
    const none = structuredClone(got);
    delete none.settings.oauthClient.jwks;
    expect((await api(okta, "PUT", appPath(app.id), { body: none })).status).toBe(200);
    expect(okta.listKeys(app.id)).toEqual([]);
  });

  it("PUT refuses a key set it cannot keep, and changes nothing", async () => {
    const app = okta.addApp({ label: "put-keys-bad" });
    await api(okta, "POST", `${appPath(app.id)}/credentials/jwks`, { body: key.publicJwk });
    const before = okta.listKeys(app.id);
    const got = (await api(okta, "GET", appPath(app.id))).json;
    const dup = structuredClone(got);
    dup.settings.oauthClient.jwks = { keys: [key.publicJwk, key.publicJwk] };
    expect(oktaError(await api(okta, "PUT", appPath(app.id), { body: dup }))).toMatchObject({
      status: 400,
      errorSummary: "Api validation failed: JsonWebKey",
    });
    const weak = structuredClone(got);
    weak.settings.oauthClient.jwks = { keys: [{ kid: "weak", kty: "RSA", e: "AQAB", n: "AQAB" }] };
    expect((await api(okta, "PUT", appPath(app.id), { body: weak })).status).toBe(400);
    // Leaving out the only key of a private_key_jwt app without a jwks_uri.
    const pkj = withMethod(got, "private_key_jwt");
    expect((await api(okta, "PUT", appPath(app.id), { body: pkj })).status).toBe(200);
    const bare = structuredClone(pkj);
    delete bare.settings.oauthClient.jwks;
    expect(oktaError(await api(okta, "PUT", appPath(app.id), { body: bare })).cause).toBe(
      "jwks: 'jwks' or 'jwks_uri' is required when 'token_endpoint_auth_method' is 'private_key_jwt'.",
    );
    expect(okta.listKeys(app.id).map((k) => k.kid)).toEqual(before.map((k) => k.kid));
  });

  it("switches to private_key_jwt: secrets stop working, keys start, secrets are kept by default", async () => {
    const app = okta.addApp({ label: "switch" });
    await api(okta, "POST", `${appPath(app.id)}/credentials/jwks`, { body: key.publicJwk });
    const got = (await api(okta, "GET", appPath(app.id))).json;
    const r = await api(okta, "PUT", appPath(app.id), { body: withMethod(got, "private_key_jwt") });
    expect(r.status).toBe(200);
    expect(okta.listSecrets(app.id).length).toBe(1);
    const viaSecret = await token(
      okta,
      { grant_type: "client_credentials", scope: ROTATION_SCOPE },
      { basic: [app.clientId, app.secrets[0].clientSecret] },
    );
    expect(viaSecret.status).toBe(401);
    const jwt = await clientAssertion(key.privateKey, {
      clientId: app.clientId,
      aud: `${okta.orgUrl}${CUSTOM_TOKEN_PATH}`,
    });
    const viaKey = await token(okta, {
      grant_type: "client_credentials",
      scope: ROTATION_SCOPE,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: jwt,
    });
    expect(viaKey.status).toBe(200);
  });

  it("answers 404 E0000007 for an unknown app, route, and 405 E0000022 for a wrong method", async () => {
    const missing = await api(okta, "GET", appPath("0oaMissing"));
    expect(oktaError(missing)).toEqual({
      status: 404,
      errorCode: "E0000007",
      errorSummary: "Not found: Resource not found: 0oaMissing (AppInstance)",
    });
    const route = await api(okta, "GET", "/api/v1/nothing-here");
    expect(oktaError(route)).toMatchObject({ status: 404, errorCode: "E0000007" });
    const nonApi = await api(okta, "GET", "/somewhere");
    expect(oktaError(nonApi)).toMatchObject({ status: 404, errorCode: "E0000007" });
    const wrong = await api(okta, "PATCH", appPath(okta.apps[0].id), { body: {} });
    expect(oktaError(wrong)).toEqual({
      status: 405,
      errorCode: "E0000022",
      errorSummary: "The endpoint does not support the provided HTTP method",
    });
    expect(wrong.headers.get("allow")).toBe("GET, PUT, DELETE");
    const wrongToken = await fetch(`${okta.orgUrl}/oauth2/v1/token`);
    expect(wrongToken.status).toBe(405);
  });

  it("POST keeps a client_id given on create, immutable across a PUT; refuses a bad, reserved or taken one", async () => {
    const create = (clientId: unknown) =>
      api(okta, "POST", "/api/v1/apps", {
        body: {
          name: "oidc_client",
          label: "own-client-id",
          signOnMode: "OPENID_CONNECT",
          credentials: {
            oauthClient: { client_id: clientId, token_endpoint_auth_method: "client_secret_basic" },
          },
          settings: { oauthClient: { application_type: "service", grant_types: ["client_credentials"] } },
        },
      });
    const created = await create("billing-api.prod");
    expect(created.status).toBe(200);
    const app = created.json as AppJson & { id: string };
    expect(app.credentials.oauthClient.client_id).toBe("billing-api.prod");
    expect(app.id).not.toBe("billing-api.prod");
    const secret = (created.json as { credentials: { oauthClient: { client_secret: string } } }).credentials
      .oauthClient.client_secret;
    // The client is known by its own id: it authenticates (and is then refused by policy, not as unknown).
    const exchange = await token(
      okta,
      { grant_type: "client_credentials", scope: ROTATION_SCOPE },
      { basic: ["billing-api.prod", secret], path: CUSTOM_TOKEN_PATH },
    );
    expect(exchange.json).toMatchObject({ error: "access_denied" });
    const put = await api(okta, "PUT", appPath(app.id), {
      body: { ...app, credentials: { oauthClient: { ...app.credentials.oauthClient, client_id: "other" } } },
    });
    expect(put.status).toBe(200);
    expect((put.json as AppJson).credentials.oauthClient.client_id).toBe("billing-api.prod");

    for (const [bad, message] of [
      ["billing api", /must consist of alphanumeric characters/],
      ["ALL_CLIENTS", /'ALL_CLIENTS' is a reserved word/],
      ["billing-api.prod", /must be unique/],
    ] as const) {
      const refused = await create(bad);
      expect(oktaError(refused)).toMatchObject({
        status: 400,
        errorCode: "E0000001",
        errorSummary: "Api validation failed: client_id",
      });
      expect(JSON.stringify(refused.json)).toMatch(message);
    }
  });

  it("answers 400 E0000003 to a malformed PUT body", async () => {
    const r = await api(okta, "PUT", appPath(okta.apps[0].id), { raw: "[1," });
    expect(oktaError(r)).toMatchObject({ status: 400, errorCode: "E0000003" });
  });
});

describe("deleteSecretsOnPrivateKeyJwt", () => {
  it("deletes every client secret when an app switches to private_key_jwt", async () => {
    const local = await startOktaLocal({ deleteSecretsOnPrivateKeyJwt: true });
    try {
      const id = local.apps[0].id;
      await api(local, "POST", `${appPath(id)}/credentials/jwks`, { body: key.publicJwk });
      const got = (await api(local, "GET", appPath(id))).json;
      expect(
        (await api(local, "PUT", appPath(id), { body: withMethod(got, "private_key_jwt") })).status,
      ).toBe(200);
      expect(local.listSecrets(id).length).toBe(0);
      expect((await api(local, "GET", `${appPath(id)}/credentials/secrets`)).json.length).toBe(0);
    } finally {
      await local.close();
    }
  });
});

describe("keepKeyIdsOnPut", () => {
  it("keeps the ids of the keys a PUT keeps, and still deletes keys left out", async () => {
    const local = await startOktaLocal({ apps: [{ label: "keep-ids" }], keepKeyIdsOnPut: true });
    try {
      const id = local.apps[0].id;
      const jwks = `${appPath(id)}/credentials/jwks`;
      const second = await rsaKey("second-key");
      await api(local, "POST", jwks, { body: key.publicJwk });
      await api(local, "POST", jwks, { body: second.publicJwk });
      const before = local.listKeys(id);
      const got = (await api(local, "GET", appPath(id))).json;
      got.settings.oauthClient.jwks.keys = got.settings.oauthClient.jwks.keys.slice(0, 1);
      expect(
        (await api(local, "PUT", appPath(id), { body: withMethod(got, "private_key_jwt") })).status,
      ).toBe(200);
      expect(local.listKeys(id)).toEqual([before[0]]);
    } finally {
      await local.close();
    }
  });
});

describe("management API authentication", () => {
  const secrets = (): string => `${appPath(okta.apps[0].id)}/credentials/secrets`;

  it("answers 401 E0000011 without a token or with a wrong one", async () => {
    for (const auth of [null, "SSWS wrong", "Bearer wrong", "Basic abc"]) {
      const r = await api(okta, "GET", secrets(), { auth });
      expect(oktaError(r)).toEqual({
        status: 401,
        errorCode: "E0000011",
        errorSummary: "Invalid token provided",
      });
    }
  });

  it("accepts a service app token: okta.apps.read reads but cannot write (403 E0000006)", async () => {
    const read = await serviceToken(okta, "okta.apps.read");
    expect((await api(okta, "GET", secrets(), { auth: `Bearer ${read}` })).status).toBe(200);
    const w = await api(okta, "POST", secrets(), { auth: `Bearer ${read}`, body: {} });
    expect(oktaError(w)).toEqual({
      status: 403,
      errorCode: "E0000006",
      errorSummary: "You do not have permission to perform the requested action",
    });
    const manage = await serviceToken(okta, "okta.apps.manage");
    expect((await api(okta, "GET", appPath(okta.apps[0].id), { auth: `Bearer ${manage}` })).status).toBe(200);
    const app = okta.addApp({ label: "bearer-write", secrets: 1 });
    const created = await api(okta, "POST", `${appPath(app.id)}/credentials/secrets`, {
      auth: `Bearer ${manage}`,
      body: {},
    });
    expect(created.status).toBe(201);
  });

  it("issues Okta scopes only to private_key_jwt clients granted them, at the org server", async () => {
    const basic = okta.addApp({ label: "no-okta-scopes" });
    const r = await token(
      okta,
      { grant_type: "client_credentials", scope: "okta.apps.manage" },
      { basic: [basic.clientId, basic.secrets[0].clientSecret], path: ORG_TOKEN_PATH },
    );
    expect({ status: r.status, json: r.json }).toEqual({
      status: 401,
      json: { error: "invalid_client", error_description: DESCRIPTIONS.orgServerNeedsPrivateKeyJwt },
    });
    const pkj = okta.addApp({ label: "pkj-no-grant", tokenEndpointAuthMethod: "private_key_jwt" });
    await api(okta, "POST", `${appPath(pkj.id)}/credentials/jwks`, { body: key.publicJwk });
    const jwt = await clientAssertion(key.privateKey, {
      clientId: pkj.clientId,
      aud: `${okta.orgUrl}/oauth2/v1/token`,
    });
    const notGranted = await token(
      okta,
      {
        grant_type: "client_credentials",
        scope: "okta.apps.manage",
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: jwt,
      },
      { path: ORG_TOKEN_PATH },
    );
    expect({ status: notGranted.status, json: notGranted.json }).toEqual({
      status: 400,
      json: { error: "consent_required", error_description: DESCRIPTIONS.notAllowedScopes },
    });
  });

  it("does not take an ordinary access token for the management API", async () => {
    const app = okta.addApp({ label: "ordinary" });
    const t = await token(
      okta,
      { grant_type: "client_credentials", scope: ROTATION_SCOPE },
      { basic: [app.clientId, app.secrets[0].clientSecret] },
    );
    expect(t.status).toBe(200);
    const r = await api(okta, "GET", secrets(), { auth: `Bearer ${t.json.access_token}` });
    expect(r.status).toBe(401);
  });
});

describe("retiring secrets after the switch", () => {
  it("lets the last ACTIVE secret of a private_key_jwt app be deactivated and deleted", async () => {
    const app = okta.addApp({ label: "retire-after-switch" });
    await api(okta, "POST", `${appPath(app.id)}/credentials/jwks`, { body: key.publicJwk });
    const got = (await api(okta, "GET", appPath(app.id))).json;
    expect(
      (await api(okta, "PUT", appPath(app.id), { body: withMethod(got, "private_key_jwt") })).status,
    ).toBe(200);
    const secret = `${appPath(app.id)}/credentials/secrets/${app.secrets[0].id}`;
    const d = await api(okta, "POST", `${secret}/lifecycle/deactivate`);
    expect(d.status).toBe(200);
    expect(d.json.status).toBe("INACTIVE");
    expect((await api(okta, "DELETE", secret)).status).toBe(204);
    // A secret that is already gone answers 404, which retiring code treats as done.
    expect((await api(okta, "DELETE", secret)).status).toBe(404);
  });
});

describe("odd paths", () => {
  it("answers 404 to a path segment that is not valid percent-encoding", async () => {
    const r = await api(okta, "GET", "/api/v1/apps/%E0%A4%A/credentials/secrets");
    expect(oktaError(r)).toMatchObject({ status: 404, errorCode: "E0000007" });
  });
});
