// The paths the state machine's pure layer found, kept as sequences of its own commands: each must now keep every
// invariant, and end the way the fix says (a refusal before any write, or one secret where there was a twin).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddApp,
  Bump,
  Down,
  OutOfBandDelete,
  Rename,
  SetFlag,
  StopAdopting,
  setup,
  type Command,
} from "./model";

const kill = (at: number) => ({ kind: "kill" as const, at, happened: true, absorbed: false });

/** Runs the commands from a fresh world, as fast-check does, and returns the world and the team's config. */
function run(commands: Command[]) {
  const s = setup();
  fc.modelRun(() => s, commands);
  return s;
}

describe("state machine, paths it found", () => {
  it("a new app without a secret first applied at generation 3 is refused, with nothing written", () => {
    // AddApp picks the free apps in order; the last one has no secret. n = 2: generation 3, the third app.
    const { model, real } = run([new AddApp(2, false)]);
    expect(model.apps).toEqual([]);
    expect(real.world.okta.get("0oaSm3")).toEqual([]);
    expect(model.lastRefusal).toBeUndefined();
  });

  it("a rename without formerNames at generation 2 is refused by the first run's lookup; with them it moves", () => {
    const { model, real } = run([new AddApp(0, true), new Bump(0, 1, false), new Rename(0, false)]);
    expect(model.apps.map((a) => [a.name, a.generation])).toEqual([["alpha", 2]]);
    const { model: m2 } = run([new AddApp(0, true), new Bump(0, 1, false), new Rename(0, true)]);
    expect(m2.apps.map((a) => [a.name, a.formerNames])).toEqual([["alpha-r2", ["alpha"]]]);
    expect(real.world.okta.get("0oaSm1")).toHaveLength(2);
  });

  it("an up killed after the first create of an app onboarded without adoption leaves it one secret", () => {
    // adopting(0) takes the first app; add app(3) then picks the app without a secret, at generation 1.
    const { model, real } = run([new AddApp(0, true), new AddApp(3, false, kill(1))]);
    const beta = model.apps.find((a) => a.name === "beta")!;
    expect(beta.appId).toBe("0oaSm3");
    expect(real.world.okta.get("0oaSm3")).toHaveLength(1);
  });

  it("a generation lowered after a refresh dropped the other slot is refused", () => {
    const { model, real } = run([
      new AddApp(1, true),
      new StopAdopting(0),
      new OutOfBandDelete(0),
      new Down(0),
    ]);
    expect(model.apps[0]!.generation).toBe(2);
    expect(model.lastRefusal).toMatch(/generation went down from 2 to 1/);
    expect(real.world.okta.get(model.apps[0]!.appId)!.map((s) => s.status)).toEqual(["ACTIVE"]);
  });

  it("a rename without formerNames of an app rolled back at onboarding is refused before any write", () => {
    const { model } = run([new AddApp(0, true), new SetFlag(0, "rollback", true), new Rename(0, false)]);
    expect(model.apps.map((a) => a.name)).toEqual(["alpha"]);
    expect(model.lastRefusal).toMatch(/If you renamed app 'alpha-r1' in the stack config, put the old name/);
  });
});
