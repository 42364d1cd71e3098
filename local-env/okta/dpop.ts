// DPoP (RFC 9449) as Okta applies it to apps with `settings.oauthClient.dpop_bound_access_tokens: true`.
//
// Sources, cited at each rule below:
//  - [RFC] RFC 9449, "OAuth 2.0 Demonstrating Proof of Possession (DPoP)": §4.2 proof syntax, §4.3 checking
//    a proof, §6.1 `cnf.jkt`, §7.1 the `DPoP` scheme at a resource, §8 authorization server nonces, §9 resource
//    server nonces.
//  - [ERR] Okta's OAuth error table (okta-developer-docs `data/oauth2-error-codes.json`), as quoted in
//    ../../shared/okta-api.md: the `error` codes and the `error_description` texts marked so.
//  - [GUIDE] Okta's guide "Configure OAuth 2.0 Demonstrating Proof-of-Possession" (Okta resource server):
//    the nonce exchange at /token (400 `use_dpop_nonce` with a `dpop-nonce` header, then `token_type: DPoP`),
//    and management calls with `Authorization: DPoP <token>` plus a proof carrying `ath`.
// Texts without a published source are this server's own and say so.
import { createHash, randomBytes } from "node:crypto";
import {
  calculateJwkThumbprint,
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
} from "jose";
import { OAuthError } from "./errors";

/** How far in the past a proof's `iat` may lie: five minutes [ERR: "issued more than five minutes in the past"]. */
export const DPOP_MAX_AGE_S = 300;
/** Tolerated `iat` ahead of this clock (RFC 9449 §4.3 step 11 leaves the window to the server). */
export const DPOP_FUTURE_SKEW_S = 60;
/** A nonce stays acceptable for two of these windows (RFC 9449 §8: the server decides how long). */
export const DPOP_NONCE_WINDOW_S = 300;

/** Asymmetric JWS algorithms only: RFC 9449 §4.3 step 6 ("not none", not a MAC). */
const PROOF_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

export const DPOP_DESCRIPTIONS = {
  // [ERR] token endpoint
  missing: "The DPoP proof JWT header is missing.",
  useNonce: "Authorization server requires nonce in DPoP proof.",
  typ: "'typ' must be 'dpop+jwt' in the DPoP proof JWT.",
  htm: "'htm' claim in the DPoP proof JWT is invalid.",
  // [ERR] quotes this one as "'htu' claim …"; completed after the `htm` text.
  htu: "'htu' claim in the DPoP proof JWT is invalid.",
  signature: "The DPoP proof JWT signature is invalid.",
  tooOld: "The DPoP proof JWT is issued more than five minutes in the past.",
  replayed: "The DPoP proof JWT has already been used.",
  // [ERR] resource requests (the management API)
  scheme: "The resource request must use the DPoP authentication scheme when using a DPoP bound token.",
  resourceMissing: "The resource request requires a DPoP proof.",
  ath: "'ath' claim in the DPoP proof does not match the presented access_token.",
  // [ERR] as Revision 3 quotes it ("DPoP texts"), checked against the table's 2026.03.1 release.
  unparsable: "The DPoP proof JWT cannot be parsed.",
  jti: "'jti' claim in the DPoP proof JWT is invalid.",
  algorithm: "The DPoP proof JWT signature algorithm is invalid.",
  multiple: "Multiple DPoP proof JWT headers are not allowed.",
  /** At a resource, a proof signed by another key than the token's `cnf.jkt` ("Invalid access token dpop binding"). */
  keyMismatch: "The access_token is not bound to the provided DPoP proof.",
  /** An unbound token presented with the `DPoP` scheme: 401 `invalid_token` ("Access token not dpop bound"). */
  notBound: "The presented access_token is not DPoP bound.",
  // [ERR] rows of the table (2026.03.1) okta-api.md does not quote: "Invalid dpop proof invalid iat" and
  // "Invalid dpop proof JWT issued in future".
  iat: "'iat' claim in the DPoP proof JWT is invalid.",
  iatFuture: "The DPoP proof JWT is issued in the future.",
  // This server's own texts: Okta publishes none for these cases.
  jwk: "The DPoP proof JWT must carry a public key in its 'jwk' header.",
  resourceNonce: "Resource server requires nonce in DPoP proof.",
} as const;

