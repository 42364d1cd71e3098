import { generateKeyPair as generateKeyPairCb, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import type { JWK } from "jose";
import { DPOP_DESCRIPTIONS, DpopVerifier, NonceSource } from "./dpop";
import {
  OAuthError,
  OktaApiError,
  forbidden,
  invalidToken,
  malformedBody,
  methodNotAllowed,
  notFound,
  randomId,
  rateLimited,
  validation,
} from "./errors";
import { FaultInjector, RateLimiter, RequestHolds } from "./limits";
import { AuthServers, seedDefaultServer } from "./authServers";
import { Store, jwkThumbprint, type App } from "./store";
import { TokenService } from "./tokens";
import type { AppSummary, Bucket, OktaLocal, OktaLocalOptions, RequestLogEntry, SeedApp } from "./types";

export type * from "./types";

const generateKeyPair = promisify(generateKeyPairCb);

/**
 * Scopes the seeded service app is granted for the management API: those of every endpoint served here
 * (spec `security`: okta.apps.* for apps and their credentials, okta.appGrants.* for grants,
 * okta.authorizationServers.* for scopes, policies and rules).
 */
export const SERVICE_APP_SCOPES = [
  "okta.apps.read",
  "okta.apps.manage",
  "okta.appGrants.read",
  "okta.appGrants.manage",
  "okta.authorizationServers.read",
  "okta.authorizationServers.manage",
];

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
  /** The query string of the request. */
  query: URLSearchParams;
  body: Json;
}

interface Route {
  pattern: RegExp;
  /**
   * The scope family of the route's `security` in the spec: GET needs `okta.<area>.read` or `.manage`,
   * a write needs `okta.<area>.manage`.
   */
  area: "apps" | "appGrants" | "authorizationServers";
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
  const holds = new RequestHolds();
  const requestLog: RequestLogEntry[] = [];
  const apiToken = `00${randomId(40)}`;

  const [serverKey, serviceKey] = await Promise.all([
    generateKeyPair("rsa", { modulusLength: 2048 }),
    generateKeyPair("rsa", { modulusLength: 2048 }),
  ]);
  const serverPublicJwk = publicJwk(serverKey.publicKey);
  const serverKid = jwkThumbprint(serverPublicJwk);
  // One verifier for the token endpoint and the management API: a proof's `jti` is single-use everywhere.
  const dpop = new DpopVerifier(now);
  const resourceNonces = opts.dpopResourceNonce ? new NonceSource(now) : undefined;
  const authServers = new AuthServers(now, () => orgUrl);
  const { policy: rotationPolicy } = seedDefaultServer(authServers);
  const tokens = new TokenService(
    store,
    now,
    { privateKey: serverKey.privateKey, kid: serverKid },
    () => orgUrl,
    authServers,
    dpop,
  );
  /** Seeded apps are admitted by the seeded policy unless the seed says otherwise. */
  const seedApp = (seed: SeedApp, grants: string[] = []): App => {
    const app = store.addApp(seed, grants);
    if (seed.inRotationPolicy !== false) rotationPolicy.clients.push(app.clientId);
    return app;
  };

  const summary = (app: App): AppSummary => ({ id: app.id, clientId: app.clientId, label: app.label });
  const apps: AppSummary[] = [];
  const seeds: SeedApp[] = opts.apps ?? [{ label: "demo-service" }];
  for (const seed of seeds) apps.push(summary(seedApp(seed)));

  const servicePublic = publicJwk(serviceKey.publicKey);
  const serviceKid = jwkThumbprint(servicePublic);
  const serviceApp = seedApp(
    {
      label: "okta-local-admin",
      tokenEndpointAuthMethod: "private_key_jwt",
      secrets: 0,
      dpopBoundAccessTokens: opts.serviceAppDpop ?? true,
    },
    SERVICE_APP_SCOPES,
  );
  store.addKey(serviceApp, { ...servicePublic, kid: serviceKid, alg: "RS256", use: "sig" });
  const servicePrivateJwk: JWK = {
    ...(serviceKey.privateKey.export({ format: "jwk" }) as JWK),
    kid: serviceKid,
    alg: "RS256",
    use: "sig",
  };

