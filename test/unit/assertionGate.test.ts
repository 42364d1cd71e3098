import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { AppAuthMethodProvider } from "../../dynamic/appAuthMethod";
import { AssertionGateProvider, samePublicKey, type AssertionGateInputs } from "../../dynamic/assertionGate";
import { resetConnection } from "../../dynamic/connection";
import { JsonWebKeyProvider, type PublicJwk } from "../../dynamic/jsonWebKey";
import { KeyPairProvider, type KeyPairOutputs } from "../../dynamic/keyPair";

let okta: OktaLocal;
const saved = { url: process.env.OKTA_ORG_URL, token: process.env.OKTA_API_TOKEN };
beforeAll(async () => {
  okta = await startOktaLocal({ apps: [{ label: "gate-a" }, { label: "gate-b" }] });
  process.env.OKTA_ORG_URL = okta.orgUrl;
  process.env.OKTA_API_TOKEN = okta.apiToken;
  resetConnection();
});
afterAll(async () => {
  process.env.OKTA_ORG_URL = saved.url;
  process.env.OKTA_API_TOKEN = saved.token;
  if (saved.url === undefined) delete process.env.OKTA_ORG_URL;
  if (saved.token === undefined) delete process.env.OKTA_API_TOKEN;
  resetConnection();
  await okta.close();
});

const gate = new AssertionGateProvider();

async function newPair(generation = 1): Promise<KeyPairOutputs> {
  return (await new KeyPairProvider().create({ algorithm: "RS256", generation })).outs!;
}

async function register(appId: string, pair: KeyPairOutputs, status: "ACTIVE" | "INACTIVE" = "ACTIVE") {
  return new JsonWebKeyProvider().create({
    appId,
    jwk: pair.publicJwk as unknown as PublicJwk,
    generation: pair.generation,
    status,
  });
}

function inputs(
  appIndex: number,
  pair: KeyPairOutputs,
  extra: Partial<AssertionGateInputs> = {},
): AssertionGateInputs {
  const app = okta.apps[appIndex];
  return {
    appId: app.id,
    clientId: app.clientId,
    kid: pair.kid,
    generation: pair.generation,
    privateJwk: pair.privateJwk,
    tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
    scope: ROTATION_SCOPE,
    exchange: "auto",
    minOverlapSeconds: 0,
    ...extra,
  };
}

describe("AssertionGate before the switch (app still on client_secret_basic)", () => {
  it("opens on the registered key without a token exchange, and keeps the private key out of its outputs", async () => {
    const pair = await newPair();
    await register(okta.apps[0].id, pair);
    const { outs } = await gate.create(inputs(0, pair));
    expect(outs).toMatchObject({ proof: "registered", authMethod: "client_secret_basic", kid: pair.kid });
    expect(outs).not.toHaveProperty("privateJwk");
    expect(JSON.stringify(outs)).not.toContain(pair.privateJwk.d);
  });

  it("with exchange 'always', fails: Okta refuses any assertion until the app is switched", async () => {
    const pair = await newPair(2);
    await register(okta.apps[0].id, pair);
    const err = (await gate
      .create(inputs(0, pair, { exchange: "always" }))
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/token exchange .* was refused: HTTP 401 invalid_client/);
    expect(err.message).not.toContain(pair.privateJwk.d);
  });

  it("refuses a key that is INACTIVE, or a private key that is not the registered one's other half", async () => {
    const inactive = await newPair(3);
    await register(okta.apps[0].id, inactive, "INACTIVE");
    await expect(gate.create(inputs(0, inactive))).rejects.toThrow(/the key is INACTIVE in Okta/);
    const registered = await newPair(4);
    await register(okta.apps[0].id, registered);
    const other = await newPair(4);
    await expect(gate.create(inputs(0, { ...other, kid: registered.kid }))).rejects.toThrow(
      /not the public half of the delivered private key/,
    );
  });
});

