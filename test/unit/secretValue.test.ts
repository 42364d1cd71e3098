import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { slotTransitionProblem } from "../../dynamic/slotTransition";
import { SecretValueProvider, newSecretValue } from "../../dynamic/secretValue";

const provider = new SecretValueProvider();

describe("SecretValue", () => {
  it("makes values Okta accepts as a client secret: 64 printable ASCII characters, never twice the same", () => {
    const a = newSecretValue();
    expect(a).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(newSecretValue()).not.toBe(a);
  });

  it("records the onboarding generation, and keeps it while each new generation gets a new value", async () => {
    const created = await provider.create({ appId: "0oa1", generation: 3 });
    const outs = created.outs!;
    expect(outs).toMatchObject({ generation: 3, onboardedGeneration: 3 });
    expect(await provider.diff(created.id, outs, { appId: "0oa1", generation: 4 })).toEqual({
      changes: true,
      replaces: [],
    });
    const bumped = (await provider.update(created.id, outs, { appId: "0oa1", generation: 4 })).outs!;
    expect(bumped).toMatchObject({ generation: 4, onboardedGeneration: 3 });
    expect(bumped.value).not.toBe(outs.value);
    const same = (await provider.update(created.id, bumped, { appId: "0oa1", generation: 4 })).outs!;
    expect(same.value).toBe(bumped.value);
    expect((await provider.diff(created.id, bumped, { appId: "0oa2", generation: 4 })).replaces).toEqual([
      "appId",
    ]);
  });

  it("records no generation the slots would refuse: a new one is judged by their rules, rollback included", async () => {
    // Were a refused generation recorded here, setting it back would be refused as one that went down: a wedge.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        async (last, wasRolledBack, next, rollback) => {
          const olds = {
            appId: "0oa1",
            rotation: "billing",
            generation: last,
            ...(wasRolledBack ? { rollback: true } : {}),
          };
          const news = { ...olds, generation: next, rollback };
          const { failures } = await provider.check(olds, news);
          const ctx = (generation: number, rolledBack: boolean) => ({
            app: "billing",
            generation,
            rollback: rolledBack,
          });
          const slots =
            next === last ? undefined : slotTransitionProblem(ctx(last, wasRolledBack), ctx(next, rollback));
          expect(failures?.length ?? 0).toBe(slots === undefined ? 0 : 1);
          if (slots !== undefined) expect(failures![0]!.reason).toBe(`${slots} Nothing was changed.`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
