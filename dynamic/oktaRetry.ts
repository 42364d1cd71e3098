// The retry policy of Okta calls: 429 waits as Okta says, 5xx and network errors retried with backoff when the
// request may be repeated. The request executor that applies it is in oktaTransport.ts.

import { OktaConfigError } from "./oktaSettings";

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

/** How Okta calls are retried: after 429s, 5xx answers and network errors. */
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
