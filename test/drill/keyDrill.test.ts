import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { AppAuthMethodProvider } from "../../dynamic/appAuthMethod";
import { AssertionGateProvider } from "../../dynamic/assertionGate";
import { resetConnection } from "../../dynamic/connection";
import { JsonWebKeyProvider, type PublicJwk } from "../../dynamic/jsonWebKey";
import { KeyPairProvider } from "../../dynamic/keyPair";
import {
  runKeyRotationDrill,
  runMigrationDrill,
  type KeyRotationDrillResult,
  type MigrationDrillResult,
} from "./keyDrill";

/** The component's order, as the drill's steps name them. */
const MIGRATION_STEPS = [
  "g1:keypair",
  "g1:jwk-register",
  "g1:secrets-read",
  "g1:vault",
  "g1:rollout",
  "g1:gate-registered",
  "g1:switch",
  "g1:proof-exchange",
  "g1:secrets-retire",
  "g1:engine-deletes-secret-slot",
];

describe.each([false, true])(
  "migration drill to private_key_jwt (local Okta deletes secrets on the switch: %s)",
  (deleteSecretsOnPrivateKeyJwt) => {
    let result: MigrationDrillResult;

    it("moves the app from its secret to a key, and back, under 50 pods at 200 exchanges/s", async () => {
      result = await runMigrationDrill({
        pods: 50,
        ratePerSecond: 200,
        deleteSecretsOnPrivateKeyJwt,
        rollback: true,
      });
      expect(result.exchanges + (result.rollbackExchanges ?? 0)).toBeGreaterThan(500);
      // The fleet really exchanged tokens throughout (at least half the target rate, on a busy machine).
      expect(result.achievedRatePerSecond).toBeGreaterThan(100);
    }, 180_000);

    it("fails no exchange during the migration, and no pod ever holds only credentials the app refuses", () => {
      expect(result.failures).toEqual({});
      expect(result.migrationFailedExchanges).toBe(0);
      expect(result.heldUnusableSamples).toBe(0);
    });

    it("runs the steps in the component's order: JWK → Vault → rollout → gate → switch → proof → secrets retired", () => {
      expect(result.steps.filter((s) => s.startsWith("g1:"))).toEqual(MIGRATION_STEPS);
      // Before the switch Okta refuses any assertion, so the gate proves the registered key; after it, a real exchange.
      expect(result.gateProof).toBe("registered");
      expect(result.switchProof).toBe("exchange");
    });

    it("leaves the app on private_key_jwt with no client secret that authenticates", () => {
      expect(result.methodAfterMigration).toBe("private_key_jwt");
      expect(result.secretsAfterMigration - result.unusableSecrets).toBe(0);
      expect(result.leftoverSecretAuthenticates).toBe(false);
      expect(result.maxSecretsOnApp).toBeLessThanOrEqual(2);
      expect(result.maxKeysOnApp).toBe(1);
      expect(result.minActiveKeysWhileKeyAuth).toBeGreaterThanOrEqual(1);
    });

    it("rolls back to a client secret without a failed exchange: secret delivered first, registered right after the switch", () => {
      expect(result.rollbackFailedExchanges).toBe(0);
      expect(result.methodAfterRollback).toBe("client_secret_basic");
      expect(result.secretsAfterRollback).toBe(1);
      expect(result.steps.filter((s) => s.startsWith("rollback:"))).toEqual([
        "rollback:secret-value",
        "rollback:vault",
        "rollback:rollout",
        "rollback:gate-exchange",
        "rollback:switch-back",
        "rollback:secret-register",
        "rollback:secret-proof",
        "rollback:secrets-retire",
      ]);
    });
  },
);

