// Helpers for the okta-local tests. Secret values are compared as booleans or counts, never passed to
// matchers that would print them on failure.
import { generateKeyPair, exportJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { randomUUID } from "node:crypto";
import type { OktaLocal } from "./types";

export interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** One management API call, authenticated with the seeded SSWS token unless `auth` says otherwise. */
export async function api(
  okta: OktaLocal,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string; auth?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const auth = opts.auth === undefined ? `SSWS ${okta.apiToken}` : opts.auth;
  if (auth !== null) headers.Authorization = auth;
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${okta.orgUrl}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** The seeded `default` custom authorization server's token endpoint, where apps with secrets get tokens. */
export const CUSTOM_TOKEN_PATH = "/oauth2/default/v1/token";
/** The org authorization server's token endpoint: Okta scopes for service apps with private_key_jwt only. */
export const ORG_TOKEN_PATH = "/oauth2/v1/token";

/** POST a form to a token endpoint (default: the seeded `default` custom authorization server). */
export async function token(
  okta: OktaLocal,
  form: Record<string, string>,
  opts: { path?: string; basic?: [string, string]; dpop?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (opts.dpop !== undefined) headers.DPoP = opts.dpop;
  if (opts.basic)
    headers.Authorization = `Basic ${Buffer.from(`${opts.basic[0]}:${opts.basic[1]}`).toString("base64")}`;
  const res = await fetch(`${okta.orgUrl}${opts.path ?? CUSTOM_TOKEN_PATH}`, {
    method: "POST",
    headers,
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

export interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function rsaKey(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

export async function ecKey(kid: string, crv: "P-256" | "P-384" | "P-521" = "P-256"): Promise<KeyPair> {
  const alg = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" }[crv];
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, crv });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** A client assertion; `claims` override the defaults, a claim set to undefined is left out. */
export async function clientAssertion(
  key: CryptoKey | Uint8Array,
  opts: { clientId: string; aud: string; alg?: string; kid?: string; claims?: Partial<JWTPayload> },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    iss: opts.clientId,
    sub: opts.clientId,
    aud: opts.aud,
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    ...opts.claims,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? "RS256", ...(opts.kid ? { kid: opts.kid } : {}) })
    .sign(key);
}

export const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** The token request form of the seeded service app, with a fresh client assertion. */
export async function serviceForm(okta: OktaLocal, scope: string): Promise<Record<string, string>> {
  const { importJWK } = await import("jose");
  const key = (await importJWK(okta.serviceApp.privateJwk, "RS256")) as CryptoKey;
  const jwt = await clientAssertion(key, {
    clientId: okta.serviceApp.clientId,
    aud: `${okta.orgUrl}${ORG_TOKEN_PATH}`,
    kid: okta.serviceApp.kid,
  });
  return {
    grant_type: "client_credentials",
    scope,
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: jwt,
  };
}

/** Management access token for the seeded service app, started with `serviceAppDpop: false` (Bearer). */
export async function serviceToken(okta: OktaLocal, scope: string): Promise<string> {
  const r = await token(okta, await serviceForm(okta, scope), { path: ORG_TOKEN_PATH });
  if (r.status !== 200)
    throw new Error(`service token: ${r.status} ${r.json?.error} ${r.json?.error_description}`);
  return r.json.access_token as string;
}

/** A DPoP proof (RFC 9449 §4.2); `claims` / `header` override the defaults, undefined leaves one out. */
export async function dpopProof(
  key: KeyPair,
  opts: {
    htm: string;
    htu: string;
    nonce?: string;
    accessToken?: string;
    claims?: Partial<JWTPayload> & Record<string, unknown>;
    header?: Record<string, unknown>;
    signWith?: CryptoKey;
  },
): Promise<string> {
  const { createHash } = await import("node:crypto");
  const claims: Record<string, unknown> = {
    htm: opts.htm,
    htu: opts.htu,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
    ...(opts.accessToken !== undefined
      ? { ath: createHash("sha256").update(opts.accessToken).digest("base64url") }
      : {}),
    ...opts.claims,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  const { kid: _kid, use: _use, ...jwk } = key.publicJwk;
  const header: Record<string, unknown> = { typ: "dpop+jwt", alg: key.publicJwk.alg, jwk, ...opts.header };
  for (const k of Object.keys(header)) if (header[k] === undefined) delete header[k];
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(opts.signWith ?? key.privateKey);
}

/**
 * The whole DPoP exchange of the seeded service app with raw HTTP: a proof without nonce, the
 * `use_dpop_nonce` answer, the retry with the nonce. Returns the token and what each step answered.
 */
export async function dpopServiceToken(
  okta: OktaLocal,
  scope: string,
  key: KeyPair,
): Promise<{ accessToken: string; first: Reply; second: Reply }> {
  const htu = `${okta.orgUrl}/oauth2/v1/token`;
  const first = await token(okta, await serviceForm(okta, scope), {
    path: ORG_TOKEN_PATH,
    dpop: await dpopProof(key, { htm: "POST", htu }),
  });
  const nonce = first.headers.get("dpop-nonce") ?? "";
  const second = await token(okta, await serviceForm(okta, scope), {
    path: ORG_TOKEN_PATH,
    dpop: await dpopProof(key, { htm: "POST", htu, nonce }),
  });
  if (second.status !== 200) {
    throw new Error(
      `DPoP service token: ${second.status} ${second.json?.error} ${second.json?.error_description}`,
    );
  }
  return { accessToken: second.json.access_token as string, first, second };
}

/** Asserts an Okta error body without ever printing a secret. */
export function oktaError(r: Reply): {
  status: number;
  errorCode: string;
  errorSummary: string;
  cause?: string;
} {
  return {
    status: r.status,
    errorCode: r.json?.errorCode,
    errorSummary: r.json?.errorSummary,
    cause: r.json?.errorCauses?.[0]?.errorSummary,
  };
}

/** A copy of `obj` without `key`. */
export function omit<T extends object>(obj: T, key: string): Partial<T> {
  const copy = { ...obj } as Record<string, unknown>;
  delete copy[key];
  return copy as Partial<T>;
}
