// The calls to Okta the resources make.
//
// Transport is the official `@okta/okta-sdk-nodejs` client with its own retries replaced by the policy of
// oktaRetry.ts.
// SSWS is the SDK's own; for an OAuth 2.0 service app (private_key_jwt, and DPoP when Okta binds its tokens)
// the SDK's OAuth layer is detached and serviceAppAuth.ts authorizes every attempt instead (why: see there).
// Client secrets use the SDK's generated API. JSON Web Keys and the app object use the SDK's authenticated
// `http` layer with JSON parsed here, because the generated models are in the way:
//  - the generated `Application` models drop properties they do not know, so GET + PUT of "the whole app"
//    through them would silently remove settings;
//  - `listJwk` only parses `{"keys": [...]}`, while Okta's own spec documents a bare array and
//    `{"jwks": {"keys": [...]}}` as well.

import type { Client } from "@okta/okta-sdk-nodejs";
import { loadOktaSdk } from "./oktaSdk";
import { parseJwkList, toKey, toSecret } from "./oktaObjects";
import type { LifecycleStatus, OktaApp, OktaClientSecret, OktaJsonWebKey } from "./oktaObjects";
import { retryPolicyFromEnv, type RetryEvent, type RetryPolicy } from "./oktaRetry";
import { retryingExecutor } from "./oktaTransport";
import type { OktaConnectionSettings } from "./oktaSettings";
import { ServiceAppAuth, serviceAppSigner } from "./serviceAppAuth";

type HttpRequest = Parameters<Client["http"]["http"]>[1];

/** Thin wrapper over the SDK client: the calls the resources make, with plain return types. */
export class OktaApi {
  readonly orgUrl: string;
  private readonly client: Client;

  constructor(settings: OktaConnectionSettings, reportRetry: (e: RetryEvent) => void) {
    this.orgUrl = settings.orgUrl;
    const c = settings.credentials;
    const policyOf = (): RetryPolicy => retryPolicyFromEnv(process.env);
    const requestExecutor =
      c.kind === "apiToken"
        ? retryingExecutor(policyOf, reportRetry)
        : retryingExecutor(
            policyOf,
            reportRetry,
            (transport) =>
              new ServiceAppAuth({
                orgUrl: settings.orgUrl,
                clientId: c.clientId,
                scopes: c.scopes,
                signAssertion: serviceAppSigner(c.clientId, c.privateKey, c.privateKeyId),
                transport,
              }),
          );
    const { Client } = loadOktaSdk();
    this.client =
      c.kind === "apiToken"
        ? new Client({
            orgUrl: settings.orgUrl,
            authorizationMode: "SSWS",
            token: c.apiToken,
            requestExecutor,
            cacheMiddleware: null,
          })
        : new Client({
            orgUrl: settings.orgUrl,
            authorizationMode: "PrivateKey",
            clientId: c.clientId,
            scopes: [...c.scopes],
            privateKey: c.privateKey,
            ...(c.privateKeyId !== undefined ? { keyId: c.privateKeyId } : {}),
            requestExecutor,
            cacheMiddleware: null,
          });
    if (c.kind === "privateKey") {
      // The executor authorizes every attempt (serviceAppAuth.ts); without its OAuth layer the SDK adds no
      // Authorization header of its own and does not renew tokens on a 401 behind the executor's back.
      (this.client.http as unknown as { oauth?: unknown }).oauth = undefined;
    }
  }

