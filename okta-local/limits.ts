import type { FaultRule, RateLimits } from "./types";

export const DEFAULT_RATE_LIMITS: RateLimits = { apps: 100, app: 500, windowSeconds: 60 };

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/** Fixed-window counters per bucket, like Okta's per-minute org limits. */
export class RateLimiter {
  private limits: RateLimits;
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    limits: Partial<RateLimits> | undefined,
    private readonly now: () => number,
  ) {
    this.limits = { ...DEFAULT_RATE_LIMITS, ...limits };
  }

  set(limits: Partial<RateLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  take(bucket: "apps" | "app"): RateDecision {
    const limit = this.limits[bucket];
    const windowMs = this.limits.windowSeconds * 1000;
    const t = this.now();
    const start = Math.floor(t / windowMs) * windowMs;
    let w = this.windows.get(bucket);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(bucket, w);
    }
    const allowed = w.count < limit;
    if (allowed) w.count++;
    return {
      allowed,
      headers: {
        "X-Rate-Limit-Limit": String(limit),
        "X-Rate-Limit-Remaining": String(Math.max(0, limit - w.count)),
        "X-Rate-Limit-Reset": String(Math.ceil((start + windowMs) / 1000)),
      },
    };
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
