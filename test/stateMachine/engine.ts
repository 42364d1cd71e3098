// The state-machine test's engine layer: fast-check async model-based commands, each step a real
// `pulumi preview` and `pulumi up` of this program (the Automation API, a file backend) against the local Okta.
// The commands: bump, skip a generation, revoke with and without a bump, set and remove rollback, remove
// adoptSecretId, rename with and without formerNames, add an app (adopting or not, at generation 1–3) and remove
// one, migrate to private_key_jwt, bump the key, change its algorithm, go back to a client secret, delete an
// INACTIVE secret in Okta and refresh, rotate under 5xx or 429 answers, and kill an up at a random moment.
// Here Deployments and Vault are not configured, so what pods hold is what the stack outputs name as current;
// realChain.ts runs the same steps with a real Vault and cluster. After every step it checks: ≤ 2 secrets per app,
// and ≥ 1 ACTIVE secret (or, on private_key_jwt, ≤ 2 keys and ≥ 1 ACTIVE); the current secret or key of the
// stack's record ACTIVE in Okta; what the preview planned is what the up did (the same resources with the same
// operation: no phantom or hidden steps); a failed up is a refusal that wrote nothing to Okta, or the same
// config's next up completes; a killed up is completed by the recovery docs/operations.md gives, with no edit of
// state; after a key operation, the unchanged stack's preview plans nothing; no secret value in the state.
import { spawn } from "node:child_process";
import fc from "fast-check";
import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { killTree } from "../engine/cli";
import {
  REPO_ROOT,
  createStack,
  pulumiCommand,
  readBackendState,
  removeEmptyBackendSidecars,
  setApps,
  stepCollector,
  type EngineStack,
} from "../engine/harness";

export interface EngineApp {
  name: string;
  /** Names the app had before (a rename that keeps its resources). */
  formerNames?: string[];
  appId: string;
  generation: number;
  rollback?: boolean;
  revoke?: boolean;
  adoptSecretId?: string;
  /** On private_key_jwt (`enabled: true`), at this key generation; `rollback` back to a client secret. */
  privateKeyJwt?: { keyGeneration: number; rollback?: boolean; algorithm?: "RS256" | "ES256" };
  vault?: { mount: string; path: string };
  /** Names of Deployments in the `default` namespace, in the app's order. */
  deployments?: string[];
}

/** The gates every app of the state-machine test runs with: each new credential proven by an exchange. */
export const GATES = { tokenExchange: true, scope: ROTATION_SCOPE, minOverlapSeconds: 0 };

/** On private_key_jwt and not rolled back from it: the app authenticates with its key. */
export const onKeys = (a: EngineApp): boolean =>
  a.privateKeyJwt !== undefined && a.privateKeyJwt.rollback !== true;

export interface EngineModel {
  apps: EngineApp[];
}

export interface EngineReal {
  okta: OktaLocal;
  stack: EngineStack;
  log: (line: string) => void;
  steps: number;
  /** `pulumi up` runs SIGKILLed (that reached their kill point) and recovered. */
  kills: number;
  /** More checks after every step (the real chain's: what the pods hold authenticates). */
  afterStep?: (m: EngineModel, what: string, opts: StepOptions, before: EngineApp[]) => Promise<void>;
}

export class Violation extends Error {}
export function must(ok: boolean, what: string): void {
  if (!ok) throw new Violation(what);
}

function raw(apps: readonly EngineApp[]): unknown[] {
  return apps.map((a) => ({
    name: a.name,
    ...(a.formerNames?.length ? { formerNames: a.formerNames } : {}),
    appId: a.appId,
    generation: a.generation,
    ...(a.adoptSecretId ? { adoptSecretId: a.adoptSecretId } : {}),
    ...(a.rollback ? { rollback: true } : {}),
    ...(a.revoke ? { revoke: true } : {}),
    ...(a.vault ? { vault: a.vault } : {}),
    ...(a.deployments ? { deployments: a.deployments.map((name) => ({ namespace: "default", name })) } : {}),
    gates: GATES,
    ...(a.privateKeyJwt
      ? {
          privateKeyJwt: {
            enabled: true,
            keyGeneration: a.privateKeyJwt.keyGeneration,
            ...(a.privateKeyJwt.rollback ? { rollback: true } : {}),
            ...(a.privateKeyJwt.algorithm ? { algorithm: a.privateKeyJwt.algorithm } : {}),
          },
        }
      : {}),
  }));
}

function writesSince(okta: OktaLocal, from: number): string[] {
  return okta.requestLog
    .slice(from)
    .filter((e) => e.path.startsWith("/api/v1/") && e.method !== "GET" && e.status < 400)
    .map((e) => `${e.method} ${e.path} ${e.status}`);
}

