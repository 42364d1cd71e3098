import { createHash, createPublicKey, randomBytes } from "node:crypto";
import { OktaApiError, notFound, randomId, validation } from "./errors";
import {
  AUTH_METHODS,
  type KeyView,
  type SecretView,
  type SeedApp,
  type TokenEndpointAuthMethod,
} from "./types";

export type Status = "ACTIVE" | "INACTIVE";
type Json = Record<string, unknown>;

export interface Secret {
  id: string;
  status: Status;
  value: string;
  hash: string;
  created: number;
  lastUpdated: number;
}

export interface Key {
  id: string;
  kid: string;
  status: Status;
  /** What the key is for: `enc` only when sent so; a key sent without `use` signs. */
  use: "sig" | "enc";
  /**
   * The public JWK as echoed: kid, kty and the members the request sent — `use` and an EC key's `crv` as `null`
   * when left out, `alg` absent when left out (Revision 3, "Keys echo only what was sent": a recorded
   * `POST /api/v1/apps` answered `"use": null`, no `alg`, and `"crv": null` for an EC key sent without them).
   */
  jwk: Json;
  /** The public key to verify with: the members above plus the curve of an EC key sent without `crv`. */
  material: Json;
  created: number;
  lastUpdated: number;
}

export interface App {
  id: string;
  clientId: string;
  label: string;
  /**
   * `ACTIVE` or `INACTIVE` (spec: `ApplicationLifecycleStatus`, read-only; `DELETED` apps are gone here). Changed
   * only by `activateApplication` / `deactivateApplication`, or set at creation by `createApplication`'s `activate`.
   */
  status: Status;
  created: number;
  lastUpdated: number;
  /** The app object as last written, without id/status/created/lastUpdated/_links and derived jwks. */
  doc: Json;
  secrets: Secret[];
  keys: Key[];
  /** Okta API scopes granted to the app (`/api/v1/apps/{appId}/grants`). */
  grants: Grant[];
}

/** A scope consent grant (spec: `OAuth2ScopeConsentGrant`, example `AppGrantsEx`). */
export interface Grant {
  id: string;
  scopeId: string;
  created: number;
  lastUpdated: number;
}

/** Okta scopes: `okta.<resource>.<read|manage>` (and a few `okta.<resource>.<x>.<read|manage>`). */
export const OKTA_SCOPE = /^okta\.[A-Za-z]+(\.[A-Za-z]+)?\.(read|manage)$/;

const SECRET_SUMMARY = "Api validation failed: OAuth2ClientSecretMediated";
/**
 * Deleting an ACTIVE app: 403 `E0000056`. Okta's error-code table (okta-developer-docs `data/error-codes.json`,
 * release 2026.08.1: "Delete app instance forbidden exception", 403, `Delete application forbidden.`) and the
 * legacy Apps API reference's "Delete application" example (okta-developer-docs `docs/reference/api/apps/index.md`,
 * kept in its source after the OpenAPI reference replaced it, deleted 2025-10-27): "If the application has an `ACTIVE` status, the response
 * contains an error message", with this summary and this cause. The OpenAPI spec's deleteApplication lists no 4xx
 * for it (only 403 `ErrorAccessDenied403`, 404, 429); its description says "Deletes an inactive application".
 */
export const DELETE_ACTIVE_APP = {
  errorCode: "E0000056",
  summary: "Delete application forbidden.",
  cause: "The application must be deactivated before deletion.",
} as const;
const VALUE_SUMMARY = "Api validation failed: client_secret";
const JWK_SUMMARY = "Api validation failed: JsonWebKey";
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
export const MAX_KEYS = 50;
export const MAX_SECRETS = 2;

export const MESSAGES = {
  secretCap: "You've reached the maximum number of client secrets per client.",
  deleteActiveSecret: "You can't delete an active client secret. Deactivate the secret before deleting it.",
  deactivateOnlySecret: "You can't deactivate the only active client secret.",
  secretTooLong: "client_secret: 'client_secret' can't be more than '100' characters long.",
  secretTooShort: "client_secret: 'client_secret' must be at least '14' characters long.",
  secretTooShortJwt:
    "client_secret: 'client_secret' must be at least '32' characters long when 'token_endpoint_auth_method' is 'client_secret_jwt'.",
  // Revision 3: the doubled quotes are Okta's, as in the spec's example and the Apps reference.
  secretNotAscii: "client_secret: ''client_secret'' must only contain printable ASCII: [x20-x7E]+",
  secretOnPrivateKeyJwt:
    "'client_secret' can't be used when 'token_endpoint_auth_method' is 'private_key_jwt'.",
  keyCap:
    "You can't create a new key. You have reached the maximum number of keys allowed (50). To add another key, you must first delete an existing one.",
  // okta-api.md "JSON Web Keys" (revision 2) and Revision 3: a duplicate `kid` gets this text; the long one
  // below is only for a key without `kid` while the app has (or is given) other keys.
  uniqueKid: "All keys in the 'jwks' must have a unique `kid`.",
  missingKid:
    "Each key should have a unique kid when adding multiple keys. Use the Apps API to update the JWKS to add a kid for the existing key, or delete the existing key and re-add the key with a kid using the JWKS APIs.",
  rsaTooShort: "RSA key length in the 'jwks' is less than '2,048' bits for the given key.",
  deleteActiveKey: "You can't delete an active JSON Web Key. Deactivate the key before deleting it.",
  deactivateOnlyKey:
    "Can't deactivate the only active JSON Web Key when the value for `token_endpoint_auth_method` is `private_key_jwt`.",
  privateMember: (m: string): string =>
    `The JSON Web Key contains the private key member '${m}'. Only public keys can be registered.`,
  oneActiveEncKey: "The client can have only one active encryption key in the 'jwks'.",
  clientIdTooShort: "client_id: 'client_id' must be at least '6' characters long.",
  clientIdTooLong: "client_id: 'client_id' can't be more than '100' characters long.",
  privateKeyJwtNeedsKeys:
    "jwks: 'jwks' or 'jwks_uri' is required when 'token_endpoint_auth_method' is 'private_key_jwt'.",
} as const;

