// Real delivery under the real engine: the rotation writes a real Vault KV v2 version, rolls a real Deployment
// through the pulumi-kubernetes plugin (awaited), and the pod census holds the retirement until no pod —
// terminating ones included — holds the previous secret. The fleet is the Deployment's pods: each reads Vault
// once when it starts and exchanges tokens until it is gone. With minOverlapSeconds 0 only the ordering can
// keep it at 0 failed exchanges, and the census-off control shows that it is the census that does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROTATION_SCOPE } from "../../local-env/okta";
import {
  ClusterFleet,
  closeFleetPhase,
  createDeployment,
  startLocalEnv,
  type LocalEnv,
} from "../../local-env";
import { kubeGet, kubeRequest } from "../../dynamic/kubeApi";
import { REVISION_ANNOTATION } from "../../components/rollout";
import type { AuditRecord } from "../../components/audit";
import { deploymentPods, ROLLOUT_ANNOTATION } from "../../dynamic/rolloutCensus";
import { kvMetadata, readKv, vaultRequest } from "../../local-env/vault";
import { createStack, setApps, type EngineStack } from "./harness";

const NS = "default";

/**
 * Every pod of `name` on `generation`, no other pod left, and the fleet serving exactly those pods with every
 * stopped pod's last exchange done: the fleet's counts until then.
 */
const settled = (env: LocalEnv, fleet: ClusterFleet, name: string, replicas: number, generation: string) =>
  closeFleetPhase(env.cluster.target, fleet, { namespace: NS, name }, replicas, generation);

