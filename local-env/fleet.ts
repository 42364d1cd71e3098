// The fleet: one token client per pod the cluster runs. Like an app whose Vault Agent init container fetched
// its credential, each pod's client reads the KV v2 entry once, when the pod appears, and never again; it
// exchanges tokens until the pod object is gone — after its termination grace period, which a terminating pod
// spends still running on what it read. So a credential retired while any pod still holds it shows up as
// failed exchanges, and nothing hands the fleet a new credential but a rollout.

import { createTokenClient, credentialsFromEntry, type TokenClient } from "../client";
import { kubeGet, type KubeTarget } from "../dynamic/kubeApi";
import { readKv } from "./vault";

export interface VaultSource {
  address: string;
  token: string;
  mount: string;
  path: string;
}

export interface ClusterFleetOptions {
  target: KubeTarget;
  namespace: string;
  /** The pods to serve, as a labelSelector (e.g. `app=demo`). */
  selector: string;
  vault: VaultSource;
  tokenUrl: string;
  scope?: string;
  /** Token exchanges per second, per pod. */
  ratePerPod: number;
  /** How often the pod list is read (ms). */
  pollMs?: number;
}

export interface FleetFailure {
  pod: string;
  /** The KV version the pod read. */
  vaultVersion: number;
  /** When (ms since epoch). */
  at: number;
  reason: string;
}

export interface ClusterFleetStats {
  exchanges: number;
  failedExchanges: number;
  /** Failure descriptions counted; never containing a credential. */
  failures: Record<string, number>;
  /** The failures (the first 1,000), with the pod and the KV version it held. */
  firstFailures: FleetFailure[];
  /** Pods served, by the KV version they read. */
  podsByVaultVersion: Record<number, number>;
}

interface PodClient {
  name: string;
  vaultVersion: number;
  running: boolean;
  loop: Promise<void>;
}

interface PodItem {
  metadata: { uid: string; name: string };
  spec?: { nodeName?: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ClusterFleet {
  private readonly pods = new Map<string, PodClient>();
  private polling = false;
  private pollLoop?: Promise<void>;
  private readonly stats: ClusterFleetStats = {
    exchanges: 0,
    failedExchanges: 0,
    failures: {},
    firstFailures: [],
    podsByVaultVersion: {},
  };

  constructor(private readonly opts: ClusterFleetOptions) {}

  /** Starts serving the pods there are now, and every pod that appears later. */
  async start(): Promise<void> {
    await this.poll();
    this.polling = true;
    this.pollLoop = (async () => {
      while (this.polling) {
        await sleep(this.opts.pollMs ?? 200);
        try {
          await this.poll();
        } catch {
          // The API server is briefly unreachable: the pods keep running, the next poll catches up.
        }
      }
    })();
  }

  /** Pods being served now. */
  get size(): number {
    return this.pods.size;
  }

  private async poll(): Promise<void> {
    const list = await kubeGet<{ items: PodItem[] }>(
      this.opts.target,
      `/api/v1/namespaces/${this.opts.namespace}/pods?labelSelector=${encodeURIComponent(this.opts.selector)}`,
    );
    const seen = new Set<string>();
    for (const item of list.items) {
      seen.add(item.metadata.uid);
      // A pod runs (and its init container reads Vault) once it is scheduled on a node.
      if (!this.pods.has(item.metadata.uid) && item.spec?.nodeName) {
        await this.startPod(item.metadata.uid, item.metadata.name);
      }
    }
    for (const [uid, pod] of this.pods) {
      if (!seen.has(uid)) {
        pod.running = false;
        this.pods.delete(uid);
      }
    }
  }

  private async startPod(uid: string, name: string): Promise<void> {
    const v = this.opts.vault;
    const entry = await readKv(v, v.mount, v.path);
    if (!entry?.data) throw new Error(`the pod ${name} found no credential in Vault at ${v.mount}/${v.path}`);
    const data = entry.data as Record<string, string>;
    const client = createTokenClient({
      tokenUrl: this.opts.tokenUrl,
      clientId: String(data.client_id),
      credentials: credentialsFromEntry(data),
      ...(this.opts.scope ? { scope: this.opts.scope } : {}),
      // A refused credential is a failure, not something to retry away.
      retries: 0,
    });
    this.stats.podsByVaultVersion[entry.version] = (this.stats.podsByVaultVersion[entry.version] ?? 0) + 1;
    const pod: PodClient = { name, vaultVersion: entry.version, running: true, loop: Promise.resolve() };
    pod.loop = this.run(pod, client);
    this.pods.set(uid, pod);
  }

  private async run(pod: PodClient, client: TokenClient): Promise<void> {
    const interval = 1000 / this.opts.ratePerPod;
    // Spread the pods' exchanges over the interval.
    await sleep(Math.random() * interval);
    while (pod.running) {
      const started = Date.now();
      this.stats.exchanges++;
      try {
        await client.exchange();
      } catch (err) {
        this.stats.failedExchanges++;
        const reason = describe(err);
        this.stats.failures[reason] = (this.stats.failures[reason] ?? 0) + 1;
        if (this.stats.firstFailures.length < 1000) {
          this.stats.firstFailures.push({
            pod: pod.name,
            vaultVersion: pod.vaultVersion,
            at: Date.now(),
            reason,
          });
        }
      }
      await sleep(Math.max(0, interval - (Date.now() - started)));
    }
  }

  /** The counts so far (a copy). */
  snapshot(): ClusterFleetStats {
    return {
      ...this.stats,
      failures: { ...this.stats.failures },
      firstFailures: [...this.stats.firstFailures],
      podsByVaultVersion: { ...this.stats.podsByVaultVersion },
    };
  }

  /** Stops every pod's client and returns the counts. */
  async stop(): Promise<ClusterFleetStats> {
    this.polling = false;
    await this.pollLoop;
    const loops = [...this.pods.values()].map((p) => {
      p.running = false;
      return p.loop;
    });
    this.pods.clear();
    await Promise.all(loops);
    return this.stats;
  }
}

/** A failure in words, without any credential: the HTTP status and OAuth error, or the error's name. */
function describe(err: unknown): string {
  const e = err as { status?: number; error?: string; message?: string };
  if (typeof e.status === "number") return `HTTP ${e.status}${e.error ? ` ${e.error}` : ""}`;
  return (e.message ?? String(err)).split("\n")[0].slice(0, 120);
}
