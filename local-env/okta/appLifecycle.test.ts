// The app lifecycle of the local Okta: createApplication's `activate`, activateApplication,
// deactivateApplication, deleteApplication, and what an INACTIVE or deleted app's client gets at the token
// endpoint. Each rule's source is cited where it is implemented (store.ts, server.ts, tokens.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROTATION_SCOPE } from "./authServers";
import { bucketOf, startOktaLocal } from "./server";
import { DELETE_ACTIVE_APP } from "./store";
import {
  api,
  ASSERTION_TYPE,
  clientAssertion,
  CUSTOM_TOKEN_PATH,
  oktaError,
  rsaKey,
  serviceToken,
  token,
  type KeyPair,
  type Reply,
} from "./test-helpers";
import { DESCRIPTIONS } from "./tokens";
import type { OktaLocal } from "./types";

let okta: OktaLocal;
let key: KeyPair;
beforeAll(async () => {
  // Bearer service tokens here; DPoP-bound ones are covered in dpop.test.ts.
  okta = await startOktaLocal({ serviceAppDpop: false });
  key = await rsaKey("lifecycle-key");
});
afterAll(() => okta.close());

const appPath = (id: string): string => `/api/v1/apps/${id}`;
const lifecycle = (id: string, action: "activate" | "deactivate"): Promise<Reply> =>
  api(okta, "POST", `${appPath(id)}/lifecycle/${action}`);
const cc = { grant_type: "client_credentials", scope: ROTATION_SCOPE };
/** The OAuth error of a token answer (never the body of a success, which holds a token). */
const oauth = (r: Reply): { status: number; error: unknown; description: unknown } => ({
  status: r.status,
  error: r.json?.error,
  description: r.json?.error_description,
});
const authFailed = { status: 401, error: "invalid_client", description: DESCRIPTIONS.authFailed };
const oidcBody = (label: string): Record<string, unknown> => ({
  name: "oidc_client",
  label,
  signOnMode: "OPENID_CONNECT",
  credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
  settings: { oauthClient: { grant_types: ["client_credentials"], application_type: "service" } },
});
const appIds = async (): Promise<string[]> =>
  ((await api(okta, "GET", "/api/v1/apps")).json as { id: string }[]).map((a) => a.id);

describe("createApplication's activate parameter", () => {
  it("creates an ACTIVE app by default and with activate=true", async () => {
    for (const query of ["", "?activate=true"]) {
      const r = await api(okta, "POST", `/api/v1/apps${query}`, { body: oidcBody(`active${query}`) });
      expect(r.status).toBe(200);
      expect(r.json.status).toBe("ACTIVE");
      expect(r.json._links.deactivate.href).toBe(`${okta.orgUrl}${appPath(r.json.id)}/lifecycle/deactivate`);
      expect(r.json._links.activate).toBeUndefined();
    }
  });

  it("creates an INACTIVE app with activate=false, whatever status the body names", async () => {
    const r = await api(okta, "POST", "/api/v1/apps?activate=false", {
      body: { ...oidcBody("inactive-at-birth"), status: "ACTIVE" },
    });
    expect(r.status).toBe(200);
    expect(r.json.status).toBe("INACTIVE");
    expect(r.json._links.activate.href).toBe(`${okta.orgUrl}${appPath(r.json.id)}/lifecycle/activate`);
    expect(r.json._links.deactivate).toBeUndefined();
    expect((await api(okta, "GET", appPath(r.json.id))).json.status).toBe("INACTIVE");
    // The app exists with its generated secret, but its client cannot authenticate until it is activated.
    const oauthClient = r.json.credentials.oauthClient;
    const basic: [string, string] = [oauthClient.client_id, oauthClient.client_secret];
    expect(okta.listSecrets(r.json.id).map((s) => s.status)).toEqual(["ACTIVE"]);
    expect(oauth(await token(okta, cc, { basic }))).toEqual(authFailed);
    expect((await lifecycle(r.json.id, "activate")).status).toBe(200);
    // Past client authentication now: no access policy names a client created through the API.
    expect(oauth(await token(okta, cc, { basic }))).toEqual({
      status: 401,
      error: "access_denied",
      description: DESCRIPTIONS.policyFailed,
    });
  });

  it("refuses an activate value that is not a boolean, and creates nothing", async () => {
    const before = await appIds();
    const r = await api(okta, "POST", "/api/v1/apps?activate=maybe", { body: oidcBody("not-a-boolean") });
    expect(oktaError(r)).toMatchObject({
      status: 400,
      errorCode: "E0000001",
      errorSummary: "Api validation failed: activate",
    });
    expect(await appIds()).toEqual(before);
  });
});

