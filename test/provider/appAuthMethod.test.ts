import { generateKeyPairSync } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTokenClient } from "../../client";
import {
  AppAuthMethodProvider,
  ClientSecretProvider,
  JsonWebKeyProvider,
  type AppAuthMethodInputs,
  type ClientSecretInputs,
  type JsonWebKeyOutputs,
} from "../../dynamic";
import { releaseMessage } from "../../dynamic/appAuthMethod";
import { OktaApi } from "../../dynamic/oktaApi";
import type { OktaApp } from "../../dynamic/oktaObjects";
import { ROTATION_SCOPE, startOktaLocal } from "../../local-env/okta";
import { calls, outOfBand, startOkta, thrown, useSsws, type OktaLocal } from "./helpers";

const provider = new AppAuthMethodProvider();
const keys = new JsonWebKeyProvider();
let okta: OktaLocal;

beforeAll(async () => {
  okta = await startOkta({ apps: [] });
});
afterAll(async () => okta?.close());
beforeEach(() => okta.clearLog());

type App = {
  credentials: { oauthClient: Record<string, unknown> };
  settings: { oauthClient: Record<string, unknown> };
};
const appJson = (id: string) => okta.getApp(id) as App;

async function checked(news: Record<string, unknown>): Promise<AppAuthMethodInputs> {
  const r = await provider.check({}, news);
  expect(r.failures).toBeUndefined();
  return r.inputs!;
}

async function registerKey(appId: string) {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = `k-${appId}`;
  const jwk = { ...pair.publicKey.export({ format: "jwk" }), kid };
  const c = await keys.create((await keys.check({}, { appId, jwk })).inputs!);
  const privateJwk = {
    ...(pair.privateKey.export({ format: "jwk" }) as Record<string, string>),
    kid,
    alg: "RS256",
  };
  return { id: c.id, outs: c.outs!, privateJwk };
}

/**
 * Runs `fn` and returns the warnings it emitted. providerWarning logs only under the engine or in the dynamic
 * provider host, which it recognises by its argv: this pretends to be the host and catches pulumi.log.warn.
 */
async function warningsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const warnings: string[] = [];
  const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async (m: string) => {
    warnings.push(m);
  });
  const marker = "--as-in-dynamic-provider";
  process.argv.push(marker);
  try {
    await fn();
  } finally {
    process.argv.splice(process.argv.indexOf(marker), 1);
    warn.mockRestore();
  }
  return warnings;
}

const method = (id: string) => appJson(id).credentials.oauthClient.token_endpoint_auth_method;

