// The state-machine test's engine layer in CI: a fixed set of seeds, a few short sequences each, under the real
// engine against the local Okta. `npm run fuzz -- --engine --seed N --runs K` runs more.
import { describe, expect, it } from "vitest";
import { runEngineLayer } from "./engine";

// This seed's two sequences: an INACTIVE secret deleted in Okta and a refresh, a bump under 5xx answers, and a bump
// whose `pulumi up` is killed about 40 ms after Okta's first write, then recovered as documented; then a migration
// to private_key_jwt, a rename of that app with formerNames (nothing written, the key kept, the preview the up) and
// a second app added at generation 3 adopting its secret.
const SEED = 20261337;

describe("state machine, engine layer (real engine, local Okta)", () => {
  it("keeps every invariant on the CI seeds", async () => {
    const lines: string[] = [];
    const { failure, steps } = await runEngineLayer(SEED, 2, 4, (l) => lines.push(l));
    expect(failure ?? "passed", lines.join("\n")).toBe("passed");
    expect(steps).toBeGreaterThan(2);
  }, 1_800_000);
});
