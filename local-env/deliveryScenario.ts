// Rotations under the real engine on the real chain, while the Deployment's pods exchange tokens: the scenario
// `npm run demo` prints and `npm run drill` measures. Each phase is one `pulumi up` of this project's program;
// its failed exchanges are counted until every pod carries the new generation and no other pod is left.

import { ClusterFleet, type ClusterFleetStats } from "./fleet";
import { closeFleetPhase, createDeployment, startLocalEnv, type LocalEnv } from ".";
import { ROTATION_SCOPE } from "./okta";
import { createStack, setApps } from "./stack";
import { vaultRequest } from "./vault";

export interface DeliveryPhase {
  generation: number;
  what: string;
  /** Do not await the rollout (`pulumi.com/skipAwait`). */
  skipAwait?: boolean;
  /** The pod census (default on). */
  podCensus?: boolean;
  revoke?: boolean;
  /** Migrate to private_key_jwt (1) or rotate the key (2, 3, …) instead of the secret. */
  keyGeneration?: number;
  /** A control: it must lose exchanges (the ordering it switches off is what prevents that). */
  control?: boolean;
}

export const DEFAULT_PHASES: readonly DeliveryPhase[] = [
  { generation: 1, what: "rotation (adopts the app's secret)" },
  { generation: 2, what: "rotation" },
  { generation: 3, what: "emergency revoke", revoke: true },
  {
    generation: 4,
    what: "control: rollout not awaited, census off",
    skipAwait: true,
    podCensus: false,
    control: true,
  },
  { generation: 5, what: "control: census off", podCensus: false, control: true },
  { generation: 5, keyGeneration: 1, what: "migration to private_key_jwt" },
  { generation: 5, keyGeneration: 2, what: "key rotation" },
];

export interface DeliveryOptions {
  replicas: number;
  terminationGracePeriodSeconds: number;
  ratePerPod: number;
  phases?: readonly DeliveryPhase[];
  log?: (line: string) => void;
}

export interface PhaseResult {
  generation: number;
  keyGeneration?: number;
  what: string;
  control: boolean;
  result: string;
  upSeconds: number;
  exchanges: number;
  failedExchanges: number;
  /** With revoke: seconds from the up's start to Okta refusing the leaked secret, and to its deletion. */
  refusedSeconds?: number;
  deletedSeconds?: number;
  /** This phase's failures: pod, the KV version it read, when, why (no credential). */
  failures: { pod: string; vaultVersion: number; atSeconds: number; reason: string }[];
}

export interface DeliveryResult {
  /** Pods the Deployment runs (each one of the fleet's clients). */
  replicas: number;
  /** Exchanges per second the fleet made, over all phases. */
  achievedRate: number;
  /** Failed exchanges in the rotations (must be 0) and in the controls (must be more). */
  rotationFailedExchanges: number;
  controlFailedExchanges: number;
  terminationGracePeriodSeconds: number;
  vaultStandIn: boolean;
  phases: PhaseResult[];
  failures: Record<string, number>;
  /** Rotations (not controls) with 0 failed exchanges, and controls with some: the scenario's verdict. */
  ok: boolean;
}

const NAMESPACE = "default";
const NAME = "demo-service";

/** Starts the local environment, runs the phases, stops everything. */
export async function runDeliveryScenario(o: DeliveryOptions): Promise<DeliveryResult> {
  const log = o.log ?? (() => undefined);
  const env = await startLocalEnv({
    okta: { apps: [{ label: NAME }], rateLimits: { apps: 10_000, app: 10_000 } },
    log: (l) => log(`  ${l}`),
  });
  try {
    return await run(env, o, log);
  } finally {
    await env.stop();
  }
}

/** The chain a scenario runs on: the app's Deployment and its pods as the fleet, and the app's stack config. */
export interface Chain {
  fleet: ClusterFleet;
  appId: string;
  /** The app's entry in the stack's `apps` for a phase. */
  appConfig(phase: Omit<DeliveryPhase, "what">): Record<string, unknown>;
  /** Closes the fleet's count of a phase once the pods settle on it (closeFleetPhase). */
  closePhase(phase: Omit<DeliveryPhase, "what">): Promise<ClusterFleetStats>;
}