describe("AppAuthMethod", () => {
  it("the PUT's answer carries the app's client_secret: it reaches no log, error, output or state", async () => {
    // okta-api.md Revision 3: a whole-app PUT answers with credentials.oauthClient.client_secret.
    const app = okta.addApp({ secrets: 1 });
    const [secret] = app.secrets.map((s) => s.clientSecret);
    await registerKey(app.id);
    const answers: OktaApp[] = [];
    const realPut = OktaApi.prototype.putApp;
    let failReadBack = false;
    const put = vi.spyOn(OktaApi.prototype, "putApp").mockImplementation(async function (
      this: OktaApi,
      appId: string,
      body: OktaApp,
    ) {
      const answer = await realPut.call(this, appId, body);
      answers.push(answer);
      // The second run's read-back after the PUT fails, so the error path is covered too.
      if (failReadBack) okta.setFaults([{ path: `^/api/v1/apps/${appId}$`, method: "GET", errorRate: 1 }]);
      return answer;
    });
    const printed: string[] = [];
    const capture = (m: unknown) => {
      printed.push(String(m));
    };
    const spies = [
      ...(["debug", "info", "warn", "error"] as const).map((l) =>
        vi.spyOn(pulumi.log, l).mockImplementation(async (...a: unknown[]) => capture(a[0])),
      ),
      ...(["log", "info", "warn", "error", "debug"] as const).map((l) =>
        vi.spyOn(console, l).mockImplementation((...a: unknown[]) => capture(a.join(" "))),
      ),
      vi.spyOn(process.stdout, "write").mockImplementation((c: unknown) => (capture(c), true)),
      vi.spyOn(process.stderr, "write").mockImplementation((c: unknown) => (capture(c), true)),
    ];
    let outs: unknown;
    let err: Error | undefined;
    try {
      const c = await provider.create(
        await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" }),
      );
      outs = c.outs;
      failReadBack = true;
      err = await thrown(() =>
        provider.update(app.id, c.outs!, { appId: app.id, tokenEndpointAuthMethod: "client_secret_basic" }),
      );
    } finally {
      okta.setFaults([]);
      for (const s of spies) s.mockRestore();
      put.mockRestore();
    }
    // Both PUTs were answered with the secret (the app keeps it: secrets are not deleted on the switch)…
    expect(answers).toHaveLength(2);
    for (const a of answers) {
      expect(
        (a.credentials as { oauthClient: { client_secret?: string } }).oauthClient.client_secret === secret,
      ).toBe(true);
    }
    // …and it is nowhere: not in the outputs (state), not in the error, not in anything printed.
    expect(JSON.stringify(outs).includes(secret)).toBe(false);
    expect(err.message).toMatch(/reading the app back after the PUT/);
    expect(`${err.message}\n${err.stack ?? ""}\n${JSON.stringify(err)}`.includes(secret)).toBe(false);
    expect(printed.some((p) => p.includes(secret))).toBe(false);
  });

  it("switches to private_key_jwt by GET + PUT of the whole app, changing nothing else; delete leaves it so", async () => {
    const app = okta.addApp({ secrets: 1 });
    const key = await registerKey(app.id);
    const before = appJson(app.id);
    okta.clearLog();
    const c = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" }),
    );
    expect(c.id).toBe(app.id);
    expect(c.outs).toEqual({
      appId: app.id,
      tokenEndpointAuthMethod: "private_key_jwt",
      previousMethod: "client_secret_basic",
      // The local Okta gives kept keys new ids, as Okta's recorded exchange shows.
      renumberedKeys: { [key.id]: okta.listKeys(app.id)[0]!.id },
    });
    // The PUT carries the app's keys; the app and its keys are read back and compared.
    expect(calls(okta)).toEqual([
      `GET /api/v1/apps/${app.id} 200`,
      `GET /api/v1/apps/${app.id}/credentials/jwks 200`,
      `PUT /api/v1/apps/${app.id} 200`,
      `GET /api/v1/apps/${app.id} 200`,
      `GET /api/v1/apps/${app.id}/credentials/jwks 200`,
    ]);
    // Nothing else changed; the kept key may have a new id (and lastUpdated), as a whole-app PUT gives it.
    const comparable = (a: App) => {
      const c = structuredClone(a) as unknown as Record<string, unknown> & App;
      delete c.lastUpdated;
      for (const k of (c.settings.oauthClient.jwks as { keys: Record<string, unknown>[] }).keys) {
        for (const m of ["id", "lastUpdated", "_links"]) delete k[m];
      }
      return c;
    };
    const expected = comparable(before);
    expected.credentials.oauthClient.token_endpoint_auth_method = "private_key_jwt";
    // Okta's own link to the app's credentials follows the method (recorded answers; local Okta README "Choices").
    (expected as unknown as { _links: Record<string, unknown> })._links.clientCredentials = [
      { name: "jwks", href: `${okta.orgUrl}/api/v1/apps/${app.id}/credentials/jwks` },
    ];
    expect(comparable(appJson(app.id))).toEqual(expected);

    const switched = structuredClone(appJson(app.id));
    okta.clearLog();
    const warnings = await warningsOf(() => provider.delete(c.id, c.outs!));
    expect(okta.requestLog).toEqual([]);
    expect(appJson(app.id)).toEqual(switched);
    expect(method(app.id)).toBe("private_key_jwt");
    expect(warnings).toEqual([releaseMessage(c.outs!)]);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^AppAuthMethod of app ${app.id} is released, not reverted: the app keeps token_endpoint_auth_method private_key_jwt`,
      ),
    );
  });

  it("is a no-op (GET only, no PUT) when the app already has the method; delete calls nothing", async () => {
    const app = okta.addApp({ secrets: 1, tokenEndpointAuthMethod: "client_secret_post" });
    const c = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" }),
    );
    expect(c.outs?.previousMethod).toBe("client_secret_post");
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id} 200`]);
    okta.clearLog();
    const d = await provider.diff(
      c.id,
      c.outs!,
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" }),
    );
    expect(d).toEqual({ changes: false, replaces: [] });
    expect(okta.requestLog).toEqual([]);
    await provider.delete(c.id, c.outs!);
    expect(okta.requestLog).toEqual([]);
    expect(method(app.id)).toBe("client_secret_post");
  });

  it("updates the method in place, keeping the method found at create for the record", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" }),
    );
    const u = await provider.update(
      c.id,
      c.outs!,
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_jwt" }),
    );
    expect(u.outs?.previousMethod).toBe("client_secret_basic");
    expect(method(app.id)).toBe("client_secret_jwt");
    await provider.delete(c.id, u.outs!);
    expect(method(app.id)).toBe("client_secret_jwt");
  });

  it("sets a JWKS URL, removes it when dropped from the inputs, and leaves it on delete", async () => {
    const app = okta.addApp({ secrets: 1 });
    const withUri = await checked({
      appId: app.id,
      tokenEndpointAuthMethod: "private_key_jwt",
      jwksUri: "https://keys.example.com/jwks",
    });
    const c = await provider.create(withUri);
    expect(appJson(app.id).settings.oauthClient.jwks_uri).toBe("https://keys.example.com/jwks");
    await registerKey(app.id);
    const u = await provider.update(
      c.id,
      c.outs!,
      await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" }),
    );
    expect(appJson(app.id).settings.oauthClient.jwks_uri).toBeUndefined();
    const again = await provider.update(c.id, u.outs!, withUri);
    await provider.delete(c.id, again.outs!);
    expect(appJson(app.id).settings.oauthClient.jwks_uri).toBe("https://keys.example.com/jwks");
    expect(method(app.id)).toBe("private_key_jwt");
  });

  it("refresh reads the current method; a deleted app is gone", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" }),
    );
    const r = await provider.read(c.id, c.outs!);
    expect(r.props?.tokenEndpointAuthMethod).toBe("client_secret_post");
    expect(r.inputs).toEqual({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" });
    // A whole-app PUT resets the method: the refreshed inputs say so, and the next diff switches it back.
    const body = structuredClone(appJson(app.id));
    body.credentials.oauthClient.token_endpoint_auth_method = "client_secret_basic";
    expect(await outOfBand(okta, "PUT", `/api/v1/apps/${app.id}`, body)).toBe(200);
    const reset = await provider.read(c.id, c.outs!);
    expect(reset.inputs).toEqual({ appId: app.id, tokenEndpointAuthMethod: "client_secret_basic" });
    const d = await provider.diff(
      c.id,
      reset.props!,
      await checked({ appId: app.id, tokenEndpointAuthMethod: "client_secret_post" }),
    );
    expect(d.changes).toBe(true);
    expect(await provider.read("0oaGone", { ...c.outs!, appId: "0oaGone" })).toEqual({ id: "" });
  });

  it("diff of a private_key_jwt app reads Okta: a method reset by a whole-app PUT is a change, with what to do", async () => {
    const app = okta.addApp({ secrets: 1 });
    await registerKey(app.id);
    const inputs = await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" });
    const c = await provider.create(inputs);
    okta.clearLog();
    expect(await provider.diff(c.id, c.outs!, inputs)).toEqual({ changes: false, replaces: [] });
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id} 200`]);
    // The okta.app.OAuth's PUT from state read before the switch: the app is back on client_secret_basic.
    const body = okta.getApp(app.id) as App;
    body.credentials.oauthClient.token_endpoint_auth_method = "client_secret_basic";
    const res = await fetch(`${okta.orgUrl}/api/v1/apps/${app.id}`, {
      method: "PUT",
      headers: { Authorization: `SSWS ${okta.apiToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    let diff: unknown;
    const warnings = await warningsOf(async () => {
      diff = await provider.diff(c.id, c.outs!, inputs);
    });
    expect(diff).toEqual({ changes: true, replaces: [] });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^AppAuthMethod of app .*: Okta has token_endpoint_auth_method client_secret_basic, not private_key_jwt .*Run pulumi up --refresh/,
      ),
    ]);
    // Refresh sees it too.
    expect((await provider.read(c.id, c.outs!)).props?.tokenEndpointAuthMethod).toBe("client_secret_basic");
  });

  it("names the app and says what to do when Okta refuses private_key_jwt without keys", async () => {
    const app = okta.addApp({ secrets: 1 });
    const err = await thrown(async () =>
      provider.create(await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" })),
    );
    expect(err.message).toContain(
      `Okta refused to update AppAuthMethod of app ${app.id} (setting token_endpoint_auth_method to private_key_jwt`,
    );
    expect(err.message).toMatch(
      /What to do: private_key_jwt needs a public key: register an ACTIVE JsonWebKey/,
    );
    expect(appJson(app.id).credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
  });
});

