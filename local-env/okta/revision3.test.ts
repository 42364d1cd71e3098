// The rules of okta-api.md's "Revision 3" (recorded real Okta exchanges, Okta's error tables, the spec, the
// policies concept page, terraform-provider-okta) and the five revision-2 rules it restates. Each test names its
// source; README.md (this folder) lists them. Secret values are compared as booleans, never printed.
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_AUTH_SERVER_ID, ROTATION_SCOPE } from "./authServers";
import { startOktaLocal } from "./server";
import { MESSAGES } from "./store";
import { DESCRIPTIONS } from "./tokens";
import {
  ASSERTION_TYPE,
  CUSTOM_TOKEN_PATH,
  ORG_TOKEN_PATH,
  api,
  clientAssertion,
  ecKey,
  oktaError,
  omit,
  rsaKey,
  serviceToken,
  token,
  type KeyPair,
  type Reply,
} from "./test-helpers";
import type { OktaLocal } from "./types";

let okta: OktaLocal;
let keyA: KeyPair;
let keyB: KeyPair;
beforeAll(async () => {
  okta = await startOktaLocal({ apps: [], rateLimits: { apps: 10_000, app: 10_000 } });
  [keyA, keyB] = await Promise.all([rsaKey("key-a"), rsaKey("key-a")]);
});
afterAll(() => okta.close());

const cc = { grant_type: "client_credentials", scope: ROTATION_SCOPE };
const policies = `/api/v1/authorizationServers/${DEFAULT_AUTH_SERVER_ID}/policies`;
const oauth = (r: Reply) => ({
  status: r.status,
  error: r.json?.error,
  description: r.json?.error_description,
});
const customAud = (): string => `${okta.orgUrl}${CUSTOM_TOKEN_PATH}`;

/** An app created through the API (in no access policy), and its generated secret. */
async function createdApp(label: string): Promise<{ id: string; clientId: string; secret: string }> {
  const r = await api(okta, "POST", "/api/v1/apps", {
    body: {
      name: "oidc_client",
      label,
      signOnMode: "OPENID_CONNECT",
      settings: { oauthClient: { grant_types: ["client_credentials"], application_type: "service" } },
    },
  });
  expect(r.status).toBe(200);
  return {
    id: r.json.id,
    clientId: r.json.credentials.oauthClient.client_id,
    secret: r.json.credentials.oauthClient.client_secret,
  };
}

async function policy(name: string, priority: number, clients: string[]): Promise<string> {
  const r = await api(okta, "POST", policies, {
    body: {
      type: "OAUTH_AUTHORIZATION_POLICY",
      name,
      priority,
      conditions: { clients: { include: clients } },
    },
  });
  expect(r.status).toBe(201);
  return r.json.id as string;
}

async function rule(policyId: string, name: string, grantTypes: string[], scopes: unknown): Promise<Reply> {
  return api(okta, "POST", `${policies}/${policyId}/rules`, {
    body: {
      type: "RESOURCE_ACCESS",
      name,
      priority: 1,
      conditions: { grantTypes: { include: grantTypes }, scopes },
    },
  });
}

const POLICY_FAILED = {
  status: 401,
  error: "access_denied",
  description: "Policy evaluation failed for this request, please check the policy configurations.",
};

