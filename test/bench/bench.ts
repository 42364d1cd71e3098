import { startOktaLocal, type OktaLocal, type RateLimits } from "../../okta-local";
import { createCliStack, managementWrites, type CliResult, type CliStack } from "../engine/cli";

export interface BenchOptions {
  /** Apps in the large stack (default 100). */
  apps: number;
  /**
   * The local Okta's `/api/v1/apps*` bucket during the measured runs. Default 100 requests per 10 s window:
   * Okta's paid-org limit (100 per minute) scaled up 6×, so that a 100-app rotation takes about a minute.
   */
  rateLimits: Pick<RateLimits, "apps" | "windowSeconds">;
  log?: (line: string) => void;
}

export interface BenchResult {
  apps: number;
  rateLimits: { apps: number; windowSeconds: number; perSecond: number };
  /** Okta management writes of one app's rotation (create, deactivate, delete = 3). */
  writesPerRotation: number;
  /** Okta management writes of an unchanged `pulumi up`. */
  noopWrites: number;
  oneApp: { noopUpMs: number; rotationUpMs: number; previewMs: number };
  /** One-app rotation `up` ÷ no-op `up`, measured back to back. */
  rotationToNoopRatio: number;
  large: {
    rotationUpMs: number;
    previewMs: number;
    writes: number;
    /** Every request in the rate-limited bucket (reads too). */
    bucketRequests: number;
    rateLimited429s: number;
    /** Apps not at the new generation with exactly 2 secrets, 1 ACTIVE, at the end. */
    failures: number;
    /** writes ÷ bucket rate, in ms. */
    writesLowerBoundMs: number;
    /** all bucket requests ÷ bucket rate, in ms. */
    requestsLowerBoundMs: number;
    /** Size of the stack's state after the rotation (`pulumi stack export`), in bytes. */
    stateBytes: number;
  };
  failures: number;
  /** Large rotation wall time ÷ (writes ÷ bucket rate). */
  rateLimitRatio: number;
  /** Large rotation wall time ÷ (all bucket requests ÷ bucket rate). */
  rateLimitRatioAllRequests: number;
  /** `pulumi preview` of the large stack ÷ of the one-app stack. */
  previewRatio: number;
}

const UP = ["up", "--yes", "--skip-preview"];