/** base64url (no padding) of the first 16 bytes of SHA-256 of the secret. */
export function secretHash(value: string): string {
  return createHash("sha256").update(value, "utf8").digest().subarray(0, 16).toString("base64url");
}

/** RFC 7638 thumbprint of a public JWK. */
export function jwkThumbprint(jwk: Json): string {
  const members =
    jwk.kty === "RSA"
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash("sha256").update(JSON.stringify(members)).digest("base64url");
}

/**
 * Okta's timestamps carry whole seconds: every `created` / `lastUpdated` in its published examples ends in
 * `.000Z` (okta-management-openapi-spec, the Application and OAuth2ClientSecret examples). Code must not
 * tell two secrets apart by sub-second times, so neither does this server.
 */
const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const hint = (href: string, ...allow: string[]): Json => ({ href, hints: { allow } });

export class Store {
  readonly apps = new Map<string, App>();
  private readonly byClientId = new Map<string, App>();

  constructor(
    readonly now: () => number,
    private readonly orgUrl: () => string,
    readonly deleteSecretsOnPrivateKeyJwt: boolean,
    /** A whole-app PUT keeps the ids of the keys it keeps (default: new ids, as in Okta's recorded exchange). */
    readonly keepKeyIdsOnPut = false,
  ) {}

  // ---------------------------------------------------------------- apps

  addApp(seed: SeedApp = {}, grants: string[] = []): App {
    const id = seed.id ?? `0oa${randomId(17)}`;
    if (this.apps.has(id)) throw new Error(`app ${id} already exists`);
    const clientId = seed.clientId ?? id;
    if (this.byClientId.has(clientId)) throw new Error(`client_id ${clientId} already exists`);
    const method = seed.tokenEndpointAuthMethod ?? "client_secret_basic";
    const label = seed.label ?? "demo-service";
    const t = this.now();
    const app: App = {
      id,
      clientId,
      label,
      status: "ACTIVE",
      created: t,
      lastUpdated: t,
      doc: defaultDoc(label, clientId, method, seed.dpopBoundAccessTokens ?? false),
      secrets: [],
      keys: [],
      grants: [],
    };
    const oauth = (app.doc.settings as Json).oauthClient as Json;
    if (seed.grantTypes) oauth.grant_types = [...seed.grantTypes];
    if (seed.applicationType) oauth.application_type = seed.applicationType;
    for (const scopeId of grants) this.pushGrant(app, scopeId);
    this.apps.set(id, app);
    this.byClientId.set(clientId, app);
    const usesSecrets = method !== "private_key_jwt" && method !== "none";
    const count = seed.secrets ?? (usesSecrets ? 1 : 0);
    for (let i = 0; i < count; i++) this.pushSecret(app, generateSecret(), "ACTIVE");
    return app;
  }

  app(appId: string): App {
    const app = this.apps.get(appId);
    if (!app) throw notFound(appId, "AppInstance");
    return app;
  }

  appByClientId(clientId: string): App | undefined {
    return this.byClientId.get(clientId);
  }

  /**
   * `POST /api/v1/apps/{appId}/lifecycle/activate` (spec: activateApplication, "Activates an inactive
   * application", 200). Activating an ACTIVE app is not documented as an error; it changes nothing here.
   */
  activateApp(app: App): void {
    if (app.status === "ACTIVE") return;
    app.status = "ACTIVE";
    app.lastUpdated = this.now();
  }

  /**
   * `POST /api/v1/apps/{appId}/lifecycle/deactivate` (spec: deactivateApplication, "Deactivates an active
   * application", 200). Its client can no longer get tokens (see `TokenService`); deactivating an INACTIVE app
   * is not documented as an error and changes nothing here.
   */
  deactivateApp(app: App): void {
    if (app.status === "INACTIVE") return;
    app.status = "INACTIVE";
    app.lastUpdated = this.now();
  }

