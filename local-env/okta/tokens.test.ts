import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal } from "./server";
import { ASSERTION_TYPE, clientAssertion, ecKey, rsaKey, token, type KeyPair, api } from "./test-helpers";
import type { OktaLocal } from "./types";
import { ROTATION_SCOPE } from "./authServers";

const D = {
  badSecret: "The client secret supplied for a confidential client is invalid.",
  expired: "The client_assertion token is expired.",
  tooFar: "The client_assertion token has an expiration too far into the future.",
  replayed: "The client_assertion token has already been used.",
  badSignature: "The client_assertion signature is invalid.",
  badKid: "The client_assertion JWT kid is invalid.",
  badAudience: "The audience claim for client_assertion must be the endpoint invoked for the request.",
  noCredentials: "No client credentials found.",
  authFailed: "Client authentication failed. Either the client or the client credentials are invalid.",
  // okta-api.md "Token endpoint" (revision 2), exact per Revision 3, "Token endpoint texts".
  noExp: "The client_assertion must contain the 'exp' claim as seconds since epoch.",
  iatFuture: "The client_assertion token must be issued before the current time.",
  badIssuer: "The issuer claim for client_assertion is not a valid client_id.",
  badSubject: "The subject claim for client_assertion is not a valid client_id.",
  assertionType: "The client_assertion_type is invalid.",
};

let okta: OktaLocal;
let keyA: KeyPair;
let keyB: KeyPair;
let stranger: KeyPair;
beforeAll(async () => {
  okta = await startOktaLocal({ apps: [] });
  [keyA, keyB, stranger] = await Promise.all([rsaKey("key-a"), ecKey("key-b"), rsaKey("key-a")]);
});
afterAll(() => okta.close());

const cc = { grant_type: "client_credentials", scope: ROTATION_SCOPE };
const invalidClient = (description: string) => ({
  status: 401,
  json: { error: "invalid_client", error_description: description },
});
const shape = (r: { status: number; json: unknown }) => ({ status: r.status, json: r.json });

/** A private_key_jwt app with the given public keys registered ACTIVE. */
async function keyApp(label: string, ...keys: KeyPair[]): Promise<string> {
  const app = okta.addApp({ label, tokenEndpointAuthMethod: "private_key_jwt" });
  for (const k of keys) {
    const r = await api(okta, "POST", `/api/v1/apps/${app.id}/credentials/jwks`, { body: k.publicJwk });
    expect(r.status).toBe(201);
  }
  return app.clientId;
}

