// The fleet: one token client per pod the cluster runs. Like an app whose Vault Agent init container fetched
// its credential, each pod's client reads the KV v2 entry once, when the pod appears, and never again; it
// exchanges tokens until the pod object is gone — after its termination grace period, which a terminating pod
// spends still running on what it read. So a credential retired while any pod still holds it shows up as
// failed exchanges, and nothing hands the fleet a new credential but a rollout.
//
// It counts what a real pod would see. The pods are watched, not polled: a pod's client stops the moment the API
// server reports the pod DELETED (a poll would see that up to its interval late, while the pod census, which
// lists the pods, may already have let the credential go); a deleted pod is never started again, whatever a
// later list says; and an exchange whose answer comes after its pod was deleted is not counted, as a killed
// process never sees it. An exchange counts when its answer arrives, so a phase that closes with
// `closePhase()` (once the fleet serves exactly the settled pods and the stopped pods' exchanges are done) holds
// every exchange made during it and none of the next one's.

import { createTokenClient, credentialsFromEntry, type TokenClient } from "../client";
import { kubeGet, type KubeTarget } from "../dynamic/kubeApi";
import { kubeWatch, type Watch, type WatchEvent } from "./kubeWatch";
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
  /** The Okta id of the credential the pod read (the entry's `secret_id`, or `kid` for a key). */
  credentialId: string;
  /** False from the moment the pod is deleted (or the fleet stops): no exchange after that counts. */
  running: boolean;
  loop: Promise<void>;
}

interface PodItem {
  metadata: { uid: string; name: string; resourceVersion?: string };
  spec?: { nodeName?: string };
}

