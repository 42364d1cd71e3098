// private_key_jwt client assertions (RFC 7523 §2.2, Okta's rules in ../../shared/okta-api.md):
// `iss` = `sub` = the client id, `aud` = the full URL of the token endpoint called, a short `exp`, a unique
// `jti` (Okta refuses a replayed one), `iat`, and the `kid` header that picks the key when the app has two.

import { randomUUID } from "node:crypto";
import { importJWK, SignJWT, type CryptoKey, type JWK } from "jose";

/** The `client_assertion_type` of a JWT client assertion. */
export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Okta refuses an assertion whose `exp` is more than an hour ahead. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;
/** Default lifetime: long enough for clock skew, short enough to be useless if it leaks. */
export const DEFAULT_ASSERTION_LIFETIME_SECONDS = 60;

// Constants the gate's provider code reaches are built inside functions: Pulumi's closure serializer keeps
// only the members of a captured object that it sees accessed by name.
function signingAlgs() {
  return ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"] as const;
}
/** A JWS algorithm a client assertion may be signed with (RS256 … ES512). */
export type SigningAlgorithm = ReturnType<typeof signingAlgs>[number];

/** A private signing key as delivered to an app (e.g. from Vault). */
export interface AssertionKey {
  /** The private JWK (an object, or its JSON text). Must hold the private member `d`. */
  readonly privateJwk: JWK | string;
  /** The `kid` Okta knows the public key by; default: the JWK's own `kid`. */
  readonly kid?: string;
  /** Default: the JWK's `alg`, else RS256 for RSA and ES256/384/512 for EC by curve. */
  readonly alg?: string;
}

/** What a client assertion signer needs: the client id it signs for, the private key, and optionally the lifetime. */
export interface AssertionSignerOptions {
  readonly clientId: string;
  readonly key: AssertionKey;
  /** Seconds until `exp`; 1–3600, default 60. */
  readonly lifetimeSeconds?: number;
  /** Millisecond clock (tests). */
  readonly now?: () => number;
  /** `jti` generator (tests); default a random UUID. */
  readonly jti?: () => string;
}

/** A client assertion cannot be built from the given options; the message names the field. */
export class ClientAssertionError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ClientAssertionError";
  }
}

/** Signs client assertions for one audience per call. */
export type AssertionSigner = (audience: string) => Promise<string>;

function parseJwk(raw: JWK | string): JWK {
  if (typeof raw !== "string") return raw;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as JWK;
  } catch {
    // reported below without echoing the text (it is a private key)
  }
  throw new ClientAssertionError("key.privateJwk", "is not a JSON object (expected a private JWK)");
}

/** The signing algorithm of a key: explicit, else the JWK's, else the default of its type. Pure. */
export function signingAlgorithm(jwk: JWK, explicit?: string): SigningAlgorithm {
  let alg = explicit ?? jwk.alg;
  if (alg === undefined) {
    if (jwk.kty === "RSA") alg = "RS256";
    else if (jwk.kty === "EC") alg = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" }[jwk.crv ?? ""];
  }
  const algs: readonly string[] = signingAlgs();
  if (alg === undefined || !algs.includes(alg)) {
    throw new ClientAssertionError(
      "key.alg",
      `${alg === undefined ? "cannot tell the algorithm" : `'${alg}' is not supported`}; use one of ${algs.join(", ")}`,
    );
  }
  return alg as SigningAlgorithm;
}

/**
 * Validates the options and imports the key once; the returned function signs a fresh assertion (new
 * `jti`, `iat` = now, `exp` = now + lifetime) for the token endpoint URL it is given.
 */
export function createAssertionSigner(opts: AssertionSignerOptions): AssertionSigner {
  if (typeof opts.clientId !== "string" || opts.clientId === "") {
    throw new ClientAssertionError("clientId", "must be the app's OAuth client id");
  }
  const lifetime = opts.lifetimeSeconds ?? DEFAULT_ASSERTION_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_ASSERTION_LIFETIME_SECONDS) {
    throw new ClientAssertionError(
      "lifetimeSeconds",
      `must be a whole number of seconds from 1 to ${MAX_ASSERTION_LIFETIME_SECONDS} (Okta refuses an exp more than an hour ahead)`,
    );
  }
  const jwk = parseJwk(opts.key.privateJwk);
  if (typeof jwk.d !== "string") {
    throw new ClientAssertionError("key.privateJwk", "has no private member 'd': this is a public key");
  }
  const kid = opts.key.kid ?? jwk.kid;
  if (typeof kid !== "string" || kid === "") {
    throw new ClientAssertionError(
      "key.kid",
      "is missing: Okta needs the kid header to pick the key when the app has several",
    );
  }
  const alg = signingAlgorithm(jwk, opts.key.alg);
  const now = opts.now ?? Date.now;
  const jti = opts.jti ?? randomUUID;
  let imported: Promise<CryptoKey | Uint8Array> | undefined;

  return async (audience: string) => {
    if (typeof audience !== "string" || !/^https?:\/\//.test(audience)) {
      throw new ClientAssertionError("audience", "must be the full URL of the token endpoint called");
    }
    imported ??= importJWK(jwk, alg).catch((err: unknown) => {
      imported = undefined;
      throw new ClientAssertionError(
        "key.privateJwk",
        `cannot be used for ${alg}: ${err instanceof Error ? err.name : "invalid key"}`,
      );
    });
    const key = await imported;
    const iat = Math.floor(now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg, kid, typ: "JWT" })
      .setIssuer(opts.clientId)
      .setSubject(opts.clientId)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetime)
      .setJti(jti())
      .sign(key);
  };
}

/** One client assertion for `audience` (the token endpoint URL). For many, use `createAssertionSigner`. */
export function buildClientAssertion(
  opts: AssertionSignerOptions & { readonly audience: string },
): Promise<string> {
  return createAssertionSigner(opts)(opts.audience);
}
