// The state-machine test's engine layer: fast-check async model-based commands, each step a real
// `pulumi preview` and `pulumi up` of this program (the Automation API, a file backend) against the local Okta.
// Deployments and Vault are not configured here (the real Vault and cluster are the delivery tests'), so what
// pods hold is what the stack outputs name as current. After every step it checks: ≤ 2 secrets and ≥ 1 ACTIVE per
// app; the current secret of the stack's record ACTIVE in Okta; what the preview planned is what the up did (the
// same resources with the same operation: no phantom or hidden steps); a failed up is a refusal that wrote
// nothing to Okta, or the same config's next up completes; no secret value in the state or the output.
import fc from "fast-check";
import { startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { createStack, readBackendState, setApps, stepCollector, type EngineStack } from "../engine/harness";

export interface EngineApp {
  name: string;
  appId: string;
  generation: number;
  rollback?: boolean;
  revoke?: boolean;
}

export interface EngineModel {
  apps: EngineApp[];
}

export interface EngineReal {
  okta: OktaLocal;
  stack: EngineStack;
  log: (line: string) => void;
  steps: number;
}

class Violation extends Error {}
function must(ok: boolean, what: string): void {
  if (!ok) throw new Violation(what);
}

function raw(apps: readonly EngineApp[]): unknown[] {
  return apps.map((a) => ({
    name: a.name,
    appId: a.appId,
    generation: a.generation,
    ...(a.rollback ? { rollback: true } : {}),
    ...(a.revoke ? { revoke: true } : {}),
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

async function stderrOf(run: Promise<unknown>): Promise<string | undefined> {
  try {
    await run;
    return undefined;
  } catch (err) {
    const r = (err as { commandResult?: { stderr?: string; stdout?: string } }).commandResult;
    return `${r?.stdout ?? ""}\n${r?.stderr ?? String(err)}`;
  }
}

/** One step: the config as edited, previewed then applied, and every invariant checked. */
export async function step(
  m: EngineModel,
  r: EngineReal,
  apps: EngineApp[],
  what: string,
  beforeUp: () => Promise<void> = async () => {},
): Promise<void> {
  const t0 = Date.now();
  r.steps++;
  await setApps(r.stack.stack, raw(apps));
  const preview = stepCollector();
  const previewError = await stderrOf(r.stack.stack.preview({ onEvent: preview.onEvent, color: "never" }));
  await beforeUp();
  const from = r.okta.requestLog.length;
  const applied = stepCollector();
  const upError = await stderrOf(r.stack.stack.up({ onEvent: applied.onEvent, color: "never" }));
  if (upError === undefined) {
    must(previewError === undefined, `${what}: the preview failed but the up did not: ${previewError}`);
    must(
      JSON.stringify(changed(preview.steps)) === JSON.stringify(changed(applied.steps)),
      `${what}: the preview planned ${JSON.stringify(changed(preview.steps))}, the up did ${JSON.stringify(changed(applied.steps))}`,
    );
    m.apps = apps;
  } else if (writesSince(r.okta, from).length > 0) {
    // A failure after a write: the same config's next up must complete it.
    const again = await stderrOf(r.stack.stack.up({ color: "never" }));
    must(
      again === undefined,
      `${what}: failed after writing, and the same config's next up failed too: ${again}`,
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
  r.log(
    `  step ${r.steps}: ${what} → ${upError === undefined ? "applied" : "refused/failed"} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

async function checkEngineInvariants(m: EngineModel, r: EngineReal, what: string): Promise<void> {
  for (const a of m.apps) {
    const secrets = r.okta.listSecrets(a.appId);
    must(secrets.length <= 2, `${what}: app ${a.name} holds ${secrets.length} secrets`);
    must(
      secrets.some((s) => s.status === "ACTIVE"),
      `${what}: app ${a.name} has no ACTIVE secret`,
    );
  }
  const outputs = await r.stack.stack.outputs();
  const rotations = (outputs.rotations?.value ?? {}) as Record<string, { current?: { secretId?: string } }>;
  for (const a of m.apps) {
    const current = rotations[a.name]?.current?.secretId;
    if (current === undefined) continue;
    const s = r.okta.listSecrets(a.appId).find((x) => x.id === current);
    must(
      s?.status === "ACTIVE",
      `${what}: app ${a.name}'s current secret ${current} is ${s?.status ?? "gone"}`,
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

class Edit implements Cmd {
  constructor(
    readonly label: string,
    readonly edit: (a: EngineApp) => EngineApp | undefined,
  ) {}
  check(m: Readonly<EngineModel>) {
    return m.apps.length > 0;
  }
  async run(m: EngineModel, r: EngineReal): Promise<void> {
    const next = this.edit({ ...m.apps[0]! });
    if (next === undefined) return;
    await step(m, r, [next, ...m.apps.slice(1)], this.label);
  }
  toString() {
    return this.label;
  }
}

class OutOfBand implements Cmd {
  check(m: Readonly<EngineModel>) {
    return m.apps.length > 0;
  }
  async run(m: EngineModel, r: EngineReal): Promise<void> {
    const a = m.apps[0]!;
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
    return "delete INACTIVE in Okta + refresh";
  }
}

class Burst implements Cmd {
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
      r.okta.setFaults([{ path: "/api/v1/apps/[^/]+/credentials/secrets.*", errorRate: 0.3 }]);
    } else r.okta.setRateLimits({ apps: 6, windowSeconds: 60 });
    try {
      const a = m.apps[0]!;
      const bump = [{ ...a, generation: a.generation + 1 }, ...m.apps.slice(1)];
      await step(m, r, bump, `bump under ${this.kind}`, this.kind === "429" ? useUpShare : undefined);
    } finally {
      r.okta.setFaults([]);
      r.okta.setRateLimits({ apps: 10_000, windowSeconds: 60 });
    }
    const met = r.okta.requestLog
      .slice(from)
      .filter((e) => (this.kind === "429" ? e.status === 429 : e.status >= 500));
    r.log(`  the bump met ${met.length} × ${this.kind === "429" ? "429" : "500/503"}`);
  }
  toString() {
    return `bump under a ${this.kind} burst`;
  }
}

/** The team edits the engine layer generates. */
export const engineCommands: fc.Arbitrary<Cmd>[] = [
  fc.constant(new Edit("bump", (a) => ({ ...a, generation: a.generation + 1, revoke: false }))),
  fc.constant(new Edit("skip a generation", (a) => ({ ...a, generation: a.generation + 2 }))),
  fc.constant(new Edit("revoke with bump", (a) => ({ ...a, generation: a.generation + 1, revoke: true }))),
  fc.constant(new Edit("revoke without bump", (a) => (a.revoke ? undefined : { ...a, revoke: true }))),
  fc.constant(new Edit("remove revoke", (a) => (a.revoke ? { ...a, revoke: false } : undefined))),
  fc.constant(new Edit("set rollback", (a) => ({ ...a, rollback: true }))),
  fc.constant(new Edit("remove rollback", (a) => (a.rollback ? { ...a, rollback: false } : undefined))),
  fc.constant(new OutOfBand()),
  fc.constant(new Burst("5xx")),
  fc.constant(new Burst("429")),
];

/** A local Okta with one app and a stack at generation 1 (the first up of the sequence). */
export async function engineSetup(
  name: string,
  log: (line: string) => void,
): Promise<EngineReal & { model: EngineModel }> {
  const okta = await startOktaLocal({
    apps: [{ label: "sm", secrets: 0 }],
    rateLimits: { apps: 10_000, app: 10_000 },
  });
  const stack = await createStack(name, { OKTA_ORG_URL: okta.orgUrl, OKTA_API_TOKEN: okta.apiToken });
  const real: EngineReal = { okta, stack, log, steps: 0 };
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

/**
 * Runs `runs` engine sequences of up to `maxCommands` steps from `seed`. Returns fast-check's report (undefined
 * when every sequence kept the invariants) and how many steps ran.
 */
export async function runEngineLayer(
  seed: number,
  runs: number,
  maxCommands: number,
  log: (line: string) => void,
): Promise<{ failure?: string; steps: number }> {
  let steps = 0;
  let n = 0;
  const out = await fc.check(
    fc.asyncProperty(fc.commands(engineCommands, { maxCommands }), async (cmds) => {
      const real = await engineSetup(`sm-${process.pid}-${n++}`, log);
      try {
        await fc.asyncModelRun(() => ({ model: real.model, real }), cmds);
      } finally {
        // fast-check names the commands that ran once they ran.
        log(`sequence: ${cmds.toString()}`);
        steps += real.steps;
        await engineTeardown(real);
      }
    }),
    // Shrinking re-runs the engine for every candidate: a few at most, so a failure reports in minutes.
    { seed, numRuns: runs, endOnFailure: true, interruptAfterTimeLimit: 60 * 60_000 },
  );
  return out.failed
    ? { failure: `${fc.defaultReportMessage(out)}\n${String(out.errorInstance)}`, steps }
    : { steps };
}
