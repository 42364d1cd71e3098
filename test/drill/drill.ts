import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { ClientSecretProvider, type ClientSecretOutputs } from "../../dynamic/clientSecret";
import { resetConnection } from "../../dynamic/connection";
import { planRotation, type Slot } from "../../components/plan";
import { Fleet, type Credential, type FleetStats } from "./fleet";
import { KvEntry } from "./vault";
import { rotateUnderEngine } from "./engineRotation";
import { Monitor, type MonitorStats } from "./monitor";

export interface DrillOptions {
  /** Simulated pods per fleet (default 50). */
  pods?: number;
  /** Token exchanges per second per fleet, in total (default 200). */
  ratePerSecond?: number;
  /** Rotations to run after adopting the app's secret (default 3). */
  rotations?: number;
  /** Pause between two pod restarts of a rollout (default 20 ms). */
  restartPauseMs?: number;
  /**
   * Drive the overlap rotation through `pulumi up` of this project's program (default), or by calling the
   * providers in the component's order (`false`: faster, no Pulumi CLI needed).
   */
  engine?: boolean;
}

export interface DrillResult {
  /** How the overlap rotation ran: "pulumi up" of the program, or "providers" called in order. */
  driver: "pulumi up" | "providers";
  pods: number;
  ratePerSecond: number;
  rotations: number;
  exchanges: number;
  failedExchanges: number;
  naiveExchanges: number;
  naiveFailedExchanges: number;
  maxSecretsOnApp: number;
  minActiveSecrets: number;
  /** Monitor samples in which a secret some pod held was inactive or gone. */
  heldInactiveSamples: number;
  naiveHeldInactiveSamples: number;
  failures: Record<string, number>;
  naiveFailures: Record<string, number>;
  durationMs: number;
  /** Exchanges per second the overlap fleet achieved while it ran. */
  achievedRate: number;
}

interface SecretData {
  clientId: string;
  clientSecret: string;
  secretId: string;
}

const credentialOf = (d: SecretData): Credential => ({
  kind: "secret",
  clientId: d.clientId,
  clientSecret: d.clientSecret,
  label: d.secretId,
});

function fleetFor(okta: OktaLocal, appId: string, kv: KvEntry<SecretData>, o: Required<DrillOptions>) {
  const fleet = new Fleet({
    size: o.pods,
    ratePerSecond: o.ratePerSecond,
    tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
    scope: ROTATION_SCOPE,
    read: () => credentialOf(kv.latest()),
  });
  const monitor = new Monitor(
    () => okta.listSecrets(appId),
    () => fleet.held().map((c) => c.label),
  );
  return { fleet, monitor };
}

/** Proves a secret with one real exchange, like the rotation's gate. */
async function prove(okta: OktaLocal, d: SecretData): Promise<void> {
  const probe = new Fleet({
    size: 1,
    ratePerSecond: 1,
    tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
    scope: ROTATION_SCOPE,
    read: () => credentialOf(d),
  });
  probe.start();
  const stats = await probe.stop();
  if (stats.failedExchanges > 0) throw new Error(`gate: the new secret ${d.secretId} was refused`);
}

/**
 * Runs the overlap rotation (the rotation component's steps, with the same provider code) on one app and
 * the naive in-place cutover on another, each under a fleet of pods exchanging tokens throughout, and
 * counts failed exchanges and the secrets on the app at every moment.
 */