describe("authorization-server policies (Revision 3, docs/concepts/policies)", () => {
  it("skips a policy without rules and one whose rules do not match; refuses only when none yields a rule", async () => {
    const app = await createdApp("policy-order");
    const exchange = () => token(okta, cc, { basic: [app.clientId, app.secret] });
    // A first policy naming the client, still without rules: the request is refused (no other policy yet).
    const empty = await policy("created first, rules later", 1, [app.clientId]);
    expect(oauth(await exchange())).toEqual(POLICY_FAILED);
    // A rule of that policy that does not match (another grant type): still refused, with the exact text.
    expect((await rule(empty, "password only", ["password"], { include: ["*"] })).status).toBe(201);
    expect(oauth(await exchange())).toEqual(POLICY_FAILED);
    // A later policy whose rule admits client_credentials for the scope: the earlier ones no longer block.
    const later = await policy("admits the client", 2, [app.clientId]);
    expect(
      (await rule(later, "client_credentials", ["client_credentials"], { include: [ROTATION_SCOPE] })).status,
    ).toBe(201);
    expect((await exchange()).status).toBe(200);
  });

  it("accepts a rule with empty scopes ({} or include: []) that then matches no scope", async () => {
    const app = await createdApp("policy-empty-scopes");
    const p = await policy("empty scopes", 1, [app.clientId]);
    const none = await rule(p, "no scopes", ["client_credentials"], {});
    expect(none.status).toBe(201);
    expect(none.json.conditions.scopes).toEqual({ include: [] });
    const emptyList = await rule(p, "empty include", ["client_credentials"], { include: [] });
    expect(emptyList.status).toBe(201);
    expect(emptyList.json.conditions.scopes).toEqual({ include: [] });
    expect(oauth(await token(okta, cc, { basic: [app.clientId, app.secret] }))).toEqual(POLICY_FAILED);
  });
});

