// private_key_jwt drills against the local Okta: the KeyRotation component's steps, run with the same
// provider code and in the component's order, under a fleet of pods exchanging tokens throughout.
//
//  - migration: an app on its client secret moves to private_key_jwt; pods restart onto a Vault version with
//    the key and the secret, and keep exchanging through the switch (the app-side client falls back);
//    optionally followed by the rollback to a client secret;
//  - key rotation: after the migration, keyGeneration bumps rotate the key with two slots.

import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { AppAuthMethodProvider, type AppAuthMethodOutputs } from "../../dynamic/appAuthMethod";
import { AssertionGateProvider } from "../../dynamic/assertionGate";
import { ClientSecretProvider, type ClientSecretOutputs } from "../../dynamic/clientSecret";
import { resetConnection } from "../../dynamic/connection";
import { JsonWebKeyProvider, type JsonWebKeyOutputs, type PublicJwk } from "../../dynamic/jsonWebKey";
import { KeyPairProvider, type KeyPairAlgorithm, type KeyPairOutputs } from "../../dynamic/keyPair";
import { SecretHandoverProvider } from "../../dynamic/secretHandover";
import { planRotation, type Slot } from "../../components/plan";
import { createTokenClient, credentialsFromEntry } from "../../client";
import { Fleet, type Credential } from "./fleet";
import { KvEntry } from "./vault";

export interface KeyDrillOptions {
  /** Simulated pods (default 50). */
  pods?: number;
  /** Token exchanges per second in total (default 200). */
  ratePerSecond?: number;
  /** Pause between two pod restarts of a rollout (default 20 ms). */
  restartPauseMs?: number;
  algorithm?: KeyPairAlgorithm;
  /** Local Okta mode: a switch to private_key_jwt deletes the app's client secrets (default false). */
  deleteSecretsOnPrivateKeyJwt?: boolean;
}

export interface CredentialCounts {
  /** Most keys registered on the app at any sample. */
  maxKeysOnApp: number;
  /** Fewest ACTIVE keys at any sample taken while the app used private_key_jwt. */
  minActiveKeysWhileKeyAuth: number;
  /** Most client secrets on the app at any sample. */
  maxSecretsOnApp: number;
  /** Samples in which some pod held no credential the app would accept at that moment. */
  heldUnusableSamples: number;
  samples: number;
}

export interface MigrationCounts extends CredentialCounts {
  /**
   * Like heldUnusableSamples, during the rollback: between the PUT that switches the app back and the POST
   * that registers the delivered secret (Okta refuses that secret before the switch), pods hold nothing the
   * app accepts for a few milliseconds; the client's retry covers it.
   */
  rollbackHeldUnusableSamples?: number;
}

export interface MigrationDrillResult extends MigrationCounts {
  pods: number;
  ratePerSecond: number;
  /** Exchanges per second the fleet achieved while it ran. */
  achievedRatePerSecond: number;
  deleteSecretsOnPrivateKeyJwt: boolean;
  exchanges: number;
  migrationFailedExchanges: number;
  /** Exchanges and failures during the rollback to a client secret (when run). */
  rollbackExchanges?: number;
  rollbackFailedExchanges?: number;
  failures: Record<string, number>;
  /** The app's auth method after the migration, and after the rollback. */
  methodAfterMigration: string;
  methodAfterRollback?: string;
  /** Proof levels of the gate before the switch and of the proof after it. */
  gateProof: string;
  switchProof: string;
  /** Secrets left on the app after the migration (count, ACTIVE ones) and whether any still authenticates. */
  secretsAfterMigration: number;
  unusableSecrets: number;
  leftoverSecretAuthenticates: boolean;
  /** Secrets on the app after the rollback (exactly the new one). */
  secretsAfterRollback?: number;
  /** Steps in the order they ran. */
  steps: string[];
  durationMs: number;
}

export interface KeyRotationDrillResult extends CredentialCounts {
  pods: number;
  ratePerSecond: number;
  /** Exchanges per second the fleet achieved while it ran. */
  achievedRatePerSecond: number;
  rotations: number;
  exchanges: number;
  keyRotationFailedExchanges: number;
  failures: Record<string, number>;
  /** Keys left after the last rotation, by status. */
  finalKeys: { active: number; inactive: number };
  steps: string[];
  durationMs: number;
}

type Entry = Record<string, unknown>;

