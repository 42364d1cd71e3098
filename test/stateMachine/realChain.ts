// The state-machine test's engine layer on the real chain: the same steps as engine.ts (a real `pulumi preview`
// then `pulumi up` of this program) with a real Vault and a real Kubernetes control plane (kwok pods), as
// test/engine/realDelivery.test.ts runs them. Two apps deliver to Vault and roll Deployments; the commands bump,
// skip a generation, revoke (with and without a bump), roll back and forth, migrate to private_key_jwt and bump the
// key, change its algorithm, go back to a client secret, add a Deployment to an app's list (one another app lists
// too: shared), remove one, reorder them, delete an INACTIVE secret in Okta and refresh, rotate under 5xx answers,
// and kill an up at a random moment.
//
// Every Deployment an app lists runs pods that hold the app's credential as Vault delivered it: for each (app,
// Deployment) pair a ClusterFleet reads the app's Vault entry when a pod starts and exchanges tokens with it
// until the pod is gone. After every step, on top of engine.ts's checks: no pod's exchange failed at any moment
// of the step, and, once the Deployments settle, the credential each pod holds, read back from the Vault version
// that pod read, gets a token from the Okta; and removing or reordering an app's Deployments rolls no pod (but a
// Deployment no longer shared, whose remaining app's annotations move back to the plain keys). A
// Deployment removed from an app's list stops holding that app's credential (its team no longer uses it there):
// its pods' exchanges count until that step's end.
import fc from "fast-check";
import { createTokenClient, credentialsFromEntry } from "../../client";
import { deploymentPods } from "../../dynamic/rolloutCensus";
import {
  ClusterFleet,
  createDeployment,
  startLocalEnv,
  waitDeploymentAvailable,
  type LocalEnv,
} from "../../local-env";
import { ROTATION_SCOPE } from "../../local-env/okta";
import { readKv, vaultRequest } from "../../local-env/vault";
import { createStack } from "../engine/harness";
import {
  Burst,
  Edit,
  OutOfBand,
  keyEdits,
  killedUp,
  secretEdits,
  must,
  nextRotation,
  runLayer,
  step,
  type EngineApp,
  type EngineModel,
  type EngineReal,
  type LayerRun,
  type StepOptions,
} from "./engine";

const NS = "default";
const APPS = ["alpha", "beta"] as const;
/** The Deployments: the apps start on the first two; `batch` is listed by none until a command adds it. */
export const DEPLOYMENTS = ["web", "worker", "batch"] as const;
const REPLICAS = 2;
const MOUNT = "secret";
const entryPath = (app: string) => `apps/${app}`;

interface Holder {
  app: string;
  deployment: string;
  fleet: ClusterFleet;
}

export interface ChainReal extends EngineReal {
  env: LocalEnv;
  /** The pods' holders of each (app, Deployment) pair the config lists, by `app|deployment`. */
  holders: Map<string, Holder>;
  /** Each Deployment's pods as the last step left them. */
  pods: Map<string, string[]>;
  /** Token exchanges the pods made, and how many failed, all steps together (counted as holders stop). */
  exchanges: number;
  failedExchanges: number;
}

