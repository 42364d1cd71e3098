// DPoP (RFC 9449) as the local Okta enforces it, with raw HTTP: every rule's status, error and description.
// Tokens are compared as booleans, never passed to matchers that would print them.
import { calculateJwkThumbprint, decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DPOP_DESCRIPTIONS as D } from "./dpop";
import { startOktaLocal } from "./server";
import {
  ORG_TOKEN_PATH,
  api,
  dpopProof,
  dpopServiceToken,
  ecKey,
  rsaKey,
  serviceForm,
  token,
  type KeyPair,
  type Reply,
} from "./test-helpers";
import type { OktaLocal } from "./types";

let okta: OktaLocal;
let key: KeyPair;
let other: KeyPair;
let otherEc: KeyPair;
let tokenUrl: string;
beforeAll(async () => {
  okta = await startOktaLocal();
  [key, other, otherEc] = await Promise.all([ecKey("dpop"), rsaKey("other"), ecKey("other-ec")]);
  tokenUrl = `${okta.orgUrl}/oauth2/v1/token`;
});
afterAll(() => okta.close());

const oauthError = (r: Reply) => ({
  status: r.status,
  error: r.json?.error,
  description: r.json?.error_description,
});
const invalidProof = (description: string) => ({ status: 400, error: "invalid_dpop_proof", description });

/** A nonce to put in proofs: the one the token endpoint hands out after a proof without it. */
async function tokenNonce(): Promise<string> {
  const r = await token(okta, await serviceForm(okta, "okta.apps.read"), {
    path: ORG_TOKEN_PATH,
    dpop: await dpopProof(key, { htm: "POST", htu: tokenUrl }),
  });
  return r.headers.get("dpop-nonce") ?? "";
}

/** A token request of the service app with the given proof. */
async function withProof(proof: string | undefined): Promise<Reply> {
  return token(okta, await serviceForm(okta, "okta.apps.read okta.apps.manage"), {
    path: ORG_TOKEN_PATH,
    ...(proof !== undefined ? { dpop: proof } : {}),
  });
}