const changed = (steps: { op: string; name: string }[]) =>
  steps
    .filter((s) => s.op !== "same" && s.op !== "read")
    .map((s) => `${s.op} ${s.name}`)
    .sort();

/** A failed run's diagnostics: its `error:` lines (with what follows each), else its last lines. */
function errorLines(text: string | undefined): string {
  if (text === undefined) return "";
  const lines = text.split("\n");
  const picked = lines.flatMap((l, i) => (/\berror:/.test(l) ? lines.slice(i, i + 6) : []));
  return (picked.length > 0 ? picked.join("\n") : text).slice(-4000);
}

async function stderrOf(run: Promise<unknown>): Promise<string | undefined> {
  try {
    await run;
    return undefined;
  } catch (err) {
    const r = (err as { commandResult?: { stderr?: string; stdout?: string } }).commandResult;
    return `${r?.stdout ?? ""}\n${r?.stderr ?? String(err)}`;
  }
}

export interface StepOptions {
  /** Runs between the preview and the up (e.g. uses up the rate limit). */
  beforeUp?: () => Promise<void>;
  /** The up must complete (it is the recovery of a killed run): a refusal is a violation too. */
  mustComplete?: boolean;
  /** After an applied up, the unchanged stack's preview must plan nothing (no phantom write). */
  unchangedPreview?: boolean;
  /** The edit must roll no Deployment (on the real chain: every pod is the one it was). */
  noRollout?: boolean;
  /** Applied, the edit must write nothing to Okta (a rename with formerNames, an algorithm change). */
  noOktaWrite?: boolean;
}

/** One step: the config as edited, previewed then applied, and every invariant checked. */
export async function step(
  m: EngineModel,
  r: EngineReal,
  apps: EngineApp[],
  what: string,
  opts: StepOptions = {},
): Promise<void> {
  const t0 = Date.now();
  const before = m.apps;
  r.steps++;
  await setApps(r.stack.stack, raw(apps));
  const preview = stepCollector();
  const previewError = await stderrOf(r.stack.stack.preview({ onEvent: preview.onEvent, color: "never" }));
  await opts.beforeUp?.();
  const from = r.okta.requestLog.length;
  const applied = stepCollector();
  const upError = await stderrOf(r.stack.stack.up({ onEvent: applied.onEvent, color: "never" }));
  if (opts.mustComplete) must(upError === undefined, `${what}: the up failed: ${errorLines(upError)}`);
  if (upError === undefined) {
    must(previewError === undefined, `${what}: the preview failed but the up did not: ${previewError}`);
    must(
      JSON.stringify(changed(preview.steps)) === JSON.stringify(changed(applied.steps)),
      `${what}: the preview planned ${JSON.stringify(changed(preview.steps))}, the up did ${JSON.stringify(changed(applied.steps))}`,
    );
    m.apps = apps;
    if (opts.noOktaWrite) {
      const writes = writesSince(r.okta, from);
      must(writes.length === 0, `${what}: applied, it wrote to Okta: ${writes.join(", ")}`);
    }
    if (opts.unchangedPreview) {
      const again = stepCollector();
      const err = await stderrOf(r.stack.stack.preview({ onEvent: again.onEvent, color: "never" }));
      must(err === undefined, `${what}: the unchanged stack's preview failed: ${errorLines(err)}`);
      must(
        changed(again.steps).length === 0,
        `${what}: the unchanged stack's preview plans ${JSON.stringify(changed(again.steps))}`,
      );
    }
  } else if (writesSince(r.okta, from).length > 0) {
    // A failure after a write: the same config's next up must complete it.
    const again = await stderrOf(r.stack.stack.up({ color: "never" }));
    must(
      again === undefined,
      `${what}: failed after writing, and the same config's next up failed too: ${errorLines(again)}`,
    );
    m.apps = apps;
  } else {
    // A refusal: nothing written; it names the app and what to do. The team goes back to its last config.
    must(
      /app '[a-z0-9-]+'|\(app '/.test(upError),
      `${what}: a refusal that names no app: ${upError.slice(-800)}`,
    );
    must(/[Ss]et |[Rr]emove |[Kk]eep /.test(upError), `${what}: a refusal that says nothing to do`);
    await setApps(r.stack.stack, raw(m.apps));
  }
  await checkEngineInvariants(m, r, what);
  await r.afterStep?.(m, what, opts, before);
  r.log(
    `  step ${r.steps}: ${what} → ${upError === undefined ? "applied" : "refused/failed"} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

async function checkEngineInvariants(m: EngineModel, r: EngineReal, what: string): Promise<void> {
  for (const a of m.apps) {
    const secrets = r.okta.listSecrets(a.appId);
    must(secrets.length <= 2, `${what}: app ${a.name} holds ${secrets.length} secrets`);
    if (onKeys(a)) {
      const keys = r.okta.listKeys(a.appId);
      must(keys.length <= 2, `${what}: app ${a.name} holds ${keys.length} keys`);
      must(
        keys.some((k) => k.status === "ACTIVE"),
        `${what}: app ${a.name} is on private_key_jwt with no ACTIVE key`,
      );
    } else {
      must(
        secrets.some((s) => s.status === "ACTIVE"),
        `${what}: app ${a.name} has no ACTIVE secret`,
      );
    }
  }
  const currents = await currentOf(r);
  for (const a of m.apps) {
    const current = currents[a.name];
    if (onKeys(a)) {
      const k = r.okta.listKeys(a.appId).find((x) => x.kid === current?.kid);
      must(
        k?.status === "ACTIVE",
        `${what}: app ${a.name}'s current key ${current?.kid} is ${k?.status ?? "gone"}`,
      );
      continue;
    }
    if (current?.secretId === undefined) continue;
    const s = r.okta.listSecrets(a.appId).find((x) => x.id === current.secretId);
    must(
      s?.status === "ACTIVE",
      `${what}: app ${a.name}'s current secret ${current.secretId} is ${s?.status ?? "gone"}`,
    );
  }
  // No secret value in plain text in the state.
  const state = readBackendState(r.stack.backendDir);
  for (const a of m.apps) {
    for (const s of r.okta.listSecrets(a.appId)) {
      must(!state.includes(s.clientSecret), `${what}: a secret value in plain text in state`);
    }
  }
}

