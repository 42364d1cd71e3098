import type { FaultRule, RateLimits } from "./types";

export const DEFAULT_RATE_LIMITS: RateLimits = { apps: 100, app: 500, windowSeconds: 60, tokenShare: 0.5 };

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

interface Window {
  start: number;
  /** Requests of every token in this window (the org's bucket). */
  count: number;
  /** Requests per token in this window. */
  byToken: Map<string, number>;
}

/** How many requests of a bucket one token may make per window: its share, at least 1. */
export function tokenLimit(limits: RateLimits, bucket: "apps" | "app"): number {
  return Math.max(1, Math.floor(limits[bucket] * limits.tokenShare));
}

/**
 * Per-bucket windows, each token limited to its share of the bucket (Okta's rate-limit reference: by default one
 * API token or one OAuth app may use at most 50% of a bucket), the org to the whole bucket. A bucket's window starts
 * at its first request and lasts `windowSeconds`; the next one starts at the first request after it ends. Okta's
 * windows are not aligned to wall-clock minutes; starting at the first request (rather than at a random offset)
 * keeps runs and tests reproducible while a client that assumes minute boundaries still goes wrong, and only
 * `X-Rate-Limit-Reset` tells when a window ends. The headers describe the token's share: `Limit` is the share,
 * `Remaining` what this token may still send (less when the org's bucket has less left), `Reset` the window's end
 * (epoch seconds, rounded up).
 */
export class RateLimiter {
  private limits: RateLimits;
  private readonly windows = new Map<string, Window>();

  constructor(
    limits: Partial<RateLimits> | undefined,
    private readonly now: () => number,
  ) {
    this.limits = { ...DEFAULT_RATE_LIMITS, ...limits };
    validateShare(this.limits.tokenShare);
  }

  set(limits: Partial<RateLimits>): void {
    if (limits.tokenShare !== undefined) validateShare(limits.tokenShare);
    this.limits = { ...this.limits, ...limits };
  }

  /** Counts a request of `token` (an SSWS token, or an OAuth app's access tokens) against `bucket`. */
  take(bucket: "apps" | "app", token: string): RateDecision {
    const limit = this.limits[bucket];
    const share = tokenLimit(this.limits, bucket);
    const windowMs = this.limits.windowSeconds * 1000;
    const t = this.now();
    let w = this.windows.get(bucket);
    if (!w || t >= w.start + windowMs) {
      w = { start: t, count: 0, byToken: new Map() };
      this.windows.set(bucket, w);
    }
    const used = w.byToken.get(token) ?? 0;
    const allowed = used < share && w.count < limit;
    if (allowed) {
      w.count++;
      w.byToken.set(token, used + 1);
    }
    const mine = w.byToken.get(token) ?? 0;
    return {
      allowed,
      headers: {
        "X-Rate-Limit-Limit": String(share),
        "X-Rate-Limit-Remaining": String(Math.max(0, Math.min(share - mine, limit - w.count))),
        "X-Rate-Limit-Reset": String(Math.ceil((w.start + windowMs) / 1000)),
      },
    };
  }
}

function validateShare(share: number): void {
  if (typeof share !== "number" || !(share > 0 && share <= 1)) {
    throw new Error(`rate limit 'tokenShare' must be a number in (0, 1], got ${String(share)}`);
  }
}

export interface FaultDecision {
  latencyMs: number;
  drop: boolean;
  /** 500 or 503 when the request is to fail, else 0. */
  errorStatus: number;
}

interface CompiledRule {
  path: RegExp;
  method?: string;
  rule: FaultRule;
}

/** Latency, 5xx answers and dropped connections for requests matching fault rules. */
export class FaultInjector {
  private rules: CompiledRule[] = [];

  constructor(
    rules: FaultRule[] | undefined,
    private readonly random: () => number = Math.random,
  ) {
    this.set(rules ?? []);
  }

  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => {
      validateRule(rule);
      return { path: new RegExp(rule.path), method: rule.method?.toUpperCase(), rule };
    });
  }

  decide(method: string, path: string): FaultDecision | undefined {
    if (this.rules.length === 0) return undefined;
    let hit = false;
    const d: FaultDecision = { latencyMs: 0, drop: false, errorStatus: 0 };
    for (const { path: re, method: m, rule } of this.rules) {
      if ((m && m !== method) || !re.test(path)) continue;
      hit = true;
      d.latencyMs += rule.latencyMs ?? 0;
      if (!d.drop && rule.dropRate && this.random() < rule.dropRate) d.drop = true;
      if (!d.errorStatus && rule.errorRate && this.random() < rule.errorRate) {
        d.errorStatus = this.random() < 0.5 ? 500 : 503;
      }
    }
    return hit ? d : undefined;
  }
}

export function validateRule(rule: FaultRule): void {
  if (typeof rule !== "object" || rule === null || typeof rule.path !== "string") {
    throw new Error("fault rule needs a string 'path' (a RegExp source)");
  }
  new RegExp(rule.path);
  for (const k of ["errorRate", "dropRate"] as const) {
    const v = rule[k];
    if (v !== undefined && (typeof v !== "number" || v < 0 || v > 1)) {
      throw new Error(`fault rule '${k}' must be a number between 0 and 1`);
    }
  }
  if (rule.latencyMs !== undefined && (typeof rule.latencyMs !== "number" || rule.latencyMs < 0)) {
    throw new Error("fault rule 'latencyMs' must be a non-negative number");
  }
}

/**
 * Requests held back by a test until something it plays is done (not an Okta behaviour: a control of the
 * harness, like the faults above). A request matching a hold waits until the hold's promise settles, then is
 * answered as usual.
 */
export class RequestHolds {
  private holds: { method?: string; path: RegExp; until: Promise<unknown> }[] = [];

  add(rule: { method?: string; path: string }, until: Promise<unknown>): void {
    const hold = { method: rule.method?.toUpperCase(), path: new RegExp(rule.path), until };
    this.holds.push(hold);
    const drop = () => (this.holds = this.holds.filter((h) => h !== hold));
    until.then(drop, drop);
  }

  /** Resolves once every hold matching the request has settled (at once when none does). */
  async wait(method: string, path: string): Promise<void> {
    const matching = this.holds.filter((h) => (!h.method || h.method === method) && h.path.test(path));
    if (matching.length > 0) await Promise.allSettled(matching.map((h) => h.until));
  }
}
