// The fleet counts what a real pod would see. Against a scripted API server (list and watch), a Vault answering
// one KV version and a token endpoint whose answers the test holds back: a deleted pod's client stops at the
// DELETED event, its in-flight answer is not counted, a late list never restarts it, and a phase closes only
// when the fleet serves exactly the settled pods and the stopped pods' exchanges are done.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClusterFleet } from "./fleet";

interface Pod {
  metadata: { uid: string; name: string; resourceVersion: string };
  spec: { nodeName: string };
}

const listen = async (server: http.Server) => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/**
 * An API server with one pod list and its watch streams (which, as a real one does, first send every event after
 * the resourceVersion asked for), and a way to add and delete pods.
 */
class FakeApi {
  pods = new Map<string, Pod>();
  /** Pods a list still shows after their deletion (a list served from a stale cache). */
  staleInList: Pod[] = [];
  private rv = 1;
  private readonly events: { rv: number; line: string }[] = [];
  private watchers = new Set<http.ServerResponse>();
  readonly server = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    res.setHeader("content-type", "application/json");
    if (url.searchParams.get("watch") === "1") {
      res.writeHead(200);
      const from = Number(url.searchParams.get("resourceVersion"));
      for (const e of this.events) if (e.rv > from) res.write(e.line);
      this.watchers.add(res);
      req.on("close", () => this.watchers.delete(res));
      return;
    }
    res.end(
      JSON.stringify({
        metadata: { resourceVersion: String(this.rv) },
        items: [...this.pods.values(), ...this.staleInList],
      }),
    );
  });

  add(name: string): Pod {
    const pod = {
      metadata: { uid: `uid-${name}`, name, resourceVersion: String(++this.rv) },
      spec: { nodeName: "kwok-node" },
    };
    this.pods.set(name, pod);
    this.send("ADDED", pod);
    return pod;
  }

  delete(name: string): void {
    const pod = this.pods.get(name)!;
    this.pods.delete(name);
    this.send("DELETED", { ...pod, metadata: { ...pod.metadata, resourceVersion: String(++this.rv) } });
  }

  /** Ends every watch, as an API server does at its watch timeout. */
  endWatches(): void {
    for (const w of this.watchers) w.end();
  }

  private send(type: string, object: Pod): void {
    const line = JSON.stringify({ type, object }) + "\n";
    this.events.push({ rv: Number(object.metadata.resourceVersion), line });
    for (const w of this.watchers) w.write(line);
  }
}

/** A token endpoint that answers when the test releases it: 200, or 401 invalid_client once `refuse` is set. */
class FakeTokenEndpoint {
  refuse = false;
  requests = 0;
  private held: (() => void)[] = [];
  hold = false;
  readonly server = http.createServer((req, res) => {
    this.requests++;
    req.resume();
    const answer = () => {
      res.setHeader("content-type", "application/json");
      if (this.refuse) {
        res.writeHead(401).end(JSON.stringify({ error: "invalid_client", error_description: "refused" }));
      } else {
        res.writeHead(200).end(JSON.stringify({ access_token: "t", token_type: "Bearer", expires_in: 3600 }));
      }
    };
    if (this.hold) this.held.push(answer);
    else answer();
  });

  /** Answers every held request. */
  release(): void {
    this.hold = false;
    for (const a of this.held.splice(0)) a();
  }

  get heldCount(): number {
    return this.held.length;
  }
}

const vault = http.createServer((_req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(
    JSON.stringify({
      data: {
        data: { client_id: "client", client_secret: "not-a-real-secret", secret_id: "ocs1" },
        metadata: { version: 1, created_time: "", deletion_time: "", destroyed: false },
      },
    }),
  );
});

