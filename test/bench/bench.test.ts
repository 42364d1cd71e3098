import { describe, expect, it } from "vitest";
import { formatBench, runBench } from "./bench";

// The bench at a size that fits CI (3 apps); `npm run bench` runs 100 (see docs/local-environment.md#at-scale).
describe("bench at CI size", () => {
  it("counts Okta writes per rotation and per no-op, and rotates every app without failure", async () => {
    const r = await runBench({
      apps: 3,
      rateLimits: { apps: 100, windowSeconds: 10 },
      oktaLimit: { apps: 100, windowSeconds: 60 },
      // One token's share (50%) of a bucket small enough that 9 writes need three windows.
      tokenShare: 0.5,
      tokenShareLimit: { apps: 8, windowSeconds: 10 },
      split: 3,
      previewRounds: 1,
    });
    console.log(formatBench(r).join("\n"));
    expect(r.writesPerRotation).toBe(3);
    expect(r.noopWrites).toBe(0);
    expect(r.failures).toBe(0);
    expect(r.large.writes).toBe(9);
    // No reads of the rate-limited bucket during a rotation: its calls are the writes alone.
    expect(r.large.bucketRequests).toBe(r.large.writes);
    // The same at Okta's own limit, in the same run.
    expect(r.largeAtOktaLimit?.writes).toBe(9);
    expect(r.largeAtOktaLimit?.bucketRequests).toBe(9);
    expect(r.largeAtOktaLimit?.failures).toBe(0);
    // At one token's share the client waits for X-Rate-Limit-Reset instead of running into 429s.
    const share = r.largeAtTokenShare!;
    expect(share.rateLimits).toMatchObject({ apps: 8, tokenShare: 0.5 });
    expect(share.writes).toBe(9);
    expect(share.failures).toBe(0);
    expect(share.rateLimited429s).toBe(0);
    // 4 calls per 10 s window: the 9th write cannot come before the third window.
    expect(share.rotationUpMs).toBeGreaterThanOrEqual(share.fixedWindowBoundMs);
    expect(share.fixedWindowBoundMs).toBe(20_000);
    // The same number of apps in 3 stacks whose ups run at once.
    expect(r.largeSplit?.stacks).toBe(3);
    expect(r.largeSplit?.writes).toBe(9);
    expect(r.largeSplit?.failures).toBe(0);
    // Providers are stored by reference: about 20 KB of state per app (by value it was over 600 KB).
    expect(r.large.stateBytes / r.apps).toBeLessThan(30_000);
    expect(r.rotationToNoopRatio).toBeGreaterThan(0);
    // Both preview ratios come from the same run, each from previews that all succeeded.
    expect(r.previews.rounds).toBe(1);
    const p = r.previews;
    for (const ms of [...p.emptyMs, ...p.oneAppMs, ...p.appsMs, ...p.shapeOneAppMs, ...p.shapeAppsMs])
      expect(ms).toBeGreaterThan(0);
    expect(p.shapeAppsToOneApp).toBeCloseTo(p.shapeAppsMs[0]! / p.shapeOneAppMs[0]!, 6);
    expect(r.previews.oneAppToEmpty).toBeCloseTo(r.previews.oneAppMs[0]! / r.previews.emptyMs[0]!, 6);
    expect(r.previews.appsToOneApp).toBeCloseTo(r.previews.appsMs[0]! / r.previews.oneAppMs[0]!, 6);
    expect(formatBench(r).join("\n")).toMatch(
      /1 app ÷ empty TypeScript program: [\d.]+×.*3 apps ÷ 1 app: [\d.]+×[^]*floor.*3 apps ÷ 1 app: [\d.]+×/,
    );
  }, 600_000);
});
