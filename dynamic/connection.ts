// The Okta connection shared by the dynamic resources of this folder.
//
// Credentials are never held by the provider objects themselves: a dynamic provider stored in Pulumi state
// (`__provider`) carries everything it captures. The resources store only a stand-in that names their
// provider (providerByReference.ts), and the providers stay serializable by value too, with nothing secret
// captured (test/provider/serialization.test.ts). The providers' `configure(req)` hands the stack config to
// `configureConnection`, which keeps it in a process-global registry (outside any serialized closure); the
// settings are resolved from that config and the environment only when a call to Okta is about to be made.
//
// Transport is the official `@okta/okta-sdk-nodejs` client with its own retries replaced by the policy below.
// SSWS is the SDK's own; for an OAuth 2.0 service app (private_key_jwt, and DPoP when Okta binds its tokens)
// the SDK's OAuth layer is detached and serviceAppAuth.ts authorizes every attempt instead (why: see there).
// Client secrets use the SDK's generated API. JSON Web Keys and the app object use the SDK's authenticated
// `http` layer with JSON parsed here, because the generated models are in the way:
//  - the generated `Application` models drop properties they do not know, so GET + PUT of "the whole app"
//    through them would silently remove settings;
//  - `listJwk` only parses `{"keys": [...]}`, while Okta's own spec documents a bare array and
//    `{"jwks": {"keys": [...]}}` as well.

import { Client, RequestExecutor } from "@okta/okta-sdk-nodejs";
import { createHash, createPrivateKey, randomUUID } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { CryptoKey, JWK } from "jose";
import { signingAlgorithm } from "../client/assertion";
import { createRateLimitPacer, rateLimitBucket } from "./rateLimitPacing";
import {
  ServiceAppAuth,
  type AssertionSigner,
  type AttemptHooks,
  type AttemptRequest,
  type AttemptResponse,
  type Transport,
} from "./serviceAppAuth";

// ---------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------

/** The part of `pulumi.dynamic.Config` used here (`req.config` in `configure`). */
export interface ConfigSource {
  get(key: string): string | undefined;
}

export type OktaCredentials =
  | { readonly kind: "apiToken"; readonly apiToken: string }
  | {
      readonly kind: "privateKey";
      readonly clientId: string;
      readonly privateKey: string;
      readonly privateKeyId?: string;
      readonly scopes: readonly string[];
    };

export interface OktaConnectionSettings {
  /** `https://<org>.okta.com`, or `http://127.0.0.1:<port>` for the local Okta. No trailing slash. */
  readonly orgUrl: string;
  readonly credentials: OktaCredentials;
}

// Constants used by provider code are returned by functions: the closure serializer captures only the
// members it sees accessed statically, so a captured object indexed by a variable arrives incomplete.

export function defaultScopes(): string[] {
  return ["okta.apps.read", "okta.apps.manage"];
}

export const DEFAULT_SCOPES: readonly string[] = defaultScopes();

/** Stack config keys and environment variables, in the order they are consulted. */
export function connectionKeys() {
  return {
    orgUrl: { config: "oktaOrgUrl", env: "OKTA_ORG_URL" },
    orgName: { config: "okta:orgName", env: "OKTA_ORG_NAME" },
    baseUrl: { config: "okta:baseUrl", env: "OKTA_BASE_URL" },
    apiToken: { config: "okta:apiToken", env: "OKTA_API_TOKEN" },
    clientId: { config: "okta:clientId", env: "OKTA_API_CLIENT_ID" },
    privateKey: { config: "okta:privateKey", env: "OKTA_API_PRIVATE_KEY" },
    privateKeyId: { config: "okta:privateKeyId", env: "OKTA_API_PRIVATE_KEY_ID" },
    scopes: { config: "okta:scopes", env: "OKTA_API_SCOPES" },
  } as const;
}

export const CONNECTION_KEYS = connectionKeys();

/**
 * Sets an error's message on the instance itself. The closure serializer turns classes into constructor
 * functions that call `Error` as a function, which returns a new object instead of initialising `this`: without
 * this, an error thrown inside the serialized provider reaches the engine with no message ("error: undefined").
 */
