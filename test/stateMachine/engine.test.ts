// The state-machine test's engine layer in CI: a fixed set of seeds, a few short sequences each, under the real
// engine against the local Okta. `npm run fuzz -- --engine --seed N --runs K` runs more.
import { describe, expect, it } from "vitest";
import { runEngineLayer } from "./engine";

// This seed's two sequences: a bump with a kill drawn 0.3–1.5 s after Okta's first write (against the local Okta
// the up ends first; the kills that land are the real chain's, realChain.test.ts), then recovered as documented;
// a bump under 5xx answers, a migration to private_key_jwt and a key bump (each followed by the unchanged stack's
// preview, which must plan nothing); then another such bump.
const SEED = 20261580;

describe("state machine, engine layer (real engine, local Okta)", () => {
  it("keeps every invariant on the CI seeds", async () => {
    const lines: string[] = [];
    const { failure, steps } = await runEngineLayer(SEED, 2, 4, (l) => lines.push(l));
    expect(failure ?? "passed", lines.join("\n")).toBe("passed");
    expect(steps).toBeGreaterThan(2);
  }, 1_800_000);
});