interface Env {
  okta: OktaLocal;
  appId: string;
  clientId: string;
  tokenUrl: string;
  kv: KvEntry<Entry>;
  fleet: Fleet;
  sampler: Sampler;
  steps: string[];
  o: Required<KeyDrillOptions>;
}

const providers = () => ({
  keyPair: new KeyPairProvider(),
  jwk: new JsonWebKeyProvider(),
  handover: new SecretHandoverProvider(),
  gate: new AssertionGateProvider(),
  auth: new AppAuthMethodProvider(),
  secret: new ClientSecretProvider(),
});

function podCredential(env: Pick<Env, "kv" | "tokenUrl" | "clientId">): Credential {
  const entry = env.kv.latest();
  const client = createTokenClient({
    tokenUrl: env.tokenUrl,
    scope: ROTATION_SCOPE,
    clientId: env.clientId,
    // The defaults apps get: 3 retries, 500 ms apart, when every credential is refused.
    credentials: credentialsFromEntry(entry),
  });
  return {
    kind: "client",
    clientId: env.clientId,
    exchange: () => client.exchange(),
    label: JSON.stringify({ kid: entry.kid ?? null, secret: entry.client_secret ?? null }),
  };
}

/**
 * Samples the app straight from the local Okta's state (no API call, no rate limit) and checks, for every
 * pod, that it holds a credential the app accepts right now: an ACTIVE key while the app uses private_key_jwt,
 * an ACTIVE secret while it uses a client secret.
 */
class Sampler {
  readonly counts: CredentialCounts = {
    maxKeysOnApp: 0,
    minActiveKeysWhileKeyAuth: Number.POSITIVE_INFINITY,
    maxSecretsOnApp: 0,
    heldUnusableSamples: 0,
    samples: 0,
  };
  /** Samples with some pod holding nothing usable, while `phase` is "rollback". */
  rollbackHeldUnusable = 0;
  phase: "main" | "rollback" = "main";
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly okta: OktaLocal,
    private readonly appId: string,
    private readonly held: () => Credential[],
  ) {}

  method(): string {
    const app = this.okta.getApp(this.appId) as {
      credentials: { oauthClient: { token_endpoint_auth_method: string } };
    };
    return app.credentials.oauthClient.token_endpoint_auth_method;
  }

  sample(): void {
    const method = this.method();
    const keys = this.okta.listKeys(this.appId);
    const secrets = this.okta.listSecrets(this.appId);
    const activeKids = new Set(keys.filter((k) => k.status === "ACTIVE").map((k) => k.kid));
    const activeSecrets = new Set(secrets.filter((s) => s.status === "ACTIVE").map((s) => s.clientSecret));
    const c = this.counts;
    c.samples++;
    c.maxKeysOnApp = Math.max(c.maxKeysOnApp, keys.length);
    c.maxSecretsOnApp = Math.max(c.maxSecretsOnApp, secrets.length);
    if (method === "private_key_jwt")
      c.minActiveKeysWhileKeyAuth = Math.min(c.minActiveKeysWhileKeyAuth, activeKids.size);
    const usable = (cred: Credential) => {
      const held = JSON.parse(cred.label) as { kid: string | null; secret: string | null };
      return method === "private_key_jwt"
        ? held.kid !== null && activeKids.has(held.kid)
        : held.secret !== null && activeSecrets.has(held.secret);
    };
    if (!this.held().every(usable)) {
      if (this.phase === "rollback") this.rollbackHeldUnusable++;
      else c.heldUnusableSamples++;
    }
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 2);
  }

  stop(): CredentialCounts {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return { ...this.counts };
  }
}

