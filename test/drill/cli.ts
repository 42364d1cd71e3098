import { formatDelivery, runDeliveryScenario } from "../../local-env/deliveryScenario";
import { runDrill } from "./drill";
import { formatKeyDrills, runKeyDrills } from "./keyDrill";
import { formatRealKillDrill, runRealKillDrill } from "./realKillDrill";
import { runRevokeDrill } from "./revokeDrill";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  // The real chain first, at full size: Vault, the rollout (awaited) and the pod census, with the Deployment's
  // 50 pods as the fleet, 4 exchanges/s each (200/s).
  const delivery = await runDeliveryScenario({
    replicas: Number(flag("replicas") ?? 50),
    terminationGracePeriodSeconds: Number(flag("grace") ?? 3),
    ratePerPod: Number(flag("pod-rate") ?? 4),
    log: json ? undefined : (line) => console.error(line),
  });
  // `pulumi up` killed at each step on the real chain, and recovered as
  // docs/operations.md#when-pulumi-up-is-interrupted says.
  const kills = await runRealKillDrill({
    replicas: Number(flag("kill-replicas") ?? 10),
    log: json ? undefined : (line) => console.error(line),
  });
  const killsOk = kills.kills.every(
    (k) =>
      k.killedAtPoint &&
      k.converged &&
      k.failedExchanges === 0 &&
      k.monitor.heldInactiveSamples === 0 &&
      k.podsAuthenticating === k.pods &&
      k.noChangesAfter,
  );
  const revokePhase = delivery.phases.find((p) => p.what === "emergency revoke");
  // A rotation that lost exchanges, or a control that lost none, fails the drill.
  if (!delivery.ok || !killsOk) process.exitCode = 1;
  const result = await runDrill({
    pods: Number(flag("pods") ?? 50),
    ratePerSecond: Number(flag("rate") ?? 200),
    rotations: Number(flag("rotations") ?? 3),
    engine: !process.argv.includes("--providers"),
  });
  const keys = await runKeyDrills({
    pods: Number(flag("pods") ?? 50),
    ratePerSecond: Number(flag("rate") ?? 200),
    rotations: Number(flag("rotations") ?? 3),
  });
  const revoke = await runRevokeDrill({
    pods: Number(flag("pods") ?? 50),
    ratePerSecond: Number(flag("rate") ?? 200),
  });
  if (json) {
    console.log(
      JSON.stringify({
        ...result,
        // The emergency revoke on the real chain: from the up's start to Okta refusing the leaked secret.
        revokeSeconds: revokePhase?.refusedSeconds,
        revokeFailedExchanges: revokePhase?.failedExchanges,
        delivery,
        realChainKills: kills,
        // The same revoke with the rollout played by the drill (50 pods moved as soon as Okta has the secret).
        revoke,
        migrationFailedExchanges: keys.migrationFailedExchanges,
        keyRotationFailedExchanges: keys.keyRotationFailedExchanges,
        rollbackFailedExchanges: keys.rollbackFailedExchanges,
        maxKeysOnApp: keys.maxKeysOnApp,
        minActiveKeys: keys.minActiveKeysWhileKeyAuth,
        privateKeyJwt: keys,
      }),
    );
    return;
  }
  console.log("Real delivery (Vault, rollout awaited, pod census; minOverlapSeconds 0):");
  for (const line of formatDelivery(delivery)) console.log(`  ${line}`);
  for (const line of formatRealKillDrill(kills)) console.log(line);
  const rate = result.achievedRate;
  console.log(
    `Rotation drill, rollout played by the drill (${result.driver}): ${result.pods} pods, ${result.rotations} rotations, ~${rate} exchanges/s per fleet`,
  );
  console.log(`  overlap rotation: ${result.failedExchanges} failed of ${result.exchanges} exchanges`);
  console.log(
    `  naive cutover:    ${result.naiveFailedExchanges} failed of ${result.naiveExchanges} exchanges`,
  );
  console.log(
    `  secrets on the app: at most ${result.maxSecretsOnApp}, at least ${result.minActiveSecrets} ACTIVE`,
  );
  console.log(
    `  samples where a pod held an inactive secret: overlap ${result.heldInactiveSamples}, naive ${result.naiveHeldInactiveSamples}`,
  );
  for (const [why, n] of Object.entries(result.failures)) console.log(`  overlap failure ×${n}: ${why}`);
  for (const line of formatKeyDrills(keys)) console.log(line);
  console.log(
    `Emergency revoke (pulumi up, revoke: true): leaked secret refused ${revoke.revokeSeconds.toFixed(1)} s and ` +
      `deleted ${revoke.revokeDeletedSeconds.toFixed(1)} s after the up started (up: ${revoke.revokeUpSeconds.toFixed(1)} s); ` +
      `${revoke.revokeFailedExchanges} failed of ${revoke.revokeExchanges} exchanges`,
  );
  for (const [why, n] of Object.entries(revoke.revokeFailures)) console.log(`  revoke failure ×${n}: ${why}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