describe("apps and keys (Revision 3)", () => {
  it("a whole-app PUT answers with the app's client_secret; an app without an ACTIVE secret gets none", async () => {
    const app = await createdApp("put-secret");
    const got = await api(okta, "GET", `/api/v1/apps/${app.id}`);
    expect("client_secret" in got.json.credentials.oauthClient).toBe(false);
    // The body is the GET's, without any client_secret: the answer carries it anyway.
    const put = await api(okta, "PUT", `/api/v1/apps/${app.id}`, { body: got.json });
    expect(put.status).toBe(200);
    expect(put.json.credentials.oauthClient.client_secret === app.secret).toBe(true);
    const keyed = okta.addApp({ label: "put-no-secret", tokenEndpointAuthMethod: "private_key_jwt" });
    await api(okta, "POST", `/api/v1/apps/${keyed.id}/credentials/jwks`, { body: keyA.publicJwk });
    const body = (await api(okta, "GET", `/api/v1/apps/${keyed.id}`)).json;
    const answer = await api(okta, "PUT", `/api/v1/apps/${keyed.id}`, { body });
    expect(answer.status).toBe(200);
    expect("client_secret" in answer.json.credentials.oauthClient).toBe(false);
  });

  it("echoes only what was sent: use and crv null when left out, no alg invented", async () => {
    const app = okta.addApp({ label: "echo", secrets: 0 });
    const path = `/api/v1/apps/${app.id}/credentials/jwks`;
    const rsa = await api(okta, "POST", path, { body: omit(omit(keyA.publicJwk, "alg"), "use") });
    expect(rsa.status).toBe(201);
    expect(rsa.json.use).toBeNull();
    expect("alg" in rsa.json).toBe(false);
    const ec = await ecKey("ec-bare");
    const bare = { kty: "EC", kid: "ec-bare", x: ec.publicJwk.x, y: ec.publicJwk.y };
    const r = await api(okta, "POST", path, { body: bare });
    expect(r.status).toBe(201);
    expect({ crv: r.json.crv, use: r.json.use, hasAlg: "alg" in r.json }).toEqual({
      crv: null,
      use: null,
      hasAlg: false,
    });
    // What was sent is echoed as sent.
    const sent = await api(okta, "POST", path, { body: { ...(await rsaKey("sent")).publicJwk } });
    expect({ alg: sent.json.alg, use: sent.json.use }).toEqual({ alg: "RS256", use: "sig" });
    // The same through createApplication with an inline JWKS, the recorded case.
    const created = await api(okta, "POST", "/api/v1/apps", {
      body: {
        name: "oidc_client",
        label: "echo-created",
        credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
        settings: { oauthClient: { jwks: { keys: [bare] } } },
      },
    });
    expect(created.status).toBe(200);
    const [key] = created.json.settings.oauthClient.jwks.keys;
    expect({ crv: key.crv, use: key.use, hasAlg: "alg" in key }).toEqual({
      crv: null,
      use: null,
      hasAlg: false,
    });
    // A key sent without crv still verifies assertions (its curve follows from x).
    const assertion = await clientAssertion(ec.privateKey, {
      clientId: created.json.credentials.oauthClient.client_id,
      aud: customAud(),
      alg: "ES256",
      kid: "ec-bare",
    });
    const form = { client_assertion_type: ASSERTION_TYPE, client_assertion: assertion };
    expect(oauth(await token(okta, { ...cc, ...form }))).toEqual(POLICY_FAILED); // authenticated, no policy
  });

  it("a PUT with a known kid and new key material replaces the material", async () => {
    const app = okta.addApp({ label: "rekey", tokenEndpointAuthMethod: "private_key_jwt" });
    await api(okta, "POST", `/api/v1/apps/${app.id}/credentials/jwks`, { body: keyA.publicJwk });
    const sign = (k: KeyPair) =>
      clientAssertion(k.privateKey, { clientId: app.clientId, aud: customAud(), kid: "key-a" });
    const exchange = async (k: KeyPair) =>
      token(okta, { ...cc, client_assertion_type: ASSERTION_TYPE, client_assertion: await sign(k) });
    expect((await exchange(keyA)).status).toBe(200);
    const body = (await api(okta, "GET", `/api/v1/apps/${app.id}`)).json;
    body.settings.oauthClient.jwks = { keys: [keyB.publicJwk] }; // same kid "key-a", other key
    const put = await api(okta, "PUT", `/api/v1/apps/${app.id}`, { body });
    expect(put.status).toBe(200);
    expect(put.json.settings.oauthClient.jwks.keys[0].n).toBe(keyB.publicJwk.n);
    expect((await exchange(keyB)).status).toBe(200);
    expect(oauth(await exchange(keyA))).toEqual({
      status: 401,
      error: "invalid_client",
      description: "The client_assertion signature is invalid.",
    });
  });

  it("a client_id given on create has 6 to 100 characters", async () => {
    const create = (clientId: string) =>
      api(okta, "POST", "/api/v1/apps", {
        body: {
          name: "oidc_client",
          label: `cid-${clientId.length}`,
          credentials: { oauthClient: { client_id: clientId } },
        },
      });
    const summary = "Api validation failed: client_id";
    expect(oktaError(await create("a".repeat(5)))).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: summary,
      cause: MESSAGES.clientIdTooShort,
    });
    expect(oktaError(await create("b".repeat(101)))).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: summary,
      cause: MESSAGES.clientIdTooLong,
    });
    expect((await create("c".repeat(6))).status).toBe(200);
    expect((await create("d".repeat(100))).status).toBe(200);
  });

  it("consent_method defaults to TRUSTED, and _links.clientCredentials names the app's kind of credential", async () => {
    const app = await createdApp("defaults");
    const got = (await api(okta, "GET", `/api/v1/apps/${app.id}`)).json;
    expect(got.settings.oauthClient.consent_method).toBe("TRUSTED");
    const base = `${okta.orgUrl}/api/v1/apps/${app.id}`;
    expect(got._links.clientCredentials).toEqual([{ name: "secrets", href: `${base}/credentials/secrets` }]);
    const keyed = okta.addApp({ label: "links-keys", tokenEndpointAuthMethod: "private_key_jwt" });
    const k = (await api(okta, "GET", `/api/v1/apps/${keyed.id}`)).json;
    expect(k._links.clientCredentials).toEqual([
      { name: "jwks", href: `${okta.orgUrl}/api/v1/apps/${keyed.id}/credentials/jwks` },
    ]);
  });
});

