// The plugin's provider called directly, against a started local Okta (local-env/okta/): what each operation leaves
// in Okta, read back on Okta's own API, and which calls it made (the local Okta's request log). Secret values are
// compared as booleans, never handed to a matcher that would print them.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal, type OktaLocal } from "../okta";
import { api } from "../okta/test-helpers";
import { isSecretValue, secretValue, unwrapSecrets, type PropertyBag } from "../plugin-host";
import { OAUTH_APP_TYPE } from "./oauthApp";
import { OktaPluginProvider } from "./provider";

const urn = (name: string) => `urn:pulumi:test::okta-plugin::${OAUTH_APP_TYPE}::${name}`;

let okta: OktaLocal;
let provider: OktaPluginProvider;

beforeAll(async () => {
  okta = await startOktaLocal({});
  provider = new OktaPluginProvider({ version: "7.0.0", env: {} });
  provider.configure(
    { orgName: "local", httpProxy: `${okta.orgUrl}/`, apiToken: secretValue(okta.apiToken) },
    {},
  );
});

afterAll(async () => {
  await okta?.close();
});

/** check, then create, as the engine does. */
async function create(name: string, inputs: PropertyBag): Promise<{ id: string; outs: PropertyBag }> {
  const checked = await provider.check(urn(name), {}, inputs);
  expect(checked.failures ?? []).toEqual([]);
  const created = await provider.create(urn(name), checked.inputs);
  return { id: created.id, outs: created.outs };
}

/** check, diff, then update, as the engine does; returns the diff too. */
async function update(name: string, id: string, olds: PropertyBag, news: PropertyBag) {
  const checked = await provider.check(urn(name), olds, news);
  expect(checked.failures ?? []).toEqual([]);
  const diff = await provider.diff(id, urn(name), olds, checked.inputs);
  const outs = (await provider.update(id, urn(name), olds, checked.inputs)).outs;
  return { diff, outs };
}

const appPath = (id: string) => `/api/v1/apps/${id}`;
const calls = (from: number) =>
  okta.requestLog.slice(from).map((e) => `${e.method} ${e.path.replace(/0oa[A-Za-z0-9]+/, "{id}")}`);