/** The names of the Deployment's pods once it has settled: every replica updated and available, none terminating. */
async function settledPods(env: LocalEnv, name: string): Promise<string[]> {
  await waitDeploymentAvailable(env.cluster.target, NS, name, 180_000);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const pods = await deploymentPods(env.cluster.target, { namespace: NS, name });
    if (pods.length === REPLICAS && pods.every((p) => !p.terminating)) return pods.map((p) => p.name);
    must(Date.now() < deadline, `the pods of ${NS}/${name} did not settle: ${JSON.stringify(pods)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function startHolder(env: LocalEnv, app: string, deployment: string): Promise<Holder> {
  const fleet = new ClusterFleet({
    target: env.cluster.target,
    namespace: NS,
    selector: `app=${deployment}`,
    vault: { address: env.vault.address, token: env.vault.token, mount: MOUNT, path: entryPath(app) },
    tokenUrl: `${env.okta.orgUrl}/oauth2/default/v1/token`,
    scope: ROTATION_SCOPE,
    ratePerPod: 1,
  });
  await fleet.start();
  return { app, deployment, fleet };
}

/** How many of `apps` list Deployment `d`. */
const listing = (apps: readonly EngineApp[], d: string) =>
  apps.filter((a) => (a.deployments ?? []).includes(d)).length;

/** The real chain's checks after a step (see the file's head). */
async function checkPods(
  m: EngineModel,
  r: ChainReal,
  what: string,
  opts: StepOptions,
  before: readonly EngineApp[],
): Promise<void> {
  const settled = new Map<string, string[]>();
  for (const d of DEPLOYMENTS) settled.set(d, await settledPods(r.env, d));
  if (opts.noRollout) {
    for (const d of DEPLOYMENTS) {
      // A Deployment listed by one app again: that app's annotations move back from keys of its own
      // (`<app>.okta-rotation/…`) to the plain ones, one rollout (docs/operations.md, "Changing the stack safely").
      if (listing(before, d) > 1 && listing(m.apps, d) === 1) continue;
      must(
        JSON.stringify(settled.get(d)) === JSON.stringify(r.pods.get(d)),
        `${what}: rolled ${d} (pods ${JSON.stringify(r.pods.get(d))} → ${JSON.stringify(settled.get(d))})`,
      );
    }
  }
  r.pods = settled;
  // What the pods held during the step: no exchange failed.
  for (const [key, h] of r.holders) {
    const stats = await h.fleet.closePhase(settled.get(h.deployment)!);
    must(
      stats.failedExchanges === 0,
      `${what}: ${stats.failedExchanges} of ${stats.exchanges} exchanges failed on the pods of ` +
        `${h.deployment} with ${h.app}'s credential: ${JSON.stringify(stats.failures)}; first: ` +
        JSON.stringify(stats.firstFailures.slice(0, 3)),
    );
    if (!m.apps.some((a) => a.name === h.app && (a.deployments ?? []).includes(h.deployment))) {
      count(r, await h.fleet.stop());
      r.holders.delete(key);
    }
  }
  for (const a of m.apps) {
    for (const d of a.deployments ?? []) {
      const key = `${a.name}|${d}`;
      if (!r.holders.has(key)) {
        const h = await startHolder(r.env, a.name, d);
        r.holders.set(key, h);
        await h.fleet.closePhase(settled.get(d)!);
      }
    }
  }
  // What each pod holds now, read back from the Vault version it read, authenticates.
  for (const h of r.holders.values()) {
    for (const [pod, version] of Object.entries(h.fleet.servedVersions())) {
      const entry = await readKv(r.env.vault, MOUNT, entryPath(h.app), version);
      must(entry?.data !== undefined, `${what}: Vault has no version ${version} of ${h.app}'s entry`);
      const data = entry!.data as Record<string, string>;
      const client = createTokenClient({
        tokenUrl: `${r.okta.orgUrl}/oauth2/default/v1/token`,
        clientId: String(data.client_id),
        credentials: credentialsFromEntry(data),
        scope: ROTATION_SCOPE,
        retries: 0,
      });
      const err = await client.exchange().then(
        () => undefined,
        (e: unknown) => String(e),
      );
      must(
        err === undefined,
        `${what}: pod ${pod} of ${h.deployment} holds ${h.app}'s credential from Vault version ${version} ` +
          `(${data.secret_id ?? data.kid}), which does not authenticate: ${err}`,
      );
    }
  }
}

function count(r: ChainReal, stats: { exchanges: number; failedExchanges: number }): void {
  r.exchanges += stats.exchanges;
  r.failedExchanges += stats.failedExchanges;
}

type Cmd = fc.AsyncCommand<EngineModel, ChainReal>;

const app = fc.integer({ min: 0, max: APPS.length - 1 });
const deployment = fc.constantFrom(...DEPLOYMENTS);

/**
 * The real chain's commands: rotations, revokes and rollbacks, key operations, Deployment edits, an INACTIVE secret
 * deleted out of band, a rotation under 5xx answers, a killed up.
 */