/**
 * Sets up the chain on a started environment: the app's secret in Vault (as before the tool), a Deployment of
 * `replicas` pods that read it at start, and the fleet exchanging tokens for each pod.
 */
export async function startChain(
  env: LocalEnv,
  o: Pick<DeliveryOptions, "replicas" | "terminationGracePeriodSeconds" | "ratePerPod">,
): Promise<Chain> {
  const app = env.okta.apps[0];
  const adopted = env.okta.listSecrets(app.id)[0];
  // Before the tool: the app's secret is in Vault, and the Deployment's pods read it at start.
  const put = await vaultRequest(env.vault, "POST", `secret/data/apps/${NAME}`, {
    data: { client_secret: adopted.clientSecret, client_id: app.clientId, secret_id: adopted.id },
  });
  if (!put.ok) throw new Error(`writing the app's first Vault version: HTTP ${put.status}`);
  await createDeployment(env.cluster.target, {
    namespace: NAMESPACE,
    name: NAME,
    replicas: o.replicas,
    terminationGracePeriodSeconds: o.terminationGracePeriodSeconds,
  });
  const fleet = new ClusterFleet({
    target: env.cluster.target,
    namespace: NAMESPACE,
    selector: `app=${NAME}`,
    vault: { address: env.vault.address, token: env.vault.token, mount: "secret", path: `apps/${NAME}` },
    tokenUrl: `${env.okta.orgUrl}/oauth2/default/v1/token`,
    scope: ROTATION_SCOPE,
    ratePerPod: o.ratePerPod,
  });
  await fleet.start();
  return {
    fleet,
    appId: app.id,
    appConfig: (phase) => ({
      name: NAME,
      appId: app.id,
      adoptSecretId: adopted.id,
      generation: phase.generation,
      ...(phase.revoke ? { revoke: true } : {}),
      ...(phase.keyGeneration
        ? { privateKeyJwt: { enabled: true, keyGeneration: phase.keyGeneration } }
        : {}),
      vault: { mount: "secret", path: `apps/${NAME}` },
      deployments: [{ namespace: NAMESPACE, name: NAME, skipAwait: phase.skipAwait ?? false }],
      gates: {
        tokenExchange: true,
        scope: ROTATION_SCOPE,
        minOverlapSeconds: 0,
        podCensus: phase.podCensus ?? true,
      },
    }),
    closePhase: (phase) =>
      closeFleetPhase(
        env.cluster.target,
        fleet,
        { namespace: NAMESPACE, name: NAME },
        o.replicas,
        phase.keyGeneration ? `key-${phase.keyGeneration}` : `${phase.generation}`,
      ),
  };
}

