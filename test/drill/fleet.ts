import { basicExchangeRequest } from "../../dynamic/tokenExchangeGate";

/** What a pod holds: the credential it read from Vault when it started. */
export type Credential =
  | { kind: "secret"; clientId: string; clientSecret: string; label: string }
  | { kind: "assertion"; clientId: string; sign: (audience: string) => Promise<string>; label: string }
  /** An app-side client that authenticates itself (e.g. `client/`'s TokenClient); throws on failure. */
  | { kind: "client"; clientId: string; exchange: () => Promise<unknown>; label: string };

export interface FleetOptions {
  /** Number of simulated pods. */
  size: number;
  /** Token exchanges per second, in total. */
  ratePerSecond: number;
  tokenUrl: string;
  /** Scope each exchange asks for (a custom authorization server needs one defined on it). */
  scope?: string;
  /** Reads the credential a pod starts with (the latest Vault version). */
  read: () => Credential;
}

export interface FleetStats {
  exchanges: number;
  failedExchanges: number;
  /** Failure descriptions, counted, never containing a credential. */
  failures: Record<string, number>;
}

interface Pod {
  credential: Credential;
  running: boolean;
  loop: Promise<void>;
  /** Ends the pod's current pause at once (a restart does not wait for the next tick). */
  wake: () => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function exchange(tokenUrl: string, c: Credential, scope?: string): Promise<string | undefined> {
  if (c.kind === "client") {
    try {
      await c.exchange();
      return undefined;
    } catch (err) {
      return `client: ${(err as Error).message}`;
    }
  }
  let init: RequestInit;
  if (c.kind === "secret") {
    const req = basicExchangeRequest(c.clientId, c.clientSecret, scope);
    init = { method: "POST", headers: req.headers, body: req.body };
  } else {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: await c.sign(tokenUrl),
    });
    if (scope) form.set("scope", scope);
    init = {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
    };
  }
  try {
    const res = await fetch(tokenUrl, init);
    const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
    if (res.status === 200 && typeof body.access_token === "string") return undefined;
    return `${res.status} ${body.error ?? ""}: ${body.error_description ?? ""}`;
  } catch (err) {
    return `network: ${(err as Error).message}`;
  }
}

/**
 * Simulated pods, each exchanging the credential it started with, continuously, at an even share of the
 * total rate. A restart makes a pod read the latest credential, like a pod re-rendering its Vault secret.
 */
export class Fleet {
  readonly stats: FleetStats = { exchanges: 0, failedExchanges: 0, failures: {} };
  private readonly pods: Pod[] = [];
  private startedAt = 0;
  private stoppedAt = 0;

  constructor(private readonly opts: FleetOptions) {}

  start(): void {
    this.startedAt = Date.now();
    for (let i = 0; i < this.opts.size; i++) this.pods.push(this.startPod(i));
  }

  /** The credentials pods hold now. */
  held(): Credential[] {
    return this.pods.map((p) => p.credential);
  }

  /** Rolling restart: pods move to the latest credential one by one. */
  async rollout(pauseMs: number): Promise<void> {
    for (let i = 0; i < this.pods.length; i++) {
      this.pods[i].running = false;
      this.pods[i].wake();
      await this.pods[i].loop;
      this.pods[i] = this.startPod(i);
      await sleep(pauseMs);
    }
  }

  async stop(): Promise<FleetStats> {
    for (const p of this.pods) {
      p.running = false;
      p.wake();
    }
    await Promise.all(this.pods.map((p) => p.loop));
    this.stoppedAt = Date.now();
    return this.stats;
  }

  /** Exchanges per second achieved while the fleet ran. */
  achievedRate(): number {
    const ms = (this.stoppedAt || Date.now()) - this.startedAt;
    return ms > 0 ? (this.stats.exchanges * 1000) / ms : 0;
  }

  private startPod(index: number): Pod {
    const intervalMs = (1000 * this.opts.size) / this.opts.ratePerSecond;
    const pod: Pod = { credential: this.opts.read(), running: true, loop: Promise.resolve(), wake: () => {} };
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        pod.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    pod.loop = (async () => {
      // Spread the pods over the interval so the load is even.
      await pause((index * intervalMs) / this.opts.size);
      while (pod.running) {
        const started = Date.now();
        const failure = await exchange(this.opts.tokenUrl, pod.credential, this.opts.scope);
        this.stats.exchanges++;
        if (failure) {
          this.stats.failedExchanges++;
          this.stats.failures[failure] = (this.stats.failures[failure] ?? 0) + 1;
        }
        const wait = intervalMs - (Date.now() - started);
        if (wait > 0 && pod.running) await pause(wait);
      }
    })();
    return pod;
  }
}
