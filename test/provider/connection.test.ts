// Connection modes against the local Okta: SSWS and an OAuth service app (private_key_jwt), from the stack
// config given to configure(req) or from the environment; and the errors when something is missing.
import { Config as DynamicConfig } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import { createPrivateKey } from "crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ClientSecretProvider,
  OktaConfigError,
  resetConnection,
  type ClientSecretInputs,
} from "../../dynamic";
import { calls, clearConnectionEnv, startOkta, thrown, useSsws, type OktaLocal } from "./helpers";

const PROJECT = "okta-credential-rotation";
const provider = new ClientSecretProvider();
let okta: OktaLocal;

beforeAll(async () => {
  // A service app without DPoP (created before February 2024, or with DPoP turned off).
  okta = await startOkta({ apps: [], serviceAppDpop: false });
});
afterAll(async () => {
  resetConnection();
  await okta?.close();
});
beforeEach(() => {
  clearConnectionEnv();
  okta.clearLog();
});

async function roundTrip(): Promise<string> {
  const app = okta.addApp({ secrets: 1 });
  const inputs = (await provider.check({}, { appId: app.id, status: "INACTIVE" }))
    .inputs as ClientSecretInputs;
  const c = await provider.create(inputs);
  await provider.delete(c.id, c.outs!);
  expect(okta.listSecrets(app.id)).toHaveLength(1);
  return app.id;
}

function configure(raw: Record<string, string>) {
  return provider.configure({ config: new DynamicConfig(raw, PROJECT) });
}

describe("connection modes", () => {
  it("SSWS from the environment", async () => {
    useSsws(okta);
    await roundTrip();
    expect(calls(okta).some((c) => c.startsWith("POST /oauth2/v1/token"))).toBe(false);
  });

  it("SSWS from the stack config given to configure(req): <project>:oktaOrgUrl and okta:apiToken", async () => {
    await configure({ [`${PROJECT}:oktaOrgUrl`]: okta.orgUrl, "okta:apiToken": okta.apiToken });
    await roundTrip();
  });

  it("OAuth service app with private_key_jwt (JWK JSON) from the environment", async () => {
    process.env.OKTA_ORG_URL = okta.orgUrl;
    process.env.OKTA_API_CLIENT_ID = okta.serviceApp.clientId;
    process.env.OKTA_API_PRIVATE_KEY = JSON.stringify(okta.serviceApp.privateJwk);
    process.env.OKTA_API_PRIVATE_KEY_ID = okta.serviceApp.kid;
    await roundTrip();
    const log = calls(okta);
    expect(log[0]).toBe("POST /oauth2/v1/token 200");
    // One token for the whole round trip (the client is cached per settings).
    expect(log.filter((c) => c.startsWith("POST /oauth2/v1/token"))).toHaveLength(1);
  });

  it("OAuth service app with a PEM key from the stack config, custom scopes", async () => {
    const pem = createPrivateKey({ key: okta.serviceApp.privateJwk as never, format: "jwk" })
      .export({ type: "pkcs8", format: "pem" })
      .toString();
    await configure({
      [`${PROJECT}:oktaOrgUrl`]: okta.orgUrl,
      "okta:clientId": okta.serviceApp.clientId,
      "okta:privateKey": pem,
      "okta:privateKeyId": okta.serviceApp.kid,
      "okta:scopes": "okta.apps.read,okta.apps.manage",
    });
    await roundTrip();
    expect(calls(okta)[0]).toBe("POST /oauth2/v1/token 200");
  });

  it("an OAuth app without okta.apps.manage cannot create: Okta's refusal is named", async () => {
    process.env.OKTA_ORG_URL = okta.orgUrl;
    process.env.OKTA_API_CLIENT_ID = okta.serviceApp.clientId;
    process.env.OKTA_API_PRIVATE_KEY = JSON.stringify(okta.serviceApp.privateJwk);
    process.env.OKTA_API_SCOPES = "okta.apps.read";
    const app = okta.addApp({ secrets: 1 });
    const err = await thrown(async () =>
      provider.create((await provider.check({}, { appId: app.id })).inputs as ClientSecretInputs),
    );
    expect(err.message).toMatch(/Okta refused to create a new ClientSecret of app .*: HTTP 403/);
    expect(err.message).toMatch(/What to do: .*okta\.apps\.manage/);
    expect(okta.listSecrets(app.id)).toHaveLength(1);
  });
});

describe("rejected credentials", () => {
  it("a wrong API token: Okta's 401 is named with what to check, and the token is not echoed", async () => {
    process.env.OKTA_ORG_URL = okta.orgUrl;
    process.env.OKTA_API_TOKEN = "00wrong-token-value";
    const app = okta.addApp({ secrets: 1 });
    const err = await thrown(async () =>
      provider.create((await provider.check({}, { appId: app.id })).inputs as ClientSecretInputs),
    );
    expect(err.message).toMatch(
      /Okta refused to create a new ClientSecret of app .* \(listing the app's secrets first\): HTTP 401 E0000011/,
    );
    expect(err.message).toMatch(/What to do: Okta did not accept the credentials: check okta:apiToken/);
    expect(err.message.includes("00wrong-token-value")).toBe(false);
  });
});

describe("configuration errors (before any call)", () => {
  it("names the keys and env vars to set when nothing is configured", async () => {
    const app = okta.addApp({ secrets: 1 });
    const err = await thrown(async () =>
      provider.create((await provider.check({}, { appId: app.id })).inputs as ClientSecretInputs),
    );
    expect(err).toBeInstanceOf(OktaConfigError);
    expect(err.message).toMatch(/okta:orgName.*OKTA_ORG_NAME.*oktaOrgUrl.*OKTA_ORG_URL/s);
    expect(okta.requestLog).toEqual([]);
  });

  it("names the credential settings when only the org is configured", async () => {
    await configure({ [`${PROJECT}:oktaOrgUrl`]: okta.orgUrl });
    const err = await thrown(() => provider.delete("ocs1", { appId: "0oa1" } as never));
    expect(err.message).toMatch(/okta:apiToken.*OKTA_API_TOKEN.*okta:clientId.*okta:privateKey/s);
  });

  it("refuses to send credentials over plain http to a non-loopback host", async () => {
    process.env.OKTA_ORG_URL = "http://okta.example.com";
    process.env.OKTA_API_TOKEN = "x";
    const err = await thrown(() => provider.delete("ocs1", { appId: "0oa1" } as never));
    expect(err.message).toMatch(/must use https/);
  });

  it("check and diff need no connection at all", async () => {
    const r = await provider.check({}, { appId: "0oa1" });
    expect(r.failures).toBeUndefined();
    expect(await provider.diff("ocs1", { appId: "0oa1", status: "ACTIVE" } as never, r.inputs!)).toEqual({
      changes: false,
      replaces: [],
    });
  });
});
