// Kill drills on the real chain: `pulumi up` of a rotation (real Vault, the rollout through the
// pulumi-kubernetes plugin, the pod census) is SIGKILLed at a step boundary that is observed where it happens —
// Okta's request log for the new secret and the deactivation, Vault's entry metadata for the write, the
// Deployment's pod template for the rollout — and then recovered as
// docs/operations.md#when-pulumi-up-is-interrupted says (`pulumi cancel`, `refresh --clear-pending-creates`,
// `preview`, `up`). Throughout, the Deployment's pods exchange tokens with the
// credential they read from Vault; afterwards the credential each pod holds, as Vault delivered it, must
// authenticate.

import { createTokenClient, credentialsFromEntry } from "../../client";
import { kubeGet } from "../../dynamic/kubeApi";
import { ROLLOUT_ANNOTATION } from "../../dynamic/rolloutCensus";
import { startLocalEnv, type LocalEnv } from "../../local-env";
import { startChain, type Chain } from "../../local-env/deliveryScenario";
import { ROTATION_SCOPE } from "../../local-env/okta";
import { kvMetadata, readKv } from "../../local-env/vault";
import { previewSteps, KILL_POINTS, type KillPoint } from "../bench/faultDrill";
import { createCliStack, type CliStack } from "../engine/cli";
import { removeEmptyBackendSidecars } from "../engine/harness";
import { Monitor, type MonitorStats } from "./monitor";

const UP = ["up", "--yes", "--skip-preview"];
const NAMESPACE = "default";
const NAME = "demo-service";

export interface RealKillOutcome {
  point: KillPoint;
  generation: number;
  /** Whether the step was seen before the kill (false: the up ended before it, and was not killed). */
  killedAtPoint: boolean;
  /** The resource steps `pulumi preview --diff` announced after `cancel` and `refresh`. */
  previewSteps: string[];
  converged: boolean;
  convergeError?: string;
  /** The fleet's exchanges from the kill's up to the settled recovery. */
  exchanges: number;
  failedExchanges: number;
  /** Okta's secrets sampled every 5 ms, and whether a credential some pod held was ever not ACTIVE. */
  monitor: MonitorStats;
  /** After recovery: pods served, and how many of their credentials (read back from Vault) authenticate. */
  pods: number;
  podsAuthenticating: number;
  /** Secrets in Okta that the stack's state does not know, and pending operations left in the state. */
  orphans: number;
  pendingOperationsLeft: number;
  noChangesAfter: boolean;
}

export interface RealKillDrillResult {
  replicas: number;
  kills: RealKillOutcome[];
}