type Cmd = fc.AsyncCommand<EngineModel, EngineReal>;

/** The app a command acts on: its `i`-th (modulo how many there are). */
const pick = (m: Readonly<EngineModel>, i: number) => i % m.apps.length;

/** A config edit of one app. */
export class Edit implements Cmd {
  constructor(
    readonly label: string,
    readonly edit: (a: EngineApp) => EngineApp | undefined,
    readonly app = 0,
    readonly opts: Pick<StepOptions, "unchangedPreview" | "noRollout" | "noOktaWrite"> = {},
    /** What the edit must have done once applied (the app as edited). */
    readonly verify?: (a: EngineApp, r: EngineReal) => Promise<void>,
  ) {}
  /** Only an edit that changes something runs (so a sequence's steps are the edits it shows). */
  check(m: Readonly<EngineModel>) {
    return m.apps.length > 0 && this.edit(structuredClone(m.apps[pick(m, this.app)]!)) !== undefined;
  }
  async run(m: EngineModel, r: EngineReal): Promise<void> {
    const i = pick(m, this.app);
    const next = this.edit(structuredClone(m.apps[i]!));
    if (next === undefined) return;
    const apps = m.apps.map((a, j) => (j === i ? next : a));
    await step(m, r, apps, `${this.label} (${next.name})`, this.opts);
    if (this.verify && m.apps.includes(next)) await this.verify(next, r);
  }
  toString() {
    return this.app === 0 ? this.label : `${this.label}@${this.app}`;
  }
}

/** The app's next rotation: a secret bump, or a key bump on private_key_jwt. */
export function nextRotation(a: EngineApp): EngineApp {
  if (!onKeys(a)) return { ...a, generation: a.generation + 1, revoke: false };
  const { keyGeneration, algorithm } = a.privateKeyJwt!;
  return { ...a, privateKeyJwt: { keyGeneration: keyGeneration + 1, ...(algorithm ? { algorithm } : {}) } };
}

/**
 * The app's next rotation as a `pulumi up` SIGKILLed (the CLI's process group and every process below it, as
 * test/engine/cli.ts does) once Okta has answered the `afterWrites`-th management write of the run, `delayMs`
 * later; then the recovery docs/operations.md#when-pulumi-up-is-interrupted gives (`pulumi cancel`, `refresh
 * --clear-pending-creates`, `preview`, `up`), whose up must complete.
 */
