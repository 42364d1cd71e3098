// A client_credentials token client for apps whose credential this project rotates.
//
// It authenticates with a private key (private_key_jwt) or a client secret (client_secret_basic), caches the
// access token until shortly before it expires, and — the part that makes a migration zero-downtime — may
// hold two credentials at once: while an app moves from its client secret to a key (or back), the credential
// delivered to pods carries both, and the client uses the one that last worked and falls back to the other
// when the token endpoint answers `invalid_client`. Okta accepts exactly one authentication method per app,
// and the switch is a single PUT, so a pod holding both never sees the switch.

import {
  CLIENT_ASSERTION_TYPE,
  createAssertionSigner,
  type AssertionKey,
  type AssertionSigner,
} from "./assertion";

/** How the client authenticates at the token endpoint: a private key (`private_key_jwt`) or a client secret (`client_secret_basic`). */
export type ClientCredential =
  | { readonly method: "private_key_jwt"; readonly key: AssertionKey }
  | { readonly method: "client_secret_basic"; readonly clientSecret: string };

/** Options of {@link createTokenClient}: where to ask, for what scope, as which client, with which credentials. */
export interface TokenClientOptions {
  /**
   * The token endpoint, e.g. `https://<org>.okta.com/oauth2/default/v1/token` (a custom authorization server:
   * the org server gives tokens only to service apps asking for Okta scopes); also the assertion's `aud`.
   */
  readonly tokenUrl: string;
  readonly clientId: string;
  /** One credential, or two during a migration (tried in order until one works; the winner goes first). */
  readonly credentials: ClientCredential | readonly ClientCredential[];
  readonly scope?: string;
  /** A cached token is renewed this many seconds before it expires (default 60). */
  readonly refreshBeforeExpirySeconds?: number;
  /** Lifetime of each client assertion (default 60 s, at most 3600). */
  readonly assertionLifetimeSeconds?: number;
  /**
   * Extra rounds after a failed one (default 3), `retryDelayMs` apart (default 500): for 429, 5xx, network
   * errors, and every credential refused — a credential that was just registered or an auth method that
   * was just switched can take a moment to be honoured (on a rollback to a client secret, Okta accepts the
   * delivered secret only once the app is switched back and the secret registered, a step later).
   */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Millisecond clock (tests). */
  readonly now?: () => number;
  /** `fetch` implementation (tests). */
  readonly fetch?: typeof fetch;
}

/** An access token from the token endpoint, with its type, scope and expiry. */
export interface AccessToken {
  readonly accessToken: string;
  readonly tokenType: string;
  /** Millisecond epoch at which the token expires. */
  readonly expiresAt: number;
  readonly scope?: string;
  /** The credential that obtained it. */
  readonly method: ClientCredential["method"];
}

/** The token endpoint refused every credential (or failed); carries its `error` and `error_description`. */
export class TokenRequestError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly error: string | undefined,
    readonly errorDescription: string | undefined,
    readonly tokenUrl: string,
  ) {
    super(
      `Token request to ${tokenUrl} failed: ${status !== undefined ? `HTTP ${status}` : "no answer"}` +
        `${error ? ` ${error}` : ""}${errorDescription ? `: ${errorDescription}` : ""}`,
    );
    this.name = "TokenRequestError";
  }
}

interface Attempt {
  readonly token?: AccessToken;
  readonly failure?: TokenRequestError;
  /** Whether trying again (another credential, or later) may help. */
  readonly retryable: boolean;
  /** The credential itself was refused (401 invalid_client). */
  readonly refused: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Caching client_credentials client. One instance per app process; safe for concurrent callers. */
export class TokenClient {
  private readonly credentials: ClientCredential[];
  private readonly signers = new Map<ClientCredential, AssertionSigner>();
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  private cached?: AccessToken;
  private inflight?: Promise<AccessToken>;

