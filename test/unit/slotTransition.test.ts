import { describe, expect, it } from "vitest";
import { KEY_SLOTS, diffClientSecret, slotTransitionProblem } from "../../dynamic";

const ctx = (generation: number, rollback = false) => ({ app: "billing", generation, rollback });

describe("slotTransitionProblem", () => {
  it("accepts a slot's first config, the same generation, a bump by one, and rollback toggles in place", () => {
    expect(slotTransitionProblem(undefined, ctx(7))).toBeUndefined();
    expect(slotTransitionProblem(ctx(3), ctx(3))).toBeUndefined();
    expect(slotTransitionProblem(ctx(3), ctx(4))).toBeUndefined();
    expect(slotTransitionProblem(ctx(3), ctx(3, true))).toBeUndefined();
    expect(slotTransitionProblem(ctx(3, true), ctx(3))).toBeUndefined();
  });

  it("names the app, what is wrong and the exact value to set", () => {
    expect(slotTransitionProblem(ctx(3), ctx(1))).toBe(
      "app 'billing': generation went down from 3 to 1. Generations only go up, and 3 is what the app's " +
        "consumers were last given. Set generation back to 3; to go back to the previous secret, keep 3 and set " +
        "rollback: true.",
    );
    expect(slotTransitionProblem(ctx(3), ctx(9))).toMatch(
      /^app 'billing': generation jumped from 3 to 9\. .*set generation to 4/,
    );
    expect(slotTransitionProblem(ctx(3), ctx(5))).toMatch(
      /^app 'billing': generation 5 would replace the secret of generation 3, but the rotation to 4 has not finished/,
    );
    expect(slotTransitionProblem(ctx(3, true), ctx(4))).toMatch(/rolled back to generation 2/);
    expect(slotTransitionProblem(ctx(3), ctx(4, true))).toMatch(
      /a rollback keeps the generation; set generation back to 3/,
    );
  });

  it("speaks of keys and privateKeyJwt.keyGeneration for key slots", () => {
    expect(slotTransitionProblem(ctx(4), ctx(2), KEY_SLOTS)).toMatch(
      /privateKeyJwt.keyGeneration went down from 4 to 2.*privateKeyJwt.rollback: true/,
    );
    expect(slotTransitionProblem(ctx(4), ctx(6), KEY_SLOTS)).toMatch(/replace the key of generation 4/);
  });
});

describe("diffClientSecret in a rotation slot", () => {
  const old = { appId: "0oa1", generation: 2, status: "ACTIVE", value: "v1", slot: ctx(2) };
  it("replaces only for appId or generation; value and adoptSecretId say how the slot is made", () => {
    expect(diffClientSecret(old, { ...old, value: "v2", adoptSecretId: "ocs1" })).toEqual({
      changes: false,
      replaces: [],
    });
    expect(diffClientSecret(old, { ...old, generation: 4 }).replaces).toEqual(["generation"]);
  });
  it("updates in place when only the slot's context changes", () => {
    expect(diffClientSecret(old, { ...old, slot: ctx(3) })).toEqual({ changes: true, replaces: [] });
  });
  it("outside a slot, a new value still replaces the secret", () => {
    const { slot: _slot, ...plain } = old;
    expect(diffClientSecret(plain, { ...plain, value: "v2" }).replaces).toEqual(["value"]);
  });
});
