// The state-machine test's engine layer on the real chain in CI: one fixed seed, one sequence of up to six steps, under
// the real engine with a real Vault and cluster. `npm run fuzz -- --engine --real-chain --seed N --runs K` runs more.
import { describe, expect, it } from "vitest";
import { runRealChainLayer } from "./realChain";

// This seed's sequence, after onboarding both apps (alpha rolls `web`, beta `worker`): beta lists `web` too (two
// apps' pods share one Deployment), alpha rotates with `revoke: true` (its previous secret deleted once refused),
// beta's next rotation is killed about 50–80 ms after Okta's first write and recovered as documented (the refresh
// drops alpha's revoked slot, which the next up makes again — it used to fail there on every run), beta's
// `revoke: true` without a bump is refused before any write, and beta removes `web` from its list of two.
const SEED = 20290539;

describe("state machine, engine layer on the real chain (real engine, Vault and cluster)", () => {
  it("keeps every invariant, and every credential the pods hold authenticates, on the CI seed", async () => {
    const lines: string[] = [];
    const { failure, steps } = await runRealChainLayer(SEED, 1, 6, (l) => lines.push(l));
    expect(failure ?? "passed", lines.join("\n")).toBe("passed");
    expect(steps).toBeGreaterThan(2);
  }, 1_800_000);
});
