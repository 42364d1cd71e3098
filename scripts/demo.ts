/**
 * `npm run demo`: rotations under the real Pulumi engine on the local environment — the local Okta, a real
 * Vault server and a real Kubernetes control plane (kwok plays the node) — while every pod of a Deployment
 * exchanges tokens with the credential it read from Vault when it started.
 *
 * With `minOverlapSeconds: 0`, nothing but the ordering keeps the pods working: the new secret is written to
 * Vault, the Deployment rolls (awaited), the pod census waits until no pod — terminating ones included — holds
 * the previous secret, and only then is it deactivated. Two controls in the same run show what each part is
 * worth: the rollout not awaited with the census off, and the census off alone. Then the app migrates to
 * private_key_jwt and its key rotates, on the same chain.
 *
 * Exit code 0 only when the rotations had 0 failed exchanges and each control had some. `-- --runs N` runs the
 * whole demo N times in a row, each on a fresh local environment, and ends with how many passed.
 */
import { formatDelivery, runDeliveryScenario } from "../local-env/deliveryScenario";

function runsWanted(): number {
  const i = process.argv.indexOf("--runs");
  if (i < 0) return 1;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--runs must be a whole number ≥ 1, got ${process.argv[i + 1]}`);
  return n;
}

async function main(): Promise<void> {
  const runs = runsWanted();
  let passed = 0;
  for (let run = 1; run <= runs; run++) {
    if (runs > 1) console.log(`${run > 1 ? "\n" : ""}== run ${run} of ${runs}`);
    if (await demo()) passed++;
  }
  if (runs > 1) console.log(`\n${passed} of ${runs} runs passed`);
  if (passed < runs) process.exitCode = 1;
}

/** One demo on a fresh local environment; true when it passed. */
async function demo(): Promise<boolean> {
  const start = Date.now();
  const say = (what: string) =>
    console.log(`${((Date.now() - start) / 1000).toFixed(1).padStart(6)} s  ${what}`);
  say(
    "starting the local environment: Okta, Vault, etcd, kube-apiserver, controller-manager, scheduler, kwok",
  );
  const result = await runDeliveryScenario({
    replicas: 4,
    terminationGracePeriodSeconds: 3,
    ratePerPod: 10,
    log: say,
  });
  console.log("");
  for (const line of formatDelivery(result)) console.log(line);
  console.log(
    result.ok
      ? "OK: 0 failed exchanges in every rotation; each control lost exchanges"
      : "FAILED: a rotation lost exchanges, or a control lost none",
  );
  return result.ok;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