  /**
   * `DELETE /api/v1/apps/{appId}` (spec: deleteApplication, "Deletes an inactive application", 204). An ACTIVE
   * app is refused with 403 `E0000056` (`DELETE_ACTIVE_APP`). Afterwards the app is unknown (404 `E0000007`) and
   * so is its client id, with its secrets, keys and grants.
   */
  deleteApp(app: App): void {
    if (app.status === "ACTIVE") {
      throw new OktaApiError(403, DELETE_ACTIVE_APP.errorCode, DELETE_ACTIVE_APP.summary, [
        DELETE_ACTIVE_APP.cause,
      ]);
    }
    this.apps.delete(app.id);
    this.byClientId.delete(app.clientId);
  }

  /** `settings.oauthClient.grant_types` of the app. */
  grantTypes(app: App): string[] {
    const oauth = (app.doc.settings as Json | undefined)?.oauthClient;
    const types = isObject(oauth) ? oauth.grant_types : undefined;
    return Array.isArray(types) ? types.filter((t): t is string => typeof t === "string") : [];
  }

  /** `settings.oauthClient.application_type` of the app (`service`, `web`, `native`, `browser`). */
  applicationType(app: App): string | undefined {
    const oauth = (app.doc.settings as Json | undefined)?.oauthClient;
    const type = isObject(oauth) ? oauth.application_type : undefined;
    return typeof type === "string" ? type : undefined;
  }

  /** The Okta scopes granted to the app. */
  grantedScopes(app: App): string[] {
    return app.grants.map((g) => g.scopeId);
  }

  // ---------------------------------------------------------------- grants

  /**
   * `POST /api/v1/apps/{appId}/grants` (spec: grantConsentToScope, 201; `issuer` and `scopeId` required).
   * The issuer is the org authorization server, i.e. the org URL; only Okta scopes can be granted.
   */
  grant(app: App, body: Json): Grant {
    if (typeof body.issuer !== "string" || body.issuer.trim() === "") {
      throw validation("Api validation failed: issuer", "issuer: The field cannot be left blank");
    }
    if (body.issuer.replace(/\/+$/, "") !== this.orgUrl()) {
      throw validation("Api validation failed: issuer", `issuer: The issuer must be '${this.orgUrl()}'.`);
    }
    if (typeof body.scopeId !== "string" || body.scopeId.trim() === "") {
      throw validation("Api validation failed: scopeId", "scopeId: The field cannot be left blank");
    }
    const scopeId = body.scopeId.trim();
    if (!OKTA_SCOPE.test(scopeId)) {
      throw validation("Api validation failed: scopeId", `scopeId: '${scopeId}' is not an Okta scope.`);
    }
    return app.grants.find((g) => g.scopeId === scopeId) ?? this.pushGrant(app, scopeId);
  }

  private pushGrant(app: App, scopeId: string): Grant {
    const t = this.now();
    const g: Grant = { id: `oag${randomId(17)}`, scopeId, created: t, lastUpdated: t };
    app.grants.push(g);
    return g;
  }

  grantJson(app: App, g: Grant): Json {
    const base = `${this.orgUrl()}/api/v1/apps/${app.id}`;
    return {
      id: g.id,
      status: "ACTIVE",
      created: iso(g.created),
      createdBy: { id: "00uLocalAdmin00000000", type: "User" },
      lastUpdated: iso(g.lastUpdated),
      issuer: this.orgUrl(),
      clientId: app.clientId,
      scopeId: g.scopeId,
      source: "ADMIN",
      _embedded: { scope: { id: g.scopeId } },
      _links: {
        app: { href: base, title: app.label },
        self: hint(`${base}/grants/${g.id}`, "GET", "DELETE"),
        client: { href: `${this.orgUrl()}/oauth2/v1/clients/${app.clientId}`, title: app.label },
      },
    };
  }

  authMethod(app: App): TokenEndpointAuthMethod {
    const oauth = (app.doc.credentials as Json).oauthClient as Json;
    return oauth.token_endpoint_auth_method as TokenEndpointAuthMethod;
  }

  /**
   * Whether the app's tokens are DPoP-bound: `settings.oauthClient.dpop_bound_access_tokens` as last written.
   * A PUT that leaves the field out turns DPoP off, which is how the field gets lost by clients that do not
   * know it (okta-api.md, "Switching an app to private_key_jwt").
   */
  dpopBound(app: App): boolean {
    const oauth = (app.doc.settings as Json | undefined)?.oauthClient as Json | undefined;
    return oauth?.dpop_bound_access_tokens === true;
  }