async function run(env: LocalEnv, o: DeliveryOptions, log: (line: string) => void): Promise<DeliveryResult> {
  if (env.vaultStandIn)
    log(
      "Vault resources go through the local stand-in plugin " +
        "(docs/local-environment.md#vault-in-the-local-environment)",
    );
  const chain = await startChain(env, o);
  const { fleet } = chain;
  log(
    `${o.replicas} pods (termination grace ${o.terminationGracePeriodSeconds} s), each exchanging ` +
      `${o.ratePerPod} tokens/s with the secret it read from Vault at start`,
  );
  const stack = await createStack(`delivery-${process.pid}`, env.env);
  const phases: PhaseResult[] = [];
  let measured = { from: 0, until: 0 };
  let stats: ClusterFleetStats;
  try {
    let before = fleet.snapshot();
    measured = { from: Date.now(), until: Date.now() };
    for (const phase of o.phases ?? DEFAULT_PHASES) {
      await setApps(stack.stack, [chain.appConfig(phase)]);
      const label = phase.keyGeneration
        ? `key generation ${phase.keyGeneration}`
        : `generation ${phase.generation}`;
      log(`pulumi up: ${label}, ${phase.what}`);
      const started = Date.now();
      const up = await stack.stack.up();
      const upSeconds = (Date.now() - started) / 1000;
      // Count this phase's failures until every pod holds the new secret, no other pod is left, and the fleet
      // serves exactly those pods with every stopped pod's last exchange done.
      const after = await chain.closePhase(phase);
      const result: PhaseResult = {
        generation: phase.generation,
        ...(phase.keyGeneration ? { keyGeneration: phase.keyGeneration } : {}),
        what: phase.what,
        control: phase.control ?? false,
        result: up.summary.result,
        upSeconds,
        exchanges: after.exchanges - before.exchanges,
        failedExchanges: after.failedExchanges - before.failedExchanges,
        failures: after.firstFailures.slice(before.firstFailures.length).map((f) => ({
          pod: f.pod,
          vaultVersion: f.vaultVersion,
          atSeconds: (f.at - started) / 1000,
          reason: f.reason,
        })),
      };
      if (phase.revoke) {
        const previous = (
          up.outputs.rotations?.value as Record<string, { previous?: Record<string, string> }>
        )[NAME]?.previous;
        if (previous?.refusedAt) result.refusedSeconds = (Date.parse(previous.refusedAt) - started) / 1000;
        if (previous?.revokedAt) result.deletedSeconds = (Date.parse(previous.revokedAt) - started) / 1000;
      }
      phases.push(result);
      log(
        `pulumi up: ${label} ${up.summary.result} in ${upSeconds.toFixed(1)} s; ` +
          `${result.failedExchanges} failed of ${result.exchanges} exchanges`,
      );
      before = after;
      measured.until = Date.now();
    }
  } finally {
    stats = await fleet.stop();
    await stack.dispose();
  }
  const ok =
    phases.length === (o.phases ?? DEFAULT_PHASES).length &&
    phases.every(
      (p) => p.result === "succeeded" && (p.control ? p.failedExchanges > 0 : p.failedExchanges === 0),
    );
  const sum = (control: boolean) =>
    phases.filter((p) => p.control === control).reduce((n, p) => n + p.failedExchanges, 0);
  return {
    replicas: o.replicas,
    achievedRate: Math.round(
      phases.reduce((n, p) => n + p.exchanges, 0) / Math.max(0.001, (measured.until - measured.from) / 1000),
    ),
    rotationFailedExchanges: sum(false),
    controlFailedExchanges: sum(true),
    terminationGracePeriodSeconds: o.terminationGracePeriodSeconds,
    vaultStandIn: env.vaultStandIn,
    phases,
    failures: stats.failures,
    ok,
  };
}

/** The phases as a table, one line each. */
export function formatDelivery(r: DeliveryResult): string[] {
  const lines = [
    "generation  what                                        up (s)  exchanges  failed",
    ...r.phases.map(
      (p) =>
        `${(p.keyGeneration ? `key ${p.keyGeneration}` : String(p.generation)).padStart(10)}  ${p.what.padEnd(42)}  ${p.upSeconds.toFixed(1).padStart(6)}  ` +
        `${String(p.exchanges).padStart(9)}  ${String(p.failedExchanges).padStart(6)}` +
        (p.refusedSeconds !== undefined
          ? `  (leaked secret refused after ${p.refusedSeconds.toFixed(1)} s)`
          : ""),
    ),
  ];
  lines.push(
    `${r.replicas} pods, ${r.achievedRate} exchanges/s; failed: rotations ${r.rotationFailedExchanges}, ` +
      `controls ${r.controlFailedExchanges}`,
  );
  for (const [why, n] of Object.entries(r.failures)) lines.push(`failure ×${n}: ${why}`);
  // A rotation should lose nothing: say where and when it did.
  for (const p of r.phases.filter((x) => !x.control && x.failedExchanges > 0)) {
    for (const f of p.failures.slice(0, 5)) {
      lines.push(
        `  ${p.what}: pod ${f.pod} (Vault version ${f.vaultVersion}) failed ${f.atSeconds.toFixed(1)} s into ` +
          `the up: ${f.reason}`,
      );
    }
  }
  return lines;
}