async function setUp(
  options: KeyDrillOptions,
  label: string,
): Promise<Env & { restore: () => Promise<void> }> {
  const o: Required<KeyDrillOptions> = {
    pods: options.pods ?? 50,
    ratePerSecond: options.ratePerSecond ?? 200,
    restartPauseMs: options.restartPauseMs ?? 20,
    algorithm: options.algorithm ?? "RS256",
    deleteSecretsOnPrivateKeyJwt: options.deleteSecretsOnPrivateKeyJwt ?? false,
  };
  const okta = await startOktaLocal({
    apps: [{ label }],
    rateLimits: { apps: 100_000, app: 100_000 },
    deleteSecretsOnPrivateKeyJwt: o.deleteSecretsOnPrivateKeyJwt,
  });
  const saved = { url: process.env.OKTA_ORG_URL, token: process.env.OKTA_API_TOKEN };
  process.env.OKTA_ORG_URL = okta.orgUrl;
  process.env.OKTA_API_TOKEN = okta.apiToken;
  resetConnection();
  const [app] = okta.apps;
  // Apps get machine tokens at a custom authorization server: the seeded `default` one and its scope.
  const tokenUrl = `${okta.orgUrl}/oauth2/default/v1/token`;
  // The app starts as the secret rotation left it: its secret in Vault, pods using it.
  const kv = new KvEntry<Entry>();
  const [seeded] = okta.listSecrets(app.id);
  kv.put({
    client_id: app.clientId,
    client_secret: seeded.clientSecret,
    secret_id: seeded.id,
    generation: 0,
  });
  const base = { kv, tokenUrl, clientId: app.clientId };
  const fleet = new Fleet({
    size: o.pods,
    ratePerSecond: o.ratePerSecond,
    tokenUrl,
    read: () => podCredential(base),
  });
  const sampler = new Sampler(okta, app.id, () => fleet.held());
  const restore = async () => {
    process.env.OKTA_ORG_URL = saved.url;
    process.env.OKTA_API_TOKEN = saved.token;
    if (saved.url === undefined) delete process.env.OKTA_ORG_URL;
    if (saved.token === undefined) delete process.env.OKTA_API_TOKEN;
    resetConnection();
    await okta.close();
  };
  return { okta, appId: app.id, clientId: app.clientId, tokenUrl, kv, fleet, sampler, steps: [], o, restore };
}

interface KeySlot {
  pair: KeyPairOutputs;
  jwkId: string;
  jwk: JsonWebKeyOutputs;
}

/**
 * One `pulumi up` of KeyRotation at `keyGeneration`, step by step in the component's dependency order, with
 * the engine's replacement semantics (delete-before-replace of the slot's g−2 key).
 */
async function keyRotationUp(
  env: Env,
  slots: Partial<Record<Slot, KeySlot>>,
  keyGeneration: number,
  auth: { state?: { id: string; outs: AppAuthMethodOutputs } },
): Promise<{ gateProof: string; switchProof: string; unusable: string[] }> {
  const p = providers();
  const plan = planRotation(keyGeneration);
  const step = (s: string) => env.steps.push(`g${keyGeneration}:${s}`);
  // 1–2. Slot of g: its g−2 key is deleted first (INACTIVE), then the new pair is generated and registered.
  const old = slots[plan.holder.slot];
  if (old) {
    await p.jwk.delete(old.jwkId, old.jwk);
    step("jwk-delete-g-2");
  }
  const pair = (await p.keyPair.create({ algorithm: env.o.algorithm, generation: keyGeneration })).outs!;
  step("keypair");
  const created = await p.jwk.create({
    appId: env.appId,
    jwk: pair.publicJwk as unknown as PublicJwk,
    generation: keyGeneration,
    status: "ACTIVE",
  });
  const holder: KeySlot = { pair, jwkId: created.id, jwk: created.outs! };
  slots[plan.holder.slot] = holder;
  step("jwk-register");
  // 3. The secret pods hold now (while the app still uses one), then Vault.
  const read = (
    await p.handover.create({ appId: env.appId, mode: "read", trigger: `${keyGeneration}`, keep: [] })
  ).outs!;
  step("secrets-read");
  env.kv.put({
    client_id: env.clientId,
    token_endpoint_auth_method: "private_key_jwt",
    private_key: JSON.stringify(pair.privateJwk),
    kid: pair.kid,
    alg: pair.algorithm,
    key_generation: keyGeneration,
    ...(read.clientSecret ? { client_secret: read.clientSecret } : {}),
  });
  step("vault");
  // 4. Rollout, awaited.
  await env.fleet.rollout(env.o.restartPauseMs);
  step("rollout");
  // 5. Gate.
  const gateInputs = {
    appId: env.appId,
    clientId: env.clientId,
    kid: pair.kid,
    generation: keyGeneration,
    privateJwk: pair.privateJwk,
    tokenUrl: env.tokenUrl,
    scope: ROTATION_SCOPE,
    minOverlapSeconds: 0,
  };
  const gate = (await p.gate.create({ ...gateInputs, exchange: "auto" })).outs!;
  step(`gate-${gate.proof}`);
  // 6. Switch (create the first time, an update that finds nothing to change afterwards).
  const want = { appId: env.appId, tokenEndpointAuthMethod: "private_key_jwt" as const };
  if (auth.state) {
    auth.state = {
      id: auth.state.id,
      outs: (await p.auth.update(auth.state.id, auth.state.outs, want)).outs!,
    };
  } else {
    const r = await p.auth.create(want);
    auth.state = { id: r.id, outs: r.outs! };
  }
  step("switch");
  // 7. Proof after the switch.
  const proof = (await p.gate.create({ ...gateInputs, exchange: "always" })).outs!;
  step(`proof-${proof.proof}`);
  // 8. Previous key to INACTIVE, client secrets retired.
  const prev = plan.retired ? slots[plan.retired.slot] : undefined;
  if (prev && prev.jwk.status !== "INACTIVE") {
    const r = await p.jwk.update(prev.jwkId, prev.jwk, {
      appId: env.appId,
      jwk: prev.pair.publicJwk as unknown as PublicJwk,
      generation: prev.jwk.generation,
      status: "INACTIVE",
    });
    slots[plan.retired!.slot] = { ...prev, jwk: r.outs! };
    step("jwk-deactivate-g-1");
  }
  const retired = (
    await p.handover.create({ appId: env.appId, mode: "retire", trigger: `${keyGeneration}`, keep: [] })
  ).outs!;
  step("secrets-retire");
  return { gateProof: gate.proof, switchProof: proof.proof, unusable: retired.unusable ?? [] };
}