  appJson(app: App): Json {
    const doc = structuredClone(app.doc);
    const settings = doc.settings as Json;
    const oauth = settings.oauthClient as Json;
    if (app.keys.length > 0) oauth.jwks = { keys: app.keys.map((k) => this.keyJson(app, k)) };
    const base = `${this.orgUrl()}/api/v1/apps/${app.id}`;
    // Spec `ApplicationLinks` has `activate` and `deactivate`; its ACTIVE examples carry `deactivate`. An
    // INACTIVE app offers `activate`, as an INACTIVE secret or key does.
    const lifecycle =
      app.status === "ACTIVE"
        ? { deactivate: { href: `${base}/lifecycle/deactivate` } }
        : { activate: { href: `${base}/lifecycle/activate` } };
    return {
      id: app.id,
      name: doc.name ?? "oidc_client",
      label: app.label,
      status: app.status,
      created: iso(app.created),
      lastUpdated: iso(app.lastUpdated),
      ...doc,
      _links: {
        appLinks: [
          {
            name: "oidc_client_link",
            href: `${this.orgUrl()}/home/oidc_client/${app.id}/aln5z7uhkbM6y7bMy0g7`,
            type: "text/html",
          },
        ],
        // Revision 3 lists `secrets` and `jwks` together; every recorded answer (terraform-provider-okta's
        // fixtures: 840 of secret apps, 61 of private_key_jwt apps) lists only the kind the app authenticates
        // with: `secrets` for the client_secret_* methods, `jwks` for private_key_jwt (`none` varies there; here
        // it lists neither). See README "Choices".
        ...credentialLinks(this.authMethod(app), base),
        groups: { href: `${base}/groups` },
        logo: [],
        users: { href: `${base}/users` },
        ...lifecycle,
      },
    };
  }

  /**
   * `POST /api/v1/apps` for an OIDC app (spec: createApplication, 200; request example `OpenidConnectEx`,
   * response `OpenidConnectResponseEx`). Okta fills in what the request leaves out, assigns `client_id`
   * (= the app id) and, for an app that authenticates with a secret, generates one: the answer carries it in
   * `credentials.oauthClient.client_secret`, and it is the app's first client secret. The app is in no
   * access policy: a custom authorization server refuses it until a policy rule names it.
   * `activate` is the spec's query parameter ("Executes activation lifecycle operation when creating the app",
   * default true): false creates the app INACTIVE. A `status` in the body is ignored (read-only in the spec).
   */
  createApp(body: Json, activate = true): Json {
    if (body.signOnMode !== undefined && body.signOnMode !== "OPENID_CONNECT") {
      throw validation(
        "Api validation failed: signOnMode",
        "signOnMode: this local Okta creates OPENID_CONNECT apps only.",
      );
    }
    if (body.name !== undefined && body.name !== "oidc_client") {
      throw validation("Api validation failed: name", "name: this local Okta creates oidc_client apps only.");
    }
    const label = typeof body.label === "string" ? body.label.trim() : "";
    if (label === "")
      throw validation("Api validation failed: label", "label: The field cannot be left blank");
    const id = `0oa${randomId(17)}`;
    const t = this.now();
    const defaults = defaultDoc(label, id, "client_secret_basic", false);
    const inCredentials = isObject(body.credentials) ? body.credentials : {};
    const inSettings = isObject(body.settings) ? body.settings : {};
    const merged: Json = {
      ...defaults,
      ...structuredClone(body),
      credentials: {
        ...(defaults.credentials as Json),
        ...structuredClone(inCredentials),
        oauthClient: {
          ...((defaults.credentials as Json).oauthClient as Json),
          ...(isObject(inCredentials.oauthClient) ? structuredClone(inCredentials.oauthClient) : {}),
        },
      },
      settings: {
        ...(defaults.settings as Json),
        ...structuredClone(inSettings),
        oauthClient: {
          ...((defaults.settings as Json).oauthClient as Json),
          ...(isObject(inSettings.oauthClient) ? structuredClone(inSettings.oauthClient) : {}),
        },
      },
    };
    const ownSecret = ((merged.credentials as Json).oauthClient as Json).client_secret;
    const clientId = this.newClientId(inCredentials.oauthClient, id);
    const app: App = {
      id,
      clientId,
      label,
      status: activate ? "ACTIVE" : "INACTIVE",
      created: t,
      lastUpdated: t,
      doc: defaults,
      secrets: [],
      keys: [],
      grants: [],
    };
    // Validates the auth method and any keys; nothing is registered until every check has passed.
    this.replaceApp(app, merged);
    const method = this.authMethod(app);
    let secret: Secret | undefined;
    if (["client_secret_basic", "client_secret_post", "client_secret_jwt"].includes(method)) {
      secret =
        ownSecret === undefined || ownSecret === null
          ? this.pushSecret(app, generateSecret(), "ACTIVE")
          : this.createSecret(app, { client_secret: ownSecret });
    }
    app.created = t;
    this.apps.set(id, app);
    this.byClientId.set(clientId, app);
    const out = this.appJson(app);
    if (secret) ((out.credentials as Json).oauthClient as Json).client_secret = secret.value;
    return out;
  }