describe("removing a private_key_jwt app from the stack (or destroying it) releases what its clients hold", () => {
  it("in the engine's delete order (auth method, then the key) the app keeps its method and its ACTIVE key, and still authenticates", async () => {
    const app = okta.addApp({ secrets: 1 });
    const key = await registerKey(app.id);
    const auth = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" }),
    );
    const client = () =>
      createTokenClient({
        tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
        scope: ROTATION_SCOPE,
        clientId: app.clientId,
        credentials: { method: "private_key_jwt", key: { privateJwk: key.privateJwk } },
        retries: 0,
      });
    expect(await client().getToken()).toMatch(/^ey/);

    const now = okta.listKeys(app.id)[0]!.id; // the switch's PUT renumbered the key
    okta.clearLog();
    const warnings = await warningsOf(async () => {
      await provider.delete(auth.id, auth.outs!);
      await keys.delete(key.id, key.outs);
    });
    // No write to Okta at all: the key is read (by kid, under its new id), it is ACTIVE, so it is released.
    expect(calls(okta)).toEqual([
      `GET /api/v1/apps/${app.id}/credentials/jwks/${key.id} 404`,
      `GET /api/v1/apps/${app.id}/credentials/jwks 200`,
    ]);
    expect(method(app.id)).toBe("private_key_jwt");
    expect(okta.listKeys(app.id)).toEqual([{ id: now, kid: `k-${app.id}`, status: "ACTIVE" }]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(releaseMessage(auth.outs!));
    expect(warnings[1]).toMatch(
      /^JsonWebKey pks\S+ \(kid k-0oa\S+\) of app 0oa\S+ is ACTIVE, and clients may sign with it: released, not deleted/,
    );
    expect(await client().getToken()).toMatch(/^ey/);
  });
});