function ok(what: string, r: CliResult): CliResult {
  if (r.code !== 0) {
    throw new Error(`${what} failed (exit ${r.code ?? r.signal}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  }
  return r;
}

interface Seeded {
  name: string;
  appId: string;
  seeded: string;
}

function seedApps(okta: OktaLocal, n: number, prefix: string): Seeded[] {
  return Array.from({ length: n }, (_, i) => {
    const a = okta.addApp({ label: `${prefix}-${i}` });
    return { name: `${prefix}-${i}`, appId: a.id, seeded: a.secrets[0]!.id };
  });
}

const appsAt = (apps: Seeded[], generation: number) =>
  apps.map((a) => ({ name: a.name, appId: a.appId, generation, adoptSecretId: a.seeded }));

/**
 * Runs the rotation under the real engine against the local Okta with its rate limits on, and measures side
 * by side: writes per rotation and per no-op, a large stack's rotation against the rate-limit lower bound,
 * a one-app rotation against a no-op, and previews of both stacks.
 */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const log = opts.log ?? (() => undefined);
  const okta = await startOktaLocal({ apps: [], rateLimits: { apps: 1e6, app: 1e6 } });
  const env = { OKTA_ORG_URL: okta.orgUrl, OKTA_API_TOKEN: okta.apiToken };
  const stacks: CliStack[] = [];
  try {
    const one = await createCliStack(`bench-one-${process.pid}`, env);
    stacks.push(one);
    const big = await createCliStack(`bench-large-${process.pid}`, env);
    stacks.push(big);
    const oneApps = seedApps(okta, 1, "one");
    const bigApps = seedApps(okta, opts.apps, "app");

    // Generation 1 everywhere (adopt the seeded secret): set-up, not measured, without rate limits.
    log(`set-up: generation 1 for 1 + ${opts.apps} apps`);
    one.setApps(appsAt(oneApps, 1));
    big.setApps(appsAt(bigApps, 1));
    ok("set-up up (1 app)", await one.run(UP));
    ok(`set-up up (${opts.apps} apps)`, await big.run(UP));

    okta.setRateLimits({ ...opts.rateLimits, app: 1e6 });
    const perSecond = opts.rateLimits.apps / opts.rateLimits.windowSeconds;

    log("one app: no-op up, rotation up, no-op up");
    let from = okta.requestLog.length;
    const noop1 = ok("no-op up", await one.run(UP));
    const noopWrites = managementWrites(okta.requestLog.slice(from)).length;
    one.setApps(appsAt(oneApps, 2));
    from = okta.requestLog.length;
    const rot = ok("rotation up", await one.run(UP));
    const writesPerRotation = managementWrites(okta.requestLog.slice(from)).length;
    from = okta.requestLog.length;
    const noop2 = ok("no-op up", await one.run(UP));
    const noopWrites2 = managementWrites(okta.requestLog.slice(from)).length;
    const preview1 = ok("preview (1 app)", await one.run(["preview"]));
    const noopUpMs = (noop1.ms + noop2.ms) / 2;

    log(`${opts.apps} apps: preview, then rotation of all in one up`);
    big.setApps(appsAt(bigApps, 2));
    const previewN = ok(`preview (${opts.apps} apps)`, await big.run(["preview"]));
    // Start the measured rotation at the start of a rate-limit window, as a fresh minute would.
    const windowMs = opts.rateLimits.windowSeconds * 1000;
    await new Promise((r) => setTimeout(r, windowMs - (Date.now() % windowMs) + 5));
    from = okta.requestLog.length;
    const upN = await big.run(UP);
    const slice = okta.requestLog.slice(from);
    const writes = managementWrites(slice).length;
    const bucketRequests = slice.filter((e) => e.bucket === "apps" && e.status !== 429).length;
    const rateLimited429s = slice.filter((e) => e.status === 429).length;
    let failures = 0;
    for (const a of bigApps) {
      const s = okta.listSecrets(a.appId);
      const active = s.filter((x) => x.status === "ACTIVE");
      if (s.length !== 2 || active.length !== 1 || s.some((x) => x.id === a.seeded)) failures++;
    }
    if (upN.code !== 0) log(`large rotation up failed:\n${(upN.stdout + upN.stderr).slice(-2000)}`);
    const stateBytes = JSON.stringify(await big.exportState()).length;

    const writesLowerBoundMs = (writes / perSecond) * 1000;
    const requestsLowerBoundMs = (bucketRequests / perSecond) * 1000;
    return {
      apps: opts.apps,
      rateLimits: { ...opts.rateLimits, perSecond },
      writesPerRotation,
      noopWrites: Math.max(noopWrites, noopWrites2),
      oneApp: { noopUpMs, rotationUpMs: rot.ms, previewMs: preview1.ms },
      rotationToNoopRatio: rot.ms / noopUpMs,
      large: {
        rotationUpMs: upN.ms,
        previewMs: previewN.ms,
        writes,
        bucketRequests,
        rateLimited429s,
        failures,
        writesLowerBoundMs,
        requestsLowerBoundMs,
        stateBytes,
      },
      failures,
      rateLimitRatio: upN.ms / writesLowerBoundMs,
      rateLimitRatioAllRequests: upN.ms / requestsLowerBoundMs,
      previewRatio: previewN.ms / preview1.ms,
    };
  } finally {
    for (const s of stacks) await s.dispose();
    await okta.close();
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const x = (r: number) => `${r.toFixed(2)}×`;

/** The bench as lines of text, figures side by side. */
export function formatBench(r: BenchResult): string[] {
  const l = r.large;
  return [
    `Okta rotation bench (real pulumi engine, local Okta; /api/v1/apps bucket ${r.rateLimits.apps} per ` +
      `${r.rateLimits.windowSeconds} s = ${r.rateLimits.perSecond}/s, ${(r.rateLimits.perSecond * 60).toFixed(0)}/min ` +
      `= ${((r.rateLimits.perSecond * 60) / 100).toFixed(1)}× Okta's paid-org 100/min)`,
    `  Okta writes per app rotation: ${r.writesPerRotation} (minimum 3: create, deactivate, delete)`,
    `  Okta writes per no-op up:     ${r.noopWrites} (goal 0)`,
    `  ${r.apps} apps rotated in one up: ${s(l.rotationUpMs)}, ${l.rateLimited429s} × 429, ${r.failures} failures`,
    `    ${l.writes} writes, ${l.bucketRequests} requests in the bucket; lower bound ${s(l.writesLowerBoundMs)} ` +
      `(writes ÷ rate), ${s(l.requestsLowerBoundMs)} (all requests ÷ rate)`,
    `    wall ÷ lower bound: ${x(r.rateLimitRatio)} (writes), ${x(r.rateLimitRatioAllRequests)} (all requests); goal ≤ 1.25`,
    `  1-app rotation up ÷ no-op up: ${x(r.rotationToNoopRatio)} (${s(r.oneApp.rotationUpMs)} ÷ ${s(r.oneApp.noopUpMs)}; goal ≤ 1.5)`,
    `    state after the rotation: ${(l.stateBytes / 1e6).toFixed(2)} MB (${(l.stateBytes / r.apps / 1e3).toFixed(1)} KB per app)`,
    `  preview: ${r.apps} apps ${s(l.previewMs)} vs 1 app ${s(r.oneApp.previewMs)} (${x(r.previewRatio)})`,
  ];
}