export async function runDrill(options: DrillOptions = {}): Promise<DrillResult> {
  const o: Required<DrillOptions> = {
    pods: options.pods ?? 50,
    ratePerSecond: options.ratePerSecond ?? 200,
    rotations: options.rotations ?? 3,
    restartPauseMs: options.restartPauseMs ?? 20,
    engine: options.engine ?? true,
  };
  const started = Date.now();
  const okta = await startOktaLocal({
    apps: [{ label: "drill-overlap" }, { label: "drill-naive" }],
    rateLimits: { apps: 100_000, app: 100_000 },
  });
  const saved = { url: process.env.OKTA_ORG_URL, token: process.env.OKTA_API_TOKEN };
  process.env.OKTA_ORG_URL = okta.orgUrl;
  process.env.OKTA_API_TOKEN = okta.apiToken;
  resetConnection();
  const provider = new ClientSecretProvider();
  try {
    const [overlapApp, naiveApp] = okta.apps;
    const seeded = (appId: string, clientId: string): SecretData => {
      const [s] = okta.listSecrets(appId);
      return { clientId, clientSecret: s.clientSecret, secretId: s.id };
    };

    // Both apps start with their seeded secret in Vault and a fleet using it.
    const kvOverlap = new KvEntry<SecretData>();
    kvOverlap.put(seeded(overlapApp.id, overlapApp.clientId));
    const kvNaive = new KvEntry<SecretData>();
    kvNaive.put(seeded(naiveApp.id, naiveApp.clientId));
    const overlap = fleetFor(okta, overlapApp.id, kvOverlap, o);
    const naive = fleetFor(okta, naiveApp.id, kvNaive, o);
    for (const f of [overlap, naive]) {
      f.monitor.start();
      f.fleet.start();
    }

    const overlapByProviders = async () => {
      // Slot contents as the engine would hold them in state.
      const slots: Partial<Record<Slot, { id: string; outs: ClientSecretOutputs }>> = {};
      const adoptSecretId = kvOverlap.latest().secretId;
      for (let g = 1; g <= o.rotations; g++) {
        const plan = planRotation(g, { adopting: true });
        if (g === 1 && plan.retired) {
          // Generation 0: the adopted secret, as the engine creates the retired slot at generation 1.
          const created = await provider.create({
            appId: overlapApp.id,
            status: "ACTIVE",
            adoptSecretId,
            generation: 0,
          });
          slots[plan.retired.slot] = created as { id: string; outs: ClientSecretOutputs };
        }
        // 1. Replace the slot holding g−2: delete it first (it is INACTIVE), then create g.
        const old = slots[plan.holder.slot];
        if (old) await provider.delete(old.id, old.outs);
        const created = (await provider.create({
          appId: overlapApp.id,
          status: "ACTIVE",
          generation: g,
        })) as {
          id: string;
          outs: ClientSecretOutputs;
        };
        slots[plan.holder.slot] = created;
        const data = {
          clientId: overlapApp.clientId,
          clientSecret: created.outs.clientSecret!,
          secretId: created.id,
        };
        // 2. Vault: a new KV version.
        kvOverlap.put(data);
        // 3. Rollout: pods restart one by one onto the new version.
        await overlap.fleet.rollout(o.restartPauseMs);
        // 4. Gate: a real exchange with the new secret.
        await prove(okta, data);
        // 5. Retire g−1: deactivate (kept for rollback).
        const prev = plan.retired ? slots[plan.retired.slot] : undefined;
        if (prev) {
          const updated = await provider.update(prev.id, prev.outs, {
            appId: overlapApp.id,
            status: "INACTIVE",
            generation: plan.retired!.generation,
            ...(prev.outs.adoptSecretId ? { adoptSecretId: prev.outs.adoptSecretId } : {}),
          });
          slots[plan.retired!.slot] = { id: prev.id, outs: updated.outs! };
        }
      }
    };

    const overlapByEngine = () =>
      rotateUnderEngine({
        okta,
        appId: overlapApp.id,
        adoptSecretId: kvOverlap.latest().secretId,
        generations: Array.from({ length: o.rotations }, (_, i) => i + 1),
        // The gate's overlap, as a team would set it; the previous secret's deactivation also waits for the played
        // rollout (rotateUnderEngine), as it waits for the rollout and the census in a cluster.
        minOverlapSeconds: 3,
        deliver: async (secret) => {
          kvOverlap.put({
            clientId: overlapApp.clientId,
            clientSecret: secret.clientSecret,
            secretId: secret.id,
          });
          await overlap.fleet.rollout(o.restartPauseMs);
        },
        stackName: `drill-${process.pid}`,
      });
    const overlapRun = o.engine ? overlapByEngine() : overlapByProviders();

    const naiveRun = (async () => {
      for (let g = 1; g <= o.rotations; g++) {
        // Replace the secret in place: new one, old one deactivated and deleted, then the rollout.
        const oldData = kvNaive.latest();
        const created = (await provider.create({ appId: naiveApp.id, status: "ACTIVE", generation: g })) as {
          id: string;
          outs: ClientSecretOutputs;
        };
        const oldOuts = (await provider.create({
          appId: naiveApp.id,
          status: "ACTIVE",
          adoptSecretId: oldData.secretId,
        })) as { id: string; outs: ClientSecretOutputs };
        // Deactivate, then delete: the provider's delete alone releases an ACTIVE secret (clients may hold it),
        // which is just what the naive cutover does not care about.
        const deactivated = await provider.update(oldOuts.id, oldOuts.outs, {
          appId: naiveApp.id,
          status: "INACTIVE",
          adoptSecretId: oldData.secretId,
        });
        await provider.delete(oldOuts.id, deactivated.outs!);
        kvNaive.put({
          clientId: naiveApp.clientId,
          clientSecret: created.outs.clientSecret!,
          secretId: created.id,
        });
        await naive.fleet.rollout(o.restartPauseMs);
      }
    })();

    await Promise.all([overlapRun, naiveRun]);
    // Let the fleets run on the final credentials for a moment.
    await new Promise((r) => setTimeout(r, 200));
    const [ov, nv]: FleetStats[] = await Promise.all([overlap.fleet.stop(), naive.fleet.stop()]);
    const [om, nm]: MonitorStats[] = [overlap.monitor.stop(), naive.monitor.stop()];
    return {
      driver: o.engine ? "pulumi up" : "providers",
      pods: o.pods,
      ratePerSecond: o.ratePerSecond,
      rotations: o.rotations,
      exchanges: ov.exchanges,
      failedExchanges: ov.failedExchanges,
      naiveExchanges: nv.exchanges,
      naiveFailedExchanges: nv.failedExchanges,
      maxSecretsOnApp: om.maxOnApp,
      minActiveSecrets: om.minActive,
      heldInactiveSamples: om.heldInactiveSamples,
      naiveHeldInactiveSamples: nm.heldInactiveSamples,
      failures: ov.failures,
      naiveFailures: nv.failures,
      durationMs: Date.now() - started,
      achievedRate: Math.round(overlap.fleet.achievedRate()),
    };
  } finally {
    process.env.OKTA_ORG_URL = saved.url;
    process.env.OKTA_API_TOKEN = saved.token;
    if (saved.url === undefined) delete process.env.OKTA_ORG_URL;
    if (saved.token === undefined) delete process.env.OKTA_API_TOKEN;
    resetConnection();
    await okta.close();
  }
}
