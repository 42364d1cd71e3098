import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GeneratedSecretProvider } from "../../dynamic/generatedSecret";
import { api } from "../../local-env/okta/test-helpers";
import { calls, outOfBand, startOkta, thrown, type OktaLocal } from "./helpers";

const provider = new GeneratedSecretProvider();
let okta: OktaLocal;
beforeAll(async () => {
  okta = await startOkta({ apps: [] });
});
afterAll(async () => okta?.close());

/** Creates a service app the way `okta.app.OAuth` does (createApplication), as its program would. */
async function createServiceApp(label: string): Promise<string> {
  const res = await api(okta, "POST", "/api/v1/apps", {
    body: {
      name: "oidc_client",
      label,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          response_types: ["token"],
        },
      },
    },
  });
  expect(res.status).toBe(200);
  return (res.json as { id: string }).id;
}

describe("GeneratedSecret", () => {
  it("finds the one secret Okta generated for a new app with one read, and writes nothing", async () => {
    const appId = await createServiceApp("billing");
    const [generated] = okta.listSecrets(appId);
    okta.clearLog();
    const r = await provider.create({ appId, app: "billing" });
    expect(r.id).toBe(generated!.id);
    expect(r.outs).toMatchObject({ appId, app: "billing", secretId: generated!.id });
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${appId}/credentials/secrets 200`]);
    expect(okta.listSecrets(appId).map((s) => [s.id, s.status])).toEqual([[generated!.id, "ACTIVE"]]);
  });

  it("refuses an app that is not new (two secrets), naming them and what to set instead", async () => {
    const appId = await createServiceApp("payments");
    expect(await outOfBand(okta, "POST", `/api/v1/apps/${appId}/credentials/secrets`, {})).toBe(201);
    const ids = okta.listSecrets(appId).map((s) => s.id);
    const err = await thrown(() => provider.create({ appId, app: "payments" }));
    expect(err.message).toMatch(/app 'payments': adoptGeneratedSecret/);
    expect(err.message).toMatch(/has 2 secrets/);
    for (const id of ids) expect(err.message).toContain(id);
    expect(err.message).toMatch(/set adoptSecretId to the ACTIVE secret its clients use now/);
    expect(okta.listSecrets(appId)).toHaveLength(2);
  });

  it("names the app id when there is no such app", async () => {
    const err = await thrown(() => provider.create({ appId: "0oanosuchapp", app: "ghost" }));
    expect(err.message).toMatch(/check appId of 'ghost': there is no app 0oanosuchapp/);
  });

  it("is replaced only for another app; a rename of the rotation changes no Okta object", async () => {
    const outs = { appId: "0oa1", app: "billing", secretId: "ocs1" };
    expect(await provider.diff("ocs1", outs, { appId: "0oa1", app: "billing" })).toEqual({
      changes: false,
      replaces: [],
    });
    expect(await provider.diff("ocs1", outs, { appId: "0oa2", app: "billing" })).toEqual({
      changes: true,
      replaces: ["appId"],
    });
    const renamed = await provider.update("ocs1", outs, { appId: "0oa1", app: "invoices" });
    expect(renamed.outs).toEqual({ appId: "0oa1", app: "invoices", secretId: "ocs1" });
  });
});