describe("the setting", () => {
  it("is on for the seeded service app and off for other seeded apps", () => {
    const service = okta.getApp(okta.serviceApp.id) as { settings: { oauthClient: Record<string, unknown> } };
    expect(service.settings.oauthClient.dpop_bound_access_tokens).toBe(true);
    const app = okta.addApp();
    const plain = okta.getApp(app.id) as typeof service;
    expect(plain.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
  });
});

describe("token endpoint of a DPoP-bound service app", () => {
  it("refuses a request without a DPoP header", async () => {
    expect(oauthError(await withProof(undefined))).toEqual(invalidProof(D.missing));
    expect(D.missing).toBe("The DPoP proof JWT header is missing.");
  });

  it("asks for a nonce with 400 use_dpop_nonce and a dpop-nonce header, then binds the token to the key", async () => {
    const first = await withProof(await dpopProof(key, { htm: "POST", htu: tokenUrl }));
    expect(oauthError(first)).toEqual({
      status: 400,
      error: "use_dpop_nonce",
      description: "Authorization server requires nonce in DPoP proof.",
    });
    const nonce = first.headers.get("dpop-nonce") ?? "";
    expect(nonce.length >= 16).toBe(true);
    const second = await withProof(await dpopProof(key, { htm: "POST", htu: tokenUrl, nonce }));
    expect(second.status).toBe(200);
    expect(second.json.token_type).toBe("DPoP");
    const claims = decodeJwt(second.json.access_token as string) as { cnf?: { jkt?: string } };
    expect(claims.cnf?.jkt).toBe(await calculateJwkThumbprint(key.publicJwk, "sha256"));
  });

  it("refuses a nonce it did not hand out with use_dpop_nonce", async () => {
    const r = await withProof(await dpopProof(key, { htm: "POST", htu: tokenUrl, nonce: "made-up" }));
    expect(oauthError(r).error).toBe("use_dpop_nonce");
    expect((r.headers.get("dpop-nonce") ?? "") !== "").toBe(true);
  });

  it("ignores the query in htu, as RFC 9449 §4.3 says", async () => {
    const nonce = await tokenNonce();
    const r = await withProof(await dpopProof(key, { htm: "POST", htu: `${tokenUrl}?x=1`, nonce }));
    expect(r.status).toBe(200);
  });

  const cases: [string, (nonce: string) => Promise<string>, string][] = [
    [
      "typ other than dpop+jwt",
      (nonce) => dpopProof(key, { htm: "POST", htu: tokenUrl, nonce, header: { typ: "JWT" } }),
      "'typ' must be 'dpop+jwt' in the DPoP proof JWT.",
    ],
    [
      "htm other than the request's method",
      (nonce) => dpopProof(key, { htm: "GET", htu: tokenUrl, nonce }),
      "'htm' claim in the DPoP proof JWT is invalid.",
    ],
    [
      "htu of another endpoint",
      (nonce) => dpopProof(key, { htm: "POST", htu: `${okta.orgUrl}/oauth2/default/v1/token`, nonce }),
      "'htu' claim in the DPoP proof JWT is invalid.",
    ],
    [
      "a signature by another key than the jwk header's",
      (nonce) => dpopProof(key, { htm: "POST", htu: tokenUrl, nonce, signWith: otherEc.privateKey }),
      "The DPoP proof JWT signature is invalid.",
    ],
    [
      "iat more than five minutes in the past",
      (nonce) =>
        dpopProof(key, {
          htm: "POST",
          htu: tokenUrl,
          nonce,
          claims: { iat: Math.floor(Date.now() / 1000) - 301 },
        }),
      "The DPoP proof JWT is issued more than five minutes in the past.",
    ],
    [
      "no jwk header",
      (nonce) => dpopProof(key, { htm: "POST", htu: tokenUrl, nonce, header: { jwk: undefined } }),
      D.jwk,
    ],
    [
      "a private key in the jwk header",
      (nonce) =>
        dpopProof(key, {
          htm: "POST",
          htu: tokenUrl,
          nonce,
          header: { jwk: { ...key.publicJwk, d: "AAAA" } },
        }),
      D.jwk,
    ],
    // The texts below: Okta's OAuth error table via okta-api.md Revision 3, "DPoP texts" (README "DPoP").
    ["not a JWT", () => Promise.resolve("not.a-jwt"), D.unparsable],
    [
      "an HMAC algorithm",
      async (nonce) => {
        const { SignJWT } = await import("jose");
        return new SignJWT({
          htm: "POST",
          htu: tokenUrl,
          iat: Math.floor(Date.now() / 1000),
          jti: "h",
          nonce,
        })
          .setProtectedHeader({ typ: "dpop+jwt", alg: "HS256", jwk: { kty: "oct", k: "c2VjcmV0" } as never })
          .sign(new TextEncoder().encode("a-shared-secret-of-32-characters!"));
      },
      D.algorithm,
    ],
    [
      "no jti",
      (nonce) => dpopProof(key, { htm: "POST", htu: tokenUrl, nonce, claims: { jti: undefined } }),
      D.jti,
    ],
    [
      "no iat",
      (nonce) => dpopProof(key, { htm: "POST", htu: tokenUrl, nonce, claims: { iat: undefined } }),
      D.iat,
    ],
    [
      "iat more than a minute ahead",
      (nonce) =>
        dpopProof(key, {
          htm: "POST",
          htu: tokenUrl,
          nonce,
          claims: { iat: Math.floor(Date.now() / 1000) + 120 },
        }),
      D.iatFuture,
    ],
  ];
  it.each(cases)("refuses a proof with %s", async (_name, make, description) => {
    const r = await withProof(await make(await tokenNonce()));
    expect(oauthError(r)).toEqual(invalidProof(description));
  });

  it("refuses two DPoP headers: Multiple DPoP proof JWT headers are not allowed.", async () => {
    const nonce = await tokenNonce();
    const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded" });
    headers.append("DPoP", await dpopProof(key, { htm: "POST", htu: tokenUrl, nonce }));
    headers.append("DPoP", await dpopProof(key, { htm: "POST", htu: tokenUrl, nonce }));
    const res = await fetch(tokenUrl, {
      method: "POST",
      headers,
      body: new URLSearchParams(await serviceForm(okta, "okta.apps.read")).toString(),
    });
    const json = (await res.json()) as { error: string; error_description: string };
    expect({ status: res.status, error: json.error, description: json.error_description }).toEqual(
      invalidProof(D.multiple),
    );
  });

  it("refuses a proof whose jti was used already", async () => {
    const proof = await dpopProof(key, { htm: "POST", htu: tokenUrl, nonce: await tokenNonce() });
    expect((await withProof(proof)).status).toBe(200);
    expect(oauthError(await withProof(proof))).toEqual(
      invalidProof("The DPoP proof JWT has already been used."),
    );
  });
});

describe("apps without DPoP", () => {
  it("an app without the setting gets a Bearer token, with or without a proof", async () => {
    const local = await startOktaLocal({ apps: [], serviceAppDpop: false });
    try {
      const form = await serviceForm(local, "okta.apps.read");
      expect((await token(local, form, { path: ORG_TOKEN_PATH })).json.token_type).toBe("Bearer");
      const proof = await dpopProof(key, { htm: "POST", htu: `${local.orgUrl}/oauth2/v1/token` });
      const r = await token(local, await serviceForm(local, "okta.apps.read"), {
        path: ORG_TOKEN_PATH,
        dpop: proof,
      });
      expect(r.status).toBe(200);
      expect(r.json.token_type).toBe("Bearer");
    } finally {
      await local.close();
    }
  });

  it("a PUT of the service app with dpop_bound_access_tokens false turns it off", async () => {
    const local = await startOktaLocal({ apps: [] });
    try {
      const path = `/api/v1/apps/${local.serviceApp.id}`;
      const app = (await api(local, "GET", path)).json;
      app.settings.oauthClient.dpop_bound_access_tokens = false;
      expect((await api(local, "PUT", path, { body: app })).status).toBe(200);
      const r = await token(local, await serviceForm(local, "okta.apps.read"), { path: ORG_TOKEN_PATH });
      expect(r.status).toBe(200);
      expect(r.json.token_type).toBe("Bearer");
    } finally {
      await local.close();
    }
  });
});

describe("management calls with a DPoP-bound token", () => {
  let accessToken: string;
  let path: string;
  let url: string;
  beforeAll(async () => {
    accessToken = (await dpopServiceToken(okta, "okta.apps.read okta.apps.manage", key)).accessToken;
    path = `/api/v1/apps/${okta.addApp().id}/credentials/secrets`;
    url = `${okta.orgUrl}${path}`;
  });

  const call = (auth: string, proof?: string, method = "GET"): Promise<Reply> =>
    fetch(`${okta.orgUrl}${path}`, {
      method,
      headers: { Authorization: auth, Accept: "application/json", ...(proof ? { DPoP: proof } : {}) },
    }).then(async (res) => {
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
    });

  it("accepts Authorization: DPoP with a fresh proof carrying ath, a proof per call", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await call(
        `DPoP ${accessToken}`,
        await dpopProof(key, { htm: "GET", htu: url, accessToken }),
      );
      expect(r.status).toBe(200);
      expect(r.json).toHaveLength(1);
    }
  });

  it("refuses the Bearer scheme with a bound token", async () => {
    const r = await call(
      `Bearer ${accessToken}`,
      await dpopProof(key, { htm: "GET", htu: url, accessToken }),
    );
    expect(oauthError(r)).toEqual({
      status: 400,
      error: "invalid_request",
      description:
        "The resource request must use the DPoP authentication scheme when using a DPoP bound token.",
    });
    expect(r.headers.get("www-authenticate") ?? "").toMatch(/^DPoP error="invalid_request"/);
  });

  it("refuses a call without a proof", async () => {
    expect(oauthError(await call(`DPoP ${accessToken}`))).toEqual({
      status: 400,
      error: "invalid_request",
      description: "The resource request requires a DPoP proof.",
    });
  });

  it("refuses a proof whose ath is another token's, or missing", async () => {
    const ath = "'ath' claim in the DPoP proof does not match the presented access_token.";
    const wrong = await dpopProof(key, { htm: "GET", htu: url, accessToken: `${accessToken}x` });
    expect(oauthError(await call(`DPoP ${accessToken}`, wrong))).toEqual(invalidProof(ath));
    const none = await dpopProof(key, { htm: "GET", htu: url });
    expect(oauthError(await call(`DPoP ${accessToken}`, none))).toEqual(invalidProof(ath));
  });

  it("checks htm, htu, jti, age and the bound key as at the token endpoint", async () => {
    const auth = `DPoP ${accessToken}`;
    const htm = await dpopProof(key, { htm: "POST", htu: url, accessToken });
    expect(oauthError(await call(auth, htm))).toEqual(invalidProof(D.htm));
    const htu = await dpopProof(key, { htm: "GET", htu: `${okta.orgUrl}/api/v1/apps`, accessToken });
    expect(oauthError(await call(auth, htu))).toEqual(invalidProof(D.htu));
    const old = await dpopProof(key, {
      htm: "GET",
      htu: url,
      accessToken,
      claims: { iat: Math.floor(Date.now() / 1000) - 301 },
    });
    expect(oauthError(await call(auth, old))).toEqual(invalidProof(D.tooOld));
    const once = await dpopProof(key, { htm: "GET", htu: url, accessToken });
    expect((await call(auth, once)).status).toBe(200);
    expect(oauthError(await call(auth, once))).toEqual(invalidProof(D.replayed));
    const stranger = await dpopProof(other, { htm: "GET", htu: url, accessToken });
    expect(oauthError(await call(auth, stranger))).toEqual(invalidProof(D.keyMismatch));
  });

  it("refuses the DPoP scheme with a token that is not bound", async () => {
    const local = await startOktaLocal({ apps: [], serviceAppDpop: false });
    try {
      const bearer = (
        await token(local, await serviceForm(local, "okta.apps.read"), { path: ORG_TOKEN_PATH })
      ).json.access_token as string;
      const r = await fetch(`${local.orgUrl}/api/v1/apps`, {
        headers: {
          Authorization: `DPoP ${bearer}`,
          DPoP: await dpopProof(key, { htm: "GET", htu: `${local.orgUrl}/api/v1/apps`, accessToken: bearer }),
        },
      });
      // Okta's OAuth error table, "Access token not dpop bound" (Revision 3, "DPoP texts").
      expect({ status: r.status, json: await r.json() }).toEqual({
        status: 401,
        json: { error: "invalid_token", error_description: D.notBound },
      });
      expect(r.headers.get("www-authenticate")).toContain('error="invalid_token"');
    } finally {
      await local.close();
    }
  });
});

