// The state-machine test's engine layer on the real chain in CI: one fixed seed, one sequence of six steps, under
// the real engine with a real Vault and cluster. `npm run fuzz -- --engine --real-chain --seed N --runs K` runs more.
import { describe, expect, it } from "vitest";
import { runRealChainLayer } from "./realChain";

// This seed's sequence, after onboarding both apps (alpha rolls `web`, beta `worker`): beta lists `web` too (two
// apps' pods share one Deployment), beta removes `worker` from its list (`web` moves to position 0), beta migrates
// to private_key_jwt (rolling the shared Deployment through that patch; the unchanged stack's preview must then
// plan nothing), alpha's next rotation is killed after its second Okta write and recovered (rolling the shared
// Deployment too), alpha removes `web`, and alpha's next rotation is killed and recovered again.
const SEED = 20263315;

describe("state machine, engine layer on the real chain (real engine, Vault and cluster)", () => {
  it("keeps every invariant, and every credential the pods hold authenticates, on the CI seed", async () => {
    const lines: string[] = [];
    const { failure, steps } = await runRealChainLayer(SEED, 1, 6, (l) => lines.push(l));
    expect(failure ?? "passed", lines.join("\n")).toBe("passed");
    expect(steps).toBeGreaterThan(2);
  }, 1_800_000);
});