export class KilledUp implements Cmd {
  constructor(
    readonly app: number,
    readonly afterWrites: number,
    readonly delayMs: number,
  ) {}
  check(m: Readonly<EngineModel>) {
    return m.apps.length > 0;
  }
  async run(m: EngineModel, r: EngineReal): Promise<void> {
    const i = pick(m, this.app);
    const next = nextRotation(m.apps[i]!);
    const apps = m.apps.map((a, j) => (j === i ? next : a));
    await setApps(r.stack.stack, raw(apps));
    const from = r.okta.requestLog.length;
    const killed = await killUpWhen(
      r,
      () => writesSince(r.okta, from).length >= this.afterWrites,
      this.delayMs,
    );
    const what = `rotation of ${next.name} killed after ${this.afterWrites} Okta write(s) + ${this.delayMs} ms`;
    if (killed.killed) r.kills++;
    const writes = writesSince(r.okta, from);
    r.log(
      `  ${what}: ${killed.killed ? "killed" : "the up ended first"}, ` +
        (killed.afterMs === undefined ? "before that write" : `${killed.afterMs} ms after that write`) +
        `; Okta writes: ${writes.join(", ") || "none"}`,
    );
    // A kill while the file backend rewrote its checkpoint's sidecar leaves it empty (docs/operations.md).
    for (const f of removeEmptyBackendSidecars(r.stack.backendDir)) {
      r.log(`  the kill left the backend's ${f.split("/").pop()} empty: removed, as documented`);
    }
    await r.stack.stack.cancel();
    await r.stack.stack.refresh({ clearPendingCreates: true, color: "never" });
    // The refresh read what the killed run did; the preview and up of the same config must complete it.
    await step(m, r, apps, `${what}, recovered`, { mustComplete: true });
  }
  toString() {
    return `kill up@${this.app}:${this.afterWrites}+${this.delayMs}ms`;
  }
}

/**
 * Runs `pulumi up` of the stack's config as a CLI process; SIGKILLs it `delayMs` after `when()` holds. Says whether
 * it was killed (or ended first), and how long after `when()` held that was (none if it never held).
 */