  const routes = buildRoutes(store, authServers, tokens);

  const handleApi = async (
    req: http.IncomingMessage,
    path: string,
    bucket: "apps" | "app",
  ): Promise<Answer> => {
    const rate = limiter.take(bucket, rateKey(req.headers.authorization));
    const withRate = (a: Answer): Answer => ({ ...a, headers: { ...a.headers, ...rate.headers } });
    try {
      if (!rate.allowed) throw rateLimited();
      const method = req.method ?? "GET";
      const scopes = await authorize(req, method, path);
      const match = matchRoute(routes, path);
      if (!match) throw notFound(path, method);
      const handler = match.route.methods[method];
      if (!handler) throw methodNotAllowed(Object.keys(match.route.methods));
      const area = match.route.area;
      const needed =
        method === "GET" ? [`okta.${area}.read`, `okta.${area}.manage`] : [`okta.${area}.manage`];
      if (scopes !== "all" && !needed.some((s) => scopes.includes(s))) {
        throw insufficientScope(orgUrl, needed[0], path);
      }
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
      const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
      return withRate(
        handler.run({
          get app() {
            return store.app(params[0]);
          },
          params,
          query,
          body,
        }),
      );
    } catch (e) {
      if (e instanceof OktaApiError)
        return withRate({ status: e.status, body: e.body(), headers: e.headers });
      if (e instanceof OAuthError) {
        // DPoP refusals at the management API: the OAuth error body, and the challenge of RFC 9449 §7.1.
        const challenge = `DPoP error="${e.error}", error_description="${e.description}"`;
        return withRate({
          status: e.status,
          body: e.body(),
          headers: { ...e.headers, "WWW-Authenticate": challenge },
        });
      }
      throw e;
    }
  };

  /** Whose share of a bucket a request uses: the SSWS token's, or the OAuth app's its access token was issued to. */
  const rateKey = (header: string | undefined): string => {
    const m = /^(SSWS|Bearer|DPoP)\s+(\S+)$/i.exec(header?.trim() ?? "");
    if (!m) return "anonymous";
    if (m[1].toUpperCase() === "SSWS") return `ssws:${m[2]}`;
    const client = tokens.managementClient(m[2]);
    return client ? `client:${client}` : "anonymous";
  };