describe("when Okta deletes the client secrets on the switch to private_key_jwt", () => {
  it("the secrets' refresh sees them gone and their delete is a no-op", async () => {
    const other = await startOktaLocal({
      apps: [{ label: "purge", secrets: 1 }],
      deleteSecretsOnPrivateKeyJwt: true,
    });
    try {
      useSsws(other);
      const appId = other.apps[0]!.id;
      const secrets = new ClientSecretProvider();
      const s = await secrets.create(
        (await secrets.check({}, { appId, status: "INACTIVE" })).inputs as ClientSecretInputs,
      );
      const jwk = {
        ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }),
        kid: "purge-1",
      };
      await keys.create((await keys.check({}, { appId, jwk })).inputs!);
      await provider.create(await checked({ appId, tokenEndpointAuthMethod: "private_key_jwt" }));
      expect(other.listSecrets(appId)).toEqual([]);
      expect(await secrets.read(s.id, s.outs!)).toEqual({ id: "" });
      await secrets.delete(s.id, s.outs!);
    } finally {
      await other.close();
      useSsws(okta);
    }
  });
});

// A whole-app PUT replaces the app's key set; whether kept keys keep their ids, sources differ (okta-api.md).
describe.each([
  { keepKeyIdsOnPut: false, mode: "new ids" },
  { keepKeyIdsOnPut: true, mode: "ids kept" },
])("the switch's PUT keeps every key ($mode)", ({ keepKeyIdsOnPut }) => {
  let local: OktaLocal;
  beforeAll(async () => {
    local = await startOktaLocal({ apps: [], keepKeyIdsOnPut });
  });
  afterAll(async () => {
    await local?.close();
    useSsws(okta);
  });
  beforeEach(() => useSsws(local));

  it("keeps each key (ACTIVE and INACTIVE) with its status, and the JsonWebKeys find theirs by kid", async () => {
    const app = local.addApp({ secrets: 1 });
    const made: { id: string; outs?: JsonWebKeyOutputs }[] = [];
    for (const [kid, status] of [
      ["held", "ACTIVE"],
      ["spare", "INACTIVE"],
    ] as const) {
      const jwk = {
        ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }),
        kid,
      };
      made.push(await keys.create((await keys.check({}, { appId: app.id, jwk, status })).inputs!));
    }
    const created = await provider.create(
      await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" }),
    );
    const after = local.listKeys(app.id);
    expect(after.map((k) => [k.kid, k.status])).toEqual([
      ["held", "ACTIVE"],
      ["spare", "INACTIVE"],
    ]);
    expect(after.map((k) => k.id).every((id, i) => id === made[i]!.id)).toBe(keepKeyIdsOnPut);
    // The resource records each key's new id by its old one: what the audit record names the keys by.
    expect(created.outs?.renumberedKeys).toEqual(
      keepKeyIdsOnPut ? undefined : Object.fromEntries(made.map((m, i) => [m.id, after[i]!.id])),
    );
    for (const [i, m] of made.entries()) {
      const r = await keys.read(m.id, m.outs!);
      expect(r.props?.keyId).toBe(after[i]!.id);
      expect(r.id).toBe(after[i]!.id);
    }
  });

  it("stops, naming the field, the app and what to do, when the PUT drops what it did not mean to change", async () => {
    const app = local.addApp({ secrets: 1 });
    const jwk = {
      ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }),
      kid: "dpop-app",
    };
    await keys.create((await keys.check({}, { appId: app.id, jwk })).inputs!);
    // The app has DPoP on (as API service apps created since 2024 do).
    const withDpop = structuredClone(local.getApp(app.id)) as App;
    withDpop.settings.oauthClient.dpop_bound_access_tokens = true;
    const res = await fetch(`${local.orgUrl}/api/v1/apps/${app.id}`, {
      method: "PUT",
      headers: { Authorization: `SSWS ${local.apiToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(withDpop),
    });
    expect(res.status).toBe(200);
    // An Okta that drops the field on a PUT from a client that did not understand it.
    const original = OktaApi.prototype.putApp;
    const put = vi.spyOn(OktaApi.prototype, "putApp").mockImplementation(function (
      this: OktaApi,
      appId: string,
      body: OktaApp,
    ) {
      const dropped = structuredClone(body) as unknown as App;
      delete dropped.settings.oauthClient.dpop_bound_access_tokens;
      return original.call(this, appId, dropped as unknown as OktaApp);
    });
    try {
      const err = await thrown(async () =>
        provider.create(await checked({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" })),
      );
      expect(err.message).toContain(
        `AppAuthMethod of app ${app.id}: the PUT that set token_endpoint_auth_method`,
      );
      expect(err.message).toContain(
        "settings.oauthClient.dpop_bound_access_tokens: sent true, Okta now has absent",
      );
      expect(err.message).toMatch(new RegExp(`What to do: put that field back on app ${app.id} `));
    } finally {
      put.mockRestore();
    }
  });
});
