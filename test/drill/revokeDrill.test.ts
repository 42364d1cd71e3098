import { describe, expect, it } from "vitest";
import { runRevokeDrill } from "./revokeDrill";

describe("emergency revoke drill (pulumi up against the local Okta, with a fleet)", () => {
  it("deactivates the leaked secret without the 900 s overlap and deletes it in the same up", async () => {
    const r = await runRevokeDrill({ pods: 10, ratePerSecond: 50 });
    expect(r.revokeSeconds).toBeGreaterThan(0);
    expect(r.revokeSeconds).toBeLessThanOrEqual(r.revokeDeletedSeconds);
    expect(r.revokeDeletedSeconds).toBeLessThanOrEqual(r.revokeUpSeconds);
    expect(r.revokeUpSeconds).toBeLessThan(900);
    expect(r.revokeExchanges).toBeGreaterThan(0);
    // The leaked secret is retired once the pods have moved off it (the played rollout stands for the rollout
    // await and the census): no exchange fails.
    expect(r.revokeFailedExchanges).toBe(0);
  }, 600_000);
});
