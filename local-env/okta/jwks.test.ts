import { generateKeyPairSync } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal } from "./server";
import { MESSAGES } from "./store";
import { api, ecKey, oktaError, omit, rsaKey, type KeyPair } from "./test-helpers";
import type { OktaLocal } from "./types";

const SUMMARY = "Api validation failed: JsonWebKey";

let okta: OktaLocal;
let rsa: KeyPair;
beforeAll(async () => {
  // More calls than one token's share of a paid org's bucket: rate limits have their own tests.
  okta = await startOktaLocal({ apps: [], rateLimits: { apps: 10_000 } });
  rsa = await rsaKey("rsa-1");
});
afterAll(() => okta.close());

const jwksPath = (appId: string): string => `/api/v1/apps/${appId}/credentials/jwks`;
const add = (appId: string, body: unknown) => api(okta, "POST", jwksPath(appId), { body });

describe("JSON Web Keys", () => {
  it("adds an RSA key and echoes the public key with id, status, dates and _links", async () => {
    const app = okta.addApp({ label: "add-rsa" });
    const r = await add(app.id, { ...rsa.publicJwk, status: "ACTIVE" });
    expect(r.status).toBe(201);
    expect(r.json.id).toMatch(/^pks[A-Za-z0-9]{17}$/);
    expect(r.json).toMatchObject({
      kid: "rsa-1",
      kty: "RSA",
      alg: "RS256",
      use: "sig",
      e: rsa.publicJwk.e,
      n: rsa.publicJwk.n,
      status: "ACTIVE",
    });
    expect(typeof r.json.created).toBe("string");
    expect(typeof r.json.lastUpdated).toBe("string");
    const base = `${okta.orgUrl}${jwksPath(app.id)}/${r.json.id}`;
    expect(r.json._links).toEqual({
      deactivate: { href: `${base}/lifecycle/deactivate`, hints: { allow: ["POST"] } },
    });
    const got = await api(okta, "GET", `${jwksPath(app.id)}/${r.json.id}`);
    expect(got.status).toBe(200);
    expect(got.json.kid).toBe("rsa-1");
  });

  it("defaults status to ACTIVE and lists as {keys: [...]}", async () => {
    const app = okta.addApp({ label: "list" });
    const r = await add(app.id, omit(rsa.publicJwk, "status"));
    expect(r.json.status).toBe("ACTIVE");
    const list = await api(okta, "GET", jwksPath(app.id));
    expect(list.status).toBe(200);
    expect(Object.keys(list.json)).toEqual(["keys"]);
    expect(list.json.keys.map((k: { id: string }) => k.id)).toEqual([r.json.id]);
  });

  it("adds EC keys on P-256, P-384 and P-521, with or without crv", async () => {
    const app = okta.addApp({ label: "ec" });
    for (const crv of ["P-256", "P-384", "P-521"] as const) {
      const k = await ecKey(`ec-${crv}`, crv);
      const r = await add(app.id, k.publicJwk);
      expect(r.status).toBe(201);
      expect(r.json.crv).toBe(crv);
    }
    const k = await ecKey("ec-nocrv");
    const r = await add(app.id, omit(k.publicJwk, "crv"));
    expect(r.status).toBe(201);
    // Revision 3: a recorded answer shows `"crv": null` for an EC key sent without it.
    expect(r.json.crv).toBeNull();
  });

  it("refuses an RSA key under 2048 bits", async () => {
    const app = okta.addApp({ label: "rsa1024" });
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const r = await add(app.id, {
      ...publicKey.export({ format: "jwk" }),
      kid: "small",
      alg: "RS256",
      use: "sig",
    });
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SUMMARY,
      cause: "RSA key length in the 'jwks' is less than '2,048' bits for the given key.",
    });
  });

  for (const member of ["d", "p", "q", "dp", "dq", "qi"]) {
    it(`refuses a key carrying the private member '${member}'`, async () => {
      const app = okta.addApp({ label: `private-${member}` });
      const r = await add(app.id, { ...rsa.publicJwk, [member]: "AQAB" });
      expect(oktaError(r)).toEqual({
        status: 400,
        errorCode: "E0000001",
        errorSummary: SUMMARY,
        cause: MESSAGES.privateMember(member),
      });
      expect(okta.listKeys(app.id)).toHaveLength(0);
    });
  }

  it("refuses a whole private JWK", async () => {
    const app = okta.addApp({ label: "private-whole" });
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const r = await add(app.id, { ...(await exportJWK(privateKey)), kid: "whole" });
    expect(r.status).toBe(400);
    expect(r.json.errorCode).toBe("E0000001");
  });

  it("refuses a duplicate kid, and a missing kid once the app has a key, each with its own text", async () => {
    // okta-api.md "JSON Web Keys" (revision 2), exact per Revision 3.
    const app = okta.addApp({ label: "kid" });
    expect((await add(app.id, rsa.publicJwk)).status).toBe(201);
    const other = await rsaKey("rsa-1");
    const dup = await add(app.id, other.publicJwk);
    expect(oktaError(dup)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SUMMARY,
      cause: "All keys in the 'jwks' must have a unique `kid`.",
    });
    const missing = await add(app.id, omit(other.publicJwk, "kid"));
    expect(oktaError(missing)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SUMMARY,
      cause:
        "Each key should have a unique kid when adding multiple keys. Use the Apps API to update the JWKS to add a kid for the existing key, or delete the existing key and re-add the key with a kid using the JWKS APIs.",
    });
  });

  it("refuses the 51st key", async () => {
    const app = okta.addApp({ label: "cap" });
    const k = await ecKey("x");
    for (let i = 0; i < 50; i++) {
      const r = await add(app.id, { ...k.publicJwk, kid: `k${i}`, status: "INACTIVE" });
      expect(r.status).toBe(201);
    }
    const r = await add(app.id, { ...k.publicJwk, kid: "k50" });
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SUMMARY,
      cause:
        "You can't create a new key. You have reached the maximum number of keys allowed (50). To add another key, you must first delete an existing one.",
    });
    expect(okta.listKeys(app.id)).toHaveLength(50);
  });

  it("refuses to delete an ACTIVE key, deletes it once INACTIVE", async () => {
    const app = okta.addApp({ label: "delete" });
    const k = await add(app.id, rsa.publicJwk);
    const r = await api(okta, "DELETE", `${jwksPath(app.id)}/${k.json.id}`);
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SUMMARY,
      cause: "You can't delete an active JSON Web Key. Deactivate the key before deleting it.",
    });
    const d = await api(okta, "POST", `${jwksPath(app.id)}/${k.json.id}/lifecycle/deactivate`);
    expect(d.status).toBe(200);
    expect(d.json.status).toBe("INACTIVE");
    const base = `${okta.orgUrl}${jwksPath(app.id)}/${k.json.id}`;
    expect(d.json._links).toEqual({
      activate: { href: `${base}/lifecycle/activate`, hints: { allow: ["POST"] } },
      delete: { href: base, hints: { allow: ["DELETE"] } },
    });
    expect((await api(okta, "DELETE", `${jwksPath(app.id)}/${k.json.id}`)).status).toBe(204);
    expect(okta.listKeys(app.id)).toEqual([]);
  });

  it("refuses to deactivate the only ACTIVE key of a private_key_jwt app", async () => {
    const app = okta.addApp({ label: "only-key", tokenEndpointAuthMethod: "private_key_jwt" });
    const k = await add(app.id, rsa.publicJwk);
    const r = await api(okta, "POST", `${jwksPath(app.id)}/${k.json.id}/lifecycle/deactivate`);
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SUMMARY,
      cause:
        "Can't deactivate the only active JSON Web Key when the value for `token_endpoint_auth_method` is `private_key_jwt`.",
    });
    // With a second ACTIVE key, either may go.
    const second = await ecKey("ec-2");
    await add(app.id, second.publicJwk);
    expect((await api(okta, "POST", `${jwksPath(app.id)}/${k.json.id}/lifecycle/deactivate`)).status).toBe(
      200,
    );
    // On a client_secret_basic app the only key may be deactivated.
    const basic = okta.addApp({ label: "only-key-basic" });
    const bk = await add(basic.id, rsa.publicJwk);
    expect((await api(okta, "POST", `${jwksPath(basic.id)}/${bk.json.id}/lifecycle/deactivate`)).status).toBe(
      200,
    );
  });

  it("keeps only one ACTIVE encryption key", async () => {
    const app = okta.addApp({ label: "enc" });
    const e1 = await add(app.id, { ...rsa.publicJwk, kid: "enc-1", use: "enc", alg: "RSA-OAEP-256" });
    const other = await rsaKey("enc-2");
    const e2 = await add(app.id, { ...other.publicJwk, use: "enc", alg: "RSA-OAEP-256" });
    expect(e2.status).toBe(201);
    const byId = () => Object.fromEntries(okta.listKeys(app.id).map((k) => [k.id, k.status]));
    expect(byId()).toEqual({ [e1.json.id]: "INACTIVE", [e2.json.id]: "ACTIVE" });
    await api(okta, "POST", `${jwksPath(app.id)}/${e1.json.id}/lifecycle/activate`);
    expect(byId()).toEqual({ [e1.json.id]: "ACTIVE", [e2.json.id]: "INACTIVE" });
    const ec = await ecKey("ec-enc");
    const refused = await add(app.id, { ...ec.publicJwk, use: "enc" });
    expect(refused.status).toBe(400);
  });

  it("answers 404 E0000007 for an unknown key", async () => {
    const app = okta.addApp({ label: "404" });
    for (const [method, suffix] of [
      ["GET", ""],
      ["DELETE", ""],
      ["POST", "/lifecycle/activate"],
      ["POST", "/lifecycle/deactivate"],
    ]) {
      const r = await api(okta, method, `${jwksPath(app.id)}/pksNope${suffix}`);
      expect(oktaError(r)).toEqual({
        status: 404,
        errorCode: "E0000007",
        errorSummary: "Not found: Resource not found: pksNope (JsonWebKey)",
      });
    }
  });
});
