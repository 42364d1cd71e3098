import { createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import { compactVerify, decodeJwt, decodeProtectedHeader, SignJWT, type JWK, type JWTPayload } from "jose";
import { DPOP_DESCRIPTIONS, DpopVerifier, NonceSource } from "./dpop";
import { OAuthError, randomId } from "./errors";
import type { AuthServers } from "./authServers";
import type { App, Key, Secret, Store } from "./store";

export const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Tolerated clock difference for `iat` and the one-hour `exp` horizon, in seconds. */
export const CLOCK_SKEW_S = 5;
export const TOKEN_LIFETIME_S = 3600;
const MAX_ASSERTION_LIFETIME_S = 3600;
const KEY_ALGS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];
const SECRET_ALGS = ["HS256", "HS384", "HS512"];

/**
 * `error_description` texts, each from Okta's OAuth error table (okta-developer-docs `data/oauth2-error-codes.json`)
 * as okta-api.md ("Token endpoint", and Revision 3, "Token endpoint texts") quotes it.
 */
export const DESCRIPTIONS = {
  badSecret: "The client secret supplied for a confidential client is invalid.",
  expired: "The client_assertion token is expired.",
  tooFar: "The client_assertion token has an expiration too far into the future.",
  replayed: "The client_assertion token has already been used.",
  badSignature: "The client_assertion signature is invalid.",
  badKid: "The client_assertion JWT kid is invalid.",
  badAudience: "The audience claim for client_assertion must be the endpoint invoked for the request.",
  noCredentials: "No client credentials found.",
  authFailed: "Client authentication failed. Either the client or the client credentials are invalid.",
  noExp: "The client_assertion must contain the 'exp' claim as seconds since epoch.",
  iatFuture: "The client_assertion token must be issued before the current time.",
  badIssuer: "The issuer claim for client_assertion is not a valid client_id.",
  badSubject: "The subject claim for client_assertion is not a valid client_id.",
  malformed: "The parsing of the client_assertion failed.",
  badAlgorithm: "The client_assertion JWT signature algorithm is invalid.",
  noJwks: "The client does not have a JWKSet configured, but the client_assertion requires one.",
  secretTooShortForHmac: "The client secret is too short to verify a JWT HMAC.",
  malformedBasic: "Found Authentication header but was not valid client credentials.",
  credentialsInQuery: "Client credentials cannot be supplied via query parameters.",
  duplicateParameters: "The request contained multiple parameters with the same name.",
  /** Followed by ` Valid values: [...]`. */
  missingGrantType: "The token request must specify a 'grant_type'.",
  assertionType: "The client_assertion_type is invalid.",
  multipleCredentials:
    "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.",
  orgServerNeedsPrivateKeyJwt:
    "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
  orgServerNeedsService:
    "Only clients with 'application_type' of 'service' may use the client_credentials 'grant_type' with the Org Authorization Server.",
  customScopesAtOrg: "Custom scopes are not allowed for this request.",
  noScopes: "No scopes were requested.",
  notAllowedScopes: "You are not allowed any of the requested scopes.",
  noDefaultScopes:
    "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
  unknownScopes: "One or more scopes are not configured for the authorization server resource.",
  policyFailed: "Policy evaluation failed for this request, please check the policy configurations.",
  /** Followed by ` Configured grant types: [...]`. */
  grantTypeNotOnApp: "The client is not authorized to use the provided grant type.",
  openidScopes: "Cannot request 'openid' scopes using client credentials.",
} as const;

/** OIDC scopes: none may be requested with client_credentials (okta-api.md). */
export const OIDC_SCOPES: readonly string[] = [
  "openid",
  "profile",
  "email",
  "address",
  "phone",
  "offline_access",
];

export interface TokenRequest {
  body: string;
  contentType: string | undefined;
  authorization: string | undefined;
  /** undefined for the org authorization server. */
  authServerId: string | undefined;
  /** Every URL the client may have meant as `aud` (orgUrl-based and Host-based). */
  audiences: string[];
  /** The `DPoP` request header, if any. */
  dpop?: string | string[] | undefined;
  /** The query string of the request URL (without `?`), if any. */
  query?: string;
}