  private url(path: string): string {
    return `${this.orgUrl}${path}`;
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const request = {
      method,
      headers: {
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    };
    const res = await this.client.http.http(this.url(path), request as HttpRequest);
    const text = await res.text();
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  }

  // --- client secrets (SDK generated API) ---

  /** The app's client secrets. */
  async listSecrets(appId: string): Promise<OktaClientSecret[]> {
    const out: OktaClientSecret[] = [];
    const collection = await this.client.applicationSSOPublicKeysApi.listOAuth2ClientSecrets({ appId });
    for await (const s of collection) out.push(toSecret(s));
    return out;
  }

  /** One client secret of the app. */
  async getSecret(appId: string, secretId: string): Promise<OktaClientSecret> {
    return toSecret(await this.client.applicationSSOPublicKeysApi.getOAuth2ClientSecret({ appId, secretId }));
  }

  /** Adds a client secret to the app (with the given value, or one Okta generates). */
  async createSecret(
    appId: string,
    body: { client_secret?: string; status?: LifecycleStatus },
  ): Promise<OktaClientSecret> {
    return toSecret(
      await this.client.applicationSSOPublicKeysApi.createOAuth2ClientSecret({
        appId,
        oAuth2ClientSecretRequestBody: body,
      }),
    );
  }

  /** Activates or deactivates a client secret (lifecycle call). */
  async setSecretStatus(appId: string, secretId: string, status: LifecycleStatus): Promise<OktaClientSecret> {
    const api = this.client.applicationSSOPublicKeysApi;
    return toSecret(
      status === "ACTIVE"
        ? await api.activateOAuth2ClientSecret({ appId, secretId })
        : await api.deactivateOAuth2ClientSecret({ appId, secretId }),
    );
  }

  /** Deletes a client secret (Okta deletes only an INACTIVE one). */
  async deleteSecret(appId: string, secretId: string): Promise<void> {
    await this.client.applicationSSOPublicKeysApi.deleteOAuth2ClientSecret({ appId, secretId });
  }

  // --- JSON Web Keys (SDK http layer, JSON parsed here) ---

  private jwksPath(appId: string, keyId?: string): string {
    const base = `/api/v1/apps/${encodeURIComponent(appId)}/credentials/jwks`;
    return keyId === undefined ? base : `${base}/${encodeURIComponent(keyId)}`;
  }

  /** The app's JSON Web Keys. */
  async listKeys(appId: string): Promise<OktaJsonWebKey[]> {
    return parseJwkList(await this.json("GET", this.jwksPath(appId)));
  }

  /** One JSON Web Key of the app. */
  async getKey(appId: string, keyId: string): Promise<OktaJsonWebKey> {
    return toKey(await this.json("GET", this.jwksPath(appId, keyId)));
  }

  /** Registers a public JSON Web Key on the app. */
  async addKey(appId: string, body: Record<string, unknown>): Promise<OktaJsonWebKey> {
    return toKey(await this.json("POST", this.jwksPath(appId), body));
  }

  /** Activates or deactivates a JSON Web Key (lifecycle call). */
  async setKeyStatus(appId: string, keyId: string, status: LifecycleStatus): Promise<OktaJsonWebKey> {
    const action = status === "ACTIVE" ? "activate" : "deactivate";
    return toKey(await this.json("POST", `${this.jwksPath(appId, keyId)}/lifecycle/${action}`));
  }

  /** Deletes a JSON Web Key (Okta deletes only an INACTIVE one). */
  async deleteKey(appId: string, keyId: string): Promise<void> {
    await this.json("DELETE", this.jwksPath(appId, keyId));
  }

  // --- the app object (SDK http layer: the whole object, nothing dropped) ---

  /** The whole app object, nothing dropped. */
  async getApp(appId: string): Promise<OktaApp> {
    return (await this.json("GET", `/api/v1/apps/${encodeURIComponent(appId)}`)) as OktaApp;
  }

  /** Replaces the whole app object (a PUT: Okta replaces what the body does not carry). */
  async putApp(appId: string, app: OktaApp): Promise<OktaApp> {
    return (await this.json("PUT", `/api/v1/apps/${encodeURIComponent(appId)}`, app)) as OktaApp;
  }

  // --- the app's own lifecycle (the local environment's okta plugin creates and deletes apps) ---

  /**
   * `POST /api/v1/apps?activate=<activate>` (createApplication). The answer can carry the generated client secret:
   * callers keep it out of logs and errors. Not retried after an unclear outcome (oktaRetry.ts).
   */
  async createApp(app: Record<string, unknown>, activate: boolean): Promise<OktaApp> {
    return (await this.json("POST", `/api/v1/apps?activate=${activate}`, app)) as OktaApp;
  }

  /** `POST /api/v1/apps/{id}/lifecycle/activate|deactivate`. */
  async setAppStatus(appId: string, status: LifecycleStatus): Promise<void> {
    const action = status === "ACTIVE" ? "activate" : "deactivate";
    await this.json("POST", `/api/v1/apps/${encodeURIComponent(appId)}/lifecycle/${action}`);
  }

  /** `DELETE /api/v1/apps/{id}`: Okta deletes only an INACTIVE app. */
  async deleteApp(appId: string): Promise<void> {
    await this.json("DELETE", `/api/v1/apps/${encodeURIComponent(appId)}`);
  }
}
