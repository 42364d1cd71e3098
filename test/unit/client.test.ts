import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
} from "jose";
import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import {
  ClientAssertionError,
  TokenRequestError,
  buildClientAssertion,
  createAssertionSigner,
  createTokenClient,
  credentialsFromEntry,
} from "../../client";

interface TestKey {
  privateJwk: JWK;
  publicJwk: JWK;
  kid: string;
}

async function newKey(alg: "RS256" | "ES256" = "RS256"): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
    publicJwk: { ...publicJwk, kid, alg, use: "sig" },
    kid,
  };
}

async function call(okta: OktaLocal, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${okta.orgUrl}${path}`, {
    method,
    headers: {
      authorization: `SSWS ${okta.apiToken}`,
      accept: "application/json",
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function switchMethod(okta: OktaLocal, appId: string, method: string): Promise<void> {
  const app = (await call(okta, "GET", `/api/v1/apps/${appId}`)) as {
    credentials: { oauthClient: { token_endpoint_auth_method: string } };
  };
  app.credentials.oauthClient.token_endpoint_auth_method = method;
  await call(okta, "PUT", `/api/v1/apps/${appId}`, app);
}

describe("client assertions", () => {
  it("carries iss = sub = client id, aud = token URL, a short exp, iat, a unique jti and the kid header", async () => {
    const key = await newKey();
    const sign = createAssertionSigner({
      clientId: "0oaCLIENT",
      key: { privateJwk: key.privateJwk },
      now: () => 1_800_000_000_000,
    });
    const a = await sign("https://example.okta.com/oauth2/v1/token");
    const b = await sign("https://example.okta.com/oauth2/v1/token");
    const claims = decodeJwt(a);
    expect(claims).toMatchObject({
      iss: "0oaCLIENT",
      sub: "0oaCLIENT",
      aud: "https://example.okta.com/oauth2/v1/token",
      iat: 1_800_000_000,
      exp: 1_800_000_060,
    });
    expect(typeof claims.jti).toBe("string");
    expect(decodeJwt(b).jti).not.toBe(claims.jti);
    expect(decodeProtectedHeader(a)).toEqual({ alg: "RS256", kid: key.kid, typ: "JWT" });
  });

  it("signs ES256 with a P-256 key and takes the kid and alg from the options over the JWK", async () => {
    const key = await newKey("ES256");
    const bare = { ...key.privateJwk };
    delete bare.alg;
    delete bare.kid;
    const a = await buildClientAssertion({
      clientId: "c",
      audience: "http://127.0.0.1/oauth2/v1/token",
      key: { privateJwk: JSON.stringify(bare), kid: "chosen" },
    });
    expect(decodeProtectedHeader(a)).toMatchObject({ alg: "ES256", kid: "chosen" });
  });

  it("refuses a public key, a missing kid, an exp beyond Okta's hour and a relative audience, naming the field", async () => {
    const key = await newKey();
    const noKid = { ...key.privateJwk };
    delete noKid.kid;
    const cases: [() => unknown, string][] = [
      [() => createAssertionSigner({ clientId: "c", key: { privateJwk: key.publicJwk } }), "key.privateJwk"],
      [() => createAssertionSigner({ clientId: "c", key: { privateJwk: noKid } }), "key.kid"],
      [
        () =>
          createAssertionSigner({
            clientId: "c",
            key: { privateJwk: key.privateJwk },
            lifetimeSeconds: 3601,
          }),
        "lifetimeSeconds",
      ],
      [() => createAssertionSigner({ clientId: "", key: { privateJwk: key.privateJwk } }), "clientId"],
      [() => createAssertionSigner({ clientId: "c", key: { privateJwk: "not json" } }), "key.privateJwk"],
      [
        () => createAssertionSigner({ clientId: "c", key: { privateJwk: key.privateJwk, alg: "HS256" } }),
        "key.alg",
      ],
    ];
    for (const [run, field] of cases) {
      let caught: unknown;
      try {
        run();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ClientAssertionError);
      expect((caught as ClientAssertionError).field).toBe(field);
      // A private key never appears in an error.
      expect((caught as Error).message).not.toContain(String(key.privateJwk.d));
    }
    const sign = createAssertionSigner({ clientId: "c", key: { privateJwk: key.privateJwk } });
    await expect(sign("/oauth2/v1/token")).rejects.toMatchObject({ field: "audience" });
  });
});

describe("credentialsFromEntry", () => {
  it("puts the entry's own method first and keeps the other as the fallback", () => {
    const entry = {
      client_id: "c",
      private_key: "{}",
      kid: "k",
      alg: "ES256",
      client_secret: "s".repeat(20),
    };
    expect(
      credentialsFromEntry({ ...entry, token_endpoint_auth_method: "private_key_jwt" }).map((c) => c.method),
    ).toEqual(["private_key_jwt", "client_secret_basic"]);
    expect(
      credentialsFromEntry({ ...entry, token_endpoint_auth_method: "client_secret_basic" }).map(
        (c) => c.method,
      ),
    ).toEqual(["client_secret_basic", "private_key_jwt"]);
    expect(() => credentialsFromEntry({ client_id: "c" })).toThrow(/neither private_key nor client_secret/);
  });

  it("reads the client secret under the stack's vault.key when given it", () => {
    const entry = { client_id: "c", okta_secret: "s".repeat(40), generation: 2, secret_id: "ocs1" };
    expect(credentialsFromEntry(entry, { secretKey: "okta_secret" })).toEqual([
      { method: "client_secret_basic", clientSecret: "s".repeat(40) },
    ]);
    // Trimmed like the stack's vault.key.
    expect(credentialsFromEntry(entry, { secretKey: " okta_secret " })).toHaveLength(1);
    // The default key does not read another key's value, and the error says what to pass.
    expect(() => credentialsFromEntry(entry)).toThrow(
      /neither private_key nor client_secret; if the stack sets vault\.key for this app, pass it: credentialsFromEntry\(entry, \{ secretKey \}\)/,
    );
    // A custom key does not fall back to client_secret either.
    expect(() =>
      credentialsFromEntry({ client_id: "c", client_secret: "x".repeat(40) }, { secretKey: "okta_secret" }),
    ).toThrow(/neither private_key nor okta_secret; check that secretKey is the stack's vault\.key/);
  });

  it("keeps the secret under a custom key as the fallback next to the private key during a migration", () => {
    const entry = {
      client_id: "c",
      token_endpoint_auth_method: "private_key_jwt",
      private_key: "{}",
      kid: "k",
      alg: "RS256",
      key_generation: 1,
      okta_secret: "s".repeat(40),
    };
    expect(credentialsFromEntry(entry, { secretKey: "okta_secret" })).toEqual([
      { method: "private_key_jwt", key: { privateJwk: "{}", kid: "k", alg: "RS256" } },
      { method: "client_secret_basic", clientSecret: "s".repeat(40) },
    ]);
    expect(
      credentialsFromEntry(
        { ...entry, token_endpoint_auth_method: "client_secret_basic" },
        { secretKey: "okta_secret" },
      ).map((c) => c.method),
    ).toEqual(["client_secret_basic", "private_key_jwt"]);
    // Without the option the secret is not found: the key alone, no fallback.
    expect(credentialsFromEntry(entry).map((c) => c.method)).toEqual(["private_key_jwt"]);
  });

  it("refuses a secretKey that is empty or one of the entry's own keys", () => {
    const entry = { client_id: "c", client_secret: "s".repeat(40) };
    expect(() => credentialsFromEntry(entry, { secretKey: " " })).toThrow(
      /^secretKey: must be the entry key/,
    );
    for (const own of ["client_id", "private_key", "kid", "generation"]) {
      expect(() => credentialsFromEntry(entry, { secretKey: own })).toThrow(
        new RegExp(`^secretKey: '${own}' is one of the entry's own keys`),
      );
    }
  });
});

