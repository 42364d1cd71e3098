import { generateKeyPair as generateKeyPairCb, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import type { JWK } from "jose";
import {
  OktaApiError,
  forbidden,
  invalidToken,
  malformedBody,
  methodNotAllowed,
  notFound,
  randomId,
  rateLimited,
} from "./errors";
import { FaultInjector, RateLimiter } from "./limits";
import { Store, jwkThumbprint, type App } from "./store";
import { TokenService } from "./tokens";
import type { AppSummary, Bucket, OktaLocal, OktaLocalOptions, RequestLogEntry, SeedApp } from "./types";

export type * from "./types";

const generateKeyPair = promisify(generateKeyPairCb);

/** Scopes the seeded service app is granted for the management API. */
export const SERVICE_APP_SCOPES = ["okta.apps.read", "okta.apps.manage"];

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface RouteContext {
  /** The app named by the first path parameter, looked up on access (404 E0000007 when unknown). */
  readonly app: App;
  params: string[];
  body: Json;
}

interface Route {
  pattern: RegExp;
  /** Handlers by method; a handler that reads a JSON body says so. */
  methods: Record<string, { json?: boolean; run: (ctx: RouteContext) => Answer }>;
}

export async function startOktaLocal(opts: OktaLocalOptions = {}): Promise<OktaLocal> {
  const now = opts.now ?? Date.now;
  let orgUrl = "";
  const store = new Store(
    now,
    () => orgUrl,
    opts.deleteSecretsOnPrivateKeyJwt ?? false,
    opts.keepKeyIdsOnPut ?? false,
  );
  const limiter = new RateLimiter(opts.rateLimits, now);
  const faults = new FaultInjector(opts.faults);
  const requestLog: RequestLogEntry[] = [];
  const apiToken = `00${randomId(40)}`;

  const [serverKey, serviceKey] = await Promise.all([
    generateKeyPair("rsa", { modulusLength: 2048 }),
    generateKeyPair("rsa", { modulusLength: 2048 }),
  ]);
  const serverPublicJwk = publicJwk(serverKey.publicKey);
  const serverKid = jwkThumbprint(serverPublicJwk);
  const tokens = new TokenService(
    store,
    now,
    { privateKey: serverKey.privateKey, kid: serverKid },
    () => orgUrl,
  );

  const summary = (app: App): AppSummary => ({ id: app.id, clientId: app.clientId, label: app.label });
  const apps: AppSummary[] = [];
  const seeds: SeedApp[] = opts.apps ?? [{ label: "demo-service" }];
  for (const seed of seeds) apps.push(summary(store.addApp(seed)));

  const servicePublic = publicJwk(serviceKey.publicKey);
  const serviceKid = jwkThumbprint(servicePublic);
  const serviceApp = store.addApp(
    { label: "okta-local-admin", tokenEndpointAuthMethod: "private_key_jwt", secrets: 0 },
    SERVICE_APP_SCOPES,
  );
  store.addKey(serviceApp, { ...servicePublic, kid: serviceKid, alg: "RS256", use: "sig" });
  const servicePrivateJwk: JWK = {
    ...(serviceKey.privateKey.export({ format: "jwk" }) as JWK),
    kid: serviceKid,
    alg: "RS256",
    use: "sig",
  };

  const routes = buildRoutes(store);

  const handleApi = async (
    req: http.IncomingMessage,
    path: string,
    bucket: "apps" | "app",
  ): Promise<Answer> => {
    const rate = limiter.take(bucket, rateKey(req.headers.authorization));
    const withRate = (a: Answer): Answer => ({ ...a, headers: { ...a.headers, ...rate.headers } });
    try {
      if (!rate.allowed) throw rateLimited();
      const scopes = authorize(req.headers.authorization);
      const method = req.method ?? "GET";
      const match = matchRoute(routes, path);
      if (!match) throw notFound(path, method);
      const handler = match.route.methods[method];
      if (!handler) throw methodNotAllowed(Object.keys(match.route.methods));
      const needed = method === "GET" ? ["okta.apps.read", "okta.apps.manage"] : ["okta.apps.manage"];
      if (scopes !== "all" && !needed.some((s) => scopes.includes(s))) throw forbidden();
      const raw = await readBody(req);
      let body: Json = {};
      if (handler.json && raw.trim() !== "") {
        try {
          body = JSON.parse(raw) as Json;
        } catch {
          throw malformedBody();
        }
        if (typeof body !== "object" || body === null || Array.isArray(body)) throw malformedBody();
      }
      const params = match.params;
      return withRate(
        handler.run({
          get app() {
            return store.app(params[0]);
          },
          params,
          body,
        }),
      );
    } catch (e) {
      if (e instanceof OktaApiError)
        return withRate({ status: e.status, body: e.body(), headers: e.headers });
      throw e;
    }
  };

  /** Whose share of a bucket a request uses: the SSWS token's, or the OAuth app's its access token was issued to. */
  const rateKey = (header: string | undefined): string => {
    const m = /^(SSWS|Bearer)\s+(\S+)$/i.exec(header?.trim() ?? "");
    if (!m) return "anonymous";
    if (m[1].toUpperCase() === "SSWS") return `ssws:${m[2]}`;
    const client = tokens.managementClient(m[2]);
    return client ? `client:${client}` : "anonymous";
  };

  const authorize = (header: string | undefined): "all" | string[] => {
    const m = /^(SSWS|Bearer)\s+(\S+)$/i.exec(header?.trim() ?? "");
    if (!m) throw invalidToken();
    if (m[1].toUpperCase() === "SSWS") {
      if (m[2] !== apiToken) throw invalidToken();
      return "all";
    }
    const scopes = tokens.verifyAccessToken(m[2]);
    if (!scopes) throw invalidToken();
    return scopes;
  };

  const handleOAuth = async (req: http.IncomingMessage, path: string): Promise<Answer> => {
    const method = req.method ?? "GET";
    const token = /^\/oauth2\/(?:([^/]+)\/)?v1\/token$/.exec(path);
    if (token) {
      if (method !== "POST") throw methodNotAllowed(["POST"]);
      const host = req.headers.host;
      return tokens.handle({
        body: await readBody(req),
        contentType: req.headers["content-type"],
        authorization: req.headers.authorization,
        authServerId: token[1],
        audiences: [`${orgUrl}${path}`, ...(host ? [`http://${host}${path}`] : [])],
      });
    }
    if (/^\/oauth2\/(?:[^/]+\/)?v1\/keys$/.test(path)) {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      return {
        status: 200,
        body: { keys: [{ ...serverPublicJwk, kid: serverKid, alg: "RS256", use: "sig" }] },
      };
    }
    throw notFound(path, method);
  };

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const time = now();
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0];
    const bucket = bucketOf(method, path);
    const entry: RequestLogEntry = {
      method,
      path,
      status: 0,
      time,
      durationMs: 0,
      ...(bucket ? { bucket } : {}),
    };
    requestLog.push(entry);
    const done = (): void => {
      entry.durationMs = performance.now() - started;
    };
    void (async (): Promise<Answer | undefined> => {
      const fault = faults.decide(method, path);
      if (fault) {
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.drop) {
          req.socket.destroy();
          return undefined;
        }
        if (fault.errorStatus) {
          const e =
            fault.errorStatus === 500
              ? new OktaApiError(500, "E0000009", "Internal Server Error")
              : new OktaApiError(503, "E0000010", "Service is in read only mode");
          // A failing /api/v1 call still counts against its bucket and carries the rate-limit headers.
          const limited = apiBucket(bucket, path);
          const headers = limited ? limiter.take(limited, rateKey(req.headers.authorization)).headers : {};
          return { status: e.status, body: e.body(), headers };
        }
      }
      const limited = apiBucket(bucket, path);
      return limited ? handleApi(req, path, limited) : handleOAuth(req, path);
    })()
      .catch((e: unknown) => {
        if (e instanceof OktaApiError) return { status: e.status, body: e.body(), headers: e.headers };
        const err = new OktaApiError(500, "E0000009", "Internal Server Error");
        process.stderr.write(`okta-local: ${e instanceof Error ? e.message : String(e)}\n`);
        return { status: 500, body: err.body() };
      })
      .then((answer) => {
        if (!answer) {
          done();
          return;
        }
        entry.status = answer.status;
        send(res, answer);
        done();
      });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  orgUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    orgUrl,
    apiToken,
    apps,
    serviceApp: { clientId: serviceApp.clientId, privateJwk: servicePrivateJwk, kid: serviceKid },
    requestLog,
    clearLog: () => {
      requestLog.length = 0;
    },
    setFaults: (rules) => faults.set(rules),
    setRateLimits: (limits) => limiter.set(limits),
    addApp: (seed) => {
      const app = store.addApp(seed ?? { label: `demo-service-${apps.length + 1}` });
      const s = summary(app);
      apps.push(s);
      return { ...s, secrets: app.secrets.map((x) => ({ id: x.id, clientSecret: x.value })) };
    },
    listSecrets: (appId) => store.secretViews(appId),
    listKeys: (appId) => store.keyViews(appId),
    getApp: (appId) => store.appJson(store.app(appId)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The rate-limit bucket a management API request counts against, or undefined for other paths. */
function apiBucket(bucket: Bucket | undefined, path: string): "apps" | "app" | undefined {
  if (bucket === "apps" || bucket === "app") return bucket;
  return path.startsWith("/api/v1/") ? "apps" : undefined;
}

/** The rate-limit bucket of a request (token requests are tagged but not limited). */
export function bucketOf(method: string, path: string): Bucket | undefined {
  if (/^\/oauth2\/(?:[^/]+\/)?v1\/token$/.test(path)) return "token";
  if (/^\/api\/v1\/apps\/[^/]+\/?$/.test(path) && ["GET", "PUT", "DELETE"].includes(method)) return "app";
  if (/^\/api\/v1\/apps(\/|$)/.test(path)) return "apps";
  return undefined;
}

function buildRoutes(store: Store): Route[] {
  const secretsBase = "^/api/v1/apps/([^/]+)/credentials/secrets";
  const jwksBase = "^/api/v1/apps/([^/]+)/credentials/jwks";
  const ok = (body: unknown): Answer => ({ status: 200, body });
  return [
    {
      pattern: /^\/api\/v1\/apps\/?$/,
      methods: { GET: { run: () => ok([...store.apps.values()].map((a) => store.appJson(a))) } },
    },
    {
      pattern: /^\/api\/v1\/apps\/([^/]+)\/?$/,
      methods: {
        GET: { run: ({ app }) => ok(store.appJson(app)) },
        PUT: { json: true, run: ({ app, body }) => ok(store.replaceApp(app, body)) },
      },
    },
    {
      pattern: new RegExp(`${secretsBase}/?$`),
      methods: {
        GET: { run: ({ app }) => ok(app.secrets.map((s) => store.secretJson(app, s))) },
        POST: {
          json: true,
          run: ({ app, body }) => ({
            status: 201,
            body: store.secretJson(app, store.createSecret(app, body)),
          }),
        },
      },
    },
    {
      pattern: new RegExp(`${secretsBase}/([^/]+)/?$`),
      methods: {
        GET: { run: ({ app, params }) => ok(store.secretJson(app, store.secret(app, params[1]))) },
        DELETE: {
          run: ({ app, params }) => {
            store.deleteSecret(app, params[1]);
            return { status: 204 };
          },
        },
      },
    },
    {
      pattern: new RegExp(`${secretsBase}/([^/]+)/lifecycle/(activate|deactivate)/?$`),
      methods: {
        POST: {
          run: ({ app, params }) =>
            ok(
              store.secretJson(
                app,
                params[2] === "activate"
                  ? store.activateSecret(app, params[1])
                  : store.deactivateSecret(app, params[1]),
              ),
            ),
        },
      },
    },
    {
      pattern: new RegExp(`${jwksBase}/?$`),
      methods: {
        GET: { run: ({ app }) => ok({ keys: app.keys.map((k) => store.keyJson(app, k)) }) },
        POST: {
          json: true,
          run: ({ app, body }) => ({ status: 201, body: store.keyJson(app, store.addKey(app, body)) }),
        },
      },
    },
    {
      pattern: new RegExp(`${jwksBase}/([^/]+)/?$`),
      methods: {
        GET: { run: ({ app, params }) => ok(store.keyJson(app, store.key(app, params[1]))) },
        DELETE: {
          run: ({ app, params }) => {
            store.deleteKey(app, params[1]);
            return { status: 204 };
          },
        },
      },
    },
    {
      pattern: new RegExp(`${jwksBase}/([^/]+)/lifecycle/(activate|deactivate)/?$`),
      methods: {
        POST: {
          run: ({ app, params }) =>
            ok(
              store.keyJson(
                app,
                params[2] === "activate"
                  ? store.activateKey(app, params[1])
                  : store.deactivateKey(app, params[1]),
              ),
            ),
        },
      },
    },
  ];
}

function matchRoute(routes: Route[], path: string): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1).map(decodeSegment) };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { "X-Okta-Request-Id": randomId(27), ...answer.headers };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers).end();
    return;
  }
  const payload = JSON.stringify(answer.body);
  headers["Content-Type"] = "application/json";
  headers["Content-Length"] = String(Buffer.byteLength(payload));
  res.writeHead(answer.status, headers).end(payload);
}

function publicJwk(key: KeyObject): Json {
  const { kty, n, e } = key.export({ format: "jwk" });
  return { kty, n, e };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