function keepMessage(err: Error, message: string, name: string): void {
  Object.defineProperty(err, "message", {
    value: message,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  err.name = name;
}

/** A connection setting is missing or malformed. The message names the config keys and env vars. */
export class OktaConfigError extends Error {
  constructor(message: string) {
    super(message);
    keepMessage(this, message, "OktaConfigError");
  }
}

function lookup(
  key: keyof ReturnType<typeof connectionKeys>,
  config: ConfigSource | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const names = connectionKeys()[key];
  const fromConfig = config?.get(names.config);
  const value = fromConfig !== undefined && fromConfig !== "" ? fromConfig : env[names.env];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** True for hosts that never leave the machine: the only hosts allowed over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

function normaliseOrgUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OktaConfigError(
      `The Okta org URL from ${source} is not a URL. Expected https://<org>.okta.com.`,
    );
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new OktaConfigError(
      `The Okta org URL from ${source} must use https (plain http is accepted only for 127.0.0.1/localhost, ` +
        `i.e. the local Okta), got ${url.protocol}//${url.host}.`,
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * Resolves the org URL and credentials. Pure: takes the stack config (or nothing) and an environment.
 *
 * Org URL: `<project>:oktaOrgUrl` / OKTA_ORG_URL, else `okta:orgName` + `okta:baseUrl` (default okta.com)
 * / OKTA_ORG_NAME + OKTA_BASE_URL. Credentials: `okta:apiToken` / OKTA_API_TOKEN (SSWS), else an OAuth
 * service app: `okta:clientId`, `okta:privateKey` (PEM or JWK JSON), `okta:privateKeyId`, `okta:scopes`.
 */
export function resolveConnectionSettings(
  config: ConfigSource | undefined,
  env: Readonly<Record<string, string | undefined>>,
): OktaConnectionSettings {
  const k = connectionKeys();
  let orgUrl: string;
  const explicit = lookup("orgUrl", config, env);
  if (explicit !== undefined) {
    orgUrl = normaliseOrgUrl(explicit, `config "${k.orgUrl.config}" / env ${k.orgUrl.env}`);
  } else {
    const orgName = lookup("orgName", config, env);
    if (orgName === undefined) {
      throw new OktaConfigError(
        "No Okta org configured. Set `pulumi config set okta:orgName <org>` (and optionally okta:baseUrl, " +
          `default okta.com), or env ${k.orgName.env}/${k.baseUrl.env}; or give the full URL with ` +
          `\`pulumi config set ${k.orgUrl.config} https://<org>.okta.com\` or env ${k.orgUrl.env}.`,
      );
    }
    const baseUrl = lookup("baseUrl", config, env) ?? "okta.com";
    orgUrl = normaliseOrgUrl(`https://${orgName}.${baseUrl}`, `okta:orgName/okta:baseUrl`);
  }

  const apiToken = lookup("apiToken", config, env);
  if (apiToken !== undefined) {
    return { orgUrl, credentials: { kind: "apiToken", apiToken } };
  }
  const clientId = lookup("clientId", config, env);
  const privateKey = lookup("privateKey", config, env);
  if (clientId === undefined && privateKey === undefined) {
    throw new OktaConfigError(
      `No Okta credentials configured for ${orgUrl}. Either set an API token ` +
        `(\`pulumi config set --secret okta:apiToken <token>\` or env ${k.apiToken.env}), or an OAuth service app ` +
        `with private_key_jwt (okta:clientId + okta:privateKey [+ okta:privateKeyId, okta:scopes], or env ` +
        `${k.clientId.env}, ${k.privateKey.env}, ${k.privateKeyId.env}, ${k.scopes.env}).`,
    );
  }
  if (clientId === undefined || privateKey === undefined) {
    const missing = clientId === undefined ? k.clientId : k.privateKey;
    throw new OktaConfigError(
      `Incomplete OAuth service app credentials for ${orgUrl}: ${missing.config} (env ${missing.env}) is missing. ` +
        `An OAuth service app needs both ${k.clientId.config} and ${k.privateKey.config}.`,
    );
  }
  const scopesRaw = lookup("scopes", config, env);
  const scopes = scopesRaw
    ? scopesRaw
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter((s) => s !== "")
    : defaultScopes();
  const privateKeyId = lookup("privateKeyId", config, env);
  return {
    orgUrl,
    credentials: {
      kind: "privateKey",
      clientId,
      privateKey,
      scopes,
      ...(privateKeyId !== undefined ? { privateKeyId } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Process-global registry (never part of a serialized closure)
// ---------------------------------------------------------------------------------------------------

/** A retry that the transport made; reported to the engine log (never contains a secret). */
export interface RetryEvent {
  readonly method: string;
  readonly path: string;
  readonly reason: "rate-limited" | "server-error" | "network-error" | "paced";
  readonly status?: number;
  readonly attempt: number;
  readonly delayMs: number;
  readonly message: string;
}

interface ConnectionRegistry {
  config?: ConfigSource;
  clients: Map<string, OktaApi>;
  retryListeners: Set<(e: RetryEvent) => void>;
  warningListeners?: Set<(message: string) => void>;
  locks: Map<string, Promise<unknown>>;
}

const REGISTRY_KEY = "__oktaRotationConnectionRegistry";

function registry(): ConnectionRegistry {
  const g = globalThis as unknown as Record<string, ConnectionRegistry | undefined>;
  let r = g[REGISTRY_KEY];
  if (r === undefined) {
    r = { clients: new Map(), retryListeners: new Set(), locks: new Map() };
    g[REGISTRY_KEY] = r;
  }
  return r;
}

/** Called from each provider's `configure(req)`: remembers the stack config for this process. */
export async function configureConnection(req: { config: ConfigSource }): Promise<void> {
  const r = registry();
  r.config = req.config;
  r.clients.clear();
}

/** Forgets the configured stack config and cached clients (tests). */
export function resetConnection(): void {
  const r = registry();
  r.config = undefined;
  r.clients.clear();
}

/**
 * Runs `fn` after every earlier `exclusive` call with the same key has settled (in this process). Creates on
 * one app are serialized so that "what appeared since my list" after an unclear outcome can only be ours,
 * even when the engine runs several resources of the same app in parallel.
 */
export async function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const locks = registry().locks;
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(key, settled);
  try {
    return await run;
  } finally {
    if (locks.get(key) === settled) locks.delete(key);
  }
}

/** Subscribe to retry events (tests, diagnostics). Returns the unsubscribe function. */
export function onRetry(listener: (e: RetryEvent) => void): () => void {
  const r = registry();
  r.retryListeners.add(listener);
  return () => r.retryListeners.delete(listener);
}

function inEngine(): boolean {
  if (pulumi.runtime.hasEngine()) return true;
  // The dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`) has no engine connection of its own;
  // its stderr is what the engine shows for the provider, which is where pulumi.log falls back to.
  return process.argv.some((a) => a.includes("dynamic-provider"));
}

/** A warning from inside a provider method (shown by the engine with the provider's output). */
export function providerWarning(message: string): void {
  for (const l of registry().warningListeners ?? []) l(message);
  if (inEngine()) void pulumi.log.warn(message);
}

/** Subscribe to provider warnings (tests, diagnostics). Returns the unsubscribe function. */
export function onWarning(listener: (message: string) => void): () => void {
  const r = registry();
  (r.warningListeners ??= new Set()).add(listener);
  return () => r.warningListeners?.delete(listener);
}

function reportRetry(e: RetryEvent): void {
  for (const l of registry().retryListeners) l(e);
  if (inEngine()) void pulumi.log.warn(e.message);
}

/** The Okta API client for the current config + environment (cached per settings). */
export function getOktaApi(): OktaApi {
  const settings = resolveConnectionSettings(registry().config, process.env);
  const key = JSON.stringify(settings);
  const r = registry();
  let api = r.clients.get(key);
  if (api === undefined) {
    api = new OktaApi(settings);
    r.clients.set(key, api);
  }
  return api;
}

// ---------------------------------------------------------------------------------------------------
// Retry policy
// ---------------------------------------------------------------------------------------------------

export interface RetryPolicy {
  /** Retries of idempotent calls after a 5xx or a network error. */
  readonly maxRetries: number;
  /** Base of the exponential backoff for those retries. */
  readonly baseDelayMs: number;
  /** Upper bound of one backoff step. */
  readonly maxDelayMs: number;
  /** Retries after 429 (any method: a 429 means the call was not processed). */
  readonly rateLimitRetries: number;
  /** Upper bound of one 429 wait. */
  readonly maxRateLimitWaitMs: number;
  /** Per-request timeout (0 = none). */
  readonly requestTimeoutMs: number;
}

function envInt(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new OktaConfigError(`Environment variable ${name} must be a non-negative number, got "${raw}".`);
  }
  return Math.floor(n);
}

/** Retry settings, overridable via OKTA_ROTATION_* environment variables (tests make them tiny). */
export function retryPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): RetryPolicy {
  return {
    maxRetries: envInt(env, "OKTA_ROTATION_MAX_RETRIES", 4),
    baseDelayMs: envInt(env, "OKTA_ROTATION_RETRY_BASE_MS", 500),
    maxDelayMs: envInt(env, "OKTA_ROTATION_RETRY_MAX_MS", 8_000),
    rateLimitRetries: envInt(env, "OKTA_ROTATION_RATE_LIMIT_RETRIES", 6),
    maxRateLimitWaitMs: envInt(env, "OKTA_ROTATION_RATE_LIMIT_MAX_WAIT_MS", 65_000),
    requestTimeoutMs: envInt(env, "OKTA_ROTATION_REQUEST_TIMEOUT_MS", 30_000),
  };
}

/**
 * How long to wait after a 429, the way Okta's SDKs do: `X-Rate-Limit-Reset − Date + 1 s`, bounded by
 * [0, maxWaitMs]. Falls back to `fallbackMs` when the headers are missing or unreadable.
 */
export function rateLimitDelayMs(
  resetHeader: string | null | undefined,
  dateHeader: string | null | undefined,
  nowMs: number,
  maxWaitMs: number,
  fallbackMs: number,
): number {
  const reset = resetHeader && !resetHeader.includes(",") ? Number(resetHeader) : NaN;
  if (!Number.isFinite(reset)) return Math.min(Math.max(fallbackMs, 0), maxWaitMs);
  const dateMs = dateHeader ? Date.parse(dateHeader) : NaN;
  const now = Number.isFinite(dateMs) ? dateMs : nowMs;
  const wait = reset * 1000 - now + 1000;
  return Math.min(Math.max(wait, 0), maxWaitMs);
}

/** Exponential backoff step `attempt` (1-based). */
export function backoffDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
): number {
  return Math.min(policy.baseDelayMs * 2 ** Math.max(attempt - 1, 0), policy.maxDelayMs);
}

/**
 * Whether a request may be repeated after an unclear outcome (5xx, dropped connection, timeout).
 * Creates (POST …/secrets, POST …/jwks) are not: the resource code lists first and recognises its own.
 */
export function isIdempotentRequest(method: string, path: string): boolean {
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD" || m === "PUT" || m === "DELETE") return true;
  return m === "POST" && /\/lifecycle\/(activate|deactivate)$/.test(path);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type HttpRequest = Parameters<Client["http"]["http"]>[1];
type FetchResponse = Awaited<ReturnType<RequestExecutor["fetch"]>>;
type FetchRequest = Parameters<RequestExecutor["fetch"]>[0];

/**
 * Sends one request under the retry policy: 429 waits as `X-Rate-Limit-Reset` says; 5xx and network errors
 * retried with backoff when the request may be repeated. `hooks.prepare` builds each attempt (fresh
 * credentials and DPoP proof); `hooks.again` asks for an immediate resend (a nonce, a renewed token).
 */
async function sendWithPolicy(
  send: (request: FetchRequest) => Promise<FetchResponse>,
  policy: RetryPolicy,
  request: FetchRequest,
  hooks: AttemptHooks,
  idempotentOverride?: boolean,
): Promise<FetchResponse> {
  const req = request as { method?: string; url?: string };
  const method = String(req.method ?? "GET").toUpperCase();
  let path = String(req.url ?? "");
  try {
    path = new URL(path).pathname;
  } catch {
    // keep as is
  }
  const idempotent = idempotentOverride ?? isIdempotentRequest(method, path);
  let serverRetries = 0;
  let rateRetries = 0;
  for (;;) {
    let response: FetchResponse;
    // Outside the try: a refused token request or an unusable key is not a network failure to retry.
    const sent = hooks.prepare ? ((await hooks.prepare(request as AttemptRequest)) as FetchRequest) : request;
    try {
      response = await send({ ...sent, timeout: policy.requestTimeoutMs } as FetchRequest);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (idempotent && serverRetries < policy.maxRetries) {
        serverRetries++;
        const delayMs = backoffDelayMs(serverRetries, policy);
        reportRetry({
          method,
          path,
          reason: "network-error",
          attempt: serverRetries,
          delayMs,
          message: `Okta ${method} ${path} failed (${reason}); retry ${serverRetries}/${policy.maxRetries} in ${delayMs} ms`,
        });
        await sleep(delayMs);
        continue;
      }
      throw new OktaTransportError(method, path, reason, idempotent);
    }
    if (hooks.again?.(response as AttemptResponse, sent as AttemptRequest)) {
      await response.text().catch(() => undefined);
      continue;
    }
    if (response.status === 429 && rateRetries < policy.rateLimitRetries) {
      rateRetries++;
      const delayMs = rateLimitDelayMs(
        response.headers.get("x-rate-limit-reset"),
        response.headers.get("date"),
        Date.now(),
        policy.maxRateLimitWaitMs,
        backoffDelayMs(rateRetries, policy),
      );
      await response.text().catch(() => undefined);
      reportRetry({
        method,
        path,
        reason: "rate-limited",
        status: 429,
        attempt: rateRetries,
        delayMs,
        message: `Okta rate limit hit on ${method} ${path} (429); waiting ${Math.ceil(delayMs / 1000)} s as X-Rate-Limit-Reset says, retry ${rateRetries}/${policy.rateLimitRetries}`,
      });
      await sleep(delayMs);
      continue;
    }
    if (response.status >= 500 && idempotent && serverRetries < policy.maxRetries) {
      serverRetries++;
      const delayMs = backoffDelayMs(serverRetries, policy);
      await response.text().catch(() => undefined);
      reportRetry({
        method,
        path,
        reason: "server-error",
        status: response.status,
        attempt: serverRetries,
        delayMs,
        message: `Okta ${method} ${path} answered ${response.status}; retry ${serverRetries}/${policy.maxRetries} in ${delayMs} ms`,
      });
      await sleep(delayMs);
      continue;
    }
    return response;
  }
}

/**
 * A request executor with this project's retry policy in place of the SDK default; with a service app, the
 * executor also authorizes each attempt (token, DPoP proof) through serviceAppAuth.ts.
 */
function retryingExecutor(
  policyOf: () => RetryPolicy,
  serviceApp?: (transport: Transport) => ServiceAppAuth,
): RequestExecutor {
  const base = new RequestExecutor();
  const fetchOnce = base.fetch.bind(base);
  // Stays within this token's share of each bucket (rateLimitPacing.ts); a 429 stays the fallback.
  const pacer = createRateLimitPacer({
    maxWaitMs: () => policyOf().maxRateLimitWaitMs,
    onWait: (e) =>
      reportRetry({
        method: "",
        path: e.bucket,
        reason: "paced",
        attempt: 0,
        delayMs: e.delayMs,
        message: `Okta rate limit: this token's share of ${e.bucket} (${e.limit}) is used; waiting ${Math.ceil(e.delayMs / 1000)} s for X-Rate-Limit-Reset`,
      }),
  });
  const send = async (request: FetchRequest): Promise<FetchResponse> => {
    const req = request as { method?: string; url?: string };
    let path = String(req.url ?? "");
    try {
      path = new URL(path).pathname;
    } catch {
      // keep as is
    }
    const bucket = rateLimitBucket(String(req.method ?? "GET").toUpperCase(), path);
    await pacer.before(bucket);
    let response: FetchResponse | undefined;
    try {
      response = await fetchOnce(request);
      return response;
    } finally {
      const headers = response?.headers;
      pacer.after(bucket, headers ? (name) => headers.get(name) : undefined);
    }
  };
  const transport: Transport = async (request, hooks, idempotent) =>
    (await sendWithPolicy(
      send,
      policyOf(),
      request as FetchRequest,
      hooks,
      idempotent,
    )) as unknown as AttemptResponse;
  const auth = serviceApp?.(transport);
  const fetch = (request: FetchRequest): Promise<FetchResponse> =>
    sendWithPolicy(send, policyOf(), request, auth?.hooks() ?? {});
  // The SDK only calls `fetch`; keep its EventEmitter surface from the base instance.
  return Object.assign(base, { fetch }) as RequestExecutor;
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

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

/** A request that never got an HTTP answer (dropped connection, timeout, DNS…). */
export class OktaTransportError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
    readonly retried: boolean,
  ) {
    const message = `Okta ${method} ${path} got no answer: ${reason}`;
    super(message);
    keepMessage(this, message, "OktaTransportError");
  }
}

/** What the SDK (or our transport) threw, reduced to plain fields. */
export interface OktaFailure {
  readonly status?: number;
  readonly errorCode?: string;
  readonly errorSummary?: string;
  readonly errorCauses: readonly string[];
  readonly errorId?: string;
  /** No HTTP answer, or a 5xx: the call may or may not have taken effect. */
  readonly ambiguous: boolean;
  readonly detail: string;
}

export function describeFailure(err: unknown): OktaFailure {
  if (err instanceof OktaApiError) {
    return {
      status: err.status,
      errorCode: err.errorCode,
      errorSummary: err.errorSummary,
      errorCauses: err.errorCauses,
      errorId: err.errorId,
      ambiguous: err.status === undefined || err.status >= 500,
      detail: err.message,
    };
  }
  if (err instanceof OktaTransportError) {
    return { errorCauses: [], ambiguous: true, detail: err.message };
  }
  if (typeof err === "object" && err !== null && typeof (err as { status?: unknown }).status === "number") {
    const e = err as {
      status: number;
      errorCode?: unknown;
      errorSummary?: unknown;
      errorCauses?: unknown;
      errorId?: unknown;
      message?: unknown;
      headers?: { get?: (name: string) => string | null };
    };
    // OAuth-style refusals (DPoP at the management API) carry no errorCode/errorSummary; their challenge does.
    const challenge = oauthChallenge(
      typeof e.headers?.get === "function" ? e.headers.get("www-authenticate") : null,
    );
    const causes = Array.isArray(e.errorCauses)
      ? e.errorCauses
          .map((c: unknown) =>
            typeof c === "object" && c !== null
              ? String((c as { errorSummary?: unknown }).errorSummary ?? "")
              : "",
          )
          .filter((s) => s !== "")
      : [];
    const errorCode = typeof e.errorCode === "string" ? e.errorCode : challenge?.error;
    const errorSummary =
      typeof e.errorSummary === "string" && e.errorSummary !== "" ? e.errorSummary : challenge?.description;
    return {
      status: e.status,
      ...(errorCode !== undefined ? { errorCode } : {}),
      ...(errorSummary !== undefined ? { errorSummary } : {}),
      ...(typeof e.errorId === "string" ? { errorId: e.errorId } : {}),
      errorCauses: causes,
      ambiguous: e.status >= 500,
      // An HttpError message is `HTTP <status> <body>`: a non-JSON body, kept short.
      detail: String(e.message ?? `HTTP ${e.status}`).slice(0, 300),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { errorCauses: [], ambiguous: true, detail: message };
}

/** `error` and `error_description` of a `WWW-Authenticate` challenge (RFC 6750 §3, RFC 9449 §7.1). */
export function oauthChallenge(
  header: string | null | undefined,
): { error: string; description?: string } | undefined {
  const error = /\berror="([^"]*)"/.exec(header ?? "")?.[1];
  if (!error) return undefined;
  const description = /\berror_description="([^"]*)"/.exec(header ?? "")?.[1];
  return { error, ...(description ? { description } : {}) };
}

export interface OktaApiErrorInit {
  /** e.g. `ClientSecret ocs123 of app 0oa123` */
  readonly resource: string;
  /** e.g. `create`, `deactivate` */
  readonly action: string;
  /** The call within the action that failed, e.g. `listing the app's secrets first`. */
  readonly step?: string;
  readonly failure: OktaFailure;
  /** What the operator should do. */
  readonly hint?: string;
  /** Extra context lines (e.g. the app's existing secrets). Must never contain secret values. */
  readonly context?: readonly string[];
}

/** What to do about a failure whose cause is the connection, not the resource. */
function statusHint(status: number | undefined): string | undefined {
  switch (status) {
    case 401:
      return (
        "Okta did not accept the credentials: check okta:apiToken / OKTA_API_TOKEN, or the service app's " +
        "okta:clientId, okta:privateKey and okta:privateKeyId (OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY, OKTA_API_PRIVATE_KEY_ID)."
      );
    case 403:
      return (
        "the credentials may not manage this app: use an API token of an admin who can manage apps, or grant the " +
        "service app the okta.apps.read and okta.apps.manage scopes (okta:scopes / OKTA_API_SCOPES) and an admin role."
      );
    case 429:
      return (
        "Okta's rate limit was still exceeded after the retries; run again later, or allow more waits with " +
        "OKTA_ROTATION_RATE_LIMIT_RETRIES / OKTA_ROTATION_RATE_LIMIT_MAX_WAIT_MS."
      );
    default:
      return undefined;
  }
}

/** What to do when Okta refused a DPoP proof of the service app (RFC 9449; Okta's texts in okta-api.md). */
function dpopHint(f: OktaFailure): string | undefined {
  const dpop =
    f.errorCode === "invalid_dpop_proof" ||
    f.errorCode === "use_dpop_nonce" ||
    (f.errorCode === "invalid_request" && failureMentions(f, "DPoP"));
  if (!dpop) return undefined;
  return (
    "Okta refused the DPoP proof that goes with the service app's token. Okta refuses proofs issued more than " +
    "five minutes in the past: check this machine's clock, then run again."
  );
}

/** Builds the message of an OktaApiError. Pure. */
export function formatOktaErrorMessage(init: OktaApiErrorInit): string {
  const f = init.failure;
  const what = `${init.action} ${init.resource}${init.step ? ` (${init.step})` : ""}`;
  const head =
    f.status !== undefined
      ? `Okta refused to ${what}: HTTP ${f.status}${f.errorCode ? ` ${f.errorCode}` : ""}`
      : `Could not ${what}: ${f.detail}`;
  const parts = [head];
  if (f.status !== undefined) {
    if (f.errorSummary) parts.push(`  errorSummary: ${f.errorSummary}`);
    for (const c of f.errorCauses) parts.push(`  cause: ${c}`);
    if (!f.errorSummary && f.errorCauses.length === 0) parts.push(`  ${f.detail}`);
    if (f.errorId) parts.push(`  errorId: ${f.errorId}`);
  }
  for (const line of init.context ?? []) parts.push(`  ${line}`);
  const hint = statusHint(f.status) ?? dpopHint(f) ?? init.hint;
  if (hint) parts.push(`What to do: ${hint}`);
  return parts.join("\n");
}

/** An Okta call failed. Carries Okta's fields, names the resource, and says what to do. */
export class OktaApiError extends Error {
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorSummary: string | undefined;
  readonly errorCauses: readonly string[];
  readonly errorId: string | undefined;
  readonly resource: string;
  readonly action: string;

  constructor(init: OktaApiErrorInit) {
    const message = formatOktaErrorMessage(init);
    super(message);
    keepMessage(this, message, "OktaApiError");
    this.status = init.failure.status;
    this.errorCode = init.failure.errorCode;
    this.errorSummary = init.failure.errorSummary;
    this.errorCauses = init.failure.errorCauses;
    this.errorId = init.failure.errorId;
    this.resource = init.resource;
    this.action = init.action;
  }
}

/** True when Okta says the thing does not exist (404 / E0000007). */
export function isNotFound(err: unknown): boolean {
  const f = describeFailure(err);
  return f.status === 404 || f.errorCode === "E0000007";
}

/** True when Okta's summary or a cause contains `text` (case-insensitive). */
export function failureMentions(f: OktaFailure, text: string): boolean {
  const t = text.toLowerCase();
  return [f.errorSummary ?? "", ...f.errorCauses].some((s) => s.toLowerCase().includes(t));
}

/** Error of an operation outside an Okta call (plain message, same name for the engine output). */
export function operationError(message: string): Error {
  const e = new Error(message);
  e.name = "OktaRotationError";
  return e;
}

// ---------------------------------------------------------------------------------------------------
// Okta API surface used by the resources
// ---------------------------------------------------------------------------------------------------

export type LifecycleStatus = "ACTIVE" | "INACTIVE";

export interface OktaClientSecret {
  readonly id: string;
  readonly status: LifecycleStatus;
  readonly client_secret?: string;
  readonly secret_hash?: string;
  readonly created?: string;
  readonly lastUpdated?: string;
}

export interface OktaJsonWebKey {
  readonly id: string;
  readonly status: LifecycleStatus;
  readonly kid?: string;
  readonly kty?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly e?: string;
  readonly n?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly created?: string;
  readonly lastUpdated?: string;
}

export type OktaApp = Record<string, unknown> & { id?: string };

/** `base64url(SHA-256(value)[0..16])`, the construction behind Okta's `secret_hash`. */
export function secretHash(value: string): string {
  return createHash("sha256").update(value, "utf8").digest().subarray(0, 16).toString("base64url");
}

function toSecret(raw: unknown): OktaClientSecret {
  const o = (raw ?? {}) as Record<string, unknown>;
  return {
    id: String(o.id ?? ""),
    status: o.status === "INACTIVE" ? "INACTIVE" : "ACTIVE",
    ...(typeof o.client_secret === "string" ? { client_secret: o.client_secret } : {}),
    ...(typeof o.secret_hash === "string" ? { secret_hash: o.secret_hash } : {}),
    ...(o.created !== undefined && o.created !== null ? { created: isoString(o.created) } : {}),
    ...(o.lastUpdated !== undefined && o.lastUpdated !== null
      ? { lastUpdated: isoString(o.lastUpdated) }
      : {}),
  };
}

function isoString(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}

function toKey(raw: unknown): OktaJsonWebKey {
  const o = (raw ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {
    id: String(o.id ?? ""),
    status: o.status === "INACTIVE" ? "INACTIVE" : "ACTIVE",
  };
  for (const f of ["kid", "kty", "alg", "use", "e", "n", "crv", "x", "y"])
    if (typeof o[f] === "string") out[f] = o[f];
  if (o.created !== undefined && o.created !== null) out.created = isoString(o.created);
  if (o.lastUpdated !== undefined && o.lastUpdated !== null) out.lastUpdated = isoString(o.lastUpdated);
  return out as unknown as OktaJsonWebKey;
}

/** Okta's JWK list in any of its documented shapes: `[...]`, `{keys: [...]}`, `{jwks: {keys: [...]}}`. */
export function parseJwkList(body: unknown): OktaJsonWebKey[] {
  let list: unknown = body;
  if (list && typeof list === "object" && !Array.isArray(list)) {
    const o = list as { keys?: unknown; jwks?: { keys?: unknown } };
    list = o.keys ?? o.jwks?.keys ?? [];
  }
  return Array.isArray(list) ? list.map(toKey) : [];
}

/** Thin wrapper over the SDK client: the calls the resources make, with plain return types. */
export class OktaApi {
  readonly orgUrl: string;
  private readonly client: Client;

  constructor(settings: OktaConnectionSettings) {
    this.orgUrl = settings.orgUrl;
    const c = settings.credentials;
    const policyOf = (): RetryPolicy => retryPolicyFromEnv(process.env);
    const requestExecutor =
      c.kind === "apiToken"
        ? retryingExecutor(policyOf)
        : retryingExecutor(
            policyOf,
            (transport) =>
              new ServiceAppAuth({
                orgUrl: settings.orgUrl,
                clientId: c.clientId,
                scopes: c.scopes,
                signAssertion: serviceAppSigner(c.clientId, c.privateKey, c.privateKeyId),
                transport,
              }),
          );
    this.client =
      c.kind === "apiToken"
        ? new Client({
            orgUrl: settings.orgUrl,
            authorizationMode: "SSWS",
            token: c.apiToken,
            requestExecutor,
            cacheMiddleware: null,
          })
        : new Client({
            orgUrl: settings.orgUrl,
            authorizationMode: "PrivateKey",
            clientId: c.clientId,
            scopes: [...c.scopes],
            privateKey: c.privateKey,
            ...(c.privateKeyId !== undefined ? { keyId: c.privateKeyId } : {}),
            requestExecutor,
            cacheMiddleware: null,
          });
    if (c.kind === "privateKey") {
      // The executor authorizes every attempt (serviceAppAuth.ts); without its OAuth layer the SDK adds no
      // Authorization header of its own and does not renew tokens on a 401 behind the executor's back.
      (this.client.http as unknown as { oauth?: unknown }).oauth = undefined;
    }
  }

  private url(path: string): string {
    return `${this.orgUrl}${path}`;
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const request = {
      method,
      headers: {
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    };
    const res = await this.client.http.http(this.url(path), request as HttpRequest);
    const text = await res.text();
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  }

  // --- client secrets (SDK generated API) ---

  async listSecrets(appId: string): Promise<OktaClientSecret[]> {
    const out: OktaClientSecret[] = [];
    const collection = await this.client.applicationSSOPublicKeysApi.listOAuth2ClientSecrets({ appId });
    for await (const s of collection) out.push(toSecret(s));
    return out;
  }

  async getSecret(appId: string, secretId: string): Promise<OktaClientSecret> {
    return toSecret(await this.client.applicationSSOPublicKeysApi.getOAuth2ClientSecret({ appId, secretId }));
  }

  async createSecret(
    appId: string,
    body: { client_secret?: string; status?: LifecycleStatus },
  ): Promise<OktaClientSecret> {
    return toSecret(
      await this.client.applicationSSOPublicKeysApi.createOAuth2ClientSecret({
        appId,
        oAuth2ClientSecretRequestBody: body,
      }),
    );
  }

  async setSecretStatus(appId: string, secretId: string, status: LifecycleStatus): Promise<OktaClientSecret> {
    const api = this.client.applicationSSOPublicKeysApi;
    return toSecret(
      status === "ACTIVE"
        ? await api.activateOAuth2ClientSecret({ appId, secretId })
        : await api.deactivateOAuth2ClientSecret({ appId, secretId }),
    );
  }

  async deleteSecret(appId: string, secretId: string): Promise<void> {
    await this.client.applicationSSOPublicKeysApi.deleteOAuth2ClientSecret({ appId, secretId });
  }

  // --- JSON Web Keys (SDK http layer, JSON parsed here) ---

  private jwksPath(appId: string, keyId?: string): string {
    const base = `/api/v1/apps/${encodeURIComponent(appId)}/credentials/jwks`;
    return keyId === undefined ? base : `${base}/${encodeURIComponent(keyId)}`;
  }

  async listKeys(appId: string): Promise<OktaJsonWebKey[]> {
    return parseJwkList(await this.json("GET", this.jwksPath(appId)));
  }

  async getKey(appId: string, keyId: string): Promise<OktaJsonWebKey> {
    return toKey(await this.json("GET", this.jwksPath(appId, keyId)));
  }

  async addKey(appId: string, body: Record<string, unknown>): Promise<OktaJsonWebKey> {
    return toKey(await this.json("POST", this.jwksPath(appId), body));
  }

  async setKeyStatus(appId: string, keyId: string, status: LifecycleStatus): Promise<OktaJsonWebKey> {
    const action = status === "ACTIVE" ? "activate" : "deactivate";
    return toKey(await this.json("POST", `${this.jwksPath(appId, keyId)}/lifecycle/${action}`));
  }

  async deleteKey(appId: string, keyId: string): Promise<void> {
    await this.json("DELETE", this.jwksPath(appId, keyId));
  }

  // --- the app object (SDK http layer: the whole object, nothing dropped) ---

  async getApp(appId: string): Promise<OktaApp> {
    return (await this.json("GET", `/api/v1/apps/${encodeURIComponent(appId)}`)) as OktaApp;
  }

  async putApp(appId: string, app: OktaApp): Promise<OktaApp> {
    return (await this.json("PUT", `/api/v1/apps/${encodeURIComponent(appId)}`, app)) as OktaApp;
  }
}

// ---------------------------------------------------------------------------------------------------
// Creates that are never blindly repeated
// ---------------------------------------------------------------------------------------------------

export interface CreateOnceOptions<T extends { readonly id: string }> {
  /** What the app held right before the first POST. */
  readonly before: readonly T[];
  readonly list: () => Promise<T[]>;
  readonly create: () => Promise<T>;
  /** Whether an item that appeared since `before` is the one this create made. */
  readonly recognise: (candidate: T) => boolean;
  /** For log lines, e.g. `client secret for app 0oa1`. */
  readonly what: string;
}

/**
 * Runs a create (POST) whose outcome may be unclear (5xx, dropped connection, timeout) without ever
 * creating twice: after an unclear failure it lists again and adopts the item it recognises as its own;
 * only when nothing new is there does it POST again. Clear refusals (4xx) are thrown at once.
 */
export async function createOnce<T extends { readonly id: string }>(
  opts: CreateOnceOptions<T>,
): Promise<{ readonly item: T; readonly recognised: boolean }> {
  const policy = retryPolicyFromEnv(process.env);
  const known = new Set(opts.before.map((i) => i.id));
  for (let attempt = 1; ; attempt++) {
    try {
      return { item: await opts.create(), recognised: false };
    } catch (err) {
      const failure = describeFailure(err);
      if (!failure.ambiguous) throw err;
      const after = await opts.list();
      const mine = after.filter((i) => !known.has(i.id) && opts.recognise(i));
      if (mine.length === 1) {
        const item = mine[0]!;
        reportRetry({
          method: "POST",
          path: opts.what,
          reason: failure.status !== undefined ? "server-error" : "network-error",
          ...(failure.status !== undefined ? { status: failure.status } : {}),
          attempt,
          delayMs: 0,
          message: `Creating the ${opts.what} had an unclear outcome (${failure.detail}); it did happen: adopted ${item.id}`,
        });
        return { item, recognised: true };
      }
      if (mine.length > 1) {
        throw operationError(
          `Creating the ${opts.what} had an unclear outcome (${failure.detail}) and ${mine.length} new items ` +
            `appeared meanwhile (${mine.map((i) => i.id).join(", ")}); cannot tell which one is ours. ` +
            `Check the app in Okta, delete the extra one, and run again.`,
        );
      }
      if (attempt > policy.maxRetries) throw err;
      for (const i of after) known.add(i.id);
      const delayMs = backoffDelayMs(attempt, policy);
      reportRetry({
        method: "POST",
        path: opts.what,
        reason: failure.status !== undefined ? "server-error" : "network-error",
        ...(failure.status !== undefined ? { status: failure.status } : {}),
        attempt,
        delayMs,
        message: `Creating the ${opts.what} failed (${failure.detail}) and it is not in Okta; retry ${attempt}/${policy.maxRetries} in ${delayMs} ms`,
      });
      await sleep(delayMs);
    }
  }
}

/** Pulumi's "unknown during preview" placeholder for inputs computed by other resources. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Drops `undefined` members so the result is a valid protobuf Struct. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
