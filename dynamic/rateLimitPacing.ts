// Staying within this client's share of Okta's rate limits, instead of running into 429s.
//
// One API token or one OAuth app may use only part of a bucket (50% by default, Okta's rate-limit reference), and
// windows are not aligned to the minute: only `X-Rate-Limit-Reset` says when one ends. Every response carries
// `X-Rate-Limit-Limit`, `-Remaining` (what this token may still send) and `-Reset` (UTC epoch seconds). The pacer
// reads them per bucket and, once the share is used, holds the next call of that bucket until Reset (plus a second
// for the whole-second `Date`, as Okta's SDKs do after a 429). Calls in flight are counted against what is left,
// so parallel resources do not all spend the last request. A 429 is still handled by the retry policy: another
// client with the same token can spend the share unseen.

import { z } from "zod";

/** The rate-limit headers of one response, as numbers. */
export function rateLimitHeadersSchema() {
  const count = z.coerce.number().int().nonnegative();
  return z.object({
    limit: count,
    remaining: count,
    /** UTC epoch seconds. */
    reset: z.coerce.number().positive(),
  });
}

export type RateLimitHeaders = z.infer<ReturnType<typeof rateLimitHeadersSchema>>;

/** What is known of one bucket: what may still be sent, and when the window ends (local clock, ms). */
export interface BucketState {
  readonly limit: number;
  readonly remaining: number;
  readonly resetAtMs: number;
}

/** Reads the rate-limit headers, or undefined when they are missing or unreadable. Pure. */
export function readRateLimitHeaders(
  get: (name: string) => string | null | undefined,
): RateLimitHeaders | undefined {
  // A header repeated by a proxy arrives comma-joined: the first value is the one Okta sent.
  const first = (name: string) => get(name)?.split(",")[0]?.trim();
  const limit = first("x-rate-limit-limit");
  const remaining = first("x-rate-limit-remaining");
  const reset = first("x-rate-limit-reset");
  if (!limit || !remaining || !reset) return undefined;
  const parsed = rateLimitHeadersSchema().safeParse({ limit, remaining, reset });
  return parsed.success ? parsed.data : undefined;
}

/**
 * The bucket's state after a response: Reset is moved onto the local clock through the response's `Date` (the
 * server's clock), so a skewed local clock does not end the wait early. Within the same window the lower remaining
 * wins: answers of parallel calls arrive in any order. Pure.
 */
export function nextBucketState(
  previous: BucketState | undefined,
  headers: RateLimitHeaders,
  dateHeader: string | null | undefined,
  nowMs: number,
): BucketState {
  const serverNow = dateHeader ? Date.parse(dateHeader) : NaN;
  const skew = Number.isFinite(serverNow) ? nowMs - serverNow : 0;
  const resetAtMs = headers.reset * 1000 + skew;
  if (
    previous !== undefined &&
    Math.abs(previous.resetAtMs - resetAtMs) < 1000 &&
    previous.resetAtMs > nowMs
  ) {
    return { limit: headers.limit, remaining: Math.min(previous.remaining, headers.remaining), resetAtMs };
  }
  return { limit: headers.limit, remaining: headers.remaining, resetAtMs };
}

/**
 * How long to hold the next call of a bucket: 0 while more than `reserve` requests are left beyond those in flight
 * (or nothing is known, or the window is over); else until Reset plus `marginMs`, at most `maxWaitMs`. Pure.
 */
export function paceDelayMs(
  state: BucketState | undefined,
  inFlight: number,
  nowMs: number,
  opts: { reserve?: number; marginMs?: number; maxWaitMs: number },
): number {
  if (state === undefined || nowMs >= state.resetAtMs) return 0;
  if (state.remaining - inFlight > (opts.reserve ?? 0)) return 0;
  return Math.min(Math.max(state.resetAtMs - nowMs + (opts.marginMs ?? 1000), 0), opts.maxWaitMs);
}

/**
 * The rate-limit bucket of a management call, as Okta counts them: `GET|PUT|DELETE /api/v1/apps/{id}` has its
 * own; every other `/api/v1/apps…` call (credentials included) shares `/api/v1/apps`; anything else is keyed by
 * its path. Pure.
 */
export function rateLimitBucket(method: string, path: string): string {
  const m = method.toUpperCase();
  if (/^\/api\/v1\/apps\/[^/]+\/?$/.test(path) && (m === "GET" || m === "PUT" || m === "DELETE")) {
    return "/api/v1/apps/{id}";
  }
  if (/^\/api\/v1\/apps(\/|$)/.test(path)) return "/api/v1/apps";
  return path;
}

/** A wait the pacer made, for the log. */
export interface PaceEvent {
  readonly bucket: string;
  readonly delayMs: number;
  readonly limit: number;
}

export interface PacerOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  maxWaitMs: () => number;
  onWait?: (e: PaceEvent) => void;
}

/** Per-bucket state of one client: `before` each call (may wait), `after` each response. */
export interface RateLimitPacer {
  /** Waits while the bucket's share is used, then counts the call as in flight. */
  before(bucket: string): Promise<void>;
  /** Records a response's headers (none: the call got no answer) and ends the call's flight. */
  after(bucket: string, get?: (name: string) => string | null | undefined): void;
}

/**
 * A pacer. A factory of closures rather than a class: providers serialized by value turn classes into plain
 * functions, and field initializers do not survive that (see keepMessage in oktaErrors.ts).
 */
export function createRateLimitPacer(opts: PacerOptions): RateLimitPacer {
  const buckets = new Map<string, BucketState>();
  const inFlight = new Map<string, number>();
  const now = (): number => (opts.now ?? Date.now)();
  return {
    async before(bucket) {
      for (;;) {
        const state = buckets.get(bucket);
        const delayMs = paceDelayMs(state, inFlight.get(bucket) ?? 0, now(), { maxWaitMs: opts.maxWaitMs() });
        if (delayMs <= 0 || state === undefined) break;
        opts.onWait?.({ bucket, delayMs, limit: state.limit });
        await (opts.sleep ?? defaultSleep)(delayMs);
        // The window is over (or the wait was capped): what is left is known again from the next answer.
        if (buckets.get(bucket) === state) buckets.delete(bucket);
      }
      inFlight.set(bucket, (inFlight.get(bucket) ?? 0) + 1);
    },
    after(bucket, get) {
      inFlight.set(bucket, Math.max((inFlight.get(bucket) ?? 1) - 1, 0));
      if (get === undefined) return;
      const headers = readRateLimitHeaders(get);
      if (headers === undefined) return;
      buckets.set(bucket, nextBucketState(buckets.get(bucket), headers, get("date"), now()));
    },
  };
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
