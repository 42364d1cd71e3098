// The local environment: the local Okta, a Vault dev server and a Kubernetes control plane with one kwok node,
// all on loopback, started together and stopped together (also on Ctrl-C or a failed test).

import * as path from "node:path";
import { kubeGet, kubeRequest, type KubeTarget } from "../dynamic/kubeApi";
import { deploymentPods, holdersOfOlder, type DeploymentRef } from "../dynamic/rolloutCensus";
import { startCluster, type Cluster } from "./cluster";
import type { ClusterFleet, ClusterFleetStats } from "./fleet";
import { startOktaLocal, type OktaLocal, type OktaLocalOptions } from "./okta";
import { startVault, type VaultDev } from "./vault";
import { oktaPluginPath } from "./okta-plugin";
import { vaultPluginPath } from "./vault-plugin";

export { startCluster, type Cluster } from "./cluster";
export { ClusterFleet, type ClusterFleetStats } from "./fleet";

export interface LocalEnv {
  okta: OktaLocal;
  vault: VaultDev;
  cluster: Cluster;
  /**
   * The environment a `pulumi` run against it needs: the Okta org and API token (for this project's resources and,
   * as OKTA_HTTP_PROXY / OKTA_ORG_NAME, for @pulumi/okta's provider), Vault's address and token, the kubeconfig,
   * and PATH with the stand-in plugins first (each unless its official plugin is installed).
   */
  env: Record<string, string>;
  /**
   * Whether the engine uses the stand-in Vault plugin
   * (docs/local-environment.md#vault-in-the-local-environment).
   */
  vaultStandIn: boolean;
  /**
   * Whether the engine uses the stand-in okta plugin
   * (docs/local-environment.md#oktaappoauth-in-the-local-environment).
   */
  oktaStandIn: boolean;
  stop(): Promise<void>;
}

export interface LocalEnvOptions {
  okta?: OktaLocalOptions;
  log?: (line: string) => void;
}

/** Starts the local Okta, Vault and the cluster (in parallel) and waits until each is ready. */
export async function startLocalEnv(options: LocalEnvOptions = {}): Promise<LocalEnv> {
  const log = options.log ?? (() => undefined);
  const [okta, vault, cluster] = await Promise.allSettled([
    startOktaLocal(options.okta ?? {}),
    startVault(),
    startCluster({ log }),
  ]);
  const stops: (() => Promise<void>)[] = [];
  if (okta.status === "fulfilled") stops.push(() => okta.value.close());
  if (vault.status === "fulfilled") stops.push(() => vault.value.stop());
  if (cluster.status === "fulfilled") stops.push(() => cluster.value.stop());
  const stop = async () => {
    await Promise.allSettled(stops.map((s) => s()));
  };
  if (okta.status !== "fulfilled" || vault.status !== "fulfilled" || cluster.status !== "fulfilled") {
    await stop();
    const failed = [okta, vault, cluster].find((r) => r.status === "rejected") as PromiseRejectedResult;
    throw failed.reason;
  }
  log(`Okta on ${okta.value.orgUrl}; Vault on ${vault.value.address}`);
  const vaultPlugin = vaultPluginPath();
  const oktaPlugin = oktaPluginPath();
  const plugins = [oktaPlugin, vaultPlugin].filter((p): p is string => p !== undefined);
  const env: Record<string, string> = {
    OKTA_ORG_URL: okta.value.orgUrl,
    OKTA_API_TOKEN: okta.value.apiToken,
    // @pulumi/okta's provider (official or stand-in): http_proxy replaces the org URL built from the org name,
    // which it still wants set (okta-plugin/config.ts). This project's own resources prefer OKTA_ORG_URL.
    OKTA_HTTP_PROXY: okta.value.orgUrl,
    OKTA_ORG_NAME: "local",
    VAULT_ADDR: vault.value.address,
    VAULT_TOKEN: vault.value.token,
    KUBECONFIG: cluster.value.kubeconfigPath,
    ...(plugins.length > 0 ? { PATH: [...plugins, process.env.PATH ?? ""].join(path.delimiter) } : {}),
  };
  return {
    okta: okta.value,
    vault: vault.value,
    cluster: cluster.value,
    env,
    vaultStandIn: vaultPlugin !== undefined,
    oktaStandIn: oktaPlugin !== undefined,
    stop,
  };
}

export interface DemoDeployment {
  namespace: string;
  name: string;
  replicas: number;
  /** How long a terminating pod keeps running (its containers' termination grace period). */
  terminationGracePeriodSeconds: number;
}

/**
 * A Deployment of pods on the kwok node, labelled `app=<name>`, rolling one pod at a time (maxSurge 1,
 * maxUnavailable 0) as a service that must not lose capacity does.
 */
export async function createDeployment(target: KubeTarget, d: DemoDeployment): Promise<void> {
  await kubeRequest(target, "POST", `/apis/apps/v1/namespaces/${d.namespace}/deployments`, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: d.name, namespace: d.namespace },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: { app: d.name } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: d.name } },
        spec: {
          terminationGracePeriodSeconds: d.terminationGracePeriodSeconds,
          nodeSelector: { type: "kwok" },
          containers: [{ name: "app", image: "registry.invalid/app:1" }],
        },
      },
    },
  });
  await waitDeploymentAvailable(target, d.namespace, d.name, 120_000);
}

interface DeploymentStatus {
  metadata: { generation: number };
  spec: { replicas: number };
  status?: {
    observedGeneration?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    replicas?: number;
  };
}

/** Waits until every replica is updated and available, and no old one is left. */
export async function waitDeploymentAvailable(
  target: KubeTarget,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await kubeGet<DeploymentStatus>(
      target,
      `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
    );
    const s = d.status ?? {};
    if (
      s.observedGeneration === d.metadata.generation &&
      s.updatedReplicas === d.spec.replicas &&
      s.availableReplicas === d.spec.replicas &&
      s.replicas === d.spec.replicas
    ) {
      return;
    }
    if (Date.now() > deadline)
      throw new Error(`Deployment ${namespace}/${name} not available: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Waits until the Deployment has exactly `replicas` pods, each carrying `generation` as its rollout annotation, and
 * no other pod is left, terminating or not: the end of a rotation as the pods see it.
 */
export async function waitPodsSettled(
  target: KubeTarget,
  deployment: DeploymentRef,
  replicas: number,
  generation: string,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = await deploymentPods(target, deployment);
    if (pods.length === replicas && holdersOfOlder(pods, generation).length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the pods of ${deployment.namespace}/${deployment.name} did not settle on ${generation}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Closes a phase of the fleet's count: waits until the Deployment's pods settle (waitPodsSettled), then until the
 * fleet serves exactly those pods and the stopped pods' last exchanges are done. Returns the counts until then.
 */
export async function closeFleetPhase(
  target: KubeTarget,
  fleet: ClusterFleet,
  deployment: DeploymentRef,
  replicas: number,
  generation: string,
): Promise<ClusterFleetStats> {
  await waitPodsSettled(target, deployment, replicas, generation);
  const pods = await deploymentPods(target, deployment);
  return fleet.closePhase(pods.map((p) => p.name));
}
