import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffKeyPair } from "../../dynamic/keyPair";
import { slotRecordChanged } from "../../dynamic/slotTransition";
import {
  KEY_SLOTS,
  activeReplacementProblem,
  diffClientSecret,
  slotTransitionProblem,
  type ActiveReplacementWords,
} from "../../dynamic";

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

describe("activeReplacementProblem", () => {
  const words: ActiveReplacementWords = {
    name: "Thing t1 of app 0oa1",
    credential: "secret",
    rotation: "thing rotation",
    use: "lean on",
    successorIs: "ready",
    finish: "Set generation back to 4",
  };
  const active = { appId: "0oa1", status: "ACTIVE", generation: 3 };
  const asked = { appId: "0oa1", generation: 5, replaceOnlyInactive: true };

  it("allows what is not a replacement of an ACTIVE credential the resource asked to keep", () => {
    expect(activeReplacementProblem(active, asked, [], words)).toBeUndefined();
    expect(
      activeReplacementProblem(active, { ...asked, replaceOnlyInactive: false }, ["generation"], words),
    ).toBeUndefined();
    expect(
      activeReplacementProblem({ ...active, status: "INACTIVE" }, asked, ["generation"], words),
    ).toBeUndefined();
  });

  it("words a bump in the resource's terms: its name, both generations, what to set, when it retires", () => {
    expect(activeReplacementProblem(active, asked, ["generation"], words)).toBe(
      "Thing t1 of app 0oa1 (generation 3) would be deleted and replaced for generation 5, but it is still " +
        "ACTIVE: the previous thing rotation did not finish retiring it, and clients may still lean on it. Set " +
        "generation back to 4 and run pulumi up to finish that rotation (it deactivates this secret once its " +
        "successor is ready), then bump again.",
    );
    const { generation: _old, ...unrecorded } = active;
    const { generation: _new, ...unnumbered } = asked;
    expect(
      activeReplacementProblem(unrecorded, unnumbered, ["generation"], { ...words, closing: " Done." }),
    ).toMatch(
      /^Thing t1 of app 0oa1 would be deleted and replaced, but it is still ACTIVE: .* bump again\. Done\.$/,
    );
  });

  it("uses the resource's own refusal when no generation was bumped, and a bump's wording without one", () => {
    const notBumped = (subject: string, fields: string) => `${subject}: put ${fields} back.`;
    expect(
      activeReplacementProblem(active, asked, ["jwk", "use"], { ...words, notBumped, closing: " Done." }),
    ).toBe("Thing t1 of app 0oa1 (generation 3): put jwk and use back. Done.");
    expect(activeReplacementProblem(active, asked, ["generation", "jwk"], { ...words, notBumped })).toMatch(
      /would be deleted and replaced for generation 5/,
    );
    expect(activeReplacementProblem(active, asked, ["value"], words)).toMatch(
      /would be deleted and replaced for generation 5/,
    );
  });
});

describe("slotRecordChanged", () => {
  const context = fc.record(
    {
      app: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
      generation: fc.integer({ min: 1, max: 50 }),
      rollback: fc.boolean(),
      revoke: fc.boolean(),
      adopting: fc.stringMatching(/^ocs[A-Za-z0-9]{4}$/),
    },
    { requiredKeys: ["app", "generation", "rollback"] },
  );

  it("a new name alone is no change of the slot (a rename with formerNames updates nothing); anything else is", () => {
    fc.assert(
      fc.property(context, context, fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), (a, b, name) => {
        expect(slotRecordChanged(a, { ...a, app: name })).toBe(false);
        const { app: _a, ...restA } = a;
        const { app: _b, ...restB } = b;
        expect(slotRecordChanged(a, b)).toBe(JSON.stringify(restA) !== JSON.stringify(restB));
      }),
    );
  });

  it("so a renamed slot's secret or key pair is not updated, while a new generation still is", () => {
    const olds = { appId: "0oa1", generation: 2, status: "ACTIVE", slot: ctx(2) };
    expect(diffClientSecret(olds, { ...olds, slot: { ...ctx(2), app: "renamed" } }).changes).toBe(false);
    expect(diffClientSecret(olds, { ...olds, slot: ctx(3) }).changes).toBe(true);
    const pair = { algorithm: "RS256", generation: 2, slot: ctx(2) };
    expect(diffKeyPair(pair, { ...pair, slot: { ...ctx(2), app: "renamed" } }).changes).toBe(false);
    expect(diffKeyPair(pair, { ...pair, slot: ctx(2, true) }).changes).toBe(true);
  });
});