describe("token client (stubbed token endpoint)", () => {
  function stub(expiresIn = 3600) {
    const calls: { auth?: string; form: URLSearchParams }[] = [];
    const impl = (async (_url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      calls.push({ auth: headers.authorization, form: new URLSearchParams(String(init.body)) });
      await new Promise((r) => setTimeout(r, 5));
      return new Response(
        JSON.stringify({ access_token: `at-${calls.length}`, token_type: "Bearer", expires_in: expiresIn }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    }) as unknown as typeof fetch;
    return { calls, impl };
  }

  it("caches the token until refreshBeforeExpirySeconds before it expires, and shares one request between callers", async () => {
    let now = 1_000_000;
    const { calls, impl } = stub(3600);
    const client = createTokenClient({
      tokenUrl: "https://example.okta.com/oauth2/v1/token",
      clientId: "c",
      credentials: { method: "client_secret_basic", clientSecret: "s".repeat(40) },
      fetch: impl,
      now: () => now,
    });
    const [a, b] = await Promise.all([client.getToken(), client.getToken()]);
    expect([a, b]).toEqual(["at-1", "at-1"]);
    now += 3_539_000; // 61 s before expiry: still cached
    expect(await client.getToken()).toBe("at-1");
    now += 2_000; // 59 s before expiry: renewed
    expect(await client.getToken()).toBe("at-2");
    expect(calls).toHaveLength(2);
    expect(calls[0].form.get("grant_type")).toBe("client_credentials");
    expect(calls[0].auth).toMatch(/^Basic /);
  });
});

describe("token client against the local Okta", () => {
  let okta: OktaLocal;
  beforeAll(async () => {
    okta = await startOktaLocal({ apps: [{ label: "client-test" }] });
  });
  afterAll(() => okta.close());

  it("migrates with the app: secret while the app uses it, the key once it is switched, without a failed call", async () => {
    const app = okta.apps[0];
    const tokenUrl = `${okta.orgUrl}/oauth2/default/v1/token`;
    const [secret] = okta.listSecrets(app.id);
    const key = await newKey();
    await call(okta, "POST", `/api/v1/apps/${app.id}/credentials/jwks`, key.publicJwk);
    const client = createTokenClient({
      tokenUrl,
      scope: ROTATION_SCOPE,
      clientId: app.clientId,
      credentials: credentialsFromEntry({
        client_id: app.clientId,
        token_endpoint_auth_method: "private_key_jwt",
        private_key: JSON.stringify(key.privateJwk),
        kid: key.kid,
        client_secret: secret.clientSecret,
      }),
      retries: 0,
    });
    expect(client.preferredMethod).toBe("private_key_jwt");
    expect((await client.exchange()).method).toBe("client_secret_basic");
    expect(client.preferredMethod).toBe("client_secret_basic");
    await switchMethod(okta, app.id, "private_key_jwt");
    expect((await client.exchange()).method).toBe("private_key_jwt");
    expect(client.preferredMethod).toBe("private_key_jwt");
    // A key-only client works too; a secret-only one is refused now.
    const keyOnly = createTokenClient({
      tokenUrl,
      scope: ROTATION_SCOPE,
      clientId: app.clientId,
      credentials: { method: "private_key_jwt", key: { privateJwk: key.privateJwk } },
    });
    expect(await keyOnly.getToken()).toMatch(/^ey/);
    const secretOnly = createTokenClient({
      tokenUrl,
      scope: ROTATION_SCOPE,
      clientId: app.clientId,
      credentials: { method: "client_secret_basic", clientSecret: secret.clientSecret },
      retries: 1,
      retryDelayMs: 1,
    });
    const err = await secretOnly.exchange().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({ status: 401, error: "invalid_client" });
    expect((err as Error).message).not.toContain(secret.clientSecret);
  });

  it("migrates with a secret stored under a custom vault.key: the secret before the switch, the key after", async () => {
    const app = okta.addApp({ label: "client-test-custom-key" });
    const tokenUrl = `${okta.orgUrl}/oauth2/default/v1/token`;
    const [secret] = okta.listSecrets(app.id);
    const key = await newKey("ES256");
    await call(okta, "POST", `/api/v1/apps/${app.id}/credentials/jwks`, key.publicJwk);
    // The entry KeyRotation writes with vault.key = okta_secret, while the app still uses its client secret.
    const entry = {
      client_id: app.clientId,
      token_endpoint_auth_method: "private_key_jwt",
      private_key: JSON.stringify(key.privateJwk),
      kid: key.kid,
      alg: "ES256",
      key_generation: 1,
      okta_secret: secret.clientSecret,
    };
    const client = createTokenClient({
      tokenUrl,
      scope: ROTATION_SCOPE,
      clientId: app.clientId,
      credentials: credentialsFromEntry(entry, { secretKey: "okta_secret" }),
      retries: 0,
    });
    expect((await client.exchange()).method).toBe("client_secret_basic");
    await switchMethod(okta, app.id, "private_key_jwt");
    expect((await client.exchange()).method).toBe("private_key_jwt");
    // Without the option the client holds only the key, and fails until the switch: the fallback it needs.
    const other = okta.addApp({ label: "client-test-custom-key-2" });
    await call(okta, "POST", `/api/v1/apps/${other.id}/credentials/jwks`, key.publicJwk);
    const keyOnly = createTokenClient({
      tokenUrl,
      scope: ROTATION_SCOPE,
      clientId: other.clientId,
      credentials: credentialsFromEntry({ ...entry, client_id: other.clientId }),
      retries: 0,
    });
    await expect(keyOnly.exchange()).rejects.toMatchObject({ status: 401, error: "invalid_client" });
  });
});