export const realChainCommands: fc.Arbitrary<Cmd>[] = [
  app.map((i) => new Edit("bump", (a) => nextRotation(a), i)),
  fc
    .tuple(app, deployment)
    .map(
      ([i, d]) =>
        new Edit(
          `add Deployment ${d}`,
          (a) =>
            (a.deployments ?? []).includes(d) ? undefined : { ...a, deployments: [...a.deployments!, d] },
          i,
        ),
    ),
  fc
    .tuple(app, deployment)
    .map(
      ([i, d]) =>
        new Edit(
          `remove Deployment ${d}`,
          (a) =>
            (a.deployments ?? []).includes(d)
              ? { ...a, deployments: a.deployments!.filter((x) => x !== d) }
              : undefined,
          i,
          { noRollout: true },
        ),
    ),
  app.map(
    (i) =>
      new Edit(
        "reorder Deployments",
        (a) =>
          (a.deployments ?? []).length < 2 ? undefined : { ...a, deployments: [...a.deployments!].reverse() },
        i,
        { noRollout: true },
      ),
  ),
  ...secretEdits(app),
  ...keyEdits(app),
  app.map((i) => new OutOfBand(i)),
  fc.constant(new Burst("5xx")),
  killedUp(app, 1500),
];

/**
 * A local Okta with two apps, each with the secret it had before the tool (in Vault, read by the pods of its
 * Deployment), a real Vault and cluster running three Deployments of two pods, and a stack onboarding both apps at
 * generation 1 (the first up of the sequence).
 */
export async function realChainSetup(
  name: string,
  log: (line: string) => void,
): Promise<ChainReal & { model: EngineModel }> {
  const env = await startLocalEnv({
    okta: { apps: APPS.map((label) => ({ label })), rateLimits: { apps: 10_000, app: 10_000 } },
  });
  const holders = new Map<string, Holder>();
  try {
    const apps: EngineApp[] = [];
    for (const [i, label] of APPS.entries()) {
      const okta = env.okta.apps[i]!;
      const adopted = env.okta.listSecrets(okta.id)[0]!;
      const put = await vaultRequest(env.vault, "POST", `${MOUNT}/data/${entryPath(label)}`, {
        data: { client_secret: adopted.clientSecret, client_id: okta.clientId, secret_id: adopted.id },
      });
      if (!put.ok) throw new Error(`writing ${label}'s first Vault version: HTTP ${put.status}`);
      apps.push({
        name: label,
        appId: okta.id,
        generation: 1,
        adoptSecretId: adopted.id,
        vault: { mount: MOUNT, path: entryPath(label) },
        deployments: [DEPLOYMENTS[i]!],
      });
    }
    for (const d of DEPLOYMENTS) {
      await createDeployment(env.cluster.target, {
        namespace: NS,
        name: d,
        replicas: REPLICAS,
        terminationGracePeriodSeconds: 1,
      });
    }
    for (const a of apps) {
      for (const d of a.deployments!) holders.set(`${a.name}|${d}`, await startHolder(env, a.name, d));
    }
    const stack = await createStack(name, env.env);
    const real: ChainReal = {
      okta: env.okta,
      stack,
      log,
      steps: 0,
      kills: 0,
      env,
      holders,
      pods: new Map(),
      exchanges: 0,
      failedExchanges: 0,
    };
    real.afterStep = (m, what, opts, before) => checkPods(m, real, what, opts, before);
    const model: EngineModel = { apps: [] };
    await step(model, real, apps, "onboard both apps at generation 1, adopting their secrets");
    return { ...real, model };
  } catch (err) {
    await Promise.allSettled([...holders.values()].map((h) => h.fleet.stop()));
    await env.stop();
    throw err;
  }
}

export async function realChainTeardown(r: ChainReal): Promise<void> {
  for (const h of r.holders.values()) count(r, await h.fleet.stop());
  r.log(`  the pods made ${r.exchanges} token exchanges, ${r.failedExchanges} failed`);
  await r.stack.dispose();
  await r.env.stop();
}

/** The engine layer on the real chain: `runs` sequences of up to `maxCommands` steps from `seed`. */
export function runRealChainLayer(
  seed: number,
  runs: number,
  maxCommands: number,
  log: (line: string) => void,
  path?: string,
  size?: fc.SizeForArbitrary,
): Promise<LayerRun> {
  return runLayer(
    {
      commands: realChainCommands,
      setup: realChainSetup,
      teardown: realChainTeardown,
      replay: "--engine --real-chain",
    },
    seed,
    runs,
    maxCommands,
    log,
    path,
    size,
  );
}
