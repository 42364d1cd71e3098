// The OAuth service app mode of the management connection: `client_credentials` at the org authorization server
// with `private_key_jwt`, and DPoP (RFC 9449) when Okta binds the app's tokens to a key — the default for API
// Services apps created since February 2024 (`settings.oauthClient.dpop_bound_access_tokens`).
//
// This replaces the OAuth layer of @okta/okta-sdk-nodejs 8.1 (oktaApi.ts detaches it from the SDK client and
// oktaRetry.ts calls `authorize` from its request executor for every attempt). 8.1 does reach its `use_dpop_nonce` retry,
// but only because its token response is never error-checked (oauth.js chains `.then(Http.errorFilter)` on the
// module object, where `errorFilter` is undefined), and around it:
//  - it makes one proof per call in `prepareRequest`; the retries of oktaRetry.ts resend the request, and a
//    proof is single-use and stale after five minutes (RFC 9449 §4.3; Okta's texts in ../local-env/okta/dpop.ts),
//    while 429 waits alone can add up to more than that: here every attempt gets a new proof;
//  - it signs proofs with the client-authentication key itself, always as RS256 (an EC key cannot work); here
//    the proof key is an ephemeral EC P-256 key per connection, made with jose, held in memory only (never in
//    Pulumi state: the providers reach it through the process-global registry of connection.ts, not a closure);
//  - a refused token request (bad key, missing grant) surfaced only as a 401 on the next management call;
//    here it is an error with Okta's `error` and `error_description`;
//  - it keeps a token until a 401; here it is renewed a minute before `expires_in` runs out;
//  - it ignores a `DPoP-Nonce` from the resource server (RFC 9449 §9); here the latest one goes into the
//    following proofs, and a 401 `use_dpop_nonce` is answered once with it.

import { createHash, createPrivateKey, randomUUID } from "crypto";
import type { CryptoKey, JWK } from "jose";
import { signingAlgorithm } from "../client/assertion";
import { connectionKeys, OktaConfigError } from "./oktaSettings";

/** The request of one attempt, in the SDK's request-executor shape (node-fetch options plus `url`). */
export interface AttemptRequest {
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The part of a node-fetch response used here. */
export interface AttemptResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** Hooks the retry loop of oktaRetry.ts calls around each attempt of one request. */
export interface AttemptHooks {
  /** The request of this attempt: fresh credentials and proof on top of the original. */
  prepare?(request: AttemptRequest): Promise<AttemptRequest>;
  /** After an answer: send the request again at once (a nonce asked for, a token renewed). */
  again?(response: AttemptResponse, sent: AttemptRequest): boolean;
}

/** Sends a request under the connection's retry policy (429 waits, 5xx and network retries). */
export type Transport = (
  request: AttemptRequest,
  hooks: AttemptHooks,
  idempotent: boolean,
) => Promise<AttemptResponse>;

/** Signs a `private_key_jwt` client assertion for the given token endpoint URL. */
export type AssertionSigner = (audience: string) => Promise<string>;

export interface ServiceAppOptions {
  readonly orgUrl: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly signAssertion: AssertionSigner;
  readonly transport: Transport;
  /** Millisecond clock (tests). */
  readonly now?: () => number;
}

/** The token endpoint refused the service app's token request. Carries Okta's `error` and description. */
export class ServiceAppTokenError extends Error {
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly errorSummary: string;
  readonly errorCauses: readonly { errorSummary: string }[] = [];