/** A single client_secret_basic exchange (no retry): does this secret authenticate now? */
async function secretAuthenticates(env: Env, secret: string): Promise<boolean> {
  const client = createTokenClient({
    tokenUrl: env.tokenUrl,
    scope: ROTATION_SCOPE,
    clientId: env.clientId,
    credentials: { method: "client_secret_basic", clientSecret: secret },
    retries: 0,
  });
  return client.exchange().then(
    () => true,
    () => false,
  );
}

/**
 * The migration of one app from its client secret to private_key_jwt, under load, and (with `rollback`) the
 * way back to a client secret.
 */
export async function runMigrationDrill(
  options: KeyDrillOptions & { rollback?: boolean } = {},
): Promise<MigrationDrillResult> {
  const started = Date.now();
  const env = await setUp(options, "key-migration-drill");
  const p = providers();
  try {
    // The secret rotation's state: the seeded secret adopted in a slot (as SecretRotation did).
    const seededId = String(env.kv.latest().secret_id);
    const adopted = await p.secret.create({
      appId: env.appId,
      status: "ACTIVE",
      adoptSecretId: seededId,
      generation: 0,
    });
    env.sampler.start();
    env.fleet.start();
    await new Promise((r) => setTimeout(r, 200));

    const auth: { state?: { id: string; outs: AppAuthMethodOutputs } } = {};
    const slots: Partial<Record<Slot, KeySlot>> = {};
    const up = await keyRotationUp(env, slots, 1, auth);
    // End of the update: the engine deletes what the program no longer declares (SecretRotation's slot).
    await p.secret.delete(adopted.id, adopted.outs as ClientSecretOutputs);
    env.steps.push("g1:engine-deletes-secret-slot");
    await new Promise((r) => setTimeout(r, 300));
    const methodAfterMigration = env.sampler.method();
    const secretsAfter = env.okta.listSecrets(env.appId);
    const leftoverSecretAuthenticates = (
      await Promise.all(secretsAfter.map((s) => secretAuthenticates(env, s.clientSecret)))
    ).some(Boolean);
    const migrationStats = { ...env.fleet.stats, failures: { ...env.fleet.stats.failures } };

    let rollback: Partial<MigrationDrillResult> = {};
    if (options.rollback) {
      const before = { exchanges: env.fleet.stats.exchanges, failed: env.fleet.stats.failedExchanges };
      const holder = slots[planRotation(1).holder.slot]!;
      const step = (s: string) => env.steps.push(`rollback:${s}`);
      env.sampler.phase = "rollback";
      // Value first (Okta refuses a secret on a private_key_jwt app), delivered with the key.
      const value = (
        await p.handover.create({ appId: env.appId, mode: "generate", trigger: "1-rollback", keep: [] })
      ).outs!.clientSecret!;
      step("secret-value");
      env.kv.put({
        client_id: env.clientId,
        token_endpoint_auth_method: "client_secret_basic",
        private_key: JSON.stringify(holder.pair.privateJwk),
        kid: holder.pair.kid,
        alg: holder.pair.algorithm,
        key_generation: 1,
        client_secret: value,
      });
      step("vault");
      await env.fleet.rollout(env.o.restartPauseMs);
      step("rollout");
      const gate = (
        await p.gate.create({
          appId: env.appId,
          clientId: env.clientId,
          kid: holder.pair.kid,
          generation: 1,
          privateJwk: holder.pair.privateJwk,
          tokenUrl: env.tokenUrl,
          scope: ROTATION_SCOPE,
          exchange: "auto",
          minOverlapSeconds: 0,
        })
      ).outs!;
      step(`gate-${gate.proof}`);
      await p.auth.update(auth.state!.id, auth.state!.outs, {
        appId: env.appId,
        tokenEndpointAuthMethod: "client_secret_basic",
      });
      step("switch-back");
      const secret = await p.secret.create({ appId: env.appId, status: "ACTIVE", value });
      step("secret-register");
      if (!(await secretAuthenticates(env, value)))
        throw new Error("rollback proof: the new secret was refused");
      step("secret-proof");
      await p.handover.create({ appId: env.appId, mode: "retire", trigger: "1-rollback", keep: [secret.id] });
      step("secrets-retire");
      await new Promise((r) => setTimeout(r, 300));
      rollback = {
        rollbackExchanges: env.fleet.stats.exchanges - before.exchanges,
        rollbackFailedExchanges: env.fleet.stats.failedExchanges - before.failed,
        methodAfterRollback: env.sampler.method(),
        secretsAfterRollback: env.okta.listSecrets(env.appId).length,
      };
      env.sampler.phase = "main";
    }

    await env.fleet.stop();
    const counts = env.sampler.stop();
    if (options.rollback) rollback.rollbackHeldUnusableSamples = env.sampler.rollbackHeldUnusable;
    return {
      pods: env.o.pods,
      ratePerSecond: env.o.ratePerSecond,
      deleteSecretsOnPrivateKeyJwt: env.o.deleteSecretsOnPrivateKeyJwt,
      achievedRatePerSecond: Math.round(env.fleet.achievedRate()),
      exchanges: migrationStats.exchanges,
      migrationFailedExchanges: migrationStats.failedExchanges,
      failures: env.fleet.stats.failures,
      methodAfterMigration,
      gateProof: up.gateProof,
      switchProof: up.switchProof,
      secretsAfterMigration: secretsAfter.length,
      unusableSecrets: up.unusable.length,
      leftoverSecretAuthenticates,
      ...rollback,
      ...counts,
      steps: env.steps,
      durationMs: Date.now() - started,
    };
  } finally {
    await env.fleet.stop();
    env.sampler.stop();
    await env.restore();
  }
}