describe("token endpoint texts (Revision 3 and the five of revision 2)", () => {
  const invalid = (status: number, error: string, description: string) => ({ status, error, description });

  it("credentials given twice: 401 invalid_request", async () => {
    const app = okta.addApp({ label: "twice" });
    const [secret] = app.secrets;
    const r = await token(
      okta,
      { ...cc, client_id: app.clientId, client_secret: secret.clientSecret },
      { basic: [app.clientId, secret.clientSecret] },
    );
    expect(oauth(r)).toEqual(invalid(401, "invalid_request", DESCRIPTIONS.multipleCredentials));
  });

  it("no grant_type: 400 invalid_request naming the valid values", async () => {
    const app = okta.addApp({ label: "no-grant" });
    const r = await token(
      okta,
      { scope: ROTATION_SCOPE },
      { basic: [app.clientId, app.secrets[0].clientSecret] },
    );
    expect(oauth(r)).toEqual(
      invalid(
        400,
        "invalid_request",
        "The token request must specify a 'grant_type'. Valid values: [client_credentials]",
      ),
    );
  });

  it("a Basic header without a colon: 401 invalid_client", async () => {
    const res = await fetch(`${okta.orgUrl}${CUSTOM_TOKEN_PATH}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Basic ${Buffer.from("no-colon-here").toString("base64")}`,
      },
      body: new URLSearchParams(cc).toString(),
    });
    expect(oauth({ status: res.status, headers: res.headers, json: await res.json() })).toEqual(
      invalid(401, "invalid_client", "Found Authentication header but was not valid client credentials."),
    );
  });

  it("credentials in the query string, and a parameter given twice: 400 invalid_request", async () => {
    const app = okta.addApp({ label: "query" });
    const secret = app.secrets[0].clientSecret;
    const basic = `Basic ${Buffer.from(`${app.clientId}:${secret}`).toString("base64")}`;
    const post = async (query: string, body: string): Promise<Reply> => {
      const res = await fetch(`${okta.orgUrl}${CUSTOM_TOKEN_PATH}${query}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basic },
        body,
      });
      return { status: res.status, headers: res.headers, json: await res.json() };
    };
    expect(oauth(await post(`?client_id=${app.clientId}`, new URLSearchParams(cc).toString()))).toEqual(
      invalid(400, "invalid_request", "Client credentials cannot be supplied via query parameters."),
    );
    const twice = `grant_type=client_credentials&scope=${ROTATION_SCOPE}&scope=${ROTATION_SCOPE}`;
    expect(oauth(await post("", twice))).toEqual(
      invalid(400, "invalid_request", "The request contained multiple parameters with the same name."),
    );
    expect((await post("", new URLSearchParams(cc).toString())).status).toBe(200);
  });

  it("an unparsable assertion, an HMAC one to a private_key_jwt app, an RSA one to a client_secret_jwt app", async () => {
    const keyed = okta.addApp({ label: "alg-pkj", tokenEndpointAuthMethod: "private_key_jwt" });
    await api(okta, "POST", `/api/v1/apps/${keyed.id}/credentials/jwks`, { body: keyA.publicJwk });
    const send = (assertion: string) =>
      token(okta, { ...cc, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });
    expect(oauth(await send("not-a-jwt"))).toEqual(
      invalid(401, "invalid_client", "The parsing of the client_assertion failed."),
    );
    const hmac = await clientAssertion(new TextEncoder().encode("x".repeat(40)), {
      clientId: keyed.clientId,
      aud: customAud(),
      alg: "HS256",
    });
    const algText = "The client_assertion JWT signature algorithm is invalid.";
    expect(oauth(await send(hmac))).toEqual(invalid(401, "invalid_client", algText));
    const jwt = okta.addApp({ label: "alg-csj", tokenEndpointAuthMethod: "client_secret_jwt", secrets: 0 });
    await api(okta, "POST", `/api/v1/apps/${jwt.id}/credentials/secrets`, {
      body: { client_secret: "s".repeat(40) },
    });
    const rsa = await clientAssertion(keyA.privateKey, { clientId: jwt.clientId, aud: customAud() });
    expect(oauth(await send(rsa))).toEqual(invalid(401, "invalid_client", algText));
    const unsigned = await new SignJWT({
      iss: keyed.clientId,
      sub: keyed.clientId,
      aud: customAud(),
      exp: 9e9,
    })
      .setProtectedHeader({ alg: "HS512" })
      .sign(new TextEncoder().encode("y".repeat(64)));
    expect(oauth(await send(unsigned))).toEqual(invalid(401, "invalid_client", algText));
  });
});

describe("assertion texts of okta-api.md's list (revision 2) the tests above do not reach", () => {
  it("a private_key_jwt app without an ACTIVE key, and a client_secret_jwt app whose secret is too short", async () => {
    const keyless = okta.addApp({ label: "no-jwks", tokenEndpointAuthMethod: "private_key_jwt" });
    const send = (assertion: string) =>
      token(okta, { ...cc, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });
    const signed = await clientAssertion(keyA.privateKey, { clientId: keyless.clientId, aud: customAud() });
    expect(oauth(await send(signed))).toEqual({
      status: 401,
      error: "invalid_client",
      description: "The client does not have a JWKSet configured, but the client_assertion requires one.",
    });
    const short = okta.addApp({
      label: "short-hmac",
      tokenEndpointAuthMethod: "client_secret_jwt",
      secrets: 0,
    });
    // Added while the app still took client_secret_basic: 20 characters, under the 32 an HMAC needs.
    const body = (await api(okta, "GET", `/api/v1/apps/${short.id}`)).json;
    body.credentials.oauthClient.token_endpoint_auth_method = "client_secret_basic";
    expect((await api(okta, "PUT", `/api/v1/apps/${short.id}`, { body })).status).toBe(200);
    const own = "z".repeat(20);
    const added = await api(okta, "POST", `/api/v1/apps/${short.id}/credentials/secrets`, {
      body: { client_secret: own },
    });
    expect(added.status).toBe(201);
    body.credentials.oauthClient.token_endpoint_auth_method = "client_secret_jwt";
    expect((await api(okta, "PUT", `/api/v1/apps/${short.id}`, { body })).status).toBe(200);
    const hmac = await clientAssertion(new TextEncoder().encode(own), {
      clientId: short.clientId,
      aud: customAud(),
      alg: "HS256",
    });
    expect(oauth(await send(hmac))).toEqual({
      status: 401,
      error: "invalid_client",
      description: "The client secret is too short to verify a JWT HMAC.",
    });
  });
});

describe("insufficient_scope at the management API (Revision 3)", () => {
  it("answers 403 E0000006 with a WWW-Authenticate challenge naming the missing scope", async () => {
    const local = await startOktaLocal({ apps: [{ label: "scoped" }], serviceAppDpop: false });
    try {
      const readOnly = await serviceToken(local, "okta.apps.read");
      const write = await api(local, "POST", "/api/v1/apps", {
        auth: `Bearer ${readOnly}`,
        body: { name: "oidc_client", label: "nope" },
      });
      expect(oktaError(write)).toMatchObject({ status: 403, errorCode: "E0000006" });
      const challenge = write.headers.get("www-authenticate") ?? "";
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toContain('error="insufficient_scope"');
      expect(challenge).toContain('scope="okta.apps.manage"');
      expect(challenge).toContain(
        'error_description="The access token provided does not contain the required scopes."',
      );
      const grants = await api(local, "GET", `/api/v1/apps/${local.apps[0].id}/grants`, {
        auth: `Bearer ${readOnly}`,
      });
      expect(grants.status).toBe(403);
      expect(grants.headers.get("www-authenticate")).toContain('scope="okta.appGrants.read"');
      // SSWS may do everything: no challenge.
      expect((await api(local, "GET", `/api/v1/apps/${local.apps[0].id}/grants`)).status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it("keeps the seeded service app's org-server tokens working", async () => {
    const local = await startOktaLocal({ apps: [], serviceAppDpop: false });
    try {
      expect((await serviceToken(local, "okta.apps.read")).length).toBeGreaterThan(0);
      expect(
        (await token(local, { grant_type: "client_credentials" }, { path: ORG_TOKEN_PATH })).status,
      ).toBe(401);
    } finally {
      await local.close();
    }
  });
});