const until = async (cond: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("ClusterFleet", () => {
  let api: FakeApi;
  let token: FakeTokenEndpoint;
  let fleet: ClusterFleet;

  beforeEach(async () => {
    api = new FakeApi();
    token = new FakeTokenEndpoint();
    const [apiUrl, tokenUrl, vaultUrl] = await Promise.all([
      listen(api.server),
      listen(token.server),
      vault.listening
        ? Promise.resolve(`http://127.0.0.1:${(vault.address() as AddressInfo).port}`)
        : listen(vault),
    ]);
    fleet = new ClusterFleet({
      target: { server: apiUrl },
      namespace: "default",
      selector: "app=demo",
      vault: { address: vaultUrl, token: "root", mount: "secret", path: "apps/demo" },
      tokenUrl: `${tokenUrl}/token`,
      ratePerPod: 50,
    });
  });

  afterEach(async () => {
    token.release();
    await fleet.stop();
    api.server.closeAllConnections();
    token.server.closeAllConnections();
    await Promise.all([new Promise((r) => api.server.close(r)), new Promise((r) => token.server.close(r))]);
  });

  it("serves listed pods and pods added later, and stops a pod's client at its DELETED event", async () => {
    api.add("a");
    await fleet.start();
    expect(fleet.servedPods()).toEqual(["a"]);
    api.add("b");
    await until(() => fleet.size === 2);
    await until(() => fleet.snapshot().exchanges > 20);
    api.delete("a");
    await until(() => fleet.size === 1);
    expect(fleet.servedPods()).toEqual(["b"]);
  });

  it("does not count an exchange whose answer comes after its pod was deleted", async () => {
    api.add("a");
    await fleet.start();
    await until(() => fleet.snapshot().exchanges > 5);
    // The credential is retired while an exchange is in flight, and the pod is deleted before the answer.
    token.hold = true;
    await until(() => token.heldCount === 1);
    const before = fleet.snapshot();
    token.refuse = true;
    api.delete("a");
    await until(() => fleet.size === 0);
    token.release();
    const after = await fleet.closePhase([]);
    expect(after.failedExchanges).toBe(before.failedExchanges);
    expect(after.exchanges).toBe(before.exchanges);
    expect(after.failures).toEqual({});
  });

  it("counts a refused exchange of a pod that is still there", async () => {
    api.add("a");
    await fleet.start();
    token.refuse = true;
    await until(() => fleet.snapshot().failedExchanges > 0);
    expect(Object.keys(fleet.snapshot().failures)).toEqual(["HTTP 401 invalid_client"]);
  });

  it("never restarts a deleted pod when a later list still shows it", async () => {
    const a = api.add("a");
    await fleet.start();
    api.delete("a");
    await until(() => fleet.size === 0);
    // The watch ends; the list the fleet makes before watching again still has the deleted pod.
    api.staleInList = [a];
    const requestsBefore = token.requests;
    api.endWatches();
    await new Promise((r) => setTimeout(r, 300));
    expect(fleet.size).toBe(0);
    expect(token.requests).toBe(requestsBefore);
    // A new pod is still picked up after the watch was made again.
    api.add("b");
    await until(() => fleet.size === 1);
    expect(fleet.servedPods()).toEqual(["b"]);
  });

  it("closes a phase only once it serves exactly the settled pods and the stopped pods' exchanges are done", async () => {
    api.add("a");
    await fleet.start();
    token.hold = true;
    await until(() => token.heldCount === 1);
    api.add("b");
    api.delete("a");
    let closed = false;
    const phase = fleet.closePhase(["b"]).then((s) => {
      closed = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 200));
    // b's first exchange and a's last one are still held: a is stopped but its exchange is not done.
    expect(closed).toBe(false);
    token.release();
    const stats = await phase;
    expect(closed).toBe(true);
    expect(fleet.servedPods()).toEqual(["b"]);
    expect(stats.failedExchanges).toBe(0);
  });

  it("refuses to close a phase on pods it does not serve, naming both", async () => {
    api.add("a");
    await fleet.start();
    await expect(fleet.closePhase(["a", "z"], 300)).rejects.toThrow(
      "the fleet did not settle on the pods a,z: it serves a",
    );
  });
});