/** The migration, then `rotations` key generation bumps, all under load; counts the rotations' failures. */
export async function runKeyRotationDrill(
  options: KeyDrillOptions & { rotations?: number } = {},
): Promise<KeyRotationDrillResult> {
  const started = Date.now();
  const rotations = options.rotations ?? 3;
  const env = await setUp(options, "key-rotation-drill");
  try {
    const auth: { state?: { id: string; outs: AppAuthMethodOutputs } } = {};
    const slots: Partial<Record<Slot, KeySlot>> = {};
    env.fleet.start();
    await keyRotationUp(env, slots, 1, auth);
    // Count the rotations only: from here on every exchange is a private_key_jwt one.
    const before = { exchanges: env.fleet.stats.exchanges, failed: env.fleet.stats.failedExchanges };
    const failuresBefore = { ...env.fleet.stats.failures };
    env.sampler.start();
    for (let g = 2; g <= rotations + 1; g++) await keyRotationUp(env, slots, g, auth);
    await new Promise((r) => setTimeout(r, 200));
    await env.fleet.stop();
    const counts = env.sampler.stop();
    const failures: Record<string, number> = {};
    for (const [k, n] of Object.entries(env.fleet.stats.failures)) {
      const d = n - (failuresBefore[k] ?? 0);
      if (d > 0) failures[k] = d;
    }
    const keys = env.okta.listKeys(env.appId);
    return {
      pods: env.o.pods,
      ratePerSecond: env.o.ratePerSecond,
      rotations,
      achievedRatePerSecond: Math.round(env.fleet.achievedRate()),
      exchanges: env.fleet.stats.exchanges - before.exchanges,
      keyRotationFailedExchanges: env.fleet.stats.failedExchanges - before.failed,
      failures,
      finalKeys: {
        active: keys.filter((k) => k.status === "ACTIVE").length,
        inactive: keys.filter((k) => k.status === "INACTIVE").length,
      },
      ...counts,
      steps: env.steps,
      durationMs: Date.now() - started,
    };
  } finally {
    await env.fleet.stop();
    env.sampler.stop();
    await env.restore();
  }
}