  constructor(status: number, clientId: string, error: string | undefined, description: string | undefined) {
    const summary =
      `the token request of service app ${clientId} was refused` +
      (description ? `: ${description}` : error ? `: ${error}` : "");
    const message = `Okta HTTP ${status}${error ? ` ${error}` : ""}: ${summary}`;
    super(message);
    // Set on the instance: the closure serializer may call Error as a function (see keepMessage in oktaErrors.ts).
    Object.defineProperty(this, "message", { value: message, writable: true, configurable: true });
    this.name = "ServiceAppTokenError";
    this.status = status;
    this.errorCode = error;
    this.errorSummary = summary;
  }
}

interface AccessToken {
  readonly value: string;
  /** `token_type: DPoP` (RFC 9449 §5): calls use the DPoP scheme and a proof with `ath`. */
  readonly dpop: boolean;
  readonly renewAtMs: number;
}

interface ProofKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Renew a token this long before Okta says it expires. */
const RENEW_EARLY_MS = 60_000;
/** Rounds of `use_dpop_nonce` accepted for one token request (Okta asks once). */
const MAX_NONCE_ROUNDS = 2;

/** base64url(SHA-256(token)): the `ath` claim (RFC 9449 §4.2). */
export function accessTokenHash(token: string): string {
  return createHash("sha256").update(token, "ascii").digest("base64url");
}

/** `htu`: the request URL without query and fragment (RFC 9449 §4.2). */
export function proofTarget(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** Tokens and DPoP proofs of one connection's service app. Lives in memory only. */
export class ServiceAppAuth {
  private token: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;
  private proofKey: Promise<ProofKey> | undefined;
  private tokenNonce: string | undefined;
  private resourceNonce: string | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: ServiceAppOptions) {
    this.now = opts.now ?? Date.now;
  }

  get tokenUrl(): string {
    return `${this.opts.orgUrl}/oauth2/v1/token`;
  }

  /** Hooks for one management request: credentials per attempt, the retries a 401 calls for. */
  hooks(): AttemptHooks {
    let nonceRetries = 0;
    let tokenRetries = 0;
    return {
      prepare: async (request) => {
        const headers = { ...request.headers, ...(await this.authorize(request.method, request.url)) };
        return { ...request, headers };
      },
      again: (response, sent) => {
        // RFC 9449 §8.2 / §9: a server may hand out a new nonce with any answer; later proofs carry it.
        const nonce = response.headers.get("dpop-nonce");
        if (nonce) this.resourceNonce = nonce;
        if (response.status !== 401) return false;
        const challenge = response.headers.get("www-authenticate") ?? "";
        if (/error="use_dpop_nonce"/i.test(challenge)) {
          if (!nonce || nonceRetries >= 1) return false;
          nonceRetries++;
          return true;
        }
        // Okta refused the token itself (expired early, revoked): drop it and get a new one, once.
        const sentToken = String(sent.headers?.Authorization ?? "").replace(/^\S+\s+/, "");
        if (tokenRetries < 1 && this.token !== undefined && sentToken === this.token.value) {
          tokenRetries++;
          this.token = undefined;
          return true;
        }
        return false;
      },
    };
  }

  /** `Authorization` (and `DPoP`) headers for one attempt of a management call. */
  async authorize(method: string | undefined, url: string | undefined): Promise<Record<string, string>> {
    const token = await this.accessToken();
    if (!token.dpop) return { Authorization: `Bearer ${token.value}` };
    // RFC 9449 §7.1: the DPoP scheme, and a fresh proof for this method and URL carrying `ath`.
    const proof = await this.proof(String(method ?? "GET"), String(url ?? ""), {
      accessToken: token.value,
      nonce: this.resourceNonce,
    });
    return { Authorization: `DPoP ${token.value}`, DPoP: proof };
  }

  private accessToken(): Promise<AccessToken> {
    const t = this.token;
    if (t !== undefined && this.now() < t.renewAtMs) return Promise.resolve(t);
    if (this.pending === undefined) {
      const p = this.requestToken().finally(() => {
        if (this.pending === p) this.pending = undefined;
      });
      this.pending = p;
    }
    return this.pending;
  }

  /**
   * `client_credentials` with a fresh client assertion and a DPoP proof per attempt. Okta ignores the proof
   * for an app without DPoP (its SDKs send one to every service app) and answers `token_type: Bearer`; a
   * DPoP-bound app answers 400 `use_dpop_nonce` with a `dpop-nonce` header first, and the request is made
   * again with that nonce in the proof (RFC 9449 §8).
   */
  private async requestToken(): Promise<AccessToken> {
    const url = this.tokenUrl;
    for (let round = 0; ; round++) {
      const response = await this.opts.transport(
        {
          url,
          method: "POST",
          headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        },
        {
          prepare: async (request) => ({
            ...request,
            headers: {
              ...request.headers,
              DPoP: await this.proof("POST", url, { nonce: this.tokenNonce }),
            },
            body: await this.form(url),
          }),
        },
        // A token request changes nothing at Okta: safe to repeat after a 5xx or a dropped connection.
        true,
      );
      const text = await response.text();
      let body: Record<string, unknown> = {};
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
      } catch {
        // not JSON: reported by status below
      }
      const nonce = response.headers.get("dpop-nonce");
      if (nonce) this.tokenNonce = nonce;
      if (response.status === 200 && typeof body.access_token === "string") {
        const lifetimeS = typeof body.expires_in === "number" ? body.expires_in : 3600;
        const token: AccessToken = {
          value: body.access_token,
          dpop: String(body.token_type ?? "").toLowerCase() === "dpop",
          renewAtMs: this.now() + Math.max(lifetimeS * 1000 - RENEW_EARLY_MS, 0),
        };
        this.token = token;
        return token;
      }
      if (response.status === 400 && body.error === "use_dpop_nonce" && nonce && round < MAX_NONCE_ROUNDS) {
        continue;
      }
      throw new ServiceAppTokenError(
        response.status,
        this.opts.clientId,
        typeof body.error === "string" ? body.error : undefined,
        typeof body.error_description === "string" ? body.error_description : undefined,
      );
    }
  }