async function killUpWhen(
  r: EngineReal,
  when: () => boolean,
  delayMs: number,
): Promise<{ killed: boolean; afterMs?: number }> {
  const cmd = (await pulumiCommand()).command;
  const ws = r.stack.stack.workspace;
  const child = spawn(
    cmd,
    ["up", "--yes", "--skip-preview", "--stack", r.stack.stack.name, "--non-interactive", "--color", "never"],
    {
      cwd: ws.workDir ?? REPO_ROOT,
      env: { ...(process.env as Record<string, string>), ...ws.envVars },
      detached: true,
      stdio: ["ignore", "ignore", "ignore"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let done = false;
  void exited.then(() => (done = true));
  while (!done && !when()) await new Promise((res) => setTimeout(res, 10));
  if (done) return { killed: false };
  const held = Date.now();
  if (delayMs > 0) await Promise.race([exited, new Promise((res) => setTimeout(res, delayMs))]);
  if (done) return { killed: false, afterMs: Date.now() - held };
  killTree(child.pid!);
  const afterMs = Date.now() - held;
  await exited;
  return { killed: true, afterMs };
}

/** Out of band: the app's INACTIVE secret deleted in Okta (the Admin Console, the API), then `pulumi refresh`. */
export class OutOfBand implements Cmd {
  constructor(readonly app = 0) {}
  check(m: Readonly<EngineModel>) {
    return m.apps.length > 0;
  }
  async run(m: EngineModel, r: EngineReal): Promise<void> {
    const a = m.apps[pick(m, this.app)]!;
    const inactive = r.okta.listSecrets(a.appId).find((s) => s.status === "INACTIVE");
    if (!inactive) return;
    const path = `/api/v1/apps/${a.appId}/credentials/secrets/${inactive.id}`;
    const res = await fetch(`${r.okta.orgUrl}${path}`, {
      method: "DELETE",
      headers: { Authorization: `SSWS ${r.okta.apiToken}` },
    });
    must(res.status === 204, `out-of-band delete answered ${res.status}`);
    await r.stack.stack.refresh({ color: "never" });
    r.log(`  out of band: deleted ${inactive.id} (INACTIVE) and refreshed`);
    await checkEngineInvariants(m, r, "out-of-band delete");
  }
  toString() {
    return this.app === 0
      ? "delete INACTIVE in Okta + refresh"
      : `delete INACTIVE in Okta + refresh@${this.app}`;
  }
}

/** The rotations' outputs: what the stack records as each app's current credential. */
async function currentOf(r: EngineReal): Promise<Record<string, { secretId?: string; kid?: string }>> {
  const outputs = await r.stack.stack.outputs();
  const rotations = (outputs.rotations?.value ?? {}) as Record<
    string,
    { current?: { secretId?: string; kid?: string } }
  >;
  return Object.fromEntries(Object.entries(rotations).map(([k, v]) => [k, v.current ?? {}]));
}

/** The credential named `held` (a secret id or a kid) is ACTIVE in Okta for app `a`. */
function heldActive(r: EngineReal, a: EngineApp, held: { secretId?: string; kid?: string }): boolean {
  if (held.kid !== undefined) {
    return r.okta.listKeys(a.appId).some((k) => k.kid === held.kid && k.status === "ACTIVE");
  }
  return r.okta.listSecrets(a.appId).some((s) => s.id === held.secretId && s.status === "ACTIVE");
}

/** Names an added app takes: never one in use, nor a former name. */
const POOL = ["alpha", "beta", "gamma", "delta"];

/**
 * The app renamed. With its old name in `formerNames`: the resources are taken over by alias, so nothing is written
 * to Okta and the current credential stays what it was. Without: the app holds the old name's credentials, so the
 * new name's first run is refused before any write (SecretValue's lookup; on private_key_jwt, KeyRotationStart's).
 */
export class Rename implements Cmd {
  constructor(
    readonly app: number,
    readonly withFormer: boolean,
  ) {}
  check(m: Readonly<EngineModel>) {
    return m.apps.length > 0;
  }
  async run(m: EngineModel, r: EngineReal): Promise<void> {
    const i = pick(m, this.app);
    const a = m.apps[i]!;
    const used = new Set(m.apps.flatMap((x) => [x.name, ...(x.formerNames ?? [])]));
    const base = a.name.replace(/-r\d+$/, "");
    let k = 1;
    while (used.has(`${base}-r${k}`)) k++;
    const next: EngineApp = {
      ...a,
      name: `${base}-r${k}`,
      ...(this.withFormer ? { formerNames: [...(a.formerNames ?? []), a.name] } : {}),
    };
    const held = (await currentOf(r))[a.name] ?? {};
    const hadKeys = r.okta.listKeys(a.appId).length > 0;
    const apps = m.apps.map((x, j) => (j === i ? next : x));
    const what = `rename ${a.name} → ${next.name} ${this.withFormer ? "with" : "without"} formerNames`;
    await step(m, r, apps, what, this.withFormer ? { noOktaWrite: true, noRollout: true } : {});
    const applied = m.apps.includes(next);
    if (this.withFormer) {
      must(applied, `${what}: refused`);
      const now = (await currentOf(r))[next.name] ?? {};
      must(
        JSON.stringify(now) === JSON.stringify(held),
        `${what}: the current credential was ${JSON.stringify(held)}, now ${JSON.stringify(now)}`,
      );
    } else if (onKeys(a) || hadKeys) {
      must(!applied, `${what}: applied on an app with keys (the old name's ACTIVE key would be left behind)`);
    }
  }
  toString() {
    return `rename@${this.app} ${this.withFormer ? "with" : "without"} formerNames`;
  }
}

/**
 * An app of the org added to the config: at generation 1–3, adopting its ACTIVE secret or not. Apps holding a
 * secret the rotation would not adopt, or none at a generation ≥ 2, are refused before any write (the first run's
 * lookup); the rest onboard.
 */
export class AddApp implements Cmd {
  constructor(
    readonly n: number,
    readonly adopt: boolean,
    readonly generation: number,
  ) {}
  check(m: Readonly<EngineModel>) {
    return m.apps.length < 3;
  }
  async run(m: EngineModel, r: EngineReal): Promise<void> {
    const free = r.okta.apps.filter((x) => !m.apps.some((a) => a.appId === x.id));
    const used = new Set(m.apps.flatMap((a) => [a.name, ...(a.formerNames ?? [])]));
    const target = free[this.n % Math.max(1, free.length)];
    const name = POOL.find((p) => !used.has(p));
    if (target === undefined || name === undefined) return;
    const active = r.okta.listSecrets(target.id).filter((s) => s.status === "ACTIVE");
    const app: EngineApp = {
      name,
      appId: target.id,
      generation: this.generation,
      ...(this.adopt && active.length === 1 ? { adoptSecretId: active[0]!.id } : {}),
    };
    const before = r.okta.listSecrets(target.id).length;
    await step(
      m,
      r,
      [...m.apps, app],
      `add app ${name} at generation ${app.generation}${app.adoptSecretId ? " adopting its secret" : ""}`,
    );
    if (!m.apps.includes(app)) return;
    // Onboarded without adoption: the app had no secret, and now holds exactly one, the rotation's own.
    if (app.adoptSecretId === undefined) {
      must(
        before === 0 && r.okta.listSecrets(target.id).length === 1,
        `add app ${name}: onboarded without adoption, it held ${before} secrets and holds ${r.okta.listSecrets(target.id).length}`,
      );
    }
  }
  toString() {
    return `add app${this.adopt ? " adopting" : ""}(${this.n}) at ${this.generation}`;
  }
}

/** An app removed from the config: released, never retired — what its pods hold stays ACTIVE in Okta. */
export class RemoveApp implements Cmd {
  constructor(readonly app: number) {}
  check(m: Readonly<EngineModel>) {
    return m.apps.length > 1;
  }
  async run(m: EngineModel, r: EngineReal): Promise<void> {
    const i = pick(m, this.app);
    const gone = m.apps[i]!;
    const held = (await currentOf(r))[gone.name] ?? {};
    await step(
      m,
      r,
      m.apps.filter((_, j) => j !== i),
      `remove app ${gone.name}`,
    );
    if (m.apps.includes(gone) || (held.kid === undefined && held.secretId === undefined)) return;
    must(
      heldActive(r, gone, held),
      `remove app ${gone.name}: what its pods held (${JSON.stringify(held)}) is no longer ACTIVE in Okta`,
    );
  }
  toString() {
    return `remove app@${this.app}`;
  }
}

/** The `kty` of the app's key `kid`, as Okta's management API lists it. */
async function keyType(r: EngineReal, appId: string, kid: string | undefined): Promise<string | undefined> {
  const res = await fetch(`${r.okta.orgUrl}/api/v1/apps/${appId}/credentials/jwks`, {
    headers: { Authorization: `SSWS ${r.okta.apiToken}`, Accept: "application/json" },
  });
  const keys = (await res.json()) as { kid?: string; kty?: string }[];
  return keys.find((k) => k.kid === kid)?.kty;
}

/** After a key bump: the key pods hold now is of the algorithm the config asks for. */
async function keyOfAlgorithm(a: EngineApp, r: EngineReal): Promise<void> {
  const held = (await currentOf(r))[a.name] ?? {};
  const kty = await keyType(r, a.appId, held.kid);
  const want = a.privateKeyJwt?.algorithm === "ES256" ? "EC" : "RSA";
  must(kty === want, `app ${a.name}: after a key bump it holds a ${kty ?? "missing"} key, not ${want}`);
}

/** The first app's next rotation while Okta answers 5xx to a share of the credential calls, or 429s. */
export class Burst implements Cmd {
  constructor(readonly kind: "5xx" | "429") {}
  check(m: Readonly<EngineModel>) {
    return m.apps.length > 0;
  }
  async run(m: EngineModel, r: EngineReal): Promise<void> {
    // 5xx: on a share of the secret calls during a bump. 429: the token's share of the apps bucket (Okta's limits
    // per token and window, local-env/okta/limits.ts) cut to 3 calls per 60-second window and used up right before
    // the `up`, so that its first calls meet 429s and wait for X-Rate-Limit-Reset. The up completes, or the same
    // config's next up does.
    const secrets = `/api/v1/apps/${m.apps[0]!.appId}/credentials/secrets`;
    let from = r.okta.requestLog.length;
    const useUpShare = async () => {
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${r.okta.orgUrl}${secrets}`, {
          headers: { Authorization: `SSWS ${r.okta.apiToken}`, Accept: "application/json" },
        });
        await res.arrayBuffer();
        if (res.status === 429) break;
      }
      from = r.okta.requestLog.length;
    };
    if (this.kind === "5xx") {
      r.okta.setFaults([{ path: "/api/v1/apps/[^/]+/credentials/.*", errorRate: 0.3 }]);
    } else r.okta.setRateLimits({ apps: 6, windowSeconds: 60 });
    try {
      const bump = [nextRotation(m.apps[0]!), ...m.apps.slice(1)];
      await step(m, r, bump, `rotation under ${this.kind}`, {
        ...(this.kind === "429" ? { beforeUp: useUpShare } : {}),
      });
    } finally {
      r.okta.setFaults([]);
      r.okta.setRateLimits({ apps: 10_000, windowSeconds: 60 });
    }
    const met = r.okta.requestLog
      .slice(from)
      .filter((e) => (this.kind === "429" ? e.status === 429 : e.status >= 500));
    r.log(`  the rotation met ${met.length} × ${this.kind === "429" ? "429" : "500/503"}`);
  }
  toString() {
    return `bump under a ${this.kind} burst`;
  }
}

const onSecrets = (edit: (a: EngineApp) => EngineApp | undefined) => (a: EngineApp) =>
  a.privateKeyJwt ? undefined : edit(a);

/** Key operations on app `app`: migrate to private_key_jwt, bump the key, go back to a client secret. */
export const keyEdits = (app: fc.Arbitrary<number> = fc.constant(0)): fc.Arbitrary<Cmd>[] => [
  app.map(
    (i) =>
      new Edit(
        "migrate to private_key_jwt",
        (a) =>
          a.privateKeyJwt || a.rollback
            ? undefined
            : { ...a, revoke: false, privateKeyJwt: { keyGeneration: 1 } },
        i,
        { unchangedPreview: true },
      ),
  ),
  app.map(
    (i) =>
      new Edit(
        "bump keyGeneration",
        (a) => (onKeys(a) ? nextRotation(a) : undefined),
        i,
        { unchangedPreview: true },
        keyOfAlgorithm,
      ),
  ),
  app.map(
    (i) =>
      new Edit(
        "back to a client secret",
        (a) => (onKeys(a) ? { ...a, privateKeyJwt: { ...a.privateKeyJwt!, rollback: true } } : undefined),
        i,
        { unchangedPreview: true },
      ),
  ),
  // A new algorithm waits for the next key: nothing is written, nothing rolls, the next preview plans nothing.
  app.map(
    (i) =>
      new Edit(
        "change privateKeyJwt.algorithm",
        (a) =>
          onKeys(a)
            ? {
                ...a,
                privateKeyJwt: {
                  ...a.privateKeyJwt!,
                  algorithm: a.privateKeyJwt!.algorithm === "ES256" ? "RS256" : "ES256",
                },
              }
            : undefined,
        i,
        { unchangedPreview: true, noOktaWrite: true, noRollout: true },
      ),
  ),
];

/** Which app of the config a command acts on (modulo how many there are). */
const appIndex = fc.nat({ max: 2 });

/**
 * Secret edits of app `app`: skip a generation, revoke with and without a bump, remove `revoke`, set and remove
 * `rollback` (an app on private_key_jwt has its own, `keyEdits`).
 */
export const secretEdits = (app: fc.Arbitrary<number> = fc.constant(0)): fc.Arbitrary<Cmd>[] => [
  app.map(
    (i) =>
      new Edit(
        "skip a generation",
        onSecrets((a) => ({ ...a, generation: a.generation + 2 })),
        i,
      ),
  ),
  app.map(
    (i) =>
      new Edit(
        "revoke with bump",
        onSecrets((a) => ({ ...a, generation: a.generation + 1, revoke: true })),
        i,
      ),
  ),
  app.map(
    (i) =>
      new Edit(
        "revoke without bump",
        onSecrets((a) => (a.revoke ? undefined : { ...a, revoke: true })),
        i,
      ),
  ),
  app.map(
    (i) =>
      new Edit(
        "remove revoke",
        onSecrets((a) => (a.revoke ? { ...a, revoke: false } : undefined)),
        i,
      ),
  ),
  app.map(
    (i) =>
      new Edit(
        "set rollback",
        onSecrets((a) => ({ ...a, rollback: true })),
        i,
      ),
  ),
  app.map(
    (i) =>
      new Edit(
        "remove rollback",
        onSecrets((a) => (a.rollback ? { ...a, rollback: false } : undefined)),
        i,
      ),
  ),
];

/** The team edits the engine layer generates. */
export const engineCommands: fc.Arbitrary<Cmd>[] = [
  appIndex.map(
    (i) =>
      new Edit(
        "bump",
        onSecrets((a) => ({ ...a, generation: a.generation + 1, revoke: false })),
        i,
      ),
  ),
  ...secretEdits(appIndex),
  fc.constant(
    new Edit("remove adoptSecretId", (a) =>
      a.adoptSecretId === undefined ? undefined : { ...a, adoptSecretId: undefined },
    ),
  ),
  fc.tuple(appIndex, fc.boolean()).map(([i, w]) => new Rename(i, w)),
  fc
    .tuple(fc.nat({ max: 2 }), fc.boolean(), fc.integer({ min: 1, max: 3 }))
    .map(([n, adopt, g]) => new AddApp(n, adopt, g)),
  appIndex.map((i) => new RemoveApp(i)),
  ...keyEdits(appIndex),
  appIndex.map((i) => new OutOfBand(i)),
  fc.constant(new Burst("5xx")),
  fc.constant(new Burst("429")),
  killedUp(appIndex, 1500),
];

/**
 * A killed up of app `app`'s next rotation, at a generated moment: 0–`maxDelayMs` after Okta answered its first or
 * second write (a rotation's up ends within about 0.3 s of its writes against the local Okta alone, within 1–2 s
 * on the real chain, where the Vault write, rollout and census follow).
 */
export function killedUp(app: fc.Arbitrary<number>, maxDelayMs: number): fc.Arbitrary<Cmd> {
  // Kills close to the write land while the CLI saves its checkpoint too; one that empties the file backend's
  // checkpoint sidecar is recovered by the step docs/operations.md gives for it (removeEmptyBackendSidecars).
  return fc
    .tuple(app, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: maxDelayMs }))
    .map(([i, w, d]) => new KilledUp(i, w, d));
}

/**
 * A local Okta with three apps — one in the stack at generation 1 (the first up of the sequence), one holding a
 * secret of its own (to adopt, or to be refused without adoption) and one with none — and the stack.
 */
export async function engineSetup(
  name: string,
  log: (line: string) => void,
): Promise<EngineReal & { model: EngineModel }> {
  const okta = await startOktaLocal({
    apps: [
      { label: "sm", secrets: 0 },
      { label: "sm-held", secrets: 1 },
      { label: "sm-empty", secrets: 0 },
    ],
    rateLimits: { apps: 10_000, app: 10_000 },
  });
  const stack = await createStack(name, { OKTA_ORG_URL: okta.orgUrl, OKTA_API_TOKEN: okta.apiToken });
  const real: EngineReal = { okta, stack, log, steps: 0, kills: 0 };
  const model: EngineModel = { apps: [] };
  await step(
    model,
    real,
    [{ name: "sm", appId: okta.apps[0]!.id, generation: 1 }],
    "onboard at generation 1",
  );
  return { ...real, model };
}

export async function engineTeardown(r: EngineReal): Promise<void> {
  await r.stack.dispose();
  await r.okta.close();
}

export interface LayerRun {
  /** fast-check's report, the shrunk sequence and how to replay it (undefined when every sequence passed). */
  failure?: string;
  steps: number;
  kills: number;
}

/**
 * Runs `runs` sequences of up to `maxCommands` of `commands` from `seed`, each on a fresh `setup`. Returns
 * fast-check's report (undefined when every sequence kept the invariants) and how many steps and kills ran.
 */
export async function runLayer<R extends EngineReal>(
  layer: {
    commands: fc.Arbitrary<fc.AsyncCommand<EngineModel, R>>[];
    setup: (name: string, log: (line: string) => void) => Promise<R & { model: EngineModel }>;
    teardown: (r: R) => Promise<void>;
    replay: string;
  },
  seed: number,
  runs: number,
  maxCommands: number,
  log: (line: string) => void,
  path?: string,
  size?: fc.SizeForArbitrary,
): Promise<LayerRun> {
  let steps = 0;
  let kills = 0;
  let n = 0;
  const out = await fc.check(
    // An empty sequence checks nothing the setup's own step does not.
    fc.asyncProperty(
      fc
        .commands(layer.commands, { maxCommands, ...(size ? { size } : {}) })
        .filter((c) => [...c].length > 0),
      async (cmds) => {
        const real = await layer.setup(`sm-${process.pid}-${n++}`, log);
        try {
          await fc.asyncModelRun(() => ({ model: real.model, real }), cmds);
        } finally {
          // fast-check names the commands that ran once they ran.
          log(`sequence: ${cmds.toString()}`);
          steps += real.steps;
          kills += real.kills;
          await layer.teardown(real);
        }
      },
    ),
    // Shrinking re-runs the engine for every candidate: a few at most, so a failure reports in minutes.
    {
      seed,
      numRuns: runs,
      endOnFailure: true,
      interruptAfterTimeLimit: 60 * 60_000,
      ...(path !== undefined ? { path } : {}),
    },
  );
  if (!out.failed) return { steps, kills };
  const replay =
    `replay: npm run fuzz -- ${layer.replay} --seed ${seed} --runs ${runs} --max-commands ${maxCommands}` +
    (size ? ` --size ${size}` : "") +
    (out.counterexamplePath ? ` --path ${out.counterexamplePath}` : "");
  return {
    failure: `${fc.defaultReportMessage(out)}\n${String(out.errorInstance)}\n${replay}`,
    steps,
    kills,
  };
}

/** The engine layer against the local Okta alone. */
export const engineLayer = {
  commands: engineCommands,
  setup: engineSetup,
  teardown: engineTeardown,
  replay: "--engine",
};

/**
 * Runs `runs` engine sequences of up to `maxCommands` steps from `seed`. Returns fast-check's report (undefined
 * when every sequence kept the invariants) and how many steps ran.
 */
export function runEngineLayer(
  seed: number,
  runs: number,
  maxCommands: number,
  log: (line: string) => void,
  path?: string,
  size?: fc.SizeForArbitrary,
): Promise<LayerRun> {
  return runLayer(engineLayer, seed, runs, maxCommands, log, path, size);
}