export interface KeyDrillsSummary {
  /** Failed exchanges of the migration drills (both local-Okta modes), summed. */
  migrationFailedExchanges: number;
  /** Failed exchanges of the rollbacks that follow them, summed. */
  rollbackFailedExchanges: number;
  keyRotationFailedExchanges: number;
  maxKeysOnApp: number;
  minActiveKeysWhileKeyAuth: number;
  maxSecretsOnApp: number;
  migrations: MigrationDrillResult[];
  keyRotation: KeyRotationDrillResult;
}

/** Both private_key_jwt drills: the migration (with rollback) in both local-Okta modes, then the key rotation. */
export async function runKeyDrills(
  options: KeyDrillOptions & { rotations?: number } = {},
): Promise<KeyDrillsSummary> {
  const migrations: MigrationDrillResult[] = [];
  for (const deleteSecretsOnPrivateKeyJwt of [false, true]) {
    migrations.push(await runMigrationDrill({ ...options, deleteSecretsOnPrivateKeyJwt, rollback: true }));
  }
  const keyRotation = await runKeyRotationDrill(options);
  const all = [...migrations, keyRotation];
  return {
    migrationFailedExchanges: migrations.reduce((n, m) => n + m.migrationFailedExchanges, 0),
    rollbackFailedExchanges: migrations.reduce((n, m) => n + (m.rollbackFailedExchanges ?? 0), 0),
    keyRotationFailedExchanges: keyRotation.keyRotationFailedExchanges,
    maxKeysOnApp: Math.max(...all.map((r) => r.maxKeysOnApp)),
    minActiveKeysWhileKeyAuth: Math.min(...all.map((r) => r.minActiveKeysWhileKeyAuth)),
    maxSecretsOnApp: Math.max(...all.map((r) => r.maxSecretsOnApp)),
    migrations,
    keyRotation,
  };
}

/** Human-readable lines for `npm run drill`. Never contains a credential. */
export function formatKeyDrills(s: KeyDrillsSummary): string[] {
  const rates = [...s.migrations, s.keyRotation].map((r) => r.achievedRatePerSecond);
  const lines = [
    `private_key_jwt drills: ${s.keyRotation.pods} pods, ${s.keyRotation.ratePerSecond} exchanges/s asked, ` +
      `${Math.min(...rates)}–${Math.max(...rates)} achieved`,
  ];
  for (const m of s.migrations) {
    lines.push(
      `  migration (Okta ${m.deleteSecretsOnPrivateKeyJwt ? "deletes" : "keeps"} secrets on the switch): ` +
        `${m.migrationFailedExchanges} failed of ${m.exchanges} exchanges; rollback to a secret: ` +
        `${m.rollbackFailedExchanges ?? 0} failed of ${m.rollbackExchanges ?? 0}`,
    );
  }
  lines.push(
    `  key rotation (${s.keyRotation.rotations} bumps): ${s.keyRotation.keyRotationFailedExchanges} failed of ` +
      `${s.keyRotation.exchanges} exchanges`,
    `  keys on the app: at most ${s.maxKeysOnApp}, at least ${s.minActiveKeysWhileKeyAuth} ACTIVE while on private_key_jwt; ` +
      `secrets on the app: at most ${s.maxSecretsOnApp}`,
    `  migrationFailedExchanges=${s.migrationFailedExchanges} keyRotationFailedExchanges=${s.keyRotationFailedExchanges}`,
  );
  const failures = { ...s.keyRotation.failures };
  for (const m of s.migrations)
    for (const [k, n] of Object.entries(m.failures)) failures[k] = (failures[k] ?? 0) + n;
  for (const [why, n] of Object.entries(failures)) lines.push(`  failure ×${n}: ${why}`);
  return lines;
}