interface PodList {
  metadata: { resourceVersion: string };
  items: PodItem[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ClusterFleet {
  /** The pods being served, by uid. */
  private readonly pods = new Map<string, PodClient>();
  /** Pods seen deleted: never started (again), whatever a later list or event says. */
  private readonly gone = new Set<string>();
  /** The loops of stopped pods whose last exchange may still be in flight. */
  private readonly stopping = new Set<Promise<void>>();
  /** Pods being started (their Vault read in flight), by uid. */
  private readonly starting = new Map<string, Promise<void>>();
  private watching = false;
  private watch?: Watch;
  private watchLoop?: Promise<void>;
  private startError?: unknown;
  private readonly stats: ClusterFleetStats = {
    exchanges: 0,
    failedExchanges: 0,
    failures: {},
    firstFailures: [],
    podsByVaultVersion: {},
  };

  constructor(private readonly opts: ClusterFleetOptions) {}

  private get podsPath(): string {
    return `/api/v1/namespaces/${this.opts.namespace}/pods?labelSelector=${encodeURIComponent(this.opts.selector)}`;
  }

  /** Starts serving the pods there are now, and every pod that appears later. */
  async start(): Promise<void> {
    this.watching = true;
    let resourceVersion = await this.list();
    this.watchLoop = (async () => {
      while (this.watching) {
        try {
          this.watch = kubeWatch<PodItem>(this.opts.target, this.podsPath, resourceVersion, (e) => {
            if (e.object.metadata?.resourceVersion) resourceVersion = e.object.metadata.resourceVersion;
            this.onEvent(e);
          });
          await this.watch.done;
        } catch {
          // The API server was briefly unreachable, or the resourceVersion is too old: list again below.
        }
        if (!this.watching) break;
        try {
          resourceVersion = await this.list();
        } catch {
          await sleep(200);
        }
      }
    })();
  }

  /** Pods being served now. */
  get size(): number {
    return this.pods.size;
  }

  /** The names of the pods being served now. */
  servedPods(): string[] {
    return [...this.pods.values()].map((p) => p.name).sort();
  }

  /** The Okta ids of the credentials the served pods hold (the entry's `secret_id`, or `kid`), one per pod. */
  heldCredentialIds(): string[] {
    return [...this.pods.values()].map((p) => p.credentialId);
  }

  /** The Vault version each served pod read, by pod name. */
  servedVersions(): Record<string, number> {
    return Object.fromEntries([...this.pods.values()].map((p) => [p.name, p.vaultVersion]));
  }

  /** Lists the pods: starts those not served yet, stops those no longer there. Returns the list's version. */
  private async list(): Promise<string> {
    const list = await kubeGet<PodList>(this.opts.target, this.podsPath);
    const seen = new Set<string>();
    for (const item of list.items) {
      seen.add(item.metadata.uid);
      this.observe(item);
    }
    for (const uid of this.pods.keys()) if (!seen.has(uid)) this.stopPod(uid);
    await Promise.all(this.starting.values());
    return list.metadata.resourceVersion;
  }

  private onEvent(e: WatchEvent<PodItem>): void {
    if (e.type === "DELETED") this.stopPod(e.object.metadata.uid);
    else if (e.type === "ADDED" || e.type === "MODIFIED") this.observe(e.object);
    else if (e.type === "ERROR") this.watch?.close(); // e.g. 410 Gone: list again and watch from there
  }

  /** A pod runs (and its init container reads Vault) once it is scheduled on a node. */
  private observe(item: PodItem): void {
    const uid = item.metadata.uid;
    if (!item.spec?.nodeName || this.gone.has(uid) || this.pods.has(uid) || this.starting.has(uid)) return;
    const starting = this.startPod(uid, item.metadata.name)
      .catch((err: unknown) => {
        this.startError ??= err;
      })
      .finally(() => this.starting.delete(uid));
    this.starting.set(uid, starting);
  }

  /** The pod is gone: its process is killed, so its client stops now and its in-flight answer is never seen. */
  private stopPod(uid: string): void {
    this.gone.add(uid);
    const pod = this.pods.get(uid);
    if (!pod) return;
    pod.running = false;
    this.pods.delete(uid);
    const loop = pod.loop.finally(() => this.stopping.delete(loop));
    this.stopping.add(loop);
  }

  private async startPod(uid: string, name: string): Promise<void> {
    const v = this.opts.vault;
    const entry = await readKv(v, v.mount, v.path);
    if (!entry?.data) throw new Error(`the pod ${name} found no credential in Vault at ${v.mount}/${v.path}`);
    // Deleted while its init container read Vault: it never ran.
    if (this.gone.has(uid) || !this.watching) return;
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
    const pod: PodClient = {
      name,
      vaultVersion: entry.version,
      credentialId: String(data.secret_id ?? data.kid ?? ""),
      running: true,
      loop: Promise.resolve(),
    };
    pod.loop = this.run(pod, client);
    this.pods.set(uid, pod);
  }

  private async run(pod: PodClient, client: TokenClient): Promise<void> {
    const interval = 1000 / this.opts.ratePerPod;
    // Spread the pods' exchanges over the interval.
    await sleep(Math.random() * interval);
    while (pod.running) {
      const started = Date.now();
      let failure: string | undefined;
      try {
        await client.exchange();
      } catch (err) {
        failure = describe(err);
      }
      // The pod was deleted while the exchange was in flight: a killed process never sees the answer.
      if (!pod.running) break;
      this.stats.exchanges++;
      if (failure !== undefined) {
        this.stats.failedExchanges++;
        this.stats.failures[failure] = (this.stats.failures[failure] ?? 0) + 1;
        if (this.stats.firstFailures.length < 1000) {
          this.stats.firstFailures.push({
            pod: pod.name,
            vaultVersion: pod.vaultVersion,
            at: Date.now(),
            reason: failure,
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

  /**
   * Closes a phase: waits until the fleet serves exactly `pods` (by name: the settled pods the API server lists)
   * and every stopped pod's last exchange is done, then returns the counts (a copy).
   */
  async closePhase(pods: readonly string[], timeoutMs = 60_000): Promise<ClusterFleetStats> {
    const want = [...pods].sort().join(",");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.startError) throw this.startError;
      const served = this.servedPods().join(",");
      if (served === want && this.starting.size === 0 && this.stopping.size === 0) return this.snapshot();
      if (Date.now() > deadline) {
        throw new Error(
          `the fleet did not settle on the pods ${want}: it serves ${served || "none"}` +
            ` (${this.starting.size} starting, ${this.stopping.size} stopping)`,
        );
      }
      await sleep(20);
    }
  }

  /** Stops every pod's client and returns the counts. */
  async stop(): Promise<ClusterFleetStats> {
    this.watching = false;
    this.watch?.close();
    await this.watchLoop;
    await Promise.all(this.starting.values());
    for (const uid of [...this.pods.keys()]) this.stopPod(uid);
    await Promise.all(this.stopping);
    return this.stats;
  }
}

/** A failure in words, without any credential: the HTTP status and OAuth error, or the error's name. */
function describe(err: unknown): string {
  const e = err as { status?: number; error?: string; message?: string };
  if (typeof e.status === "number") return `HTTP ${e.status}${e.error ? ` ${e.error}` : ""}`;
  return (e.message ?? String(err)).split("\n")[0].slice(0, 120);
}