describe("key rotation drill", () => {
  let result: KeyRotationDrillResult;

  it("rotates the key three times under 50 pods at 200 exchanges/s", async () => {
    result = await runKeyRotationDrill({ pods: 50, ratePerSecond: 200, rotations: 3 });
    expect(result.achievedRatePerSecond).toBeGreaterThan(100);
    expect(result.exchanges).toBeGreaterThan(500);
  }, 180_000);

  it("fails no exchange, and every pod always holds an ACTIVE key", () => {
    expect(result.failures).toEqual({});
    expect(result.keyRotationFailedExchanges).toBe(0);
    expect(result.heldUnusableSamples).toBe(0);
  });

  it("keeps two keys during each rotation, never more, and never fewer than one ACTIVE", () => {
    expect(result.maxKeysOnApp).toBe(2);
    expect(result.minActiveKeysWhileKeyAuth).toBeGreaterThanOrEqual(1);
    expect(result.finalKeys).toEqual({ active: 1, inactive: 1 });
    // Each bump: the slot's g−2 key deleted first, the previous key deactivated only after the proof.
    const g3 = result.steps.filter((s) => s.startsWith("g3:"));
    expect(g3[0]).toBe("g3:jwk-delete-g-2");
    expect(g3.indexOf("g3:jwk-deactivate-g-1")).toBeGreaterThan(g3.indexOf("g3:proof-exchange"));
  });
});

describe("bad input is refused before any write", () => {
  let okta: OktaLocal;
  const saved = { url: process.env.OKTA_ORG_URL, token: process.env.OKTA_API_TOKEN };
  beforeAll(async () => {
    okta = await startOktaLocal({ apps: [{ label: "refusals" }] });
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

  const writes = () => okta.requestLog.filter((r) => r.method !== "GET");

  it("an RSA key under 2048 bits: refused by KeyPair and JsonWebKey checks", async () => {
    const pair = await new KeyPairProvider().check(
      {},
      { algorithm: "RS256", generation: 1, modulusLength: 1024 },
    );
    expect(pair.failures?.[0]?.property).toBe("modulusLength");
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" });
    const jwk = await new JsonWebKeyProvider().check(
      {},
      { appId: okta.apps[0].id, jwk: { ...weak, kid: "weak" } },
    );
    expect(jwk.failures?.length).toBeGreaterThan(0);
    expect(JSON.stringify(jwk.failures)).toMatch(/2048/);
    expect(writes()).toEqual([]);
  });

  it("a JWK with private members: refused by the JsonWebKey check, without echoing them", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const priv = privateKey.export({ format: "jwk" }) as Record<string, string>;
    const r = await new JsonWebKeyProvider().check(
      {},
      { appId: okta.apps[0].id, jwk: { ...priv, kid: "leak" } },
    );
    expect(r.failures?.length).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain(priv.d);
    expect(writes()).toEqual([]);
  });

  it("switching with no ACTIVE key: the gate refuses (nothing after it runs), and Okta refuses the PUT itself", async () => {
    const app = okta.apps[0];
    const { outs: pair } = await new KeyPairProvider().create({ algorithm: "ES256", generation: 1 });
    await expect(
      new AssertionGateProvider().create({
        appId: app.id,
        clientId: app.clientId,
        kid: pair!.kid,
        generation: 1,
        privateJwk: pair!.privateJwk,
        tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
        scope: ROTATION_SCOPE,
        exchange: "auto",
        minOverlapSeconds: 0,
      }),
    ).rejects.toThrow(/no key with this kid is registered/);
    expect(writes()).toEqual([]);
    await expect(
      new AppAuthMethodProvider().create({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" }),
    ).rejects.toThrow();
    const method = (
      okta.getApp(app.id) as { credentials: { oauthClient: { token_endpoint_auth_method: string } } }
    ).credentials.oauthClient.token_endpoint_auth_method;
    expect(method).toBe("client_secret_basic");
    expect(okta.listSecrets(app.id).map((s) => s.status)).toEqual(["ACTIVE"]);
    expect(okta.listKeys(app.id)).toEqual([]);
  });

  it("the only ACTIVE key of a private_key_jwt app is never deactivated", async () => {
    const app = okta.apps[0];
    const { outs: pair } = await new KeyPairProvider().create({ algorithm: "RS256", generation: 1 });
    const jwks = new JsonWebKeyProvider();
    const inputs = {
      appId: app.id,
      jwk: pair!.publicJwk as unknown as PublicJwk,
      generation: 1,
      status: "ACTIVE" as const,
    };
    const created = await jwks.create(inputs);
    await new AppAuthMethodProvider().create({ appId: app.id, tokenEndpointAuthMethod: "private_key_jwt" });
    await expect(jwks.update(created.id, created.outs!, { ...inputs, status: "INACTIVE" })).rejects.toThrow(
      /only active JSON Web Key/i,
    );
    expect(okta.listKeys(app.id).map((k) => k.status)).toEqual(["ACTIVE"]);
  });
});
