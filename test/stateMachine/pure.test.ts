// The state-machine test's pure layer (model.ts): thousands of sequences of team edits against the project's
// rules and a simulation of Okta. A failure prints its seed and the shrunk sequence; `npm run fuzz -- --seed N`
// replays it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commands, setup } from "./model";

describe("state machine, pure layer: config validation, plan and slot rules under sequences of team edits", () => {
  it("keeps every invariant over 2,000 generated sequences", () => {
    const seed = Number(process.env.STATE_MACHINE_SEED ?? 20261206);
    const out = fc.check(
      fc.property(fc.commands(commands, { maxCommands: 30 }), (cmds) => {
        fc.modelRun(setup, cmds);
      }),
      { seed, numRuns: 2_000 },
    );
    const why = out.failed ? `${fc.defaultReportMessage(out)}\n${String(out.errorInstance)}` : "passed";
    expect(why).toBe("passed");
  });
});