/** A proof as it arrived: the `DPoP` header (Node joins repeated headers with ", "). */
export interface ProofCheck {
  proof: string | string[] | undefined;
  /** The request's method. */
  method: string;
  /** Every URL the client may have meant as `htu` (orgUrl-based and Host-based), without query. */
  urls: string[];
  /** The access token presented with a resource request: the proof must carry its `ath`. */
  accessToken?: string;
  /** The key thumbprint the access token is bound to. */
  boundJkt?: string;
}

/** base64url(SHA-256(token)): the `ath` claim (RFC 9449 §4.2). */
export function accessTokenHash(token: string): string {
  return createHash("sha256").update(token, "ascii").digest("base64url");
}

/** Rotating nonces: one current value, the previous one still accepted (RFC 9449 §8, §9). */
export class NonceSource {
  private window = -1;
  private current = "";
  private previous = "";

  constructor(private readonly now: () => number) {}

  value(): string {
    const w = Math.floor(this.now() / 1000 / DPOP_NONCE_WINDOW_S);
    if (w !== this.window) {
      this.previous = w === this.window + 1 ? this.current : "";
      this.current = randomBytes(24).toString("base64url");
      this.window = w;
    }
    return this.current;
  }

  accepts(nonce: unknown): boolean {
    this.value();
    return typeof nonce === "string" && nonce !== "" && (nonce === this.current || nonce === this.previous);
  }
}

/** Checks DPoP proofs; remembers used `jti` values for as long as a proof with them could be accepted. */
export class DpopVerifier {
  private readonly usedJti = new Map<string, number>();
  private lastSweep = 0;

  constructor(private readonly now: () => number) {}