describe("resource nonce (RFC 9449 §9), when started with dpopResourceNonce", () => {
  it("answers 401 use_dpop_nonce with a DPoP-Nonce header, and accepts the retry carrying it", async () => {
    const local = await startOktaLocal({ apps: [{}], dpopResourceNonce: true });
    try {
      const { accessToken } = await dpopServiceToken(local, "okta.apps.read", key);
      const url = `${local.orgUrl}/api/v1/apps/${local.apps[0].id}`;
      const send = async (nonce?: string) => {
        const res = await fetch(url, {
          headers: {
            Authorization: `DPoP ${accessToken}`,
            DPoP: await dpopProof(key, { htm: "GET", htu: url, accessToken, ...(nonce ? { nonce } : {}) }),
          },
        });
        const text = await res.text();
        return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
      };
      const first = await send();
      expect(oauthError(first)).toEqual({
        status: 401,
        error: "use_dpop_nonce",
        description: D.resourceNonce,
      });
      expect(first.headers.get("www-authenticate") ?? "").toMatch(/^DPoP error="use_dpop_nonce"/);
      const nonce = first.headers.get("dpop-nonce") ?? "";
      expect(nonce !== "").toBe(true);
      expect((await send(nonce)).status).toBe(200);
    } finally {
      await local.close();
    }
  });
});