describe("real delivery: Vault, the rollout and the pod census (real engine, real Vault, real control plane)", () => {
  let env: LocalEnv;
  let s: EngineStack;
  let fleet: ClusterFleet;
  let appId: string;
  let adoptedId: string;
  const app = (
    generation: number,
    extra: { gates?: Record<string, unknown>; privateKeyJwt?: Record<string, unknown> } = {},
  ) => ({
    name: "billing",
    appId,
    adoptSecretId: adoptedId,
    generation,
    ...(extra.privateKeyJwt ? { privateKeyJwt: extra.privateKeyJwt } : {}),
    vault: { mount: "secret", path: "apps/billing" },
    deployments: [{ namespace: NS, name: "billing" }],
    gates: { tokenExchange: true, scope: ROTATION_SCOPE, minOverlapSeconds: 0, ...extra.gates },
  });

  beforeAll(async () => {
    env = await startLocalEnv({
      okta: { apps: [{ label: "billing" }], rateLimits: { apps: 10_000, app: 10_000 } },
    });
    const okta = env.okta;
    appId = okta.apps[0].id;
    const [adopted] = okta.listSecrets(appId);
    adoptedId = adopted.id;
    const put = await vaultRequest(env.vault, "POST", "secret/data/apps/billing", {
      data: { client_secret: adopted.clientSecret, client_id: okta.apps[0].clientId, secret_id: adopted.id },
    });
    expect(put.status).toBe(200);
    await createDeployment(env.cluster.target, {
      namespace: NS,
      name: "billing",
      replicas: 3,
      terminationGracePeriodSeconds: 2,
    });
    fleet = new ClusterFleet({
      target: env.cluster.target,
      namespace: NS,
      selector: "app=billing",
      vault: { address: env.vault.address, token: env.vault.token, mount: "secret", path: "apps/billing" },
      tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
      scope: ROTATION_SCOPE,
      ratePerPod: 10,
    });
    await fleet.start();
    s = await createStack(`test-delivery-${process.pid}`, env.env);
  }, 300_000);

  afterAll(async () => {
    await fleet?.stop();
    await s?.dispose();
    await env?.stop();
  });

  it("two rotations: each a new Vault version, every pod rolled onto it, the old secret retired with 0 failed exchanges", async () => {
    let audit: AuditRecord | undefined;
    for (const generation of [1, 2]) {
      await setApps(s.stack, [app(generation)]);
      const up = await s.stack.up();
      expect(up.summary.result).toBe("succeeded");
      audit = (up.outputs.rotations?.value as Record<string, { audit: AuditRecord }>).billing.audit;
      // The census let the retirement through only once every pod carried this generation.
      await settled(env, fleet, "billing", 3, `${generation}`);
    }
    const stats = fleet.snapshot();
    expect(stats.exchanges).toBeGreaterThan(100);
    expect(stats.failures).toEqual({});
    expect(stats.failedExchanges).toBe(0);

    // Vault: the first version (before the tool), then one version per rotation; earlier ones still readable.
    const meta = await kvMetadata(env.vault, "secret", "apps/billing");
    expect(meta?.currentVersion).toBe(3);
    const secrets = env.okta.listSecrets(appId);
    const active = secrets.filter((x) => x.status === "ACTIVE");
    const inactive = secrets.filter((x) => x.status === "INACTIVE");
    expect(active).toHaveLength(1);
    expect(inactive).toHaveLength(1);
    expect(secrets.map((x) => x.id)).not.toContain(adoptedId);
    expect((await readKv(env.vault, "secret", "apps/billing", 3))?.data?.secret_id).toBe(active[0].id);
    expect((await readKv(env.vault, "secret", "apps/billing", 2))?.data?.secret_id).toBe(inactive[0].id);
    // Pods started on versions 2 and 3 (and the first pods on version 1).
    expect(Object.keys(stats.podsByVaultVersion).sort()).toEqual(["1", "2", "3"]);
    const pods = await deploymentPods(env.cluster.target, { namespace: NS, name: "billing" });
    expect(pods.map((p) => p.annotations[ROLLOUT_ANNOTATION])).toEqual(["2", "2", "2"]);

    // The audit record of generation 2 matches what Okta, Vault and the Deployment say.
    expect(audit?.credential.id).toBe(active[0].id);
    expect(audit?.vault).toEqual({ mount: "secret", path: "apps/billing", version: 3 });
    const deployment = await kubeGet<{ metadata: { annotations: Record<string, string> } }>(
      env.cluster.target,
      `/apis/apps/v1/namespaces/${NS}/deployments/billing`,
    );
    expect(audit?.rollouts).toEqual([
      { namespace: NS, name: "billing", revision: deployment.metadata.annotations[REVISION_ANNOTATION] },
    ]);
    expect(audit?.gates.map((g) => g.gate)).toEqual(["podCensus", "tokenExchange", "refusal"]);
    const [census, exchange, refusal] = audit!.gates;
    expect(census!.result).toBe("3 pod(s), all on the new generation");
    expect(Date.parse(exchange!.at)).toBeGreaterThanOrEqual(Date.parse(census!.at));
    expect(refusal!.result).toMatch(/invalid_client/);
    expect(audit?.previous?.id).toBe(inactive[0].id);
    expect(Date.parse(audit!.previous!.deactivatedAt!)).toBeGreaterThanOrEqual(Date.parse(census!.at) - 1000);
  }, 600_000);

  it("control: with the census off, pods still terminating on the old secret fail once it is deactivated", async () => {
    const before = fleet.snapshot();
    await setApps(s.stack, [app(3, { gates: { podCensus: false } })]);
    const up = await s.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const after = await settled(env, fleet, "billing", 3, "3");
    expect(after.failedExchanges - before.failedExchanges).toBeGreaterThan(0);
    expect(Object.keys(after.failures).some((k) => /401|invalid_client/.test(k))).toBe(true);
  }, 600_000);

  it("a census that times out fails the run naming the pods, with the previous secret still ACTIVE", async () => {
    // A grace period longer than the census waits: the old pods stay terminating past the timeout.
    await kubePatchGrace(env, 40);
    await settled(env, fleet, "billing", 3, "3");
    const previous = env.okta.listSecrets(appId).find((x) => x.status === "ACTIVE")!;
    await setApps(s.stack, [app(4, { gates: { podCensusTimeoutSeconds: 5 } })]);
    const err = await s.stack.up().then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(err).toMatch(
      /Pod census of app .*: after 5 s, \d pod\(s\) may still hold the previous credential/,
    );
    expect(err).toMatch(/default\/billing-[a-z0-9-]+ \(generation 3, terminating\)/);
    expect(env.okta.listSecrets(appId).find((x) => x.id === previous.id)?.status).toBe("ACTIVE");
    // The next run completes once the old pods are gone.
    await setApps(s.stack, [app(4, { gates: { podCensusTimeoutSeconds: 120 } })]);
    expect((await s.stack.up()).summary.result).toBe("succeeded");
    expect(env.okta.listSecrets(appId).find((x) => x.id === previous.id)?.status).toBe("INACTIVE");
  }, 600_000);

  it("migrates to private_key_jwt and rotates the key on the same chain with 0 failed exchanges", async () => {
    await kubePatchGrace(env, 2);
    const before = await settled(env, fleet, "billing", 3, "4");
    for (const keyGeneration of [1, 2]) {
      await setApps(s.stack, [app(4, { privateKeyJwt: { enabled: true, keyGeneration } })]);
      const up = await s.stack.up();
      expect(up.summary.result).toBe("succeeded");
      await settled(env, fleet, "billing", 3, `key-${keyGeneration}`);
    }
    const after = fleet.snapshot();
    expect(after.exchanges - before.exchanges).toBeGreaterThan(100);
    expect(after.failedExchanges - before.failedExchanges).toBe(0);
    const keys = env.okta.listKeys(appId);
    expect(keys.filter((k) => k.status === "ACTIVE")).toHaveLength(1);
    expect(keys.length).toBeLessThanOrEqual(2);
    // The pods started on the version holding the ACTIVE key.
    const latest = await readKv(env.vault, "secret", "apps/billing");
    expect(latest?.data?.kid).toBe(keys.find((k) => k.status === "ACTIVE")?.kid);
  }, 600_000);
});

/** Sets the Deployment's pod termination grace period (itself a rollout, awaited here). */
async function kubePatchGrace(env: LocalEnv, seconds: number): Promise<void> {
  await kubeRequest(env.cluster.target, "PATCH", `/apis/apps/v1/namespaces/${NS}/deployments/billing`, {
    spec: { template: { spec: { terminationGracePeriodSeconds: seconds } } },
  });
}