  /**
   * Management API authentication: `SSWS <api token>`, `Bearer <token>`, or for a DPoP-bound token
   * `DPoP <token>` with a fresh proof carrying `ath` (RFC 9449 §7.1; texts from Okta's error table, see
   * dpop.ts). A token that is not DPoP-bound sent with the `DPoP` scheme is refused as an invalid token.
   */
  const authorize = async (
    req: http.IncomingMessage,
    method: string,
    path: string,
  ): Promise<"all" | string[]> => {
    const m = /^(SSWS|Bearer|DPoP)\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? "");
    if (!m) throw invalidToken();
    const scheme = m[1].toUpperCase();
    if (scheme === "SSWS") {
      if (m[2] !== apiToken) throw invalidToken();
      return "all";
    }
    const token = tokens.verifyAccessToken(m[2]);
    if (!token) throw invalidToken();
    if (token.jkt === undefined) {
      // Revision 3 (error table, "Access token not dpop bound"): 401 invalid_token.
      if (scheme === "DPOP") throw new OAuthError(401, "invalid_token", DPOP_DESCRIPTIONS.notBound);
      return token.scopes;
    }
    if (scheme !== "DPOP") throw new OAuthError(400, "invalid_request", DPOP_DESCRIPTIONS.scheme);
    const proof = req.headers.dpop;
    if (proof === undefined || String(proof).trim() === "") {
      throw new OAuthError(400, "invalid_request", DPOP_DESCRIPTIONS.resourceMissing);
    }
    const host = req.headers.host;
    await dpop.verify(
      {
        proof,
        method,
        urls: [`${orgUrl}${path}`, ...(host ? [`http://${host}${path}`] : [])],
        accessToken: m[2],
        boundJkt: token.jkt,
      },
      resourceNonces &&
        ((claims) => {
          // RFC 9449 §9: a resource server that wants a nonce answers 401 with the DPoP challenge.
          if (!resourceNonces.accepts(claims.nonce)) {
            throw new OAuthError(401, "use_dpop_nonce", DPOP_DESCRIPTIONS.resourceNonce, {
              "DPoP-Nonce": resourceNonces.value(),
            });
          }
        }),
    );
    return token.scopes;
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
        dpop: req.headers.dpop,
        query: (req.url ?? "").split("?")[1] ?? "",
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
      await holds.wait(method, path);
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
    serviceApp: {
      id: serviceApp.id,
      clientId: serviceApp.clientId,
      privateJwk: servicePrivateJwk,
      kid: serviceKid,
    },
    requestLog,
    clearLog: () => {
      requestLog.length = 0;
    },
    setFaults: (rules) => faults.set(rules),
    holdWhile: (rule, until) => holds.add(rule, until),
    setRateLimits: (limits) => limiter.set(limits),
    addApp: (seed) => {
      const app = seedApp(seed ?? { label: `demo-service-${apps.length + 1}` });
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

/**
 * A token without the scope an endpoint needs: 403 `E0000006` with a `WWW-Authenticate` challenge naming the
 * scope (okta-api.md, "Management API…", and Revision 3: `error="insufficient_scope"` and `scope=`, so a client can
 * say which grant to add). The challenge's parameters follow the example of Okta's support article "insufficient_scope
 * Error when Making a Request to an OAuth or Management Endpoint" (`authorization_uri`, `realm` = the org URL,
 * `scope`, `error`, `error_description`, `resource` = the path). A GET names the `.read` scope, a write `.manage`.
 */
function insufficientScope(orgUrl: string, scope: string, path: string): OktaApiError {
  const e = forbidden();
  const challenge =
    `Bearer authorization_uri="${orgUrl}/oauth2/v1/authorize", realm="${orgUrl}", scope="${scope}", ` +
    `error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", ` +
    `resource="${path}"`;
  return new OktaApiError(e.status, e.errorCode, e.errorSummary, e.causes, { "WWW-Authenticate": challenge });
}

/** The rate-limit bucket a management API request counts against, or undefined for other paths. */
function apiBucket(bucket: Bucket | undefined, path: string): "apps" | "app" | undefined {
  if (bucket === "apps" || bucket === "app") return bucket;
  return path.startsWith("/api/v1/") ? "apps" : undefined;
}

/**
 * The rate-limit bucket of a request (token requests are tagged but not limited). okta-api.md, "Management API
 * authentication, rate limits, errors": `GET|PUT|DELETE /api/v1/apps/{id}` is a bucket of its own (`app`), so
 * deleteApplication counts there; every other `/api/v1/apps…` call shares `/api/v1/apps` (`apps`): the
 * credentials calls, createApplication (`POST /api/v1/apps`) and the app lifecycle calls
 * (`POST /api/v1/apps/{id}/lifecycle/activate|deactivate`).
 */
export function bucketOf(method: string, path: string): Bucket | undefined {
  if (/^\/oauth2\/(?:[^/]+\/)?v1\/token$/.test(path)) return "token";
  if (/^\/api\/v1\/apps\/[^/]+\/?$/.test(path) && ["GET", "PUT", "DELETE"].includes(method)) return "app";
  if (/^\/api\/v1\/apps(\/|$)/.test(path)) return "apps";
  return undefined;
}

function buildRoutes(store: Store, servers: AuthServers, tokens: TokenService): Route[] {
  const secretsBase = "^/api/v1/apps/([^/]+)/credentials/secrets";
  const jwksBase = "^/api/v1/apps/([^/]+)/credentials/jwks";
  const ok = (body: unknown): Answer => ({ status: 200, body });
  const created = (body: unknown): Answer => ({ status: 201, body });
  const authServerBase = "^/api/v1/authorizationServers/([^/]+)";
  return [
    {
      pattern: /^\/api\/v1\/apps\/?$/,
      area: "apps",
      methods: {
        GET: { run: () => ok([...store.apps.values()].map((a) => store.appJson(a))) },
        // Spec: createApplication answers 200 with the app, the generated secret included once; its query
        // parameter `activate` (default true) decides whether the app starts ACTIVE or INACTIVE.
        POST: { json: true, run: ({ body, query }) => ok(store.createApp(body, activateParam(query))) },
      },
    },
    {
      pattern: /^\/api\/v1\/apps\/([^/]+)\/grants\/?$/,
      area: "appGrants",
      methods: {
        GET: { run: ({ app }) => ok(app.grants.map((g) => store.grantJson(app, g))) },
        POST: { json: true, run: ({ app, body }) => created(store.grantJson(app, store.grant(app, body))) },
      },
    },
    {
      pattern: new RegExp(`${authServerBase}/scopes/?$`),
      area: "authorizationServers",
      methods: {
        GET: {
          run: ({ params }) => {
            const server = servers.server(params[0]);
            return ok(server.scopes.map((x) => servers.scopeJson(server, x)));
          },
        },
        POST: {
          json: true,
          run: ({ params, body }) => {
            const server = servers.server(params[0]);
            return created(servers.scopeJson(server, servers.createScope(server, body)));
          },
        },
      },
    },
    {
      pattern: new RegExp(`${authServerBase}/policies/?$`),
      area: "authorizationServers",
      methods: {
        GET: {
          run: ({ params }) => {
            const server = servers.server(params[0]);
            return ok(server.policies.map((x) => servers.policyJson(server, x)));
          },
        },
        POST: {
          json: true,
          run: ({ params, body }) => {
            const server = servers.server(params[0]);
            return created(servers.policyJson(server, servers.createPolicy(server, body)));
          },
        },
      },
    },
    {
      pattern: new RegExp(`${authServerBase}/policies/([^/]+)/rules/?$`),
      area: "authorizationServers",
      methods: {
        GET: {
          run: ({ params }) => {
            const server = servers.server(params[0]);
            const policy = servers.policy(server, params[1]);
            return ok(policy.rules.map((r) => servers.ruleJson(server, policy, r)));
          },
        },
        POST: {
          json: true,
          run: ({ params, body }) => {
            const server = servers.server(params[0]);
            const policy = servers.policy(server, params[1]);
            return created(servers.ruleJson(server, policy, servers.createRule(policy, body)));
          },
        },
      },
    },
    {
      pattern: /^\/api\/v1\/apps\/([^/]+)\/?$/,
      area: "apps",
      methods: {
        GET: { run: ({ app }) => ok(store.appJson(app)) },
        PUT: { json: true, run: ({ app, body }) => ok(store.replaceApp(app, body)) },
        // Spec: deleteApplication, 204 No Content; an ACTIVE app is refused (403 E0000056, see store.ts).
        DELETE: {
          run: ({ app }) => {
            store.deleteApp(app);
            return { status: 204 };
          },
        },
      },
    },
    {
      pattern: /^\/api\/v1\/apps\/([^/]+)\/lifecycle\/(activate|deactivate)\/?$/,
      area: "apps",
      methods: {
        // Spec: activateApplication / deactivateApplication answer 200 with no content schema; Okta's legacy Apps
        // API reference (okta-developer-docs `docs/reference/api/apps/index.md`, "Activate application",
        // "Deactivate application", deleted 2025-10-27) shows the body: "An empty JSON object `{}`".
        POST: {
          run: ({ app, params }) => {
            if (params[1] === "activate") {
              store.activateApp(app);
            } else {
              store.deactivateApp(app);
              tokens.revokeTokensOf(app.clientId);
            }
            return ok({});
          },
        },
      },
    },
    {
      area: "apps",
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
      area: "apps",
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
      area: "apps",
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
      area: "apps",
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
      area: "apps",
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
      area: "apps",
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

/**
 * createApplication's `activate` query parameter (boolean, default true). Values other than `true` / `false`
 * (any case) are refused with 400 `E0000001`: the spec types the parameter boolean and documents no coercion,
 * and a client that sends something else has a bug worth seeing (this server's own text).
 */
function activateParam(query: URLSearchParams): boolean {
  const raw = query.get("activate");
  if (raw === null) return true;
  const v = raw.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw validation("Api validation failed: activate", `activate: '${raw}' is not a boolean (true or false).`);
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