describe("AssertionGate after the switch", () => {
  it("proves the key with a real private_key_jwt exchange", async () => {
    const pair = await newPair();
    await register(okta.apps[1].id, pair);
    await new AppAuthMethodProvider().create({
      appId: okta.apps[1].id,
      tokenEndpointAuthMethod: "private_key_jwt",
    });
    const { outs } = await gate.create(inputs(1, pair));
    expect(outs).toMatchObject({ proof: "exchange", authMethod: "private_key_jwt" });
  });

  it("a proof refused after the switch says the app IS on private_key_jwt, who now fails, and the way back", async () => {
    const pair = await newPair(5);
    await register(okta.apps[1].id, pair);
    const err = (await gate
      .create(inputs(1, pair, { exchange: "always", scope: "not.a.scope.here" }))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/was refused: HTTP 400 invalid_scope/);
    expect(err.message).toContain("The app IS switched to private_key_jwt");
    expect(err.message).toMatch(
      /refuses every client that authenticates with a client secret \(invalid_client\)/,
    );
    expect(err.message).toContain("set privateKeyJwt.rollback: true (keep enabled: true) and run pulumi up");
    expect(err.message).not.toContain("auth method and the previous credentials are unchanged");
    expect(err.message).not.toContain(pair.privateJwk.d);
    // Before the switch the same refusal still says nothing changed.
    const before = await newPair(6);
    await register(okta.apps[0].id, before);
    const early = (await gate
      .create(inputs(0, before, { exchange: "always" }))
      .catch((e: unknown) => e)) as Error;
    expect(early.message).toContain("the app's auth method and the previous credentials are unchanged");
  });

  it("re-runs when the kid or generation changes, not for anything else", async () => {
    const olds = {
      ...inputs(1, await newPair()),
      proof: "exchange",
      authMethod: "private_key_jwt",
      keyId: "pks",
      openedAt: "",
    };
    expect((await gate.diff("id", olds as never, { ...olds, kid: "other" } as never)).changes).toBe(true);
    expect((await gate.diff("id", olds as never, { ...olds } as never)).changes).toBe(false);
  });
});

describe("AssertionGate with an EC key registered without crv", () => {
  it("opens: Okta echoes crv null, and the curve is taken from the private key", async () => {
    const app = okta.addApp({ label: "gate-ec-nocrv" });
    const pair = (await new KeyPairProvider().create({ algorithm: "ES256", generation: 1 })).outs!;
    const { crv: _crv, ...withoutCrv } = pair.publicJwk as unknown as Record<string, unknown>;
    await new JsonWebKeyProvider().create({
      appId: app.id,
      jwk: withoutCrv as unknown as PublicJwk,
      generation: 1,
      status: "ACTIVE",
    });
    const keys = okta.listKeys(app.id);
    expect(keys).toHaveLength(1);
    const echoed = (
      okta.getApp(app.id) as { settings: { oauthClient: { jwks: { keys: { crv: unknown }[] } } } }
    ).settings.oauthClient.jwks.keys[0];
    expect(echoed.crv).toBeNull();
    const { outs } = await gate.create({ ...inputs(0, pair), appId: app.id, clientId: app.clientId });
    expect(outs).toMatchObject({ authMethod: "client_secret_basic" });
  });
});