  private async form(tokenUrl: string): Promise<string> {
    return new URLSearchParams({
      grant_type: "client_credentials",
      scope: this.opts.scopes.join(" "),
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await this.opts.signAssertion(tokenUrl),
    }).toString();
  }

  /** A DPoP proof (RFC 9449 §4.2): `typ` dpop+jwt, ES256, the public `jwk`; `htm`, `htu`, `iat`, `jti`. */
  private async proof(
    method: string,
    url: string,
    opts: { accessToken?: string; nonce?: string | undefined },
  ): Promise<string> {
    const jose = await import("jose");
    const key = await (this.proofKey ??= newProofKey());
    return new jose.SignJWT({
      htm: method.toUpperCase(),
      htu: proofTarget(url),
      ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
      ...(opts.accessToken !== undefined ? { ath: accessTokenHash(opts.accessToken) } : {}),
    })
      .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk: key.publicJwk })
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setJti(randomUUID())
      .sign(key.privateKey);
  }
}

/** An ephemeral EC P-256 key pair whose private half cannot be exported. */
async function newProofKey(): Promise<ProofKey> {
  const jose = await import("jose");
  const { privateKey, publicKey } = await jose.generateKeyPair("ES256", { extractable: false });
  const { kty, crv, x, y } = await jose.exportJWK(publicKey);
  return { privateKey, publicJwk: { kty, crv, x, y } };
}

/**
 * Signs `private_key_jwt` client assertions with the service app's key (PEM or private JWK): `iss` = `sub` =
 * the client id, `aud` = the token URL, a 60 s `exp`, a fresh `jti`, `iat`, and `kid` when known. A key that
 * cannot be used is a config error that names the setting, never the key.
 */
export function serviceAppSigner(
  clientId: string,
  privateKey: string,
  privateKeyId: string | undefined,
): AssertionSigner {
  const k = connectionKeys().privateKey;
  const where = `${k.config} (env ${k.env})`;
  let jwk: JWK;
  if (privateKey.startsWith("{")) {
    try {
      jwk = JSON.parse(privateKey) as JWK;
    } catch {
      throw new OktaConfigError(
        `${where} starts like a JWK but is not valid JSON. Give a private JWK or a PEM key.`,
      );
    }
  } else {
    try {
      jwk = createPrivateKey(privateKey).export({ format: "jwk" }) as JWK;
    } catch {
      throw new OktaConfigError(`${where} is neither a PEM private key nor a private JWK.`);
    }
  }
  if (typeof jwk.d !== "string") {
    throw new OktaConfigError(`${where} is a public key: give the service app's private key.`);
  }
  let alg: string;
  try {
    alg = signingAlgorithm(jwk);
  } catch (e) {
    throw new OktaConfigError(`${where}: ${e instanceof Error ? e.message : String(e)}.`);
  }
  const kid = privateKeyId ?? jwk.kid;
  let imported: Promise<CryptoKey | Uint8Array> | undefined;
  return async (audience) => {
    const jose = await import("jose");
    imported ??= jose.importJWK(jwk, alg);
    const nowS = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({})
      .setProtectedHeader({ alg, ...(kid !== undefined ? { kid } : {}) })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(audience)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + 60)
      .setJti(randomUUID())
      .sign(await imported);
  };
}
