import type { JWK } from "jose";

export type TokenEndpointAuthMethod =
  "client_secret_basic" | "client_secret_post" | "client_secret_jwt" | "private_key_jwt" | "none";

export const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt",
  "none",
];

export interface SeedApp {
  id?: string;
  clientId?: string;
  label?: string;
  /** Default `client_secret_basic`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** ACTIVE secrets to seed; default 1 (0 for `private_key_jwt` and `none` apps). */
  secrets?: number;
  /**
   * `settings.oauthClient.dpop_bound_access_tokens`: tokens need DPoP proofs. Default false, as for an app
   * created through the Apps API without the field; the seeded admin service app has it on (see `serviceAppDpop`).
   */
  dpopBoundAccessTokens?: boolean;
  /** `settings.oauthClient.grant_types`; default `["client_credentials"]`. */
  grantTypes?: string[];
  /** `settings.oauthClient.application_type`; default `service`. */
  applicationType?: "service" | "web" | "native" | "browser";
  /**
   * Admitted by the seeded `default` authorization server's access policy (for client_credentials with
   * its scope). Default true; false: an app no policy names, as one created through the API.
   */
  inRotationPolicy?: boolean;
}

export interface FaultRule {
  /** RegExp source matched against the request path (without query string). */
  path: string;
  method?: string;
  latencyMs?: number;
  /** 0..1 share of matching requests answered 500/503 with an Okta error body. */
  errorRate?: number;
  /** 0..1 share of matching requests whose socket is destroyed without an answer. */
  dropRate?: number;
}

export interface RateLimits {
  /** Requests per window, bucket `/api/v1/apps*` including credentials. */
  apps: number;
  /** Requests per window, bucket `GET|PUT|DELETE /api/v1/apps/{id}`. */
  app: number;
  /** Default 60. */
  windowSeconds: number;
  /**
   * Share of each bucket one token may use per window (an SSWS token, or all access tokens of one OAuth service
   * app), in (0, 1]. Default 0.5, Okta's default.
   */
  tokenShare: number;
}

export interface OktaLocalOptions {
  /** 0 = any free port (default). */
  port?: number;
  /** Default: one service app labelled "demo-service". */
  apps?: SeedApp[];
  /** Default Okta paid org: apps 100, app 500 per 60 s, each token 50% of a bucket. */
  rateLimits?: Partial<RateLimits>;
  faults?: FaultRule[];
  /** Switching an app to private_key_jwt deletes its client secrets (undocumented for the API). Default false. */
  deleteSecretsOnPrivateKeyJwt?: boolean;
  /**
   * The seeded admin service app requires DPoP, as Okta sets every API Services app created since
   * February 2024. Default true; false models an older app, or one whose admin turned DPoP off.
   */
  serviceAppDpop?: boolean;
  /**
   * Management calls with a DPoP-bound token must also carry this server's resource nonce (RFC 9449 §9):
   * a 401 `use_dpop_nonce` with a `DPoP-Nonce` header otherwise. Okta does not ask for one today; this lets
   * a client's handling of it be tested. Default false.
   */
  dpopResourceNonce?: boolean;
  /**
   * A whole-app PUT keeps the ids of the keys it keeps. Default false: they get new ids, as in the exchange
   * recorded in Okta's own rotation collection (sources differ; see README "Choices").
   */
  keepKeyIdsOnPut?: boolean;
  /** Millisecond clock, for tests. */
  now?: () => number;
}

export type Bucket = "apps" | "app" | "token";

export interface RequestLogEntry {
  method: string;
  path: string;
  /** 0 when the connection was dropped by a fault rule. */
  status: number;
  /** ms epoch when the request arrived. */
  time: number;
  durationMs: number;
  bucket?: Bucket;
}

export interface AppSummary {
  id: string;
  clientId: string;
  label: string;
}

export interface SecretView {
  id: string;
  status: "ACTIVE" | "INACTIVE";
  clientSecret: string;
  created: string;
}

export interface KeyView {
  id: string;
  kid: string;
  status: "ACTIVE" | "INACTIVE";
}

export interface OktaLocal {
  /** "http://127.0.0.1:<port>" */
  orgUrl: string;
  /** Seeded SSWS token. */
  apiToken: string;
  apps: AppSummary[];
  /**
   * Seeded OAuth service app (private_key_jwt), granted okta.apps.read and okta.apps.manage; DPoP-bound
   * unless `serviceAppDpop: false` (or a PUT of the app turns it off).
   */
  serviceApp: { id: string; clientId: string; privateJwk: JWK; kid: string };
  /** Every request, in order. */
  requestLog: RequestLogEntry[];
  clearLog(): void;
  setFaults(rules: FaultRule[]): void;
  /**
   * A control of the harness, not an Okta behaviour: requests matching `rule` (`path` a RegExp source, `method`
   * optional) wait until `until` settles, then are answered as usual. The drills use it to play what the
   * program awaits in a real cluster (the rollout and the pod census) before the previous credential is retired.
   */
  holdWhile(rule: { method?: string; path: string }, until: Promise<unknown>): void;
  setRateLimits(limits: Partial<RateLimits>): void;
  addApp(seed?: SeedApp): AppSummary & { secrets: { id: string; clientSecret: string }[] };
  listSecrets(appId: string): SecretView[];
  listKeys(appId: string): KeyView[];
  /** The app JSON as GET would return it. */
  getApp(appId: string): unknown;
  close(): Promise<void>;
}
