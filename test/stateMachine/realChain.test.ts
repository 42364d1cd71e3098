// The state-machine test's engine layer on the real chain in CI: one fixed seed, one sequence of six steps, under
// the real engine with a real Vault and cluster. `npm run fuzz -- --engine --real-chain --seed N --runs K` runs more.
import { describe, expect, it } from "vitest";
import { runRealChainLayer } from "./realChain";

// This seed's sequence, after onboarding both apps (alpha rolls `web`, beta `worker`): alpha adds `batch`, beta
// migrates to private_key_jwt, alpha adds `worker` (two apps' pods share one Deployment), alpha removes `batch`
// from its list of three (`worker` moves up a position), beta bumps its key (rolling the shared Deployment; the
// unchanged stack's preview must then plan nothing), and beta's next key rotation is killed 0.7 s after its first
// Okta write, then recovered. About 3 minutes here.
const SEED = 20297942;

describe("state machine, engine layer on the real chain (real engine, Vault and cluster)", () => {
  it("keeps every invariant, and every credential the pods hold authenticates, on the CI seed", async () => {
    const lines: string[] = [];
    const { failure, steps } = await runRealChainLayer(SEED, 1, 6, (l) => lines.push(l));
    expect(failure ?? "passed", lines.join("\n")).toBe("passed");
    expect(steps).toBeGreaterThan(2);
  }, 1_800_000);
});