  /**
   * RFC 9449 §4.3: one well-formed JWT; `typ` dpop+jwt; an asymmetric `alg`; a public `jwk`; the signature
   * verifies with it; `htm` and `htu` match the request; `iat` recent; `jti` unused; `ath` when a token is
   * presented; and, for a bound token, the key it is bound to. The `nonce` is checked by the caller, between
   * the proof checks and recording the `jti`, so a proof refused for its nonce does not burn its `jti`.
   * Returns the proof key's thumbprint (`jkt`) and its claims.
   */
  async verify(
    check: ProofCheck,
    nonceOk?: (claims: Record<string, unknown>) => void,
  ): Promise<{ jkt: string; claims: Record<string, unknown> }> {
    const raw = Array.isArray(check.proof) ? check.proof.join(", ") : check.proof;
    if (raw === undefined || raw.trim() === "") {
      throw new OAuthError(400, "invalid_dpop_proof", DPOP_DESCRIPTIONS.missing);
    }
    // RFC 9449 §4.3 step 1: exactly one DPoP header; a JWS compact serialization holds no "," (Node joins
    // repeated headers with ", "). [ERR] via Revision 3: "Multiple DPoP proof JWT headers are not allowed."
    const proof = raw.trim();
    if (Array.isArray(check.proof) ? check.proof.length > 1 : proof.includes(",")) {
      throw invalidProof(DPOP_DESCRIPTIONS.multiple);
    }
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(proof) as Record<string, unknown>;
      claims = decodeJwt(proof) as Record<string, unknown>;
    } catch {
      throw invalidProof(DPOP_DESCRIPTIONS.unparsable); // RFC 9449 §4.3 step 2, [ERR] via Revision 3
    }
    if (header.typ !== "dpop+jwt") throw invalidProof(DPOP_DESCRIPTIONS.typ); // §4.3 step 4, [ERR]
    // §4.3 steps 5–6: a supported asymmetric alg — not `none`, not a MAC. [ERR] via Revision 3.
    if (typeof header.alg !== "string" || !PROOF_ALGS.includes(header.alg)) {
      throw invalidProof(DPOP_DESCRIPTIONS.algorithm);
    }
    const jwk = header.jwk as JWK | undefined;
    // §4.3 step 7: a `jwk` header that is a public key.
    if (
      typeof jwk !== "object" ||
      jwk === null ||
      Array.isArray(jwk) ||
      jwk.kty === "oct" ||
      PRIVATE_MEMBERS.some((m) => (jwk as Record<string, unknown>)[m] !== undefined)
    ) {
      throw invalidProof(DPOP_DESCRIPTIONS.jwk);
    }
    try {
      const key = await importJWK(jwk, header.alg);
      await compactVerify(proof, key, { algorithms: [header.alg] }); // §4.3 step 8, [ERR]
    } catch {
      throw invalidProof(DPOP_DESCRIPTIONS.signature);
    }
    // §4.2: `jti`, `htm`, `htu` and `iat` are required; a missing or malformed one gets its claim's text [ERR].
    const { htm, htu, iat, jti } = claims;
    if (typeof jti !== "string" || jti === "") throw invalidProof(DPOP_DESCRIPTIONS.jti); // [ERR] via Rev. 3
    if (typeof htm !== "string" || htm !== check.method.toUpperCase()) {
      throw invalidProof(DPOP_DESCRIPTIONS.htm); // §4.3 step 9, [ERR]
    }
    if (typeof iat !== "number") throw invalidProof(DPOP_DESCRIPTIONS.iat); // [ERR] "invalid iat"
    // §4.3 step 10: `htu` matches the request URI, ignoring query and fragment.
    const target = typeof htu === "string" ? withoutQuery(htu) : undefined;
    if (target === undefined || !check.urls.some((u) => withoutQuery(u) === target)) {
      throw invalidProof(DPOP_DESCRIPTIONS.htu);
    }
    const nowS = this.now() / 1000;
    if (iat < nowS - DPOP_MAX_AGE_S) throw invalidProof(DPOP_DESCRIPTIONS.tooOld); // §4.3 step 11, [ERR]
    if (iat > nowS + DPOP_FUTURE_SKEW_S) throw invalidProof(DPOP_DESCRIPTIONS.iatFuture); // [ERR]
    if (check.accessToken !== undefined && claims.ath !== accessTokenHash(check.accessToken)) {
      throw invalidProof(DPOP_DESCRIPTIONS.ath); // §4.3 step 12 / §7.1, [ERR]
    }
    const jkt = await calculateJwkThumbprint(jwk, "sha256");
    if (check.boundJkt !== undefined && jkt !== check.boundJkt) {
      // §4.3 step 12, §6.1. Text: [ERR] via Revision 3. Status and code: the table's row "Invalid access token
      // dpop binding" (2026.03.1) gives 400 `invalid_dpop_proof`, kept here; Revision 3 says 401 `invalid_token`,
      // the row of the unbound token (`notBound`) — see README "DPoP".
      throw invalidProof(DPOP_DESCRIPTIONS.keyMismatch);
    }
    nonceOk?.(claims);
    // §11.1: a `jti` is single-use for as long as its proof could be accepted at all.
    this.sweep(nowS);
    const key = `${jkt}\u0000${jti}`;
    if (this.usedJti.has(key)) throw invalidProof(DPOP_DESCRIPTIONS.replayed); // [ERR]
    this.usedJti.set(key, iat + DPOP_MAX_AGE_S + DPOP_FUTURE_SKEW_S);
    return { jkt, claims };
  }

  private sweep(nowS: number): void {
    if (nowS - this.lastSweep < 10) return;
    this.lastSweep = nowS;
    for (const [k, until] of this.usedJti) if (until < nowS) this.usedJti.delete(k);
  }
}

function invalidProof(description: string): OAuthError {
  return new OAuthError(400, "invalid_dpop_proof", description);
}

/** `scheme://host[:port]/path` of a URL, query and fragment dropped; undefined when it is no URL. */
function withoutQuery(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return undefined;
  }
}
