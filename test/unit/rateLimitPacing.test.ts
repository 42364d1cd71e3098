import { describe, expect, it } from "vitest";
import {
  createRateLimitPacer,
  nextBucketState,
  paceDelayMs,
  rateLimitBucket,
  readRateLimitHeaders,
  type PaceEvent,
} from "../../dynamic/rateLimitPacing";

const T0 = Date.UTC(2030, 0, 1, 12, 0, 37, 400);
const headers =
  (h: Record<string, string>) =>
  (name: string): string | undefined =>
    h[name.toLowerCase()];

describe("reading the rate-limit headers", () => {
  it("reads Limit, Remaining and Reset, the first value of a repeated header", () => {
    expect(
      readRateLimitHeaders(
        headers({
          "x-rate-limit-limit": "50",
          "x-rate-limit-remaining": "7",
          "x-rate-limit-reset": "1893499297",
        }),
      ),
    ).toEqual({ limit: 50, remaining: 7, reset: 1893499297 });
    expect(
      readRateLimitHeaders(
        headers({
          "x-rate-limit-limit": "50, 50",
          "x-rate-limit-remaining": "3, 9",
          "x-rate-limit-reset": "1893499297",
        }),
      )?.remaining,
    ).toBe(3);
  });

  it("gives nothing for missing or unreadable headers", () => {
    expect(readRateLimitHeaders(headers({}))).toBeUndefined();
    expect(
      readRateLimitHeaders(
        headers({ "x-rate-limit-limit": "50", "x-rate-limit-remaining": "many", "x-rate-limit-reset": "1" }),
      ),
    ).toBeUndefined();
  });
});

describe("a bucket's state", () => {
  const h = { limit: 50, remaining: 10, reset: Math.ceil((T0 + 60_000) / 1000) };

  it("moves Reset onto the local clock through the server's Date", () => {
    const server = new Date(T0 - 5_000).toUTCString(); // the local clock is 5 s ahead (Date has whole seconds)
    const s = nextBucketState(undefined, h, server, T0);
    expect(s.resetAtMs - h.reset * 1000).toBe(T0 - Date.parse(server));
    expect(nextBucketState(undefined, h, undefined, T0).resetAtMs).toBe(h.reset * 1000);
  });

  it("keeps the lower remaining within a window (answers arrive in any order), and takes a new window's", () => {
    const s = nextBucketState(undefined, { ...h, remaining: 4 }, undefined, T0);
    expect(nextBucketState(s, { ...h, remaining: 6 }, undefined, T0 + 10).remaining).toBe(4);
    const next = { ...h, remaining: 49, reset: h.reset + 60 };
    expect(nextBucketState(s, next, undefined, T0 + 61_000).remaining).toBe(49);
  });
});

describe("how long to hold the next call", () => {
  const state = { limit: 50, remaining: 0, resetAtMs: T0 + 20_000 };
  const opts = { maxWaitMs: 65_000 };

  it("does not wait while the share has requests left beyond those in flight, or nothing is known", () => {
    expect(paceDelayMs(undefined, 0, T0, opts)).toBe(0);
    expect(paceDelayMs({ ...state, remaining: 2 }, 1, T0, opts)).toBe(0);
  });

  it("waits until Reset and a second once the share is used, counting calls in flight", () => {
    expect(paceDelayMs(state, 0, T0, opts)).toBe(21_000);
    expect(paceDelayMs({ ...state, remaining: 2 }, 2, T0, opts)).toBe(21_000);
    expect(paceDelayMs({ ...state, remaining: 3 }, 0, T0, { ...opts, reserve: 3 })).toBe(21_000);
  });

  it("does not wait once the window is over, and never longer than the cap", () => {
    expect(paceDelayMs(state, 0, T0 + 20_000, opts)).toBe(0);
    expect(paceDelayMs({ ...state, resetAtMs: T0 + 600_000 }, 0, T0, opts)).toBe(65_000);
  });
});

describe("the bucket of a call", () => {
  it("follows Okta's buckets: the app object apart, every other /api/v1/apps call together", () => {
    expect(rateLimitBucket("GET", "/api/v1/apps/0oa1")).toBe("/api/v1/apps/{id}");
    expect(rateLimitBucket("put", "/api/v1/apps/0oa1")).toBe("/api/v1/apps/{id}");
    expect(rateLimitBucket("POST", "/api/v1/apps/0oa1/credentials/secrets")).toBe("/api/v1/apps");
    expect(rateLimitBucket("GET", "/api/v1/apps")).toBe("/api/v1/apps");
    expect(rateLimitBucket("POST", "/oauth2/v1/token")).toBe("/oauth2/v1/token");
  });
});

describe("the pacer", () => {
  it("spends the share, then holds the next call until Reset instead of sending it", async () => {
    let now = T0;
    const waits: PaceEvent[] = [];
    const pacer = createRateLimitPacer({
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      maxWaitMs: () => 65_000,
      onWait: (e) => waits.push(e),
    });
    const reset = String(Math.ceil((T0 + 60_000) / 1000));
    const answer = (remaining: number) =>
      headers({
        "x-rate-limit-limit": "2",
        "x-rate-limit-remaining": String(remaining),
        "x-rate-limit-reset": reset,
      });
    await pacer.before("/api/v1/apps");
    pacer.after("/api/v1/apps", answer(1));
    await pacer.before("/api/v1/apps");
    pacer.after("/api/v1/apps", answer(0));
    expect(waits).toEqual([]);
    await pacer.before("/api/v1/apps");
    expect(waits).toEqual([{ bucket: "/api/v1/apps", delayMs: Number(reset) * 1000 - T0 + 1000, limit: 2 }]);
    expect(now).toBeGreaterThan(Number(reset) * 1000);
    // Another bucket is not held.
    await pacer.before("/api/v1/apps/{id}");
    expect(waits).toHaveLength(1);
  });

  it("holds parallel calls once those in flight would spend what is left", async () => {
    let now = T0;
    const pacer = createRateLimitPacer({
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      maxWaitMs: () => 65_000,
    });
    const reset = String(Math.ceil((T0 + 60_000) / 1000));
    await pacer.before("b");
    pacer.after(
      "b",
      headers({ "x-rate-limit-limit": "50", "x-rate-limit-remaining": "2", "x-rate-limit-reset": reset }),
    );
    await pacer.before("b");
    await pacer.before("b");
    expect(now).toBe(T0); // two in flight, two left: both sent
    await pacer.before("b");
    expect(now).toBeGreaterThan(T0); // the third waits for the window's end
  });
});
