// The retry policy of Okta calls and the request executor that applies it: 429 waits as Okta says, 5xx and
// network errors retried with backoff when the request may be repeated, pacing within this token's share of the
// rate limits (rateLimitPacing.ts), and, with a service app, authorization of every attempt (serviceAppAuth.ts).

import { RequestExecutor } from "@okta/okta-sdk-nodejs";
import { OktaTransportError } from "./oktaErrors";
import { OktaConfigError } from "./oktaSettings";
import { createRateLimitPacer, rateLimitBucket } from "./rateLimitPacing";
import type {
  AttemptHooks,
  AttemptRequest,
  AttemptResponse,
  ServiceAppAuth,
  Transport,
} from "./serviceAppAuth";

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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type FetchResponse = Awaited<ReturnType<RequestExecutor["fetch"]>>;
type FetchRequest = Parameters<RequestExecutor["fetch"]>[0];

/**
 * Sends one request under the retry policy: 429 waits as `X-Rate-Limit-Reset` says; 5xx and network errors
 * retried with backoff when the request may be repeated. `hooks.prepare` builds each attempt (fresh
 * credentials and DPoP proof); `hooks.again` asks for an immediate resend (a nonce, a renewed token). Each
 * retry is told to `reportRetry`.
 */
async function sendWithPolicy(
  send: (request: FetchRequest) => Promise<FetchResponse>,
  reportRetry: (e: RetryEvent) => void,
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
 * executor also authorizes each attempt (token, DPoP proof) through serviceAppAuth.ts. Retries and pacing waits
 * are told to `reportRetry` (the connection's listeners and the engine log, connection.ts).
 */
export function retryingExecutor(
  policyOf: () => RetryPolicy,
  reportRetry: (e: RetryEvent) => void,
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
      reportRetry,
      policyOf(),
      request as FetchRequest,
      hooks,
      idempotent,
    )) as unknown as AttemptResponse;
  const auth = serviceApp?.(transport);
  const fetch = (request: FetchRequest): Promise<FetchResponse> =>
    sendWithPolicy(send, reportRetry, policyOf(), request, auth?.hooks() ?? {});
  // The SDK only calls `fetch`; keep its EventEmitter surface from the base instance.
  return Object.assign(base, { fetch }) as RequestExecutor;
}