describe("AssertionGate refused for want of an access policy rule", () => {
  it("says which policy and rule to create, and does not retry", async () => {
    const app = okta.addApp({ label: "gate-no-policy", inRotationPolicy: false });
    const pair = await newPair();
    await register(app.id, pair);
    await new AppAuthMethodProvider().create({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" });
    okta.clearLog();
    const gateInputs = { ...inputs(0, pair), appId: app.id, clientId: app.clientId };
    let err: Error | undefined;
    try {
      await gate.create(gateInputs);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toContain(
      "HTTP 401 access_denied: Policy evaluation failed for this request, please check the policy configurations.",
    );
    expect(err?.message).toContain(
      `no access policy rule on authorization server default that lets client ${app.clientId} use client_credentials for ${ROTATION_SCOPE}`,
    );
    expect(err?.message).toContain("an ACTIVE rule");
    expect(err?.message.includes(String(pair.privateJwk.d))).toBe(false);
    // The key authenticated at once; a missing rule is not worth another try.
    expect(okta.requestLog.filter((e) => e.path === "/oauth2/default/v1/token")).toHaveLength(1);
  });
});

describe("AssertionGate check: where Okta can prove a key (before anything is written)", () => {
  const org = () => `${okta.orgUrl}/oauth2/v1/token`;
  const raw = async (extra: Partial<AssertionGateInputs>) => {
    const pair = await newPair();
    return { ...inputs(0, pair), ...extra } as unknown as Record<string, unknown>;
  };

  it("refuses the org server without Okta scopes, with Okta's reason and what to set", async () => {
    for (const scope of [undefined, ROTATION_SCOPE]) {
      const news = await raw({ tokenUrl: org(), scope });
      if (scope === undefined) delete news.scope;
      const r = await gate.check({}, news);
      expect(r.failures).toHaveLength(1);
      expect(r.failures?.[0].property).toBe("tokenUrl");
      const reason = r.failures?.[0].reason ?? "";
      expect(reason).toContain(`Assertion gate of app ${okta.apps[0].id}`);
      expect(reason).toContain("is the org authorization server");
      expect(reason).toContain(
        scope === undefined ? "No scopes were requested." : "Custom scopes are not allowed for this request.",
      );
      expect(reason).toContain(
        `set gates.tokenUrl and gates.scope to a custom authorization server's token endpoint, e.g. ${okta.orgUrl}/oauth2/default/v1/token`,
      );
      expect(reason).not.toContain(String(news.privateJwk && (news.privateJwk as { d: string }).d));
    }
  });

  it("refuses openid anywhere, and takes a custom server with its scope", async () => {
    const openid = await gate.check({}, await raw({ scope: "openid" }));
    expect(openid.failures?.[0]).toMatchObject({ property: "scope" });
    expect(openid.failures?.[0].reason).toContain("Cannot request 'openid' scopes using client credentials.");
    expect((await gate.check({}, await raw({}))).failures).toBeUndefined();
  });

  it("keeps a service app asking for Okta scopes at the org server working, end to end", async () => {
    const service = okta.addApp({
      label: "gate-service",
      tokenEndpointAuthMethod: "private_key_jwt",
      secrets: 0,
    });
    const pair = await newPair();
    await register(service.id, pair);
    const granted = await fetch(`${okta.orgUrl}/api/v1/apps/${service.id}/grants`, {
      method: "POST",
      headers: { Authorization: `SSWS ${okta.apiToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ issuer: okta.orgUrl, scopeId: "okta.apps.read" }),
    });
    expect(granted.status).toBe(201);
    const news = {
      appId: service.id,
      clientId: service.clientId,
      kid: pair.kid,
      generation: 1,
      privateJwk: pair.privateJwk,
      tokenUrl: org(),
      scope: "okta.apps.read",
      exchange: "auto",
      minOverlapSeconds: 0,
    };
    const checked = await gate.check({}, news);
    expect(checked.failures).toBeUndefined();
    const { outs } = await gate.create(checked.inputs!);
    expect(outs).toMatchObject({ proof: "exchange", authMethod: "private_key_jwt" });
  });
});

describe("samePublicKey", () => {
  it("compares the members that identify the key", () => {
    expect(
      samePublicKey({ kty: "EC", x: "1", y: "2", d: "s" }, { kty: "EC", x: "1", y: "2", kid: "k" }),
    ).toBe(true);
    expect(samePublicKey({ kty: "RSA", e: "AQAB", n: "a" }, { kty: "RSA", e: "AQAB", n: "b" })).toBe(false);
  });
});