describe("okta.app.OAuth against the local Okta", () => {
  it("create posts the app, keeps the generated client secret as a secret output, and reads the app back", async () => {
    const { id, outs } = await create("billing", { label: "billing", type: "service" });
    const got = await api(okta, "GET", appPath(id));
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      label: "billing",
      status: "ACTIVE",
      credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          response_types: ["token"],
          consent_method: "TRUSTED",
          issuer_mode: "ORG_URL",
        },
      },
    });

    expect(isSecretValue(outs.clientSecret)).toBe(true);
    const { plain } = unwrapSecrets(outs);
    const secrets = okta.listSecrets(id);
    expect(secrets).toHaveLength(1);
    expect(plain.clientSecret === secrets[0].clientSecret).toBe(true);
    expect(plain).toMatchObject({
      label: "billing",
      type: "service",
      name: "oidc_client",
      signOnMode: "OPENID_CONNECT",
      status: "ACTIVE",
      clientId: got.json.credentials.oauthClient.client_id,
      grantTypes: ["client_credentials"],
      responseTypes: ["token"],
      omitSecret: false,
      pkceRequired: false,
      autoKeyRotation: true,
    });
  });

  it("omitSecret: no clientSecret output (the app still gets Okta's generated secret)", async () => {
    const { id, outs } = await create("omit", { label: "omit", type: "service", omitSecret: true });
    expect(outs).not.toHaveProperty("clientSecret");
    expect(unwrapSecrets(outs).plain.omitSecret).toBe(true);
    expect(okta.listSecrets(id).map((s) => s.status)).toEqual(["ACTIVE"]);
  });

  it("a label change is a PUT of the whole app, same id, then a read; the kept secret stays an output", async () => {
    const { id, outs } = await create("rename", { label: "before", type: "service" });
    const from = okta.requestLog.length;
    const { diff, outs: after } = await update("rename", id, outs, { label: "after", type: "service" });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    expect(calls(from)).toEqual(["PUT /api/v1/apps/{id}", "GET /api/v1/apps/{id}"]);
    expect((await api(okta, "GET", appPath(id))).json.label).toBe("after");
    expect(unwrapSecrets(after).plain.label).toBe("after");
    expect(isSecretValue(after.clientSecret)).toBe(true);
    expect(okta.listSecrets(id)).toHaveLength(1);
  });

  it("a clientId given on create is the app's client id, and stays no change on the next run", async () => {
    const inputs = { label: "own-id", type: "service", clientId: "own-id.billing" };
    const { id, outs } = await create("own-id", inputs);
    expect(outs.clientId).toBe("own-id.billing");
    expect(
      ((await api(okta, "GET", appPath(id))).json as { credentials: { oauthClient: { client_id: string } } })
        .credentials.oauthClient.client_id,
    ).toBe("own-id.billing");
    const checked = await provider.check(urn("own-id"), outs, inputs);
    const diff = await provider.diff(id, urn("own-id"), outs, checked.inputs);
    expect(diff.replaces ?? []).toEqual([]);
    expect(diff.changes).not.toBe(true);
  });

  it("a type change replaces; omitSecret true → false replaces, false → true updates", async () => {
    const { id, outs } = await create("replace", { label: "r", type: "service" });
    const web = await provider.check(urn("replace"), outs, {
      label: "r",
      type: "web",
      redirectUris: ["https://r.example/cb"],
    });
    expect((await provider.diff(id, urn("replace"), outs, web.inputs)).replaces).toEqual(["type"]);
    const omitted = await update("replace", id, outs, { label: "r", type: "service", omitSecret: true });
    expect(omitted.diff.replaces).toEqual([]);
    expect(omitted.outs).not.toHaveProperty("clientSecret");
    const back = await provider.check(urn("replace"), omitted.outs, { label: "r", type: "service" });
    expect((await provider.diff(id, urn("replace"), omitted.outs, back.inputs)).replaces).toEqual([
      "omitSecret",
    ]);
  });

  it("refresh reads an out-of-band change; a refresh of an app deleted out of band fails (v6.10+)", async () => {
    const { id, outs } = await create("drift", { label: "mine", type: "service" });
    const app = (await api(okta, "GET", appPath(id))).json;
    expect((await api(okta, "PUT", appPath(id), { body: { ...app, label: "theirs" } })).status).toBe(200);
    const read = await provider.read(id, urn("drift"), outs);
    expect(read.id).toBe(id);
    expect(unwrapSecrets(read.props).plain.label).toBe("theirs");
    expect(isSecretValue(read.props.clientSecret)).toBe(true);
    expect(read.inputs).toBeUndefined();

    await provider.delete(id, urn("drift"), read.props);
    // resourceAppOAuthRead since v6.10: any error of GetApplication, a 404 included, fails the refresh.
    const refresh = provider.read(id, urn("drift"), read.props);
    await expect(refresh).rejects.toThrow(/failed to get OAuth application/);
    await expect(refresh).rejects.toThrow(/HTTP 404 E0000007/);
    await expect(refresh).rejects.toThrow(/pulumi state delete/);
  });

  it("an update stores the client_secret of the PUT's answer, as a secret, unless omitSecret", async () => {
    // terraform-provider-okta resourceAppOAuthUpdate: "The `client_secret` value is always returned from the API on
    // update", stored unless omit_secret. The app's secret is rotated out of band first, so the kept one is stale
    // and only the PUT's answer can carry the current one.
    const { id, outs } = await create("put-secret", { label: "ps", type: "service" });
    const [old] = okta.listSecrets(id);
    const fresh = await api(okta, "POST", `${appPath(id)}/credentials/secrets`, { body: {} });
    expect(fresh.status).toBe(201);
    await api(okta, "POST", `${appPath(id)}/credentials/secrets/${old.id}/lifecycle/deactivate`);
    expect((await api(okta, "DELETE", `${appPath(id)}/credentials/secrets/${old.id}`)).status).toBe(204);
    const { outs: after } = await update("put-secret", id, outs, { label: "ps2", type: "service" });
    expect(isSecretValue(after.clientSecret)).toBe(true);
    const stored = unwrapSecrets(after).plain.clientSecret;
    expect(stored === fresh.json.client_secret).toBe(true);
    expect(stored === old.clientSecret).toBe(false);
    const omitted = await update("put-secret", id, after, {
      label: "ps3",
      type: "service",
      omitSecret: true,
    });
    expect(omitted.outs).not.toHaveProperty("clientSecret");
    expect(JSON.stringify(omitted.outs).includes(fresh.json.client_secret as string)).toBe(false);
  });

  it("ignoreChanges: an ignored input keeps Okta's value, in the diff and in an update's PUT", async () => {
    const { id, outs } = await create("ignore", { label: "ig", type: "service" });
    const app = (await api(okta, "GET", appPath(id))).json;
    app.credentials.oauthClient.token_endpoint_auth_method = "client_secret_post";
    expect((await api(okta, "PUT", appPath(id), { body: app })).status).toBe(200);
    const refreshed = (await provider.read(id, urn("ignore"), outs)).props;

    const news = (await provider.check(urn("ignore"), outs, { label: "ig2", type: "service" })).inputs;
    provider.ignoreChangesOfNextCall(["tokenEndpointAuthMethod"]);
    expect(await provider.diff(id, urn("ignore"), refreshed, news)).toMatchObject({
      changes: true,
      replaces: [],
    });
    provider.ignoreChangesOfNextCall(["tokenEndpointAuthMethod", "clientSecret"]);
    const updated = (await provider.update(id, urn("ignore"), refreshed, news)).outs;
    expect((await api(okta, "GET", appPath(id))).json).toMatchObject({
      label: "ig2",
      credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_post" } },
    });
    expect(unwrapSecrets(updated).plain.tokenEndpointAuthMethod).toBe("client_secret_post");

    // Without ignoreChanges the program's value wins: the PUT writes it back.
    const again = (await provider.check(urn("ignore"), updated, { label: "ig3", type: "service" })).inputs;
    const diff = await provider.diff(id, urn("ignore"), updated, again);
    expect(diff.changes).toBe(true);
    await provider.update(id, urn("ignore"), updated, again);
    expect(
      (await api(okta, "GET", appPath(id))).json.credentials.oauthClient.token_endpoint_auth_method,
    ).toBe("client_secret_basic");
  });

  it("import: a read without earlier outputs gives the inputs read", async () => {
    const { id } = await create("import", { label: "imported", type: "service" });
    const read = await provider.read(id, urn("import"), {});
    expect(read.inputs).toMatchObject({
      label: "imported",
      type: "service",
      omitSecret: false,
      status: "ACTIVE",
    });
  });

  it("an OAuth service app with private_key_jwt (and DPoP) is enough too: the seeded admin app creates one", async () => {
    const service = new OktaPluginProvider({ version: "7.0.0", env: {} });
    service.configure(
      {
        httpProxy: okta.orgUrl,
        clientId: okta.serviceApp.clientId,
        privateKey: secretValue(JSON.stringify(okta.serviceApp.privateJwk)),
        privateKeyId: okta.serviceApp.kid,
        scopes: ["okta.apps.read", "okta.apps.manage"],
      },
      {},
    );
    const checked = await service.check(
      urn("by-service-app"),
      {},
      { label: "by-service-app", type: "service" },
    );
    const { id } = await service.create(urn("by-service-app"), checked.inputs);
    expect((await api(okta, "GET", appPath(id))).json.label).toBe("by-service-app");
    expect(okta.requestLog.some((e) => e.path === "/oauth2/v1/token" && e.status === 200)).toBe(true);
  });

  it("errors name the resource and Okta's answer, with what to do, and carry no token", async () => {
    const wrong = new OktaPluginProvider({ version: "7.0.0", env: {} });
    const badToken = "00not-the-local-token";
    wrong.configure({ httpProxy: okta.orgUrl, apiToken: badToken }, {});
    const checked = await wrong.check(urn("denied"), {}, { label: "denied", type: "service" });
    const denied = await wrong.create(urn("denied"), checked.inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(denied?.message).toContain(`${OAUTH_APP_TYPE} 'denied'`);
    expect(denied?.message).toContain("HTTP 401");
    expect(denied?.message).toContain("okta:apiToken");
    expect(denied?.message.includes(badToken)).toBe(false);
    expect(denied?.message.includes(okta.apiToken)).toBe(false);
  });

  it("retries a 5xx of an idempotent call (dynamic/oktaRetry.ts), then fails naming the step and Okta's status", async () => {
    const { id, outs } = await create("retry", { label: "retry", type: "service" });
    const saved = {
      retries: process.env.OKTA_ROTATION_MAX_RETRIES,
      base: process.env.OKTA_ROTATION_RETRY_BASE_MS,
    };
    process.env.OKTA_ROTATION_MAX_RETRIES = "2";
    process.env.OKTA_ROTATION_RETRY_BASE_MS = "5";
    okta.setFaults([{ path: "/lifecycle/deactivate$", method: "POST", errorRate: 1 }]);
    const from = okta.requestLog.length;
    try {
      const failed = await provider.delete(id, urn("retry"), outs).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(calls(from)).toEqual(Array(3).fill("POST /api/v1/apps/{id}/lifecycle/deactivate"));
      expect(failed?.message).toMatch(
        /delete okta:app\/oAuth:OAuth 'retry' \(app 0oa\w+\) \(deactivating it first\): HTTP 5\d\d/,
      );
      expect((await api(okta, "GET", appPath(id))).json.status).toBe("ACTIVE");
    } finally {
      okta.setFaults([]);
      for (const [k, v] of [
        ["OKTA_ROTATION_MAX_RETRIES", saved.retries],
        ["OKTA_ROTATION_RETRY_BASE_MS", saved.base],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    await provider.delete(id, urn("retry"), outs);
    expect((await api(okta, "GET", appPath(id))).status).toBe(404);
  });

  it("serves okta:app/oAuth:OAuth only, and says what to install for the rest", async () => {
    await expect(provider.invoke("okta:app/getOauth:getOauth")).rejects.toThrow(
      /okta:app\/getOauth:getOauth.*pulumi plugin install resource okta 7\.0\.0/,
    );
    await expect(provider.check("urn:pulumi:s::p::okta:group/group:Group::g", {}, {})).rejects.toThrow(
      /serves only okta:app\/oAuth:OAuth.*pulumi plugin install resource okta 7\.0\.0/,
    );
  });
});

describe("the app lifecycle", () => {
  it("status INACTIVE creates the app inactive; a status change is a lifecycle call, without a PUT", async () => {
    const { id, outs } = await create("lifecycle", { label: "lc", type: "service", status: "INACTIVE" });
    expect((await api(okta, "GET", appPath(id))).json.status).toBe("INACTIVE");
    expect(unwrapSecrets(outs).plain.status).toBe("INACTIVE");

    const from = okta.requestLog.length;
    const { outs: active } = await update("lifecycle", id, outs, {
      label: "lc",
      type: "service",
      status: "ACTIVE",
    });
    expect(calls(from)).toEqual(["POST /api/v1/apps/{id}/lifecycle/activate"]);
    expect((await api(okta, "GET", appPath(id))).json.status).toBe("ACTIVE");
    expect(unwrapSecrets(active).plain.status).toBe("ACTIVE");
    expect(isSecretValue(active.clientSecret)).toBe(true);

    const next = okta.requestLog.length;
    await update("lifecycle", id, active, { label: "lc2", type: "service", status: "INACTIVE" });
    expect(calls(next)).toEqual([
      "POST /api/v1/apps/{id}/lifecycle/deactivate",
      "PUT /api/v1/apps/{id}",
      "GET /api/v1/apps/{id}",
    ]);
    expect((await api(okta, "GET", appPath(id))).json).toMatchObject({ status: "INACTIVE", label: "lc2" });
  });

  it("delete deactivates an ACTIVE app, then deletes it; an INACTIVE one is deleted at once", async () => {
    const { id, outs } = await create("delete", { label: "del", type: "service" });
    const from = okta.requestLog.length;
    await provider.delete(id, urn("delete"), outs);
    expect(calls(from)).toEqual(["POST /api/v1/apps/{id}/lifecycle/deactivate", "DELETE /api/v1/apps/{id}"]);
    expect((await api(okta, "GET", appPath(id))).status).toBe(404);

    const inactive = await create("delete2", { label: "del2", type: "service", status: "INACTIVE" });
    const next = okta.requestLog.length;
    await provider.delete(inactive.id, urn("delete2"), inactive.outs);
    expect(calls(next)).toEqual(["DELETE /api/v1/apps/{id}"]);
    expect((await api(okta, "GET", appPath(inactive.id))).status).toBe(404);

    // Already gone: nothing left to do.
    await expect(provider.delete(id, urn("delete"), outs)).resolves.toBeUndefined();
  });
});
