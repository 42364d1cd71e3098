// Connection modes against the local Okta: SSWS and an OAuth service app (private_key_jwt, with and without
// DPoP), from the stack config given to configure(req) or from the environment; and the errors when something
// is missing.
import { Config as DynamicConfig } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import { createPrivateKey, generateKeyPairSync } from "crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ClientSecretProvider,
  JsonWebKeyProvider,
  OktaConfigError,
  onRetry,
  resetConnection,
  type ClientSecretInputs,
  type JsonWebKeyInputs,
} from "../../dynamic";
import { startOktaLocal } from "../../local-env/okta";
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

async function roundTrip(local: OktaLocal = okta): Promise<string> {
  const app = local.addApp({ secrets: 1 });
  const inputs = (await provider.check({}, { appId: app.id, status: "INACTIVE" }))
    .inputs as ClientSecretInputs;
  const c = await provider.create(inputs);
  await provider.delete(c.id, c.outs!);
  expect(local.listSecrets(app.id)).toHaveLength(1);
  return app.id;
}

/** The connection env of a local Okta's seeded service app (private JWK). */
function useServiceApp(local: OktaLocal): void {
  clearConnectionEnv();
  process.env.OKTA_ORG_URL = local.orgUrl;
  process.env.OKTA_API_CLIENT_ID = local.serviceApp.clientId;
  process.env.OKTA_API_PRIVATE_KEY = JSON.stringify(local.serviceApp.privateJwk);
  process.env.OKTA_API_PRIVATE_KEY_ID = local.serviceApp.kid;
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

  it("SSWS from the stack config given to configure(req): okta-credential-rotation:oktaOrgUrl and okta:apiToken", async () => {
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
    // Okta's WWW-Authenticate challenge names the missing scope (okta-api.md Revision 3); the error passes it on.
    expect(err.message).toMatch(/missing scope: okta\.apps\.manage/);
    expect(err.message).toMatch(
      /What to do: Okta says the access token lacks the scope okta\.apps\.manage\. Grant/,
    );
    expect((err as { missingScope?: string }).missingScope).toBe("okta.apps.manage");
    expect(okta.listSecrets(app.id)).toHaveLength(1);
  });

  it("a token without any apps scope: the error names okta.apps.read, the scope Okta's challenge asks for", async () => {
    process.env.OKTA_ORG_URL = okta.orgUrl;
    process.env.OKTA_API_CLIENT_ID = okta.serviceApp.clientId;
    process.env.OKTA_API_PRIVATE_KEY = JSON.stringify(okta.serviceApp.privateJwk);
    process.env.OKTA_API_SCOPES = "okta.appGrants.read";
    const app = okta.addApp({ secrets: 1 });
    const err = await thrown(async () =>
      provider.create((await provider.check({}, { appId: app.id })).inputs as ClientSecretInputs),
    );
    expect(err.message).toMatch(/HTTP 403 E0000006/);
    expect(err.message).toMatch(/What to do: Okta says the access token lacks the scope okta\.apps\.read\./);
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

describe("a DPoP-bound service app (Okta's default since February 2024)", () => {
  let dpop: OktaLocal;
  beforeAll(async () => {
    dpop = await startOktaLocal({ apps: [] });
  });
  afterAll(async () => dpop?.close());
  beforeEach(() => dpop.clearLog());

  it("ClientSecret calls: the nonce exchange once, then every management call with a DPoP proof", async () => {
    useServiceApp(dpop);
    const appId = await roundTrip(dpop);
    const log = calls(dpop);
    // 400 use_dpop_nonce, then the token; no management call was refused (Bearer, missing proof, replay…).
    expect(log.slice(0, 2)).toEqual(["POST /oauth2/v1/token 400", "POST /oauth2/v1/token 200"]);
    expect(log.slice(2).every((c) => / 20[014]$/.test(c) && c.includes(`/api/v1/apps/${appId}`))).toBe(true);
    expect(log.length > 3).toBe(true);
    // A second round trip reuses the token: no token request, proofs are still fresh (no replay refusal).
    dpop.clearLog();
    await roundTrip(dpop);
    expect(calls(dpop).some((c) => c.includes("/oauth2/"))).toBe(false);
    expect(calls(dpop).every((c) => / 20[014]$/.test(c))).toBe(true);
  });

  it("JsonWebKey calls, with a PEM key and custom scopes from the stack config", async () => {
    const pem = createPrivateKey({ key: dpop.serviceApp.privateJwk as never, format: "jwk" })
      .export({ type: "pkcs8", format: "pem" })
      .toString();
    await configure({
      [`${PROJECT}:oktaOrgUrl`]: dpop.orgUrl,
      "okta:clientId": dpop.serviceApp.clientId,
      "okta:privateKey": pem,
      "okta:privateKeyId": dpop.serviceApp.kid,
      "okta:scopes": "okta.apps.read okta.apps.manage",
    });
    const keys = new JsonWebKeyProvider();
    const app = dpop.addApp({ secrets: 1 });
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = {
      ...(publicKey.export({ format: "jwk" }) as Record<string, string>),
      kid: "dpop-k1",
      alg: "RS256",
    };
    const inputs = (await keys.check({}, { appId: app.id, jwk, status: "INACTIVE", generation: 1 }))
      .inputs as JsonWebKeyInputs;
    const c = await keys.create(inputs);
    expect(dpop.listKeys(app.id)).toEqual([{ id: c.id, kid: "dpop-k1", status: "INACTIVE" }]);
    await keys.delete(c.id, c.outs!);
    expect(dpop.listKeys(app.id)).toEqual([]);
    expect(calls(dpop).filter((l) => l.startsWith("POST /oauth2/v1/token"))).toEqual([
      "POST /oauth2/v1/token 400",
      "POST /oauth2/v1/token 200",
    ]);
  });

  it("carries the resource server's DPoP-Nonce into later proofs (RFC 9449 §9)", async () => {
    const local = await startOktaLocal({ apps: [], dpopResourceNonce: true });
    try {
      useServiceApp(local);
      await roundTrip(local);
      const api = calls(local).filter((c) => c.includes("/api/v1/"));
      // Asked once (401 use_dpop_nonce), answered at once with the nonce, never asked again.
      expect(api.filter((c) => c.endsWith(" 401"))).toHaveLength(1);
      expect(api[0]?.endsWith(" 401")).toBe(true);
      expect(api.slice(1).every((c) => / 20[014]$/.test(c))).toBe(true);
    } finally {
      await local.close();
    }
  });

  it("rate-limited calls under DPoP wait for the window and succeed", async () => {
    const local = await startOktaLocal({ apps: [], rateLimits: { apps: 2, windowSeconds: 1 } });
    const waits: string[] = [];
    const stop = onRetry((e) => waits.push(e.reason));
    try {
      useServiceApp(local);
      await roundTrip(local);
      const statuses = local.requestLog.filter((e) => e.bucket === "apps").map((e) => e.status);
      // The client keeps to its share (it waits for X-Rate-Limit-Reset) or, past it, waits out a 429.
      expect(waits.some((r) => r === "paced" || r === "rate-limited")).toBe(true);
      expect(statuses.filter((x) => x === 400)).toEqual([]);
    } finally {
      stop();
      await local.close();
    }
  });

  it("a key Okta does not know: the token endpoint's refusal is named, and no key material is shown", async () => {
    useServiceApp(dpop);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const stranger = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    process.env.OKTA_API_PRIVATE_KEY = stranger;
    const app = dpop.addApp({ secrets: 1 });
    const err = await thrown(async () =>
      provider.create((await provider.check({}, { appId: app.id })).inputs as ClientSecretInputs),
    );
    expect(err.message).toMatch(/HTTP 401 invalid_client/);
    expect(err.message).toMatch(/The client_assertion signature is invalid\./);
    expect(err.message).toMatch(/What to do: Okta did not accept the credentials/);
    expect(err.message.includes(stranger.split("\n")[1] ?? "-")).toBe(false);
    expect(dpop.listSecrets(app.id)).toHaveLength(1);
  });
});