  /**
   * The `client_id` of a new app. The spec's ApplicationCredentialsOAuthClient (`client_id`): "If you don't
   * specify the client_id, this immutable property is populated with the Application instance ID"; it "must
   * consist of alphanumeric characters or the following special characters: $-_.+!*'()," and "You can't use the
   * reserved word ALL_CLIENTS". The spec gives no error text for a bad or taken one: these summaries are this
   * server's, in Okta's `Api validation failed: <field>` form. Immutable: a PUT does not change it (appJson).
   */
  private newClientId(oauthClient: unknown, appId: string): string {
    const given = isObject(oauthClient) ? oauthClient.client_id : undefined;
    if (given === undefined || given === null || given === "") return appId;
    const summary = "Api validation failed: client_id";
    if (typeof given !== "string" || !/^[A-Za-z0-9$\-_.+!*'(),]+$/.test(given)) {
      throw validation(
        summary,
        "client_id: 'client_id' must consist of alphanumeric characters or the special characters $-_.+!*'(),",
      );
    }
    // Revision 3: the spec's `client_id` has `minLength: 6` and `maxLength: 100`; the texts follow the pattern
    // of the documented client_secret length texts (the spec gives none).
    if (given.length < 6) throw validation(summary, MESSAGES.clientIdTooShort);
    if (given.length > 100) throw validation(summary, MESSAGES.clientIdTooLong);
    if (given === "ALL_CLIENTS") throw validation(summary, "client_id: 'ALL_CLIENTS' is a reserved word.");
    if (this.byClientId.has(given)) throw validation(summary, "client_id: 'client_id' must be unique.");
    return given;
  }

  /**
   * PUT /api/v1/apps/{id}: whole-object replacement. Spec replaceApplication: "You can't modify
   * system-assigned properties, such as `id`, `name`, `status`, `created`, and `lastUpdated`. The values for
   * these properties in the PUT request body are ignored." So the app keeps its status whatever the body says.
   */
  replaceApp(app: App, body: Json): Json {
    const credentials = isObject(body.credentials) ? structuredClone(body.credentials) : {};
    const inOauth = isObject(credentials.oauthClient) ? credentials.oauthClient : {};
    const method = inOauth.token_endpoint_auth_method ?? "client_secret_basic";
    if (typeof method !== "string" || !AUTH_METHODS.includes(method as TokenEndpointAuthMethod)) {
      throw validation(
        "Api validation failed: token_endpoint_auth_method",
        `token_endpoint_auth_method: 'token_endpoint_auth_method' must be one of [${AUTH_METHODS.join(", ")}].`,
      );
    }
    const label = body.label ?? app.label;
    if (typeof label !== "string" || label.trim() === "") {
      throw validation("Api validation failed: label", "label: The field cannot be left blank");
    }
    const settings = isObject(body.settings) ? structuredClone(body.settings) : {};
    const oauthSettings = isObject(settings.oauthClient) ? settings.oauthClient : {};
    const jwks = oauthSettings.jwks;
    delete oauthSettings.jwks;
    const inlineKeys = isObject(jwks) && Array.isArray(jwks.keys) ? (jwks.keys as unknown[]) : [];
    const jwksUri = oauthSettings.jwks_uri;
    // The keys of the body are the app's keys afterwards (see `stageKeySet`); nothing changes before all pass.
    const keys = this.stageKeySet(app, inlineKeys);
    const activeAfter = keys.some((k) => k.status === "ACTIVE" && k.use === "sig");
    if (method === "private_key_jwt" && !activeAfter && !(typeof jwksUri === "string" && jwksUri !== "")) {
      throw validation("Api validation failed: jwks", MESSAGES.privateKeyJwtNeedsKeys);
    }
    const switching = method === "private_key_jwt" && this.authMethod(app) !== "private_key_jwt";
    app.keys = keys;

    const { client_secret: _sent, ...keptOauth } = inOauth;
    credentials.oauthClient = {
      autoKeyRotation: true,
      ...keptOauth,
      client_id: app.clientId,
      token_endpoint_auth_method: method,
    };
    settings.oauthClient = oauthSettings;
    const doc: Json = { ...structuredClone(body), credentials, settings, label };
    for (const k of ["id", "status", "created", "lastUpdated", "_links", "_embedded"]) delete doc[k];
    doc.name = app.doc.name;
    app.doc = doc;
    app.label = label;
    app.lastUpdated = this.now();
    if (switching && this.deleteSecretsOnPrivateKeyJwt) app.secrets = [];
    const out = this.appJson(app);
    // Revision 3: a whole-app PUT answers with the app's `client_secret` (spec `OpenidConnectPutResponseEx`: "only
    // shown when an OAuth 2.0 client app is created or updated"; terraform-provider-okta: "always returned from the
    // API on update regardless if we pass a value or not"; its recorded PUT sent none and got the secret of the
    // create back). Which secret when the app has two is not documented: the one the body names if it is ACTIVE,
    // else the newest ACTIVE one. An app without an ACTIVE secret gets none.
    const active = app.secrets.filter((s) => s.status === "ACTIVE");
    const named = active.find((s) => s.value === inOauth.client_secret);
    const shown = named ?? active[active.length - 1];
    if (shown) ((out.credentials as Json).oauthClient as Json).client_secret = shown.value;
    return out;
  }

  /**
   * The key set a whole-app PUT leaves: exactly the keys of `settings.oauthClient.jwks.keys` (Okta's guides:
   * updating `jwks` overwrites all old keys; a recorded exchange got a kept key back under a new id). A key whose
   * `kid` is registered with the same key material is kept — its status and `use` as registered — under a new id,
   * or its old id when `keepKeyIdsOnPut`; a registered `kid` with new material replaces the old material
   * (Revision 3: "all the old keys are overwritten", so an assertion signed with the old key no longer verifies)
   * and is validated like any other new key; registered keys left out are deleted. A body `id` is ignored, as
   * Okta ignores it.
   */
  private stageKeySet(app: App, inline: readonly unknown[]): Key[] {
    const staged: Key[] = [];
    const t = this.now();
    for (const raw of inline) {
      if (!isObject(raw)) throw validation(JWK_SUMMARY, "The JSON Web Key is not a JSON object.");
      if (raw.kid !== undefined && staged.some((k) => k.kid === raw.kid)) {
        throw validation(JWK_SUMMARY, MESSAGES.uniqueKid);
      }
      const registered = app.keys.find((k) => raw.kid !== undefined && k.kid === raw.kid);
      const kept = registered && sameMaterial(registered.material, raw) ? registered : undefined;
      if (kept) {
        staged.push({
          ...kept,
          jwk: structuredClone(kept.jwk),
          material: structuredClone(kept.material),
          id: this.keepKeyIdsOnPut ? kept.id : newKeyId(),
          lastUpdated: this.keepKeyIdsOnPut ? kept.lastUpdated : t,
        });
      } else {
        const added = this.validateKey(staged, raw, inline.length - staged.length);
        // New material under a registered kid keeps that key's id when ids are kept.
        if (registered && this.keepKeyIdsOnPut) added.id = registered.id;
        staged.push(added);
      }
    }
    if (staged.filter((k) => k.use === "enc" && k.status === "ACTIVE").length > 1) {
      throw validation(JWK_SUMMARY, MESSAGES.oneActiveEncKey);
    }
    return staged;
  }

  // ---------------------------------------------------------------- secrets

  secret(app: App, secretId: string): Secret {
    const s = app.secrets.find((x) => x.id === secretId);
    if (!s) throw notFound(secretId, "OAuth2ClientSecretMediated");
    return s;
  }

  secretJson(app: App, s: Secret): Json {
    const base = `${this.orgUrl()}/api/v1/apps/${app.id}/credentials/secrets/${s.id}`;
    return {
      id: s.id,
      status: s.status,
      client_secret: s.value,
      secret_hash: s.hash,
      created: iso(s.created),
      lastUpdated: iso(s.lastUpdated),
      _links:
        s.status === "ACTIVE"
          ? { deactivate: hint(`${base}/lifecycle/deactivate`, "POST") }
          : { activate: hint(`${base}/lifecycle/activate`, "POST"), delete: hint(base, "DELETE") },
    };
  }

  createSecret(app: App, body: Json): Secret {
    const method = this.authMethod(app);
    if (method === "private_key_jwt") throw validation(SECRET_SUMMARY, MESSAGES.secretOnPrivateKeyJwt);
    const status = body.status ?? "ACTIVE";
    if (status !== "ACTIVE" && status !== "INACTIVE") {
      throw validation(
        "Api validation failed: status",
        "status: 'status' must be one of [ACTIVE, INACTIVE].",
      );
    }
    let value: string;
    if (body.client_secret === undefined || body.client_secret === null) {
      value = generateSecret();
    } else {
      if (typeof body.client_secret !== "string") {
        throw validation(VALUE_SUMMARY, "client_secret: 'client_secret' must be a string.");
      }
      value = body.client_secret;
      if (value.length > 100) throw validation(VALUE_SUMMARY, MESSAGES.secretTooLong);
      if (value.length < 14) throw validation(VALUE_SUMMARY, MESSAGES.secretTooShort);
      if (method === "client_secret_jwt" && value.length < 32) {
        throw validation(VALUE_SUMMARY, MESSAGES.secretTooShortJwt);
      }
      if (!/^[\x20-\x7E]+$/.test(value)) throw validation(VALUE_SUMMARY, MESSAGES.secretNotAscii);
    }
    if (app.secrets.length >= MAX_SECRETS) throw validation(SECRET_SUMMARY, MESSAGES.secretCap);
    return this.pushSecret(app, value, status);
  }

  activateSecret(app: App, secretId: string): Secret {
    const s = this.secret(app, secretId);
    if (this.authMethod(app) === "private_key_jwt") {
      throw validation(SECRET_SUMMARY, MESSAGES.secretOnPrivateKeyJwt);
    }
    if (s.status !== "ACTIVE") {
      s.status = "ACTIVE";
      s.lastUpdated = this.now();
    }
    return s;
  }

  deactivateSecret(app: App, secretId: string): Secret {
    const s = this.secret(app, secretId);
    if (s.status === "ACTIVE") {
      // The rule protects apps that authenticate with secrets; once an app uses keys (or nothing),
      // its last secret must be retirable, or it could never be deleted.
      const usesSecrets = !["private_key_jwt", "none"].includes(this.authMethod(app));
      if (usesSecrets && app.secrets.filter((x) => x.status === "ACTIVE").length === 1) {
        throw validation(SECRET_SUMMARY, MESSAGES.deactivateOnlySecret);
      }
      s.status = "INACTIVE";
      s.lastUpdated = this.now();
    }
    return s;
  }

  deleteSecret(app: App, secretId: string): void {
    const s = this.secret(app, secretId);
    if (s.status === "ACTIVE") throw validation(SECRET_SUMMARY, MESSAGES.deleteActiveSecret);
    app.secrets = app.secrets.filter((x) => x !== s);
  }

  pushSecret(app: App, value: string, status: Status): Secret {
    const t = this.now();
    const s: Secret = {
      id: `ocs${randomId(17)}`,
      status,
      value,
      hash: secretHash(value),
      created: t,
      lastUpdated: t,
    };
    app.secrets.push(s);
    return s;
  }

  secretViews(appId: string): SecretView[] {
    return this.app(appId).secrets.map((s) => ({
      id: s.id,
      status: s.status,
      clientSecret: s.value,
      created: iso(s.created),
    }));
  }

  // ---------------------------------------------------------------- keys

  key(app: App, keyId: string): Key {
    const k = app.keys.find((x) => x.id === keyId);
    if (!k) throw notFound(keyId, "JsonWebKey");
    return k;
  }

  keyJson(app: App, k: Key): Json {
    const base = `${this.orgUrl()}/api/v1/apps/${app.id}/credentials/jwks/${k.id}`;
    return {
      id: k.id,
      status: k.status,
      created: iso(k.created),
      lastUpdated: iso(k.lastUpdated),
      ...k.jwk,
      _links:
        k.status === "ACTIVE"
          ? { deactivate: hint(`${base}/lifecycle/deactivate`, "POST") }
          : { activate: hint(`${base}/lifecycle/activate`, "POST"), delete: hint(base, "DELETE") },
    };
  }

  addKey(app: App, body: unknown): Key {
    const staged = this.validateKey(app.keys, body, 1);
    return this.commitKey(app, staged);
  }

  /** Checks a JWK to add next to `keys`; `adding` is how many keys are being added together. */
  private validateKey(keys: readonly Key[], body: unknown, adding: number): Key {
    if (!isObject(body)) throw validation(JWK_SUMMARY, "The JSON Web Key is not a JSON object.");
    for (const m of PRIVATE_MEMBERS) {
      if (body[m] !== undefined) throw validation(JWK_SUMMARY, MESSAGES.privateMember(m));
    }
    const sentUse = body.use ?? null;
    if (sentUse !== null && sentUse !== "sig" && sentUse !== "enc")
      throw validation(JWK_SUMMARY, "use: 'use' must be one of [sig, enc].");
    const use: "sig" | "enc" = sentUse === "enc" ? "enc" : "sig";
    const alg = body.alg === undefined || body.alg === null ? {} : { alg: body.alg };
    const status = body.status ?? "ACTIVE";
    if (status !== "ACTIVE" && status !== "INACTIVE") {
      throw validation(JWK_SUMMARY, "status: 'status' must be one of [ACTIVE, INACTIVE].");
    }
    // Revision 3: the echo carries only what was sent — `use` and `crv` null when left out, no `alg` invented.
    let jwk: Json;
    let material: Json;
    if (body.kty === "RSA") {
      if (typeof body.n !== "string" || typeof body.e !== "string") {
        throw validation(JWK_SUMMARY, "An RSA JSON Web Key needs the 'n' and 'e' members.");
      }
      if (rsaBits(body.n) < 2048) throw validation(JWK_SUMMARY, MESSAGES.rsaTooShort);
      jwk = { kty: "RSA", ...alg, use: sentUse, e: body.e, n: body.n };
      material = { kty: "RSA", e: body.e, n: body.n };
    } else if (body.kty === "EC") {
      if (use === "enc") throw validation(JWK_SUMMARY, "Encryption keys must be RSA keys.");
      if (typeof body.x !== "string" || typeof body.y !== "string") {
        throw validation(JWK_SUMMARY, "An EC JSON Web Key needs the 'x' and 'y' members.");
      }
      // okta-api.md: the spec's EC schema omits `crv`; tolerate its absence (the curve follows from `x`).
      const crv = body.crv ?? curveFromLength(body.x);
      if (crv !== "P-256" && crv !== "P-384" && crv !== "P-521") {
        throw validation(JWK_SUMMARY, "crv: 'crv' must be one of [P-256, P-384, P-521].");
      }
      jwk = { kty: "EC", ...alg, use: sentUse, crv: body.crv ?? null, x: body.x, y: body.y };
      material = { kty: "EC", crv, x: body.x, y: body.y };
    } else {
      throw validation(JWK_SUMMARY, "kty: 'kty' must be one of [RSA, EC].");
    }
    try {
      createPublicKey({ key: material as never, format: "jwk" });
    } catch {
      throw validation(JWK_SUMMARY, "The JSON Web Key is not a valid public key.");
    }
    if (keys.length + adding > MAX_KEYS) throw validation(JWK_SUMMARY, MESSAGES.keyCap);
    let kid = body.kid;
    if (kid === undefined || kid === null || kid === "") {
      if (keys.length + adding > 1) throw validation(JWK_SUMMARY, MESSAGES.missingKid);
      kid = jwkThumbprint(material);
    }
    if (typeof kid !== "string") throw validation(JWK_SUMMARY, "kid: 'kid' must be a string.");
    if (keys.some((k) => k.kid === kid)) throw validation(JWK_SUMMARY, MESSAGES.uniqueKid);
    const t = this.now();
    return {
      id: newKeyId(),
      kid,
      status,
      use,
      jwk: { kid, ...jwk },
      material: { kid, ...material },
      created: t,
      lastUpdated: t,
    };
  }

  private commitKey(app: App, k: Key): Key {
    if (app.keys.some((x) => x.kid === k.kid)) throw validation(JWK_SUMMARY, MESSAGES.uniqueKid);
    if (k.use === "enc" && k.status === "ACTIVE") this.retireOtherEncKeys(app, k);
    app.keys.push(k);
    return k;
  }

  private retireOtherEncKeys(app: App, keep: Key): void {
    for (const other of app.keys) {
      if (other !== keep && other.use === "enc" && other.status === "ACTIVE") {
        other.status = "INACTIVE";
        other.lastUpdated = this.now();
      }
    }
  }

  activateKey(app: App, keyId: string): Key {
    const k = this.key(app, keyId);
    if (k.status !== "ACTIVE") {
      k.status = "ACTIVE";
      k.lastUpdated = this.now();
      if (k.use === "enc") this.retireOtherEncKeys(app, k);
    }
    return k;
  }

  deactivateKey(app: App, keyId: string): Key {
    const k = this.key(app, keyId);
    if (k.status === "ACTIVE") {
      const activeSig = app.keys.filter((x) => x.status === "ACTIVE" && x.use === "sig").length;
      if (k.use === "sig" && activeSig === 1 && this.authMethod(app) === "private_key_jwt") {
        throw validation(JWK_SUMMARY, MESSAGES.deactivateOnlyKey);
      }
      k.status = "INACTIVE";
      k.lastUpdated = this.now();
    }
    return k;
  }

  deleteKey(app: App, keyId: string): void {
    const k = this.key(app, keyId);
    if (k.status === "ACTIVE") throw validation(JWK_SUMMARY, MESSAGES.deleteActiveKey);
    app.keys = app.keys.filter((x) => x !== k);
  }

  keyViews(appId: string): KeyView[] {
    return this.app(appId).keys.map((k) => ({ id: k.id, kid: k.kid, status: k.status }));
  }
}

export { OktaApiError };

/** Whether a sent JWK carries the same public key as `material` (RFC 7638 members; a missing `crv` derived). */
function sameMaterial(material: Json, sent: Json): boolean {
  if (sent.kty !== material.kty) return false;
  if (sent.kty === "RSA") return sent.n === material.n && sent.e === material.e;
  const crv = sent.crv ?? (typeof sent.x === "string" ? curveFromLength(sent.x) : undefined);
  return crv === material.crv && sent.x === material.x && sent.y === material.y;
}

/** `_links.clientCredentials` of an OAuth app, as recorded answers show it for its auth method. */
function credentialLinks(method: TokenEndpointAuthMethod, base: string): Json {
  if (method === "private_key_jwt") {
    return { clientCredentials: [{ name: "jwks", href: `${base}/credentials/jwks` }] };
  }
  if (method === "none") return {};
  return { clientCredentials: [{ name: "secrets", href: `${base}/credentials/secrets` }] };
}

function newKeyId(): string {
  return `pks${randomId(17)}`;
}

/** A generated client secret: 64 URL-safe characters. */
export function generateSecret(): string {
  return randomBytes(48).toString("base64url");
}

function rsaBits(n: string): number {
  const bytes = Buffer.from(n, "base64url");
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

function curveFromLength(x: string): string | undefined {
  return { 32: "P-256", 48: "P-384", 66: "P-521" }[Buffer.from(x, "base64url").length];
}

function defaultDoc(label: string, clientId: string, method: TokenEndpointAuthMethod, dpop: boolean): Json {
  return {
    name: "oidc_client",
    label,
    features: [],
    signOnMode: "OPENID_CONNECT",
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
    visibility: { autoLaunch: false, autoSubmitToolbar: false, hide: { iOS: true, web: true }, appLinks: {} },
    credentials: {
      userNameTemplate: { template: "${source.login}", type: "BUILT_IN" },
      signing: { kid: null },
      oauthClient: {
        autoKeyRotation: true,
        client_id: clientId,
        token_endpoint_auth_method: method,
        pkce_required: false,
      },
    },
    settings: {
      app: {},
      notifications: { vpn: { network: { connection: "DISABLED" }, message: null, helpUrl: null } },
      manualProvisioning: false,
      implicitAssignment: false,
      notes: { admin: null, enduser: null },
      oauthClient: {
        client_uri: null,
        logo_uri: null,
        redirect_uris: [],
        post_logout_redirect_uris: [],
        response_types: ["token"],
        grant_types: ["client_credentials"],
        application_type: "service",
        // Revision 3: the spec's default for `consent_method` (and the Apps reference's) is TRUSTED.
        consent_method: "TRUSTED",
        issuer_mode: "DYNAMIC",
        idp_initiated_login: { mode: "DISABLED", default_scope: [] },
        wildcard_redirect: "DISABLED",
        dpop_bound_access_tokens: dpop,
      },
    },
  };
}