/** Parameters that carry client credentials: none may come in the query string (Revision 3). */
const CREDENTIAL_PARAMETERS = ["client_id", "client_secret", "client_assertion", "client_assertion_type"];

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

interface IssuedToken {
  exp: number;
  scopes: string[];
  clientId: string;
  /** Thumbprint of the DPoP key a DPoP-bound token is bound to (RFC 9449 §6.1). */
  jkt?: string;
}

/** A live management access token: its scopes and, when DPoP-bound, the key thumbprint. */
export interface ManagementToken {
  scopes: string[];
  jkt?: string;
}

/** The token endpoint: client authentication and access token issuance. */
export class TokenService {
  private readonly keyCache = new WeakMap<Key, KeyObject>();
  private readonly secretKeyCache = new Map<string, KeyObject>();
  private readonly usedJti = new Map<string, number>();
  private readonly managementTokens = new Map<string, IssuedToken>();
  private lastSweep = 0;
  private readonly nonces: NonceSource;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly signingKey: { privateKey: KeyObject; kid: string },
    private readonly orgUrl: () => string,
    private readonly authServers: AuthServers,
    private readonly dpop: DpopVerifier = new DpopVerifier(now),
  ) {
    this.nonces = new NonceSource(now);
  }

  async handle(req: TokenRequest): Promise<TokenAnswer> {
    try {
      return await this.exchange(req);
    } catch (e) {
      if (e instanceof OAuthError) {
        return { status: e.status, body: e.body(), headers: { ...noStore(), ...e.headers } };
      }
      throw e;
    }
  }

  /** The client a live management access token was issued to (its rate-limit share is that app's). */
  managementClient(token: string): string | undefined {
    const t = this.managementTokens.get(token);
    return t && t.exp * 1000 > this.now() ? t.clientId : undefined;
  }

  /** A live management access token issued here (its scopes, its DPoP binding), or undefined. */
  verifyAccessToken(token: string): ManagementToken | undefined {
    const t = this.managementTokens.get(token);
    if (!t) return undefined;
    if (t.exp * 1000 <= this.now()) {
      this.managementTokens.delete(token);
      return undefined;
    }
    return { scopes: t.scopes, ...(t.jkt !== undefined ? { jkt: t.jkt } : {}) };
  }

  private async exchange(req: TokenRequest): Promise<TokenAnswer> {
    const type = (req.contentType ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") {
      throw new OAuthError(
        400,
        "invalid_request",
        "The request must be sent as application/x-www-form-urlencoded.",
      );
    }
    // Revision 3: credentials in the query string, then a parameter given twice: 400 invalid_request.
    const query = new URLSearchParams(req.query ?? "");
    if (CREDENTIAL_PARAMETERS.some((p) => query.has(p))) {
      throw new OAuthError(400, "invalid_request", DESCRIPTIONS.credentialsInQuery);
    }
    const form = new URLSearchParams(req.body);
    const names = [...form.keys()];
    if (new Set(names).size !== names.length) {
      throw new OAuthError(400, "invalid_request", DESCRIPTIONS.duplicateParameters);
    }
    const grantType = form.get("grant_type");
    if (!grantType) {
      // okta-api.md (revision 2, exact per Revision 3); the values are the grant types this server serves.
      throw new OAuthError(
        400,
        "invalid_request",
        `${DESCRIPTIONS.missingGrantType} Valid values: [client_credentials]`,
      );
    }
    if (grantType !== "client_credentials") {
      throw new OAuthError(
        400,
        "unsupported_grant_type",
        `The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].`,
      );
    }
    const app = await this.authenticate(req, form);
    const jkt = await this.checkDpop(req, app);
    const requested = (form.get("scope") ?? "").split(" ").filter((x) => x !== "");
    const { scopes, lifetimeS } = this.authorize(app, req.authServerId, grantType, requested);
    const oktaScopes = req.authServerId === undefined ? scopes : [];
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + lifetimeS;
    const issuer =
      req.authServerId === undefined ? this.orgUrl() : `${this.orgUrl()}/oauth2/${req.authServerId}`;
    // RFC 9449 §6.1: a DPoP-bound JWT access token names its key in `cnf.jkt`.
    const accessToken = await new SignJWT({
      ver: 1,
      cid: app.clientId,
      scp: scopes,
      ...(jkt !== undefined ? { cnf: { jkt } } : {}),
    })
      .setProtectedHeader({ alg: "RS256", kid: this.signingKey.kid })
      .setJti(`AT.${randomId(43)}`)
      .setIssuer(issuer)
      .setAudience(
        req.authServerId === undefined ? this.orgUrl() : this.authServers.server(req.authServerId).audience,
      )
      .setSubject(app.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.signingKey.privateKey);
    if (oktaScopes.length > 0) {
      this.managementTokens.set(accessToken, {
        exp,
        scopes: oktaScopes,
        clientId: app.clientId,
        ...(jkt !== undefined ? { jkt } : {}),
      });
    }
    return {
      status: 200,
      headers: noStore(),
      body: {
        // RFC 9449 §5 and [GUIDE]: a bound token is announced as `"token_type": "DPoP"`.
        token_type: jkt !== undefined ? "DPoP" : "Bearer",
        expires_in: lifetimeS,
        access_token: accessToken,
        scope: scopes.join(" "),
      },
    };
  }

  /**
   * DPoP at the token endpoint, for apps with `dpop_bound_access_tokens` (see dpop.ts for the sources):
   * no `DPoP` header → 400 `invalid_dpop_proof` "The DPoP proof JWT header is missing." [ERR, and Okta's
   * support article of that title]; a valid proof without this server's current nonce → 400 `use_dpop_nonce`
   * "Authorization server requires nonce in DPoP proof." with a `DPoP-Nonce` header (RFC 9449 §8, [GUIDE]);
   * the retry carrying it gets a token bound to the proof key. Runs after client authentication, so each
   * attempt needs its own client assertion when the assertion has a `jti`. An app without DPoP ignores a
   * `DPoP` header and gets a Bearer token (the Okta SDKs send a proof to every service app).
   * Returns the key thumbprint the token is bound to, or undefined for a Bearer token.
   */
  private async checkDpop(req: TokenRequest, app: App): Promise<string | undefined> {
    if (!this.store.dpopBound(app)) return undefined;
    const { jkt } = await this.dpop.verify(
      { proof: req.dpop, method: "POST", urls: req.audiences },
      (claims) => {
        if (!this.nonces.accepts(claims.nonce)) {
          throw new OAuthError(400, "use_dpop_nonce", DPOP_DESCRIPTIONS.useNonce, {
            "DPoP-Nonce": this.nonces.value(),
          });
        }
      },
    );
    return jkt;
  }

  /**
   * Which scopes a client_credentials request gets, or the error Okta answers (okta-api.md, "Token endpoint",
   * "Which server takes a client_credentials request"; texts from Okta's OAuth error table). Order: the grant
   * type on the app, then the org server's client rules, then `openid`, then the scopes and the policy.
   */
  private authorize(
    app: App,
    authServerId: string | undefined,
    grantType: string,
    requested: string[],
  ): { scopes: string[]; lifetimeS: number } {
    const configured = this.store.grantTypes(app);
    if (!configured.includes(grantType)) {
      // okta-api.md: "grant type not on the app".
      throw new OAuthError(
        400,
        "unauthorized_client",
        `${DESCRIPTIONS.grantTypeNotOnApp} Configured grant types: [${configured.join(", ")}].`,
      );
    }
    if (authServerId === undefined) {
      // okta-api.md: the org server grants client_credentials only to service apps with private_key_jwt.
      if (this.store.applicationType(app) !== "service") {
        throw new OAuthError(401, "invalid_client", DESCRIPTIONS.orgServerNeedsService);
      }
      if (this.store.authMethod(app) !== "private_key_jwt") {
        throw new OAuthError(401, "invalid_client", DESCRIPTIONS.orgServerNeedsPrivateKeyJwt);
      }
    }
    // okta-api.md: `openid` (or other OIDC scopes) with client_credentials anywhere.
    if (requested.some((x) => OIDC_SCOPES.includes(x))) {
      throw new OAuthError(400, "invalid_scope", DESCRIPTIONS.openidScopes);
    }
    if (authServerId === undefined) {
      // okta-api.md: only Okta scopes, only those granted to the app (/api/v1/apps/{appId}/grants).
      if (requested.length === 0) throw new OAuthError(400, "invalid_scope", DESCRIPTIONS.noScopes);
      if (requested.some((x) => !x.startsWith("okta."))) {
        throw new OAuthError(400, "invalid_scope", DESCRIPTIONS.customScopesAtOrg);
      }
      const granted = this.store.grantedScopes(app);
      const scopes = requested.filter((x) => granted.includes(x));
      if (scopes.length === 0) throw new OAuthError(400, "consent_required", DESCRIPTIONS.notAllowedScopes);
      return { scopes, lifetimeS: TOKEN_LIFETIME_S };
    }
    // okta-api.md: a custom server needs a scope defined on it (or a default one) and a policy rule.
    const server = this.authServers.server(authServerId);
    let scopes = requested;
    if (scopes.length === 0) {
      scopes = server.scopes.filter((x) => x.default).map((x) => x.name);
      if (scopes.length === 0) throw new OAuthError(400, "invalid_scope", DESCRIPTIONS.noDefaultScopes);
    } else if (scopes.some((x) => !server.scopes.some((defined) => defined.name === x))) {
      throw new OAuthError(400, "invalid_scope", DESCRIPTIONS.unknownScopes);
    }
    const rule = this.authServers.evaluate(server, app.clientId, grantType, scopes);
    if (!rule) throw new OAuthError(401, "access_denied", DESCRIPTIONS.policyFailed);
    const token = rule.actions.token as { accessTokenLifetimeMinutes?: unknown } | undefined;
    const minutes = token?.accessTokenLifetimeMinutes;
    return { scopes, lifetimeS: typeof minutes === "number" ? minutes * 60 : TOKEN_LIFETIME_S };
  }

  private async authenticate(req: TokenRequest, form: URLSearchParams): Promise<App> {
    const basic = parseBasic(req.authorization);
    // Revision 3: a Basic header that does not decode to `client_id:client_secret` (no colon).
    if (basic === "malformed") throw new OAuthError(401, "invalid_client", DESCRIPTIONS.malformedBasic);
    const assertion = form.get("client_assertion");
    const assertionType = form.get("client_assertion_type");
    const postSecret = form.get("client_secret");
    const presented = [
      basic !== undefined,
      assertion !== null || assertionType !== null,
      postSecret !== null,
    ];
    if (presented.filter(Boolean).length > 1) {
      // okta-api.md (revision 2) and Revision 3: 401, not 400 (the error table's "Multiple client credentials").
      throw new OAuthError(401, "invalid_request", DESCRIPTIONS.multipleCredentials);
    }
    if (basic)
      return this.bySecret(
        formDecode(basic.clientId),
        basic.secret,
        "client_secret_basic",
        form.get("client_id"),
      );
    if (postSecret !== null) {
      return this.bySecret(form.get("client_id") ?? "", postSecret, "client_secret_post", null);
    }
    if (assertion !== null || assertionType !== null) {
      if (assertionType !== ASSERTION_TYPE)
        throw new OAuthError(400, "invalid_request", DESCRIPTIONS.assertionType);
      if (!assertion)
        throw new OAuthError(400, "invalid_request", "The client_assertion parameter is missing.");
      return this.byAssertion(assertion, form.get("client_id"), req.audiences);
    }
    throw new OAuthError(401, "invalid_client", DESCRIPTIONS.noCredentials);
  }

  /**
   * The app a client id names, if it may authenticate at all: unknown (never created, or deleted) and INACTIVE
   * clients are refused alike, before their credentials are looked at, with 401 `invalid_client`
   * `Client authentication failed. Either the client or the client credentials are invalid.` — the "Invalid
   * client" row of Okta's OAuth error table (okta-developer-docs `data/oauth2-error-codes.json`, 2026.08.1).
   * The table has no row for a deactivated client and Okta's docs do not say what the token endpoint answers
   * one; of the documented answers this is the one whose text covers it ("the client … invalid"). Okta does
   * document that deactivating a client invalidates its tokens at once (see `revokeTokensOf`).
   */
  private activeClient(clientId: string): App | undefined {
    const app = this.store.appByClientId(clientId);
    return app?.status === "ACTIVE" ? app : undefined;
  }

  /**
   * Forgets every management access token issued to the client. Okta's legacy OIDC reference
   * (okta-developer-docs `docs/reference/api/oidc/index.md`, "Access token"; kept in its source after the OpenAPI
   * reference replaced it, deleted 2025-10-27; the OpenAPI specs say nothing on it): "If the client that issued
   * the token is deactivated, the token is immediately and permanently invalidated. Reactivating the client
   * doesn't make the token valid again."
   */
  revokeTokensOf(clientId: string): void {
    for (const [token, t] of this.managementTokens) {
      if (t.clientId === clientId) this.managementTokens.delete(token);
    }
  }

  private bySecret(clientId: string, secret: string, method: string, formClientId: string | null): App {
    const app = this.activeClient(clientId);
    if (
      !app ||
      (formClientId !== null && formClientId !== clientId) ||
      this.store.authMethod(app) !== method
    ) {
      throw new OAuthError(401, "invalid_client", DESCRIPTIONS.authFailed);
    }
    // RFC 6749 asks Basic credentials to be form-urlencoded first; many clients skip that, so accept both.
    const candidates = method === "client_secret_basic" ? [secret, formDecode(secret)] : [secret];
    if (!app.secrets.some((s) => s.status === "ACTIVE" && candidates.includes(s.value))) {
      throw new OAuthError(401, "invalid_client", DESCRIPTIONS.badSecret);
    }
    return app;
  }

  private async byAssertion(
    assertion: string,
    formClientId: string | null,
    audiences: string[],
  ): Promise<App> {
    let header: { alg?: string; kid?: string };
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      throw new OAuthError(401, "invalid_client", DESCRIPTIONS.malformed); // Revision 3
    }
    // Revision 3: an `iss` that is no client id, or not the form's `client_id`, gets the issuer text; a `sub` that
    // is not the client id the subject text. An `iss` naming no (ACTIVE) client is the documented unknown client.
    const clientId = claims.iss;
    if (
      typeof clientId !== "string" ||
      clientId === "" ||
      (formClientId !== null && formClientId !== clientId)
    ) {
      throw new OAuthError(401, "invalid_client", DESCRIPTIONS.badIssuer);
    }
    const app = this.activeClient(clientId);
    const method = app && this.store.authMethod(app);
    if (!app || (method !== "private_key_jwt" && method !== "client_secret_jwt")) {
      throw new OAuthError(401, "invalid_client", DESCRIPTIONS.authFailed);
    }
    if (claims.sub !== clientId) throw new OAuthError(401, "invalid_client", DESCRIPTIONS.badSubject);

    // Revision 3: an algorithm the app's method does not take (an HMAC to a private_key_jwt app, a key algorithm
    // to a client_secret_jwt app, `none`) gets the algorithm text.
    const algs = method === "private_key_jwt" ? KEY_ALGS : SECRET_ALGS;
    if (!header.alg || !algs.includes(header.alg)) {
      throw new OAuthError(401, "invalid_client", DESCRIPTIONS.badAlgorithm);
    }
    if (method === "private_key_jwt") {
      const active = app.keys.filter((k) => k.status === "ACTIVE" && k.use === "sig");
      if (active.length === 0) throw new OAuthError(401, "invalid_client", DESCRIPTIONS.noJwks);
      let key: Key | undefined;
      if (header.kid !== undefined) {
        key = active.find((k) => k.kid === header.kid);
        if (!key) throw new OAuthError(401, "invalid_client", DESCRIPTIONS.badKid);
      } else if (active.length === 1) {
        key = active[0];
      } else {
        throw new OAuthError(401, "invalid_client", DESCRIPTIONS.badKid);
      }
      try {
        await compactVerify(assertion, this.publicKey(key), { algorithms: KEY_ALGS });
      } catch {
        throw new OAuthError(401, "invalid_client", DESCRIPTIONS.badSignature);
      }
    } else {
      const usable = app.secrets.filter((x) => x.status === "ACTIVE" && x.value.length >= 32);
      if (usable.length === 0 && app.secrets.some((x) => x.status === "ACTIVE")) {
        throw new OAuthError(401, "invalid_client", DESCRIPTIONS.secretTooShortForHmac);
      }
      let ok = false;
      for (const s of usable) {
        try {
          await compactVerify(assertion, this.secretKey(s), { algorithms: SECRET_ALGS });
          ok = true;
          break;
        } catch {
          // try the other active secret
        }
      }
      if (!ok) throw new OAuthError(401, "invalid_client", DESCRIPTIONS.badSignature);
    }

    const aud = claims.aud;
    const auds = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
    if (!auds.some((a) => audiences.includes(a))) {
      throw new OAuthError(401, "invalid_client", DESCRIPTIONS.badAudience);
    }
    const nowS = this.now() / 1000;
    if (typeof claims.exp !== "number") throw new OAuthError(401, "invalid_client", DESCRIPTIONS.noExp);
    if (claims.exp <= nowS) throw new OAuthError(401, "invalid_client", DESCRIPTIONS.expired);
    if (claims.exp > nowS + MAX_ASSERTION_LIFETIME_S + CLOCK_SKEW_S) {
      throw new OAuthError(401, "invalid_client", DESCRIPTIONS.tooFar);
    }
    if (claims.iat !== undefined && (typeof claims.iat !== "number" || claims.iat > nowS + CLOCK_SKEW_S)) {
      throw new OAuthError(401, "invalid_client", DESCRIPTIONS.iatFuture);
    }
    if (claims.jti !== undefined) {
      const k = `${clientId}\u0000${String(claims.jti)}`;
      this.sweepJti(nowS);
      if (this.usedJti.has(k)) throw new OAuthError(401, "invalid_client", DESCRIPTIONS.replayed);
      this.usedJti.set(k, claims.exp);
    }
    return app;
  }

  /** Cached per key object: a PUT that replaces a kid's material makes a new object (even under the same id). */
  private publicKey(key: Key): KeyObject {
    let k = this.keyCache.get(key);
    if (!k) {
      k = createPublicKey({ key: key.material as JWK as never, format: "jwk" });
      this.keyCache.set(key, k);
    }
    return k;
  }

  private secretKey(s: Secret): KeyObject {
    let k = this.secretKeyCache.get(s.id);
    if (!k) {
      k = createSecretKey(Buffer.from(s.value, "utf8"));
      this.secretKeyCache.set(s.id, k);
    }
    return k;
  }

  /** Forgets used jti values whose assertion has expired anyway (at most every 10 s). */
  private sweepJti(nowS: number): void {
    if (nowS - this.lastSweep < 10) return;
    this.lastSweep = nowS;
    for (const [k, exp] of this.usedJti) if (exp <= nowS) this.usedJti.delete(k);
    for (const [k, t] of this.managementTokens) if (t.exp <= nowS) this.managementTokens.delete(k);
  }
}

function noStore(): Record<string, string> {
  return { "Cache-Control": "no-store", Pragma: "no-cache" };
}

function parseBasic(
  header: string | undefined,
): { clientId: string; secret: string } | "malformed" | undefined {
  if (!header) return undefined;
  const m = /^Basic(?:\s+(\S*))?$/i.exec(header.trim());
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] ?? "", "base64").toString("utf8");
  const i = decoded.indexOf(":");
  if (i < 0) return "malformed";
  return { clientId: decoded.slice(0, i), secret: decoded.slice(i + 1) };
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}