  constructor(private readonly opts: TokenClientOptions) {
    if (typeof opts.tokenUrl !== "string" || !/^https?:\/\//.test(opts.tokenUrl)) {
      throw new TypeError("tokenUrl: must be the full URL of the token endpoint");
    }
    if (typeof opts.clientId !== "string" || opts.clientId === "") {
      throw new TypeError("clientId: must be the app's OAuth client id");
    }
    const list = (
      Array.isArray(opts.credentials) ? opts.credentials : [opts.credentials]
    ) as ClientCredential[];
    if (list.length === 0) throw new TypeError("credentials: give at least one credential");
    this.credentials = [...list];
    for (const c of this.credentials) {
      if (c.method === "private_key_jwt") {
        this.signers.set(
          c,
          createAssertionSigner({
            clientId: opts.clientId,
            key: c.key,
            ...(opts.assertionLifetimeSeconds !== undefined
              ? { lifetimeSeconds: opts.assertionLifetimeSeconds }
              : {}),
            ...(opts.now ? { now: opts.now } : {}),
          }),
        );
      } else if (typeof c.clientSecret !== "string" || c.clientSecret === "") {
        throw new TypeError("credentials: a client_secret_basic credential needs its clientSecret");
      }
    }
    this.now = opts.now ?? Date.now;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /** The method tried first: the one that last worked. */
  get preferredMethod(): ClientCredential["method"] {
    return this.credentials[0]!.method;
  }

  /** An access token, from the cache while it has more than `refreshBeforeExpirySeconds` left. */
  async getToken(): Promise<string> {
    return (await this.getAccessToken()).accessToken;
  }

  /** Like `getToken`, with the expiry and the method used. Concurrent callers share one request. */
  async getAccessToken(): Promise<AccessToken> {
    const margin = (this.opts.refreshBeforeExpirySeconds ?? 60) * 1000;
    if (this.cached && this.cached.expiresAt - margin > this.now()) return this.cached;
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets the cached token (e.g. after a resource server rejected it). */
  clear(): void {
    this.cached = undefined;
  }

  /** Always asks the token endpoint (and caches the answer). */
  async exchange(): Promise<AccessToken> {
    const retries = this.opts.retries ?? 3;
    const delay = this.opts.retryDelayMs ?? 500;
    let last: TokenRequestError | undefined;
    for (let round = 0; round <= retries; round++) {
      if (round > 0) await sleep(delay);
      let retryable = false;
      for (const credential of [...this.credentials]) {
        const attempt = await this.tryOne(credential);
        if (attempt.token) {
          this.prefer(credential);
          this.cached = attempt.token;
          return attempt.token;
        }
        last = attempt.failure;
        retryable ||= attempt.retryable;
        // Another credential only helps when this one was refused as such.
        if (!attempt.refused) break;
      }
      if (!retryable) break;
    }
    throw last!;
  }

  private prefer(credential: ClientCredential): void {
    const i = this.credentials.indexOf(credential);
    if (i > 0) {
      this.credentials.splice(i, 1);
      this.credentials.unshift(credential);
    }
  }

  private async tryOne(credential: ClientCredential): Promise<Attempt> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (this.opts.scope) form.set("scope", this.opts.scope);
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    if (credential.method === "private_key_jwt") {
      form.set("client_assertion_type", CLIENT_ASSERTION_TYPE);
      form.set("client_assertion", await this.signers.get(credential)!(this.opts.tokenUrl));
    } else {
      const basic = `${encodeURIComponent(this.opts.clientId)}:${encodeURIComponent(credential.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString("base64")}`;
    }
    const url = this.opts.tokenUrl;
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method: "POST", headers, body: form.toString() });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return {
        failure: new TokenRequestError(undefined, "network_error", reason, url),
        retryable: true,
        refused: false,
      };
    }
    let body: Record<string, unknown> = {};
    try {
      body = (await res.json()) as Record<string, unknown>;
    } catch {
      // not JSON: described by the status alone
    }
    if (res.status === 200 && typeof body.access_token === "string") {
      const expiresIn = typeof body.expires_in === "number" ? body.expires_in : 3600;
      return {
        token: {
          accessToken: body.access_token,
          tokenType: typeof body.token_type === "string" ? body.token_type : "Bearer",
          expiresAt: this.now() + expiresIn * 1000,
          ...(typeof body.scope === "string" ? { scope: body.scope } : {}),
          method: credential.method,
        },
        retryable: false,
        refused: false,
      };
    }
    const error = typeof body.error === "string" ? body.error : undefined;
    const description = typeof body.error_description === "string" ? body.error_description : undefined;
    const refused = res.status === 401 && error === "invalid_client";
    return {
      failure: new TokenRequestError(res.status, error, description, url),
      retryable: refused || res.status === 429 || res.status >= 500,
      refused,
    };
  }
}

/** A caching token client (see `TokenClient`). */
export function createTokenClient(opts: TokenClientOptions): TokenClient {
  return new TokenClient(opts);
}
