// Rate limits, server errors and lost answers. The local Okta's own fault rules act before a request is
// processed; a lost answer AFTER Okta processed a create needs a proxy that forwards and then drops.
import http from "http";
import type { AddressInfo } from "net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ClientSecretProvider,
  JsonWebKeyProvider,
  onRetry,
  resetConnection,
  secretHash,
  type ClientSecretInputs,
  type RetryEvent,
} from "../../dynamic";
import { generateKeyPairSync } from "crypto";
import { calls, outOfBand, startOkta, thrown, type OktaLocal } from "./helpers";

const secrets = new ClientSecretProvider();
const keys = new JsonWebKeyProvider();
const OWN = "own-secret-value-with-32-chars!!";

let okta: OktaLocal;
let events: RetryEvent[] = [];
let stop: () => void;

beforeAll(async () => {
  okta = await startOkta({ apps: [] });
  stop = onRetry((e) => events.push(e));
});
afterAll(async () => {
  stop?.();
  await okta?.close();
});
beforeEach(() => {
  okta.clearLog();
  events = [];
});
afterEach(() => {
  okta.setFaults([]);
  okta.setRateLimits({ apps: 10_000, app: 10_000, windowSeconds: 60, tokenShare: 0.5 });
  process.env.OKTA_ORG_URL = okta.orgUrl;
  resetConnection();
});

async function inputs(news: Record<string, unknown>): Promise<ClientSecretInputs> {
  return (await secrets.check({}, news)).inputs!;
}

type Action = "pass" | "drop-before" | "drop-after" | "500-before" | "500-after";

