import { describe, expect, it } from "vitest";
import { planRotation, slotOf } from "../../components/plan";

describe("planRotation", () => {
  it("puts generation g in slot g % 2", () => {
    expect([1, 2, 3, 4].map(slotOf)).toEqual([1, 0, 1, 0]);
  });

  it("has no previous credential at generation 1 unless one is adopted", () => {
    expect(planRotation(1)).toEqual({ holder: { slot: 1, generation: 1, status: "ACTIVE", role: "holder" } });
    expect(planRotation(1, { adopting: true }).retired).toEqual({
      slot: 0,
      generation: 0,
      adopts: true,
      status: "INACTIVE",
      role: "retired",
    });
  });

  it("keeps the previous generation INACTIVE in the other slot", () => {
    const plan = planRotation(5);
    expect(plan.holder).toMatchObject({ slot: 1, generation: 5, status: "ACTIVE" });
    expect(plan.retired).toMatchObject({ slot: 0, generation: 4, status: "INACTIVE" });
  });

  it("gives the adopted secret to the previous slot at any generation (onboarding an app at generation 2)", () => {
    expect(planRotation(2, { adopting: true }).retired).toMatchObject({ generation: 1, adopts: true });
    expect(planRotation(2, { adopting: true }).holder).not.toHaveProperty("adopts");
  });

  it("swaps the roles on rollback, in the same slots", () => {
    const plan = planRotation(5, { rollback: true });
    expect(plan.holder).toMatchObject({ slot: 0, generation: 4, status: "ACTIVE", role: "holder" });
    expect(plan.retired).toMatchObject({ slot: 1, generation: 5, status: "INACTIVE", role: "retired" });
  });

  it("refuses a rollback with nothing to go back to, and a generation below 1", () => {
    expect(() => planRotation(1, { rollback: true })).toThrow(/no previous secret/);
    expect(() => planRotation(0)).toThrow(/generation must be a whole number ≥ 1, got 0/);
    expect(() => planRotation(1.5)).toThrow(/got 1.5/);
  });
});
