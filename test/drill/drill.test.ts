import { describe, expect, it } from "vitest";
import { runDrill, type DrillResult } from "./drill";

describe("rotation drill against the local Okta", () => {
  let result: DrillResult;

  it("runs the overlap rotation and the naive cutover side by side under load", async () => {
    // The overlap rotation runs through `pulumi up` of the program; the naive cutover calls the providers.
    result = await runDrill({ pods: 50, ratePerSecond: 200, rotations: 3 });
    expect(result.driver).toBe("pulumi up");
    // The fleets really exchanged tokens throughout: every pod, on average, many times per rotation. (The rate
    // achieved is a figure of npm run drill; on a loaded machine it falls well below the target.)
    expect(result.exchanges).toBeGreaterThan(result.pods * result.rotations * 10);
    expect(result.naiveExchanges).toBeGreaterThan(result.pods * result.rotations * 10);
  }, 600_000);

  it("fails no exchange with the overlap rotation", () => {
    expect(result.failures).toEqual({});
    expect(result.failedExchanges).toBe(0);
    expect(result.heldInactiveSamples).toBe(0);
  });

  it("shows that the naive cutover fails exchanges, so the drill can see a failure", () => {
    expect(result.naiveFailedExchanges).toBeGreaterThan(0);
    expect(result.naiveHeldInactiveSamples).toBeGreaterThan(0);
  });

  it("keeps at most two secrets and at least one ACTIVE on the app at every sample", () => {
    expect(result.maxSecretsOnApp).toBeLessThanOrEqual(2);
    expect(result.maxSecretsOnApp).toBe(2);
    expect(result.minActiveSecrets).toBeGreaterThanOrEqual(1);
  });
});