describe("token endpoint, client secrets", () => {
  it("issues an RS256 access token for client_secret_basic at the default server, verifiable with its keys", async () => {
    const app = okta.addApp({ label: "basic" });
    const r = await token(okta, cc, { basic: [app.clientId, app.secrets[0].clientSecret] });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: ROTATION_SCOPE });
    expect(r.headers.get("cache-control")).toBe("no-store");
    const jwks = createRemoteJWKSet(new URL(`${okta.orgUrl}/oauth2/default/v1/keys`));
    const { payload, protectedHeader } = await jwtVerify(r.json.access_token, jwks, {
      issuer: `${okta.orgUrl}/oauth2/default`,
      audience: "api://default",
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({ cid: app.clientId, sub: app.clientId, scp: [ROTATION_SCOPE] });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it("authenticates with both ACTIVE secrets and refuses an INACTIVE one", async () => {
    const app = okta.addApp({ label: "two", secrets: 2 });
    for (const s of app.secrets) {
      expect((await token(okta, cc, { basic: [app.clientId, s.clientSecret] })).status).toBe(200);
    }
    await api(
      okta,
      "POST",
      `/api/v1/apps/${app.id}/credentials/secrets/${app.secrets[0].id}/lifecycle/deactivate`,
    );
    const r = await token(okta, cc, { basic: [app.clientId, app.secrets[0].clientSecret] });
    expect(shape(r)).toEqual(invalidClient(D.badSecret));
    expect((await token(okta, cc, { basic: [app.clientId, app.secrets[1].clientSecret] })).status).toBe(200);
  });

  it("refuses a wrong secret", async () => {
    const app = okta.addApp({ label: "wrong" });
    expect(shape(await token(okta, cc, { basic: [app.clientId, "not-the-secret"] }))).toEqual(
      invalidClient(D.badSecret),
    );
  });

  it("accepts client_secret_post only on a client_secret_post app", async () => {
    const post = okta.addApp({ label: "post", tokenEndpointAuthMethod: "client_secret_post" });
    const ok = await token(okta, {
      ...cc,
      client_id: post.clientId,
      client_secret: post.secrets[0].clientSecret,
    });
    expect(ok.status).toBe(200);
    const viaBasic = await token(okta, cc, { basic: [post.clientId, post.secrets[0].clientSecret] });
    expect(shape(viaBasic)).toEqual(invalidClient(D.authFailed));
    const basic = okta.addApp({ label: "basic-only" });
    const viaPost = await token(okta, {
      ...cc,
      client_id: basic.clientId,
      client_secret: basic.secrets[0].clientSecret,
    });
    expect(shape(viaPost)).toEqual(invalidClient(D.authFailed));
  });

  it("answers No client credentials found. without credentials", async () => {
    expect(shape(await token(okta, { ...cc, client_id: "0oaSomeone" }))).toEqual(
      invalidClient(D.noCredentials),
    );
  });

  it("refuses an unknown client", async () => {
    expect(shape(await token(okta, cc, { basic: ["0oaUnknown", "whatever-secret"] }))).toEqual(
      invalidClient(D.authFailed),
    );
  });

  it("refuses other grant types and non-form bodies", async () => {
    const app = okta.addApp({ label: "grant" });
    const r = await token(
      okta,
      { grant_type: "password" },
      { basic: [app.clientId, app.secrets[0].clientSecret] },
    );
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("unsupported_grant_type");
    const json = await fetch(`${okta.orgUrl}/oauth2/default/v1/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("verifies client_secret_jwt (HS256) assertions with an ACTIVE secret", async () => {
    const app = okta.addApp({ label: "hs", tokenEndpointAuthMethod: "client_secret_jwt", secrets: 0 });
    const own = "h".repeat(40);
    await api(okta, "POST", `/api/v1/apps/${app.id}/credentials/secrets`, { body: { client_secret: own } });
    const aud = `${okta.orgUrl}/oauth2/default/v1/token`;
    const good = await clientAssertion(new TextEncoder().encode(own), {
      clientId: app.clientId,
      aud,
      alg: "HS256",
    });
    expect(
      (await token(okta, { ...cc, client_assertion_type: ASSERTION_TYPE, client_assertion: good })).status,
    ).toBe(200);
    const bad = await clientAssertion(new TextEncoder().encode("i".repeat(40)), {
      clientId: app.clientId,
      aud,
      alg: "HS256",
    });
    expect(
      shape(await token(okta, { ...cc, client_assertion_type: ASSERTION_TYPE, client_assertion: bad })),
    ).toEqual(invalidClient(D.badSignature));
  });
});

describe("token endpoint, private_key_jwt", () => {
  const aud = (): string => `${okta.orgUrl}/oauth2/default/v1/token`;
  const exchange = (assertion: string, path?: string) =>
    token(okta, { ...cc, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }, { path });

  it("accepts a signed assertion with and without kid when the app has one key", async () => {
    const clientId = await keyApp("pkj-one", keyA);
    const withKid = await clientAssertion(keyA.privateKey, { clientId, aud: aud(), kid: "key-a" });
    expect((await exchange(withKid)).status).toBe(200);
    const noKid = await clientAssertion(keyA.privateKey, { clientId, aud: aud() });
    expect((await exchange(noKid)).status).toBe(200);
  });

  it("accepts the URL of the custom server it is sent to as aud, and only that", async () => {
    const clientId = await keyApp("pkj-custom", keyA);
    const custom = `${okta.orgUrl}/oauth2/default/v1/token`;
    const ok = await clientAssertion(keyA.privateKey, { clientId, aud: custom });
    expect((await exchange(ok, "/oauth2/default/v1/token")).status).toBe(200);
    const orgAud = await clientAssertion(keyA.privateKey, {
      clientId,
      aud: `${okta.orgUrl}/oauth2/v1/token`,
    });
    expect(shape(await exchange(orgAud, "/oauth2/default/v1/token"))).toEqual(invalidClient(D.badAudience));
  });

  it("needs a kid when several keys are ACTIVE, and refuses an unknown one", async () => {
    const clientId = await keyApp("pkj-two", keyA, keyB);
    const noKid = await clientAssertion(keyA.privateKey, { clientId, aud: aud() });
    expect(shape(await exchange(noKid))).toEqual(invalidClient(D.badKid));
    const unknown = await clientAssertion(keyA.privateKey, { clientId, aud: aud(), kid: "nope" });
    expect(shape(await exchange(unknown))).toEqual(invalidClient(D.badKid));
    const ec = await clientAssertion(keyB.privateKey, { clientId, aud: aud(), kid: "key-b", alg: "ES256" });
    expect((await exchange(ec)).status).toBe(200);
  });

  it("refuses a signature by another key under the same kid", async () => {
    const clientId = await keyApp("pkj-sig", keyA);
    const forged = await clientAssertion(stranger.privateKey, { clientId, aud: aud(), kid: "key-a" });
    expect(shape(await exchange(forged))).toEqual(invalidClient(D.badSignature));
  });

  it("refuses an INACTIVE key", async () => {
    const clientId = await keyApp("pkj-inactive", keyA, keyB);
    const keys = okta.listKeys(clientId);
    const a = keys.find((k) => k.kid === "key-a");
    await api(okta, "POST", `/api/v1/apps/${clientId}/credentials/jwks/${a?.id}/lifecycle/deactivate`);
    const r = await exchange(await clientAssertion(keyA.privateKey, { clientId, aud: aud(), kid: "key-a" }));
    expect(shape(r)).toEqual(invalidClient(D.badKid));
  });

  it("checks aud, exp, iat and jti", async () => {
    const clientId = await keyApp("pkj-claims", keyA);
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>) =>
      clientAssertion(keyA.privateKey, { clientId, aud: aud(), claims });
    expect(shape(await exchange(await sign({ aud: `${okta.orgUrl}/oauth2/v1/authorize` })))).toEqual(
      invalidClient(D.badAudience),
    );
    expect(shape(await exchange(await sign({ exp: now - 10 })))).toEqual(invalidClient(D.expired));
    expect(shape(await exchange(await sign({ exp: now + 7200 })))).toEqual(invalidClient(D.tooFar));
    expect((await exchange(await sign({ exp: now + 3590 }))).status).toBe(200);
    expect(shape(await exchange(await sign({ exp: undefined })))).toEqual(invalidClient(D.noExp));
    expect(shape(await exchange(await sign({ iat: now + 600 })))).toEqual(invalidClient(D.iatFuture));
    const once = await sign({ jti: "only-once" });
    expect((await exchange(once)).status).toBe(200);
    expect(shape(await exchange(once))).toEqual(invalidClient(D.replayed));
    const noJti = await sign({ jti: undefined });
    expect((await exchange(noJti)).status).toBe(200);
    expect((await exchange(noJti)).status).toBe(200);
  });

  it("needs iss = sub = client_id: the subject text for sub, the issuer text for iss", async () => {
    const clientId = await keyApp("pkj-iss", keyA);
    const r = await exchange(
      await clientAssertion(keyA.privateKey, { clientId, aud: aud(), claims: { sub: "someone" } }),
    );
    expect(shape(r)).toEqual(invalidClient(D.badSubject));
    const iss = await token(okta, {
      ...cc,
      client_id: clientId,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await clientAssertion(keyA.privateKey, {
        clientId,
        aud: aud(),
        claims: { iss: "someone-else" },
      }),
    });
    expect(shape(iss)).toEqual(invalidClient(D.badIssuer));
  });

  it("answers 400 invalid_request with Okta's text to a wrong client_assertion_type", async () => {
    const clientId = await keyApp("pkj-type", keyA);
    const jwt = await clientAssertion(keyA.privateKey, { clientId, aud: aud() });
    const r = await token(okta, { ...cc, client_assertion_type: "urn:wrong", client_assertion: jwt });
    expect(shape(r)).toEqual({
      status: 400,
      json: { error: "invalid_request", error_description: D.assertionType },
    });
  });

  it("refuses an assertion from a client_secret_basic app", async () => {
    const app = okta.addApp({ label: "basic-assert" });
    const jwt = await clientAssertion(keyA.privateKey, { clientId: app.clientId, aud: aud() });
    expect(shape(await exchange(jwt))).toEqual(invalidClient(D.authFailed));
  });
});

describe("token endpoint under a fleet", () => {
  it("serves 50 concurrent clients without a failure, private_key_jwt and secrets mixed", async () => {
    const pkjClient = await keyApp("fleet-pkj", keyA);
    const basic = okta.addApp({ label: "fleet-basic", secrets: 2 });
    const aud = `${okta.orgUrl}/oauth2/default/v1/token`;
    const statuses: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        for (let j = 0; j < 6; j++) {
          const r =
            i % 2 === 0
              ? await token(okta, {
                  ...cc,
                  client_assertion_type: ASSERTION_TYPE,
                  client_assertion: await clientAssertion(keyA.privateKey, { clientId: pkjClient, aud }),
                })
              : await token(okta, cc, { basic: [basic.clientId, basic.secrets[j % 2].clientSecret] });
          statuses.push(r.status);
        }
      }),
    );
    const perSecond = statuses.length / ((performance.now() - t0) / 1000);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(300);
    // Client and server share this process here; bench.ts measures them apart.
    expect(perSecond).toBeGreaterThan(20);
  });
});

describe("token endpoint audience from the Host header", () => {
  it("accepts aud built from the Host the client used", async () => {
    const { request } = await import("node:http");
    const clientId = await keyApp("host-aud", keyA);
    const port = new URL(okta.orgUrl).port;
    const post = (aud: string) =>
      clientAssertion(keyA.privateKey, { clientId, aud }).then(
        (assertion) =>
          new Promise<number>((resolve, reject) => {
            const req = request(
              `${okta.orgUrl}/oauth2/default/v1/token`,
              {
                method: "POST",
                headers: { Host: `localhost:${port}`, "Content-Type": "application/x-www-form-urlencoded" },
              },
              (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
              },
            );
            req.on("error", reject);
            req.end(
              new URLSearchParams({
                ...cc,
                client_assertion_type: ASSERTION_TYPE,
                client_assertion: assertion,
              }).toString(),
            );
          }),
      );
    expect(await post(`http://localhost:${port}/oauth2/default/v1/token`)).toBe(200);
    expect(await post(`http://127.0.0.1:${port}/oauth2/default/v1/token`)).toBe(200);
    expect(await post(`http://example.com:${port}/oauth2/default/v1/token`)).toBe(401);
  });
});