describe("activateApplication and deactivateApplication", () => {
  it("answer 200 with an empty JSON object and flip the status, lastUpdated and the lifecycle link", async () => {
    const app = okta.addApp({ label: "flip" });
    const before = (await api(okta, "GET", appPath(app.id))).json;
    const off = await lifecycle(app.id, "deactivate");
    expect({ status: off.status, body: off.json }).toEqual({ status: 200, body: {} });
    const inactive = (await api(okta, "GET", appPath(app.id))).json;
    expect(inactive).toMatchObject({ status: "INACTIVE", label: "flip", created: before.created });
    expect(inactive._links.activate.href).toBe(`${okta.orgUrl}${appPath(app.id)}/lifecycle/activate`);
    expect(inactive._links.deactivate).toBeUndefined();
    expect(Date.parse(inactive.lastUpdated)).toBeGreaterThanOrEqual(Date.parse(before.lastUpdated));
    const on = await lifecycle(app.id, "activate");
    expect({ status: on.status, body: on.json }).toEqual({ status: 200, body: {} });
    const active = (await api(okta, "GET", appPath(app.id))).json;
    expect(active.status).toBe("ACTIVE");
    expect(active._links.deactivate.href).toBe(`${okta.orgUrl}${appPath(app.id)}/lifecycle/deactivate`);
    expect(active._links.activate).toBeUndefined();
  });

  it("repeats without error: activating an ACTIVE app or deactivating an INACTIVE one changes nothing", async () => {
    const app = okta.addApp({ label: "repeat" });
    expect((await lifecycle(app.id, "activate")).status).toBe(200);
    expect((await api(okta, "GET", appPath(app.id))).json.status).toBe("ACTIVE");
    expect((await lifecycle(app.id, "deactivate")).status).toBe(200);
    expect((await lifecycle(app.id, "deactivate")).status).toBe(200);
    expect((await api(okta, "GET", appPath(app.id))).json.status).toBe("INACTIVE");
  });

  it("answer 404 E0000007 for an unknown app and 405 to another method", async () => {
    for (const action of ["activate", "deactivate"] as const) {
      expect(oktaError(await lifecycle("0oaMissing", action))).toEqual({
        status: 404,
        errorCode: "E0000007",
        errorSummary: "Not found: Resource not found: 0oaMissing (AppInstance)",
      });
    }
    const get = await api(okta, "GET", `${appPath(okta.apps[0].id)}/lifecycle/deactivate`);
    expect(oktaError(get)).toMatchObject({ status: 405, errorCode: "E0000022" });
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("need okta.apps.manage: a read-only token gets 403 E0000006 and changes nothing", async () => {
    const app = okta.addApp({ label: "read-only-caller" });
    const read = await serviceToken(okta, "okta.apps.read");
    const auth = `Bearer ${read}`;
    const off = await api(okta, "POST", `${appPath(app.id)}/lifecycle/deactivate`, { auth });
    expect(oktaError(off)).toMatchObject({ status: 403, errorCode: "E0000006" });
    expect(oktaError(await api(okta, "DELETE", appPath(app.id), { auth }))).toMatchObject({
      status: 403,
      errorCode: "E0000006",
    });
    expect((await api(okta, "GET", appPath(app.id), { auth })).json.status).toBe("ACTIVE");
  });
});

describe("the token endpoint and the app's status", () => {
  it("refuses every client authentication of an INACTIVE app with invalid_client, and takes it back once active", async () => {
    const basicApp = okta.addApp({ label: "basic-inactive" });
    const basic: [string, string] = [basicApp.clientId, basicApp.secrets[0].clientSecret];
    const postApp = okta.addApp({ label: "post-inactive", tokenEndpointAuthMethod: "client_secret_post" });
    const postForm = () => ({
      ...cc,
      client_id: postApp.clientId,
      client_secret: postApp.secrets[0].clientSecret,
    });
    const pkjApp = okta.addApp({ label: "pkj-inactive", tokenEndpointAuthMethod: "private_key_jwt" });
    expect(
      (await api(okta, "POST", `${appPath(pkjApp.id)}/credentials/jwks`, { body: key.publicJwk })).status,
    ).toBe(201);
    const pkjForm = async () => ({
      ...cc,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await clientAssertion(key.privateKey, {
        clientId: pkjApp.clientId,
        aud: `${okta.orgUrl}${CUSTOM_TOKEN_PATH}`,
        kid: key.publicJwk.kid,
      }),
    });
    const exchanges = [
      () => token(okta, cc, { basic }),
      () => token(okta, postForm()),
      async () => token(okta, await pkjForm()),
    ];
    for (const exchange of exchanges) expect((await exchange()).status).toBe(200);
    for (const app of [basicApp, postApp, pkjApp])
      expect((await lifecycle(app.id, "deactivate")).status).toBe(200);
    for (const exchange of exchanges) expect(oauth(await exchange())).toEqual(authFailed);
    // A wrong secret gets the same answer: the client is refused before its credentials are looked at.
    expect(oauth(await token(okta, cc, { basic: [basicApp.clientId, "not-the-secret-at-all"] }))).toEqual(
      authFailed,
    );
    for (const app of [basicApp, postApp, pkjApp])
      expect((await lifecycle(app.id, "activate")).status).toBe(200);
    for (const exchange of exchanges) expect((await exchange()).status).toBe(200);
  });

  it("invalidates the management tokens of a deactivated client for good; reactivation does not revive them", async () => {
    const old = await serviceToken(okta, "okta.apps.manage");
    const bearer = (t: string) => ({ auth: `Bearer ${t}` });
    expect((await api(okta, "GET", appPath(okta.apps[0].id), bearer(old))).status).toBe(200);
    try {
      expect((await lifecycle(okta.serviceApp.id, "deactivate")).status).toBe(200);
      expect(oktaError(await api(okta, "GET", appPath(okta.apps[0].id), bearer(old)))).toMatchObject({
        status: 401,
        errorCode: "E0000011",
      });
      await expect(serviceToken(okta, "okta.apps.manage")).rejects.toThrow(/401 invalid_client/);
    } finally {
      expect((await lifecycle(okta.serviceApp.id, "activate")).status).toBe(200);
    }
    expect((await api(okta, "GET", appPath(okta.apps[0].id), bearer(old))).status).toBe(401);
    const fresh = await serviceToken(okta, "okta.apps.manage");
    expect((await api(okta, "GET", appPath(okta.apps[0].id), bearer(fresh))).status).toBe(200);
  });
});

describe("deleteApplication", () => {
  it("refuses an ACTIVE app with 403 E0000056 and keeps it", async () => {
    const app = okta.addApp({ label: "still-active" });
    const r = await api(okta, "DELETE", appPath(app.id));
    expect(oktaError(r)).toEqual({
      status: 403,
      errorCode: DELETE_ACTIVE_APP.errorCode,
      errorSummary: DELETE_ACTIVE_APP.summary,
      cause: DELETE_ACTIVE_APP.cause,
    });
    expect(r.json.errorLink).toBe(DELETE_ACTIVE_APP.errorCode);
    expect((await api(okta, "GET", appPath(app.id))).json.status).toBe("ACTIVE");
    expect((await token(okta, cc, { basic: [app.clientId, app.secrets[0].clientSecret] })).status).toBe(200);
  });

  it("deletes an INACTIVE app: 204, then 404 E0000007 everywhere and its client is unknown", async () => {
    const app = okta.addApp({ label: "to-delete" });
    const basic: [string, string] = [app.clientId, app.secrets[0].clientSecret];
    expect((await lifecycle(app.id, "deactivate")).status).toBe(200);
    const r = await api(okta, "DELETE", appPath(app.id));
    expect({ status: r.status, body: r.json }).toEqual({ status: 204, body: undefined });
    const gone = {
      status: 404,
      errorCode: "E0000007",
      errorSummary: `Not found: Resource not found: ${app.id} (AppInstance)`,
    };
    expect(oktaError(await api(okta, "GET", appPath(app.id)))).toEqual(gone);
    expect(oktaError(await api(okta, "DELETE", appPath(app.id)))).toEqual(gone);
    expect(oktaError(await lifecycle(app.id, "activate"))).toEqual(gone);
    expect(oktaError(await api(okta, "GET", `${appPath(app.id)}/credentials/secrets`))).toEqual(gone);
    expect(await appIds()).not.toContain(app.id);
    expect(oauth(await token(okta, cc, { basic }))).toEqual(authFailed);
    // Gone, not merely inactive: its id and client id are free for a new app, whose client then authenticates.
    const again = okta.addApp({ id: app.id, clientId: app.clientId, label: "reborn" });
    expect((await token(okta, cc, { basic: [again.clientId, again.secrets[0].clientSecret] })).status).toBe(
      200,
    );
    expect(oauth(await token(okta, cc, { basic }))).toMatchObject({ status: 401, error: "invalid_client" });
  });

  it("deletes an app created INACTIVE without activating it first", async () => {
    const created = await api(okta, "POST", "/api/v1/apps?activate=false", {
      body: oidcBody("never-active"),
    });
    expect(created.json.status).toBe("INACTIVE");
    expect((await api(okta, "DELETE", appPath(created.json.id))).status).toBe(204);
    expect((await api(okta, "GET", appPath(created.json.id))).status).toBe(404);
  });
});

describe("replaceApplication and the status", () => {
  it("ignores status in a whole-app PUT, in either direction", async () => {
    const app = okta.addApp({ label: "put-status" });
    const active = (await api(okta, "GET", appPath(app.id))).json;
    const keep = await api(okta, "PUT", appPath(app.id), { body: { ...active, status: "INACTIVE" } });
    expect(keep.json.status).toBe("ACTIVE");
    expect((await lifecycle(app.id, "deactivate")).status).toBe(200);
    const inactive = (await api(okta, "GET", appPath(app.id))).json;
    const put = await api(okta, "PUT", appPath(app.id), {
      body: { ...inactive, status: "ACTIVE", label: "put-status-renamed" },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ status: "INACTIVE", label: "put-status-renamed" });
    expect((await api(okta, "GET", appPath(app.id))).json.status).toBe("INACTIVE");
    expect(oauth(await token(okta, cc, { basic: [app.clientId, app.secrets[0].clientSecret] }))).toEqual(
      authFailed,
    );
  });
});

describe("rate-limit buckets of the lifecycle calls", () => {
  it("counts create and lifecycle calls against /api/v1/apps, and DELETE against /api/v1/apps/{id}", async () => {
    expect(bucketOf("POST", "/api/v1/apps")).toBe("apps");
    expect(bucketOf("POST", "/api/v1/apps/0oaX/lifecycle/activate")).toBe("apps");
    expect(bucketOf("POST", "/api/v1/apps/0oaX/lifecycle/deactivate")).toBe("apps");
    expect(bucketOf("DELETE", "/api/v1/apps/0oaX")).toBe("app");
    okta.clearLog();
    const created = await api(okta, "POST", "/api/v1/apps?activate=false", { body: oidcBody("bucketed") });
    const id = created.json.id as string;
    await lifecycle(id, "activate");
    await lifecycle(id, "deactivate");
    await api(okta, "DELETE", appPath(id));
    expect(
      okta.requestLog.map(({ method, path, status, bucket }) => ({ method, path, status, bucket })),
    ).toEqual([
      { method: "POST", path: "/api/v1/apps", status: 200, bucket: "apps" },
      { method: "POST", path: `${appPath(id)}/lifecycle/activate`, status: 200, bucket: "apps" },
      { method: "POST", path: `${appPath(id)}/lifecycle/deactivate`, status: 200, bucket: "apps" },
      { method: "DELETE", path: appPath(id), status: 204, bucket: "app" },
    ]);
  });
});
