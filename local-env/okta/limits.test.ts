import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal } from "./server";
import { api, oktaError, serviceToken, token } from "./test-helpers";
import type { OktaLocal } from "./types";

describe("rate limits", () => {
  let clock = Date.UTC(2030, 0, 1, 12, 0, 5);
  let okta: OktaLocal;
  beforeAll(async () => {
    // One token may use the whole bucket here: the share has its own tests below.
    okta = await startOktaLocal({ rateLimits: { apps: 3, app: 2, tokenShare: 1 }, now: () => clock });
  });
  afterAll(() => okta.close());

  it("sends X-Rate-Limit-* on every /api/v1 answer and 429 E0000047 when a bucket is exhausted", async () => {
    const secrets = `/api/v1/apps/${okta.apps[0].id}/credentials/secrets`;
    // The window starts at the bucket's first request (12:00:05), not at a wall-clock minute.
    const reset = String(Date.UTC(2030, 0, 1, 12, 1, 5) / 1000);
    const seen: [number, string | null, string | null, string | null][] = [];
    for (let i = 0; i < 4; i++) {
      const r = await api(okta, "GET", secrets);
      seen.push([
        r.status,
        r.headers.get("x-rate-limit-limit"),
        r.headers.get("x-rate-limit-remaining"),
        r.headers.get("x-rate-limit-reset"),
      ]);
      if (r.status === 429) {
        expect(oktaError(r)).toEqual({
          status: 429,
          errorCode: "E0000047",
          errorSummary: "API call exceeded rate limit due to too many requests.",
        });
      }
    }
    expect(seen).toEqual([
      [200, "3", "2", reset],
      [200, "3", "1", reset],
      [200, "3", "0", reset],
      [429, "3", "0", reset],
    ]);
    // Errors count and carry the headers too.
    const unauth = await api(okta, "GET", secrets, { auth: null });
    expect(unauth.status).toBe(429);
  });

  it("keeps GET|PUT /api/v1/apps/{id} in its own bucket", async () => {
    const app = `/api/v1/apps/${okta.apps[0].id}`;
    const first = await api(okta, "GET", app);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-rate-limit-limit")).toBe("2");
    expect(first.headers.get("x-rate-limit-remaining")).toBe("1");
    expect((await api(okta, "GET", app)).status).toBe(200);
    expect((await api(okta, "GET", app)).status).toBe(429);
  });

  it("opens a fresh window at the first request after Reset, and takes new limits at run time", async () => {
    const secrets = `/api/v1/apps/${okta.apps[0].id}/credentials/secrets`;
    clock = Date.UTC(2030, 0, 1, 12, 1, 4, 999); // still the first window
    expect((await api(okta, "GET", secrets)).status).toBe(429);
    clock = Date.UTC(2030, 0, 1, 12, 1, 30, 250);
    const r = await api(okta, "GET", secrets);
    expect(r.status).toBe(200);
    expect(r.headers.get("x-rate-limit-remaining")).toBe("2");
    // Rounded up to the second: a client waiting until Reset never comes back early.
    expect(r.headers.get("x-rate-limit-reset")).toBe(String(Date.UTC(2030, 0, 1, 12, 2, 31) / 1000));
    okta.setRateLimits({ apps: 10 });
    const again = await api(okta, "GET", secrets);
    expect(again.headers.get("x-rate-limit-limit")).toBe("10");
    expect(again.headers.get("x-rate-limit-remaining")).toBe("8");
  });

  it("defaults to the paid-org limits, of which one token may use half", async () => {
    const local = await startOktaLocal();
    try {
      const a = await api(local, "GET", `/api/v1/apps/${local.apps[0].id}/credentials/secrets`);
      expect(a.headers.get("x-rate-limit-limit")).toBe("50");
      expect(a.headers.get("x-rate-limit-remaining")).toBe("49");
      const b = await api(local, "GET", `/api/v1/apps/${local.apps[0].id}`);
      expect(b.headers.get("x-rate-limit-limit")).toBe("250");
    } finally {
      await local.close();
    }
  });
});

