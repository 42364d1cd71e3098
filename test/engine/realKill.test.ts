import { describe, expect, it } from "vitest";
import { formatRealKillDrill, runRealKillDrill, type RealKillDrillResult } from "../drill/realKillDrill";

// `pulumi up` of a rotation on the real chain (real Vault, the rollout awaited through the pulumi-kubernetes
// plugin, the pod census) SIGKILLed at each step boundary, each seen where it happens, then recovered as
// docs/operations.md#when-pulumi-up-is-interrupted says. The Deployment's pods exchange tokens all along.
// `npm run drill` runs it with more pods.
describe("rotations killed on the real chain", () => {
  let r: RealKillDrillResult;

  it("runs the drill", async () => {
    r = await runRealKillDrill({ replicas: 3 });
    console.log(formatRealKillDrill(r).join("\n"));
  }, 1_200_000);

  it("each kill lands at its step, and the documented recovery converges with nothing left over", () => {
    expect(r.kills.map((k) => [k.point, k.killedAtPoint])).toEqual([
      ["after-create", true],
      ["after-vault", true],
      ["during-rollout", true],
      ["after-deactivate", true],
    ]);
    for (const k of r.kills) {
      expect(k.convergeError, k.point).toBeUndefined();
      expect(k.converged, k.point).toBe(true);
      expect(k.orphans, k.point).toBe(0);
      expect(k.pendingOperationsLeft, k.point).toBe(0);
      expect(k.noChangesAfter, k.point).toBe(true);
    }
  });

  it("no pod ever holds a retired credential, none fails an exchange, and every pod's credential authenticates after", () => {
    for (const k of r.kills) {
      expect(k.exchanges, k.point).toBeGreaterThan(0);
      expect(k.failedExchanges, k.point).toBe(0);
      expect(k.monitor.maxOnApp, k.point).toBeLessThanOrEqual(2);
      expect(k.monitor.minActive, k.point).toBeGreaterThanOrEqual(1);
      expect(k.monitor.heldInactiveSamples, k.point).toBe(0);
      expect(k.pods, k.point).toBe(3);
      expect(k.podsAuthenticating, k.point).toBe(3);
    }
  });
});