/** Resolves once `seen()` holds (polled every 10 ms), or never if `stop` is set first. */
async function whenSeen(seen: () => Promise<boolean>, stop: { done: boolean }): Promise<boolean> {
  while (!stop.done) {
    try {
      if (await seen()) return true;
    } catch {
      // A read that failed under load: try again.
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

class RealDrill {
  constructor(
    readonly env: LocalEnv,
    readonly chain: Chain,
    readonly stack: CliStack,
  ) {}

  /** The observation that marks `point` for the rotation to `generation`, taken from where it happens. */
  async reached(
    point: KillPoint,
    generation: number,
    logFrom: number,
    vaultBefore: number,
  ): Promise<boolean> {
    const ok = (method: string, re: RegExp) =>
      this.env.okta.requestLog
        .slice(logFrom)
        .some((e) => e.method === method && re.test(e.path) && e.status >= 200 && e.status < 300);
    switch (point) {
      case "after-create":
        return ok("POST", /\/credentials\/secrets$/);
      case "after-vault":
        return (
          ((await kvMetadata(this.env.vault, "secret", `apps/${NAME}`))?.currentVersion ?? 0) > vaultBefore
        );
      case "during-rollout": {
        const d = await kubeGet<{
          spec: { template: { metadata: { annotations?: Record<string, string> } } };
        }>(this.env.cluster.target, `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${NAME}`);
        return d.spec.template.metadata.annotations?.[ROLLOUT_ANNOTATION] === String(generation);
      }
      case "after-deactivate":
        return ok("POST", /\/lifecycle\/deactivate$/);
    }
  }

  /** Runs `pulumi up` for `generation` and SIGKILLs it as soon as `point` is reached. */
  async killAt(point: KillPoint, generation: number): Promise<boolean> {
    const logFrom = this.env.okta.requestLog.length;
    const vaultBefore = (await kvMetadata(this.env.vault, "secret", `apps/${NAME}`))?.currentVersion ?? 0;
    const run = this.stack.start(UP);
    const stop = { done: false };
    const killed = whenSeen(() => this.reached(point, generation, logFrom, vaultBefore), stop).then((hit) => {
      if (hit) run.kill();
      return hit;
    });
    await run.done;
    stop.done = true;
    return killed;
  }

  /** Each served pod's credential, read back from the Vault version the pod read, tried at the token endpoint. */
  async podsAuthenticating(): Promise<{ pods: number; authenticating: number }> {
    const served = this.chain.fleet.servedVersions();
    let authenticating = 0;
    for (const version of Object.values(served)) {
      const entry = await readKv(this.env.vault, "secret", `apps/${NAME}`, version);
      if (!entry?.data) continue;
      const data = entry.data as Record<string, string>;
      const client = createTokenClient({
        tokenUrl: `${this.env.okta.orgUrl}/oauth2/default/v1/token`,
        clientId: String(data.client_id),
        credentials: credentialsFromEntry(data),
        scope: ROTATION_SCOPE,
        retries: 0,
      });
      try {
        await client.exchange();
        authenticating++;
      } catch {
        // Counted as not authenticating.
      }
    }
    return { pods: Object.keys(served).length, authenticating };
  }
}

/**
 * On the real chain (local Okta, a real Vault, a real control plane with kwok pods), rotates once, then kills
 * `pulumi up` at each point and recovers as docs/operations.md#when-pulumi-up-is-interrupted says.
 */
export async function runRealKillDrill(
  opts: {
    points?: readonly KillPoint[];
    replicas?: number;
    ratePerPod?: number;
    log?: (line: string) => void;
  } = {},
): Promise<RealKillDrillResult> {
  const log = opts.log ?? (() => undefined);
  const replicas = opts.replicas ?? 3;
  const env = await startLocalEnv({
    okta: { apps: [{ label: NAME }], rateLimits: { apps: 10_000, app: 10_000 } },
  });
  let stack: CliStack | undefined;
  let chain: Chain | undefined;
  try {
    chain = await startChain(env, {
      replicas,
      terminationGracePeriodSeconds: 2,
      ratePerPod: opts.ratePerPod ?? 5,
    });
    stack = await createCliStack(`kill-drill-${process.pid}`, env.env);
    const drill = new RealDrill(env, chain, stack);
    let generation = 1;
    stack.setApps([chain.appConfig({ generation })]);
    const first = await stack.run(UP);
    if (first.code !== 0) throw new Error(`set-up up failed:\n${first.stdout}${first.stderr}`);
    let before = await chain.closePhase({ generation });
    const result: RealKillDrillResult = { replicas, kills: [] };
    for (const point of opts.points ?? KILL_POINTS) {
      generation++;
      log(`kill at ${point} (generation ${generation})`);
      stack.setApps([chain.appConfig({ generation })]);
      const monitor = new Monitor(
        () => env.okta.listSecrets(chain!.appId),
        () => chain!.fleet.heldCredentialIds(),
        5,
      );
      monitor.start();
      const killedAtPoint = await drill.killAt(point, generation);
      // A kill while the file backend rewrote its checkpoint's sidecar leaves it empty (docs/operations.md).
      removeEmptyBackendSidecars(stack.backendDir);
      await stack.run(["cancel", "--yes"]);
      await stack.run(["refresh", "--yes", "--clear-pending-creates"]);
      const preview = await stack.run(["preview", "--diff"]);
      const up = await stack.run(UP);
      const after = await chain.closePhase({ generation });
      const stats = monitor.stop();
      const { pods, authenticating } = await drill.podsAuthenticating();
      const noChanges = await stack.run(["preview", "--diff", "--expect-no-changes"]);
      const state = await stack.exportState();
      const known = new Set((state.resources ?? []).map((r) => r.id));
      result.kills.push({
        point,
        generation,
        killedAtPoint,
        previewSteps: previewSteps(preview.stdout),
        converged: up.code === 0,
        ...(up.code !== 0 ? { convergeError: (up.stdout + up.stderr).slice(-2000) } : {}),
        exchanges: after.exchanges - before.exchanges,
        failedExchanges: after.failedExchanges - before.failedExchanges,
        monitor: stats,
        pods,
        podsAuthenticating: authenticating,
        orphans: env.okta.listSecrets(chain.appId).filter((x) => !known.has(x.id)).length,
        pendingOperationsLeft: (state.pending_operations ?? []).length,
        noChangesAfter: noChanges.code === 0,
      });
      before = after;
    }
    return result;
  } finally {
    await chain?.fleet.stop();
    await stack?.dispose();
    await env.stop();
  }
}

/** The drill as lines of text. */
export function formatRealKillDrill(r: RealKillDrillResult): string[] {
  return [
    `Kill drill on the real chain (${r.replicas} pods; SIGKILL of pulumi up, then cancel, refresh --clear-pending-creates, preview, up):`,
    ...r.kills.map(
      (k) =>
        `  ${k.point.padEnd(17)} gen ${k.generation}: killed at the step ${k.killedAtPoint ? "yes" : "NO"}; ` +
        `preview: ${k.previewSteps.join(", ") || "no changes"}; converged ${k.converged ? "yes" : "NO"}; ` +
        `${k.failedExchanges} failed of ${k.exchanges} exchanges; max ${k.monitor.maxOnApp} secrets, ` +
        `min ${k.monitor.minActive} ACTIVE, held-inactive samples ${k.monitor.heldInactiveSamples}; ` +
        `${k.podsAuthenticating} of ${k.pods} pods' credentials authenticate; orphans ${k.orphans}, ` +
        `pending ops ${k.pendingOperationsLeft}; ` +
        `no changes after ${k.noChangesAfter ? "yes" : "NO"}`,
    ),
  ];
}