describe("each token's share of a bucket", () => {
  // Near the real time, off the second and the minute: the service app signs its assertions with the real clock.
  const base = Math.floor(Date.now() / 60_000) * 60_000 + 97_500;
  let clock = base;
  let okta: OktaLocal;
  let service: string[];
  beforeAll(async () => {
    clock = Date.now() + 500;
    // Bearer tokens for the service app (its DPoP binding is tested in dpop.test.ts).
    okta = await startOktaLocal({
      rateLimits: { apps: 10, app: 100 },
      now: () => clock,
      serviceAppDpop: false,
    });
    service = [await serviceToken(okta, "okta.apps.read"), await serviceToken(okta, "okta.apps.read")];
    clock = base;
  });
  afterAll(() => okta.close());
  const secrets = (): string => `/api/v1/apps/${okta.apps[0].id}/credentials/secrets`;
  const headers = (r: Awaited<ReturnType<typeof api>>) => [
    r.status,
    r.headers.get("x-rate-limit-limit"),
    r.headers.get("x-rate-limit-remaining"),
  ];

  it("lets an SSWS token use 50% of the bucket, and says so in the headers", async () => {
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(headers(await api(okta, "GET", secrets())));
    expect(seen).toEqual([
      [200, "5", "4"],
      [200, "5", "3"],
      [200, "5", "2"],
      [200, "5", "1"],
      [200, "5", "0"],
      [429, "5", "0"],
    ]);
  });

  it("gives an OAuth service app its own share, one for all its access tokens", async () => {
    const [first, second] = service as [string, string];
    expect(second).not.toBe(first);
    const seen = [];
    for (const t of [first, second, first, second, first, second]) {
      seen.push(headers(await api(okta, "GET", secrets(), { auth: `Bearer ${t}` })));
    }
    expect(seen).toEqual([
      [200, "5", "4"],
      [200, "5", "3"],
      [200, "5", "2"],
      [200, "5", "1"],
      [200, "5", "0"],
      [429, "5", "0"],
    ]);
  });

  it("starts the window at the bucket's first request: Reset is a minute after it, not a wall-clock minute", async () => {
    // The first request came at hh:mm:37.5: the window ends a minute later, rounded up to the second.
    const r = await api(okta, "GET", secrets());
    expect(r.headers.get("x-rate-limit-reset")).toBe(String((base + 60_500) / 1000));
    clock = base + 22_500; // a new wall-clock minute, same window
    expect((await api(okta, "GET", secrets())).status).toBe(429);
    clock = base + 60_500;
    const fresh = await api(okta, "GET", secrets());
    expect(headers(fresh)).toEqual([200, "5", "4"]);
    expect(fresh.headers.get("x-rate-limit-reset")).toBe(String((base + 120_500) / 1000));
  });

  it("never lets the tokens together use more than the bucket; the share is set at run time", async () => {
    clock = base + 600_000;
    okta.setRateLimits({ tokenShare: 0.8 });
    const bearer = `Bearer ${service[0]}`;
    const ssws = [];
    for (let i = 0; i < 8; i++) ssws.push((await api(okta, "GET", secrets())).status);
    expect(ssws).toEqual(Array(8).fill(200));
    const s1 = await api(okta, "GET", secrets(), { auth: bearer });
    // The service app has 8 of its own, but the org's bucket has 2 left.
    expect(headers(s1)).toEqual([200, "8", "1"]);
    expect((await api(okta, "GET", secrets(), { auth: bearer })).status).toBe(200);
    expect((await api(okta, "GET", secrets(), { auth: bearer })).status).toBe(429);
    expect(() => okta.setRateLimits({ tokenShare: 0 })).toThrow(/tokenShare/);
  });
});

describe("faults and the request log", () => {
  let okta: OktaLocal;
  beforeAll(async () => {
    okta = await startOktaLocal({
      rateLimits: { apps: 10_000 },
      faults: [{ path: "/credentials/jwks$", method: "GET", errorRate: 1 }],
    });
  });
  afterAll(() => okta.close());
  const secrets = (): string => `/api/v1/apps/${okta.apps[0].id}/credentials/secrets`;

  it("applies start-time rules, matching path and method", async () => {
    const r = await api(okta, "GET", `/api/v1/apps/${okta.apps[0].id}/credentials/jwks`);
    expect([500, 503]).toContain(r.status);
    expect(r.json.errorCode).toMatch(/^E00000(09|10)$/);
    expect(r.json.errorLink).toBe(r.json.errorCode);
    expect(r.headers.get("x-rate-limit-limit")).toBe("5000"); // one token's share
    expect(typeof r.json.errorSummary).toBe("string");
    const post = await api(okta, "POST", `/api/v1/apps/${okta.apps[0].id}/credentials/jwks`, { raw: "{" });
    expect(post.status).toBe(400);
  });

  it("answers about errorRate of the requests with 5xx", async () => {
    okta.setFaults([{ path: "^/api/v1/apps/[^/]+/credentials/secrets$", errorRate: 0.5 }]);
    let failed = 0;
    for (let i = 0; i < 200; i++) {
      const r = await api(okta, "GET", secrets());
      if (r.status >= 500) failed++;
      else expect(r.status).toBe(200);
    }
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
  });

  it("adds latency", async () => {
    okta.setFaults([{ path: "/oauth2/default/v1/token", latencyMs: 300 }]);
    const t0 = performance.now();
    await token(okta, { grant_type: "client_credentials" });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    const t1 = performance.now();
    await api(okta, "GET", secrets());
    expect(performance.now() - t1).toBeLessThan(250);
  });

  it("drops connections without an answer", async () => {
    okta.setFaults([{ path: "secrets", dropRate: 1 }]);
    await expect(api(okta, "GET", secrets())).rejects.toThrow();
    okta.setFaults([]);
    expect((await api(okta, "GET", secrets())).status).toBe(200);
  });

  it("logs every request in order, dropped ones with status 0", async () => {
    okta.clearLog();
    expect(okta.requestLog).toEqual([]);
    const before = Date.now();
    await api(okta, "GET", `/api/v1/apps/${okta.apps[0].id}`);
    await api(okta, "GET", `${secrets()}?limit=5`);
    await token(okta, { grant_type: "client_credentials" });
    await api(okta, "GET", "/nowhere");
    okta.setFaults([{ path: "secrets", dropRate: 1 }]);
    await expect(api(okta, "DELETE", `${secrets()}/ocsX`)).rejects.toThrow();
    okta.setFaults([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(
      okta.requestLog.map(({ method, path, status, bucket }) => ({ method, path, status, bucket })),
    ).toEqual([
      { method: "GET", path: `/api/v1/apps/${okta.apps[0].id}`, status: 200, bucket: "app" },
      { method: "GET", path: secrets(), status: 200, bucket: "apps" },
      { method: "POST", path: "/oauth2/default/v1/token", status: 401, bucket: "token" },
      { method: "GET", path: "/nowhere", status: 404, bucket: undefined },
      { method: "DELETE", path: `${secrets()}/ocsX`, status: 0, bucket: "apps" },
    ]);
    for (const e of okta.requestLog) {
      expect(e.time).toBeGreaterThanOrEqual(before);
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
    }
  });
});