/** A proxy in front of the local Okta; `plan` decides, per matching request, what happens to it. */
async function proxy(match: (method: string, path: string) => boolean, plan: Action[]) {
  const upstream = new URL(okta.orgUrl);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", (): void => {
      const path = (req.url ?? "/").split("?")[0]!;
      const action: Action = match(req.method ?? "GET", path) ? (plan.shift() ?? "pass") : "pass";
      if (action === "drop-before") {
        req.socket.destroy();
        return;
      }
      if (action === "500-before") {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ errorCode: "E0000010", errorSummary: "Service is in read only mode" }));
        return;
      }
      const fwd = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (up) => {
          const body: Buffer[] = [];
          up.on("data", (c: Buffer) => body.push(c));
          up.on("end", (): void => {
            if (action === "drop-after") {
              req.socket.destroy();
              return;
            }
            if (action === "500-after") {
              res.writeHead(500, { "content-type": "application/json" });
              res.end(
                JSON.stringify({
                  errorCode: "E0000009",
                  errorSummary: "Internal Server Error",
                  errorCauses: [],
                }),
              );
              return;
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      fwd.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  process.env.OKTA_ORG_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  resetConnection();
  return { close: () => new Promise<void>((r) => server.close(() => r())) };
}

const isCreate = (method: string, path: string) =>
  method === "POST" && /\/credentials\/(secrets|jwks)$/.test(path);

describe("rate limits", () => {
  it("stays within the token's share: holds the next call until X-Rate-Limit-Reset, without a 429", async () => {
    const app = okta.addApp({ secrets: 1 });
    okta.setRateLimits({ apps: 2, windowSeconds: 1 }); // this token's share: 1 call per window
    const c = await secrets.create(await inputs({ appId: app.id }));
    const r = await secrets.read(c.id, c.outs);
    await secrets.update(c.id, r.props!, await inputs({ appId: app.id, status: "INACTIVE" }));
    expect(okta.listSecrets(app.id).find((s) => s.id === c.id)?.status).toBe("INACTIVE");
    expect(okta.requestLog.filter((l) => l.status === 429)).toEqual([]);
    const waits = events.filter((e) => e.reason === "paced");
    expect(waits.length).toBeGreaterThan(0);
    expect(
      waits.every(
        (e) => e.delayMs <= 3_000 && /share of \/api\/v1\/apps \(1\).*X-Rate-Limit-Reset/.test(e.message),
      ),
    ).toBe(true);
  });

  it("waits out a 429 as X-Rate-Limit-Reset says when another client with the same token spent the share", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await secrets.create(await inputs({ appId: app.id, status: "INACTIVE" }));
    okta.setRateLimits({ apps: 2, windowSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1_100)); // a fresh window, which the other client opens
    expect(await outOfBand(okta, "GET", `/api/v1/apps/${app.id}/credentials/secrets`)).toBe(200);
    const r = await secrets.read(c.id, c.outs);
    expect(r.id).toBe(c.id);
    expect(okta.requestLog.some((l) => l.status === 429)).toBe(true);
    const waits = events.filter((e) => e.reason === "rate-limited");
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((e) => e.delayMs <= 3_000 && /429.*X-Rate-Limit-Reset/.test(e.message))).toBe(true);
  });
});

describe("server errors", () => {
  it("retries idempotent calls after 5xx and completes", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await secrets.create(await inputs({ appId: app.id, status: "INACTIVE" }));
    process.env.OKTA_ROTATION_MAX_RETRIES = "12";
    okta.setFaults([{ path: "/credentials/secrets/", errorRate: 0.5 }]);
    try {
      // At least 4 reads, and on until one has met a 5xx (each call meets one with probability 1/2).
      const served5xx = () => okta.requestLog.some((l) => l.status >= 500);
      for (let i = 0; i < 4 || (i < 40 && !served5xx()); i++) {
        const r = await secrets.read(c.id, c.outs!);
        expect(r.id).toBe(c.id);
      }
      await secrets.delete(c.id, c.outs!);
    } finally {
      process.env.OKTA_ROTATION_MAX_RETRIES = "4";
    }
    expect(okta.listSecrets(app.id).map((s) => s.id)).not.toContain(c.id);
    expect(okta.requestLog.some((l) => l.status >= 500)).toBe(true);
    expect(events.some((e) => e.reason === "server-error")).toBe(true);
  });

  it("gives up after the configured retries with an error that names the resource", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await secrets.create(await inputs({ appId: app.id }));
    okta.clearLog();
    okta.setFaults([{ path: `/credentials/secrets/${c.id}$`, method: "GET", errorRate: 1 }]);
    const err = await thrown(() => secrets.read(c.id, c.outs));
    expect(err.message).toMatch(
      new RegExp(`Okta refused to read ClientSecret ${c.id} of app ${app.id}: HTTP 50[03]`),
    );
    expect(okta.requestLog.filter((l) => l.method === "GET")).toHaveLength(5); // 1 + OKTA_ROTATION_MAX_RETRIES
  });

  it("sends a create again after a 5xx only once the list shows it did not happen", async () => {
    const app = okta.addApp({ secrets: 1 });
    const p = await proxy(isCreate, ["500-before", "500-before"]);
    try {
      const c = await secrets.create(await inputs({ appId: app.id }));
      expect(okta.listSecrets(app.id)).toHaveLength(2);
      expect(okta.listSecrets(app.id).map((s) => s.id)).toContain(c.id);
      // Okta saw one POST (the two refused never reached it) and one list before each further attempt.
      expect(okta.requestLog.filter((l) => isCreate(l.method, l.path))).toHaveLength(1);
      expect(calls(okta).filter((l) => l.endsWith("/secrets 200") && l.startsWith("GET"))).toHaveLength(3);
    } finally {
      await p.close();
    }
  });

  it("a create refused with 5xx every time fails after the configured attempts, creating nothing", async () => {
    const app = okta.addApp({ secrets: 1 });
    const p = await proxy(isCreate, Array<Action>(10).fill("500-before"));
    try {
      const err = await thrown(async () => secrets.create(await inputs({ appId: app.id })));
      expect(err.message).toMatch(/Okta refused to create a new ClientSecret of app .*: HTTP 503 E0000010/);
      expect(err.message).toMatch(
        /What to do: Okta did not answer clearly and the secret is not in Okta; run again/,
      );
      expect(okta.listSecrets(app.id)).toHaveLength(1);
    } finally {
      await p.close();
    }
  });
});

describe("timeouts", () => {
  it("a call slower than OKTA_ROTATION_REQUEST_TIMEOUT_MS is retried, then reported without an HTTP status", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await secrets.create(await inputs({ appId: app.id }));
    okta.setFaults([{ path: `/credentials/secrets/${c.id}$`, method: "GET", latencyMs: 400 }]);
    process.env.OKTA_ROTATION_REQUEST_TIMEOUT_MS = "100";
    process.env.OKTA_ROTATION_MAX_RETRIES = "1";
    try {
      const err = await thrown(() => secrets.read(c.id, c.outs!));
      expect(err.message).toMatch(
        new RegExp(`^Could not read ClientSecret ${c.id} of app ${app.id}: Okta GET .* got no answer`),
      );
      expect(events.filter((e) => e.reason === "network-error")).toHaveLength(1);
      process.env.OKTA_ROTATION_REQUEST_TIMEOUT_MS = "5000";
      expect((await secrets.read(c.id, c.outs!)).props?.status).toBe("ACTIVE");
    } finally {
      process.env.OKTA_ROTATION_REQUEST_TIMEOUT_MS = "5000";
      process.env.OKTA_ROTATION_MAX_RETRIES = "4";
    }
  });
});

