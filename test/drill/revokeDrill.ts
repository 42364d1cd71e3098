import { ROTATION_SCOPE, startOktaLocal } from "../../local-env/okta";
import { Fleet } from "./fleet";
import { KvEntry } from "./vault";
import { rotateUnderEngine } from "./engineRotation";

export interface RevokeDrillOptions {
  pods?: number;
  ratePerSecond?: number;
  /** Pause between two pod restarts of a rollout (default 20 ms). */
  restartPauseMs?: number;
}

export interface RevokeDrillResult {
  /** Seconds from the start of the revoking `pulumi up` to Okta deactivating the leaked secret (it is refused). */
  revokeSeconds: number;
  /** Seconds from the start of that `up` to the leaked secret deleted. */
  revokeDeletedSeconds: number;
  /** The revoking `up`, start to end. */
  revokeUpSeconds: number;
  revokeExchanges: number;
  revokeFailedExchanges: number;
  revokeFailures: Record<string, number>;
}

/**
 * An emergency revoke under the real engine: generation 1, then a bump to 2 with `revoke: true` (no minimum
 * overlap, the leaked secret deactivated as soon as the new one is delivered, and deleted in the same run), while
 * a fleet of pods exchanges tokens throughout. Pods restart onto each new secret the moment Okta has it (the
 * stand-in for the Vault write and the rollout, which this drill cannot let the engine await), so the failed
 * exchanges count the pods a rollout had not reached when the leaked secret stopped working.
 */
export async function runRevokeDrill(options: RevokeDrillOptions = {}): Promise<RevokeDrillResult> {
  const pods = options.pods ?? 50;
  const restartPauseMs = options.restartPauseMs ?? 20;
  const okta = await startOktaLocal({
    apps: [{ label: "drill-revoke" }],
    rateLimits: { apps: 100_000, app: 100_000 },
  });
  try {
    const [app] = okta.apps;
    const [seeded] = okta.listSecrets(app.id);
    const kv = new KvEntry<{ clientSecret: string; secretId: string }>();
    kv.put({ clientSecret: seeded!.clientSecret, secretId: seeded!.id });
    const fleet = new Fleet({
      size: pods,
      ratePerSecond: options.ratePerSecond ?? 200,
      tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
      scope: ROTATION_SCOPE,
      read: () => ({ kind: "secret", clientId: app.clientId, ...kv.latest(), label: kv.latest().secretId }),
    });
    let window: { started: number; ended: number } | undefined;
    let leaked = "";
    let before = { exchanges: 0, failedExchanges: 0, failures: {} as Record<string, number> };
    fleet.start();
    await rotateUnderEngine({
      okta,
      appId: app.id,
      adoptSecretId: seeded!.id,
      generations: [1, 2],
      // Generation 1 retires the seeded secret after a short overlap; generation 2 asks for 900 s, which the revoke
      // skips.
      minOverlapSeconds: 3,
      configFor: (g) =>
        g === 2
          ? { revoke: true, gates: { tokenExchange: true, scope: ROTATION_SCOPE, minOverlapSeconds: 900 } }
          : {},
      deliver: async (secret) => {
        kv.put({ clientSecret: secret.clientSecret, secretId: secret.id });
        await fleet.rollout(restartPauseMs);
      },
      timed: (g, started, ended) => {
        if (g === 2) window = { started, ended };
      },
      note: (what) => {
        if (what !== "pulumi up: generation 2") return;
        // Generation 1's secret is the one that leaked; count what the fleet does from here on.
        leaked = okta.listSecrets(app.id).find((x) => x.status === "ACTIVE")!.id;
        before = { ...fleet.stats, failures: { ...fleet.stats.failures } };
      },
      stackName: `drill-revoke-${process.pid}`,
    });
    await new Promise((r) => setTimeout(r, 200));
    const stats = await fleet.stop();
    // When Okta answered (a deactivation is held until the played rollout is done).
    const at = (method: string, suffix: string) => {
      const e = okta.requestLog.find(
        (x) => x.method === method && x.path.includes(leaked) && x.path.endsWith(suffix),
      );
      return e && e.time + e.durationMs;
    };
    const deactivated = at("POST", "/lifecycle/deactivate");
    const deleted = at("DELETE", leaked);
    if (!window || !leaked || deactivated === undefined || deleted === undefined) {
      throw new Error("revoke drill: the leaked secret was not deactivated and deleted by the revoking up");
    }
    const failures: Record<string, number> = {};
    for (const [why, n] of Object.entries(stats.failures)) {
      const d = n - (before.failures[why] ?? 0);
      if (d > 0) failures[why] = d;
    }
    return {
      revokeSeconds: (deactivated - window.started) / 1000,
      revokeDeletedSeconds: (deleted - window.started) / 1000,
      revokeUpSeconds: (window.ended - window.started) / 1000,
      revokeExchanges: stats.exchanges - before.exchanges,
      revokeFailedExchanges: stats.failedExchanges - before.failedExchanges,
      revokeFailures: failures,
    };
  } finally {
    await okta.close();
  }
}
