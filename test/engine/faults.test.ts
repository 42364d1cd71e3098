import { describe, expect, it } from "vitest";
import { formatFaultDrill, runFaultDrill, type FaultDrillResult } from "../bench/faultDrill";

// SIGKILLs `pulumi up` of a one-app rotation at step boundaries (the gate's minimum overlap stands in for the
// Vault write and the rollout), then repairs the stack as docs/operations.md#when-pulumi-up-is-interrupted says
// and runs it again; then rotates under Okta faults. `npm run bench` runs the same drill, trying `up` without
// `pulumi cancel` after every kill.
describe("rotations that are killed or meet Okta faults", () => {
  let r: FaultDrillResult;

  it("runs the drill", async () => {
    r = await runFaultDrill();
    console.log(formatFaultDrill(r).join("\n"));
  }, 600_000);

  it("after a kill, up without pulumi cancel is refused and says to run pulumi cancel", () => {
    const refused = r.kills[0]!.upWithoutCancel!;
    expect(refused.code).not.toBe(0);
    expect(refused.asksForCancel).toBe(true);
  });

  it("every killed rotation converges with ≤ 2 secrets, ≥ 1 ACTIVE, the held one ACTIVE, no orphan", () => {
    expect(r.kills.map((k) => k.point)).toEqual([
      "after-create",
      "after-vault",
      "during-rollout",
      "after-deactivate",
    ]);
    for (const k of r.kills) {
      expect(k.convergeError, k.point).toBeUndefined();
      expect(k.converged, k.point).toBe(true);
      expect(k.monitor.maxOnApp, k.point).toBeLessThanOrEqual(2);
      expect(k.monitor.minActive, k.point).toBeGreaterThanOrEqual(1);
      expect(k.monitor.heldInactiveSamples, k.point).toBe(0);
      expect(k.orphans, k.point).toBe(0);
      expect(k.pendingOperationsLeft, k.point).toBe(0);
      expect(k.noChangesAfter, k.point).toBe(true);
    }
  });

  it("the preview after a kill says what the next up will finish", () => {
    const [afterCreate, , , afterDeactivate] = r.kills;
    // Killed before the engine recorded the new secret: the slot is replaced (the lost create is recognised).
    expect(afterCreate!.previewSteps).toContain("ClientSecret replace");
    expect(afterCreate!.previewSteps).toContain("ClientSecret update");
    // Killed after Okta deactivated the old secret: refresh records it; nothing is replaced.
    expect(afterDeactivate!.previewSteps).not.toContain("ClientSecret replace");
  });

  it("under 429 storms and 5xx/dropped connections/latency the rotation completes, or stops clearly and the next up completes", () => {
    expect(r.faults).toHaveLength(2);
    for (const f of r.faults) {
      expect(f.firstUp.clearError, f.faults).toBe(true);
      expect(f.converged, f.faults).toBe(true);
      expect(f.monitor.maxOnApp, f.faults).toBeLessThanOrEqual(2);
      expect(f.monitor.minActive, f.faults).toBeGreaterThanOrEqual(1);
      expect(f.monitor.heldInactiveSamples, f.faults).toBe(0);
      expect(f.orphans, f.faults).toBe(0);
    }
    // The client now paces itself by X-Rate-Limit-Remaining/Reset, so the storm may cost no 429 at all; the 429
    // wait is the fallback (test/provider/faults.test.ts). What matters: the storm's rotation completed.
    expect(r.faults[0]!.firstUp.code).toBe(0);
  });
});