describe("creates whose outcome is unclear are never repeated blindly", () => {
  it("a generated secret created but whose answer was dropped is recognised, not duplicated", async () => {
    const app = okta.addApp({ secrets: 1 });
    const p = await proxy(isCreate, ["drop-after"]);
    try {
      const c = await secrets.create(await inputs({ appId: app.id }));
      const list = okta.listSecrets(app.id);
      expect(list).toHaveLength(2);
      const mine = list.find((s) => s.id === c.id);
      expect(mine).toBeDefined();
      expect(c.outs!.clientSecret === mine!.clientSecret).toBe(true);
      expect(okta.requestLog.filter((l) => isCreate(l.method, l.path))).toHaveLength(1);
      expect(events.some((e) => /unclear outcome.*it did happen/.test(e.message))).toBe(true);
    } finally {
      await p.close();
    }
  });

  it("an own-value secret answered 500 after it was created is recognised by its hash", async () => {
    const app = okta.addApp({ secrets: 1 });
    const p = await proxy(isCreate, ["500-after"]);
    try {
      const c = await secrets.create(await inputs({ appId: app.id, value: OWN }));
      expect(okta.listSecrets(app.id)).toHaveLength(2);
      expect(c.outs!.secretHash).toBe(secretHash(OWN));
      expect(okta.requestLog.filter((l) => isCreate(l.method, l.path))).toHaveLength(1);
    } finally {
      await p.close();
    }
  });

  it("a create dropped before Okta saw it is sent again once the list shows it is not there", async () => {
    const app = okta.addApp({ secrets: 1 });
    const p = await proxy(isCreate, ["drop-before"]);
    try {
      const c = await secrets.create(await inputs({ appId: app.id }));
      expect(okta.listSecrets(app.id)).toHaveLength(2);
      expect(okta.listSecrets(app.id).map((s) => s.id)).toContain(c.id);
      expect(okta.requestLog.filter((l) => isCreate(l.method, l.path))).toHaveLength(1); // the dropped one never arrived
      expect(calls(okta).filter((l) => l.startsWith("GET") && l.endsWith("/secrets 200"))).toHaveLength(2);
    } finally {
      await p.close();
    }
  });

  it("parallel creates on one app each get their own secret even when an answer is lost", async () => {
    const app = okta.addApp({ secrets: 0 });
    const p = await proxy(isCreate, ["drop-after"]);
    try {
      const [a, b] = await Promise.all([
        secrets.create(await inputs({ appId: app.id, generation: 1 })),
        secrets.create(await inputs({ appId: app.id, generation: 2 })),
      ]);
      expect(a.id).not.toBe(b.id);
      const list = okta.listSecrets(app.id);
      expect(list).toHaveLength(2);
      for (const c of [a, b]) {
        const mine = list.find((s) => s.id === c.id);
        expect(mine !== undefined && mine.clientSecret === c.outs!.clientSecret).toBe(true);
      }
    } finally {
      await p.close();
    }
  });

  it("a JWK whose answer was dropped is recognised by kid", async () => {
    const app = okta.addApp({ secrets: 1 });
    const jwk = {
      ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }),
      kid: "drop-1",
    };
    const p = await proxy(isCreate, ["drop-after"]);
    try {
      const k = await keys.create((await keys.check({}, { appId: app.id, jwk })).inputs!);
      expect(okta.listKeys(app.id).map((x) => x.id)).toEqual([k.id]);
      expect(k.outs?.kid).toBe("drop-1");
    } finally {
      await p.close();
    }
  });

  it("a network error on an idempotent call is retried", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await secrets.create(await inputs({ appId: app.id }));
    const p = await proxy((m, path) => m === "GET" && path.endsWith(c.id), ["drop-before", "drop-before"]);
    try {
      const r = await secrets.read(c.id, c.outs);
      expect(r.props?.status).toBe("ACTIVE");
      expect(events.filter((e) => e.reason === "network-error")).toHaveLength(2);
    } finally {
      await p.close();
    }
  });
});

describe("retry log lines", () => {
  it("never contain a secret value", async () => {
    const app = okta.addApp({ secrets: 1 });
    const p = await proxy(isCreate, ["500-after"]);
    try {
      const c = await secrets.create(await inputs({ appId: app.id, value: OWN }));
      expect(events.length).toBeGreaterThan(0);
      const text = JSON.stringify(events);
      expect(text.includes(OWN) || text.includes(c.outs!.clientSecret!)).toBe(false);
    } finally {
      await p.close();
    }
  });
});
