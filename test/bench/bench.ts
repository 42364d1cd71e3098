import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startOktaLocal, type OktaLocal, type RateLimits } from "../../local-env/okta";
import { REPO_ROOT } from "../engine/harness";
import { createCliStack, managementWrites, type CliResult, type CliStack } from "../engine/cli";

export interface BenchOptions {
  /** Apps in the large stack (default 100). */
  apps: number;
  /**
   * The local Okta's `/api/v1/apps*` bucket during the measured runs. Default 100 requests per 10 s window:
   * Okta's paid-org limit (100 per minute) scaled up 6×, so that the run stays short.
   */
  rateLimits: Pick<RateLimits, "apps" | "windowSeconds">;
  /**
   * A second rotation of the large stack, in the same run, at Okta's own limit (default 100 per 60 s, a paid
   * org's). Off with `false`.
   */
  oktaLimit?: Pick<RateLimits, "apps" | "windowSeconds"> | false;
  /**
   * A third rotation of the large stack at what one token may really use of Okta's limit: by default 50% of a
   * bucket (Okta's rate-limit reference), so 50 of a paid org's 100 per minute. Off with `false`. The two runs
   * above give the token the whole bucket.
   */
  tokenShare?: number | false;
  /** The bucket that share is taken of (default: `oktaLimit`, else 100 per 60 s). CI makes it small. */
  tokenShareLimit?: Pick<RateLimits, "apps" | "windowSeconds">;
  /**
   * Also rotate as many apps again, split evenly across this many stacks whose `pulumi up`s run at once, at
   * the scaled-up limit (default: not run).
   */
  split?: number;
  /** Rounds of the three no-change previews (empty program, one app, the large stack); default 4. */
  previewRounds?: number;
  log?: (line: string) => void;
}

/**
 * No-change previews under the same CLI, one round = one of each, back to back so that they share the machine's
 * load: an empty TypeScript program (the engine's and the language host's own cost), the one-app stack, the large
 * stack. Ratios are the medians of the rounds' ratios.
 */
export interface PreviewLatency {
  rounds: number;
  emptyMs: number[];
  oneAppMs: number[];
  appsMs: number[];
  /** median(one app ÷ empty program): what this program adds to a preview. */
  oneAppToEmpty: number;
  /** median(large stack ÷ one app): how a preview's cost grows with apps. */
  appsToOneApp: number;
  /** The same previews of the floor (test/bench/shape): a program of the rotation's shape where nothing happens. */
  shapeOneAppMs: number[];
  shapeAppsMs: number[];
  /** median(large ÷ one app) of the floor: the growth the engine and the Node SDK alone give that shape. */
  shapeAppsToOneApp: number;
}

/** One rotation of every app of the large stack in one `pulumi up`, under one rate limit. */
export interface LargeRotation {
  /** Stacks the apps were in, their `up`s run at once. */
  stacks: number;
  /** `perSecond`: what the token may use (its share of `apps` per window). */
  rateLimits: { apps: number; windowSeconds: number; tokenShare: number; perSecond: number };
  rotationUpMs: number;
  writes: number;
  /** Every request in the rate-limited bucket (reads too). */
  bucketRequests: number;
  rateLimited429s: number;
  /** Apps not left with exactly 2 secrets, the ACTIVE one created by this rotation. */
  failures: number;
  /** writes ÷ bucket rate, in ms. */
  writesLowerBoundMs: number;
  /**
   * When the last write can happen at the earliest in fixed windows, starting at a window's start:
   * floor((writes - 1) ÷ requests per window) windows. Below writes ÷ rate: a fixed window lets a burst through.
   */
  fixedWindowBoundMs: number;
  /** rotationUpMs ÷ writesLowerBoundMs. */
  rateLimitRatio: number;
}

export interface BenchResult {
  apps: number;
  rateLimits: { apps: number; windowSeconds: number; tokenShare: number; perSecond: number };
  /** Okta management writes of one app's rotation (create, deactivate, delete = 3). */
  writesPerRotation: number;
  /** Okta management writes of an unchanged `pulumi up`. */
  noopWrites: number;
  oneApp: { noopUpMs: number; rotationUpMs: number; previewMs: number };
  /** One-app rotation `up` ÷ no-op `up`, measured back to back. */
  rotationToNoopRatio: number;
  /** The large stack at the scaled-up limit (`rateLimits`). */
  large: LargeRotation & {
    previewMs: number;
    /** Size of the stack's state after the rotation (`pulumi stack export`), in bytes. */
    stateBytes: number;
  };
  /** The large stack again, at Okta's own limit (`oktaLimit`). */
  largeAtOktaLimit?: LargeRotation;
  /** The large stack again, at one token's share of Okta's limit (`tokenShare`). */
  largeAtTokenShare?: LargeRotation;
  /** As many apps in `split` stacks, rotated at once, at the scaled-up limit. */
  largeSplit?: LargeRotation;
  failures: number;
  /** Large rotation wall time ÷ (writes ÷ bucket rate), at the scaled-up limit. */
  rateLimitRatio: number;
  /** The same at Okta's own limit. */
  rateLimitRatioAtOktaLimit?: number;
  /** The same at one token's share of it. */
  rateLimitRatioAtTokenShare?: number;
  /** The same for the apps split across stacks. */
  rateLimitRatioSplit?: number;
  /** `pulumi preview` of the large stack ÷ of the one-app stack. */
  previewRatio: number;
  /** No-change previews: one app against an empty program, the large stack against one app. */
  previews: PreviewLatency;
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
 * Rotates every app of the given stacks (already configured at `generation`), each stack in one `pulumi up`,
 * all at once, under `limits` (the token's share: `tokenShare`, default the whole bucket), from a fresh
 * rate-limit window (a bucket's window starts at its first request); then checks every app.
 */
async function rotateAll(
  okta: OktaLocal,
  parts: { stack: CliStack; apps: Seeded[] }[],
  generation: number,
  limits: Pick<RateLimits, "apps" | "windowSeconds"> & { tokenShare?: number },
  log: (line: string) => void,
): Promise<LargeRotation> {
  const tokenShare = limits.tokenShare ?? 1;
  const perWindow = Math.max(1, Math.floor(limits.apps * tokenShare));
  const perSecond = perWindow / limits.windowSeconds;
  const windowMs = limits.windowSeconds * 1000;
  // The window open now began at or before the bucket's last request: wait until it is over for sure.
  const last = okta.requestLog.filter((e) => e.bucket === "apps").at(-1)?.time ?? 0;
  await new Promise((r) => setTimeout(r, Math.max(0, last + windowMs - Date.now()) + 5));
  okta.setRateLimits({ ...limits, tokenShare, app: 1e6 });
  const from = okta.requestLog.length;
  const started = Date.now();
  const t0 = performance.now();
  const ups = await Promise.all(parts.map((p) => p.stack.run(UP)));
  const wallMs = performance.now() - t0;
  const slice = okta.requestLog.slice(from);
  const writes = managementWrites(slice).length;
  let failures = 0;
  for (const a of parts.flatMap((p) => p.apps)) {
    const s = okta.listSecrets(a.appId);
    const active = s.filter((x) => x.status === "ACTIVE");
    const fresh = active.length === 1 && Date.parse(active[0]!.created) >= started;
    if (s.length !== 2 || !fresh || s.some((x) => x.id === a.seeded)) failures++;
  }
  for (const up of ups.filter((u) => u.code !== 0))
    log(`rotation up (generation ${generation}) failed:\n${(up.stdout + up.stderr).slice(-2000)}`);
  const writesLowerBoundMs = (writes / perSecond) * 1000;
  return {
    stacks: parts.length,
    rateLimits: { apps: limits.apps, windowSeconds: limits.windowSeconds, tokenShare, perSecond },
    rotationUpMs: wallMs,
    writes,
    bucketRequests: slice.filter((e) => e.bucket === "apps" && e.status !== 429).length,
    rateLimited429s: slice.filter((e) => e.status === 429).length,
    failures,
    writesLowerBoundMs,
    fixedWindowBoundMs: Math.floor(Math.max(writes - 1, 0) / perWindow) * windowMs,
    rateLimitRatio: wallMs / writesLowerBoundMs,
  };
}

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

    const empty = await emptyProgramStack(env, log);
    stacks.push(empty);
    const shapeOne = await shapeProgramStack(env, 1, log);
    stacks.push(shapeOne);
    const shapeBig = await shapeProgramStack(env, opts.apps, log);
    stacks.push(shapeBig);
    const previews = await previewLatency(
      empty,
      { one, big },
      { one: shapeOne, big: shapeBig },
      opts.previewRounds ?? 4,
      log,
    );

    okta.setRateLimits({ ...opts.rateLimits, tokenShare: 1, app: 1e6 });

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
    const large = await rotateAll(okta, [{ stack: big, apps: bigApps }], 2, opts.rateLimits, log);
    const stateBytes = JSON.stringify(await big.exportState()).length;
    let largeAtOktaLimit: LargeRotation | undefined;
    if (opts.oktaLimit !== false) {
      const limit = opts.oktaLimit ?? { apps: 100, windowSeconds: 60 };
      log(`${opts.apps} apps: rotation of all in one up at ${limit.apps} per ${limit.windowSeconds} s`);
      big.setApps(appsAt(bigApps, 3));
      largeAtOktaLimit = await rotateAll(okta, [{ stack: big, apps: bigApps }], 3, limit, log);
    }
    let largeAtTokenShare: LargeRotation | undefined;
    if (opts.tokenShare !== false) {
      const limit = {
        ...(opts.tokenShareLimit ?? (opts.oktaLimit || { apps: 100, windowSeconds: 60 })),
        tokenShare: opts.tokenShare ?? 0.5,
      };
      log(
        `${opts.apps} apps: rotation of all in one up at ${limit.tokenShare * 100}% of ${limit.apps} per ` +
          `${limit.windowSeconds} s, one token's share`,
      );
      big.setApps(appsAt(bigApps, 4));
      largeAtTokenShare = await rotateAll(okta, [{ stack: big, apps: bigApps }], 4, limit, log);
    }

    let largeSplit: LargeRotation | undefined;
    if (opts.split && opts.split > 1) {
      const k = opts.split;
      log(`${opts.apps} more apps in ${k} stacks: set-up, then rotation of all, the ${k} ups at once`);
      const parts: { stack: CliStack; apps: Seeded[] }[] = [];
      for (let i = 0; i < k; i++) {
        const stack = await createCliStack(`bench-split${i}-${process.pid}`, env);
        stacks.push(stack);
        const n = Math.floor(opts.apps / k) + (i < opts.apps % k ? 1 : 0);
        parts.push({ stack, apps: seedApps(okta, n, `split${i}`) });
      }
      okta.setRateLimits({ apps: 1e6, app: 1e6, tokenShare: 1 });
      for (const p of parts) p.stack.setApps(appsAt(p.apps, 1));
      for (const r of await Promise.all(parts.map((p) => p.stack.run(UP)))) ok("set-up up (split)", r);
      for (const p of parts) p.stack.setApps(appsAt(p.apps, 2));
      largeSplit = await rotateAll(okta, parts, 2, opts.rateLimits, log);
    }

    const failures =
      large.failures +
      (largeAtOktaLimit?.failures ?? 0) +
      (largeAtTokenShare?.failures ?? 0) +
      (largeSplit?.failures ?? 0);
    return {
      apps: opts.apps,
      rateLimits: large.rateLimits,
      writesPerRotation,
      noopWrites: Math.max(noopWrites, noopWrites2),
      oneApp: { noopUpMs, rotationUpMs: rot.ms, previewMs: preview1.ms },
      rotationToNoopRatio: rot.ms / noopUpMs,
      large: { ...large, previewMs: previewN.ms, stateBytes },
      ...(largeAtOktaLimit ? { largeAtOktaLimit } : {}),
      failures,
      rateLimitRatio: large.rateLimitRatio,
      ...(largeAtOktaLimit ? { rateLimitRatioAtOktaLimit: largeAtOktaLimit.rateLimitRatio } : {}),
      ...(largeAtTokenShare
        ? { largeAtTokenShare, rateLimitRatioAtTokenShare: largeAtTokenShare.rateLimitRatio }
        : {}),
      ...(largeSplit ? { largeSplit, rateLimitRatioSplit: largeSplit.rateLimitRatio } : {}),
      previewRatio: previewN.ms / preview1.ms,
      previews,
    };
  } finally {
    for (const s of stacks) await s.dispose();
    await okta.close();
  }
}

/**
 * A stack of a small program of its own (`files`, by name; `package.json` and this project's `node_modules` added) in
 * a new folder, up once; disposing of it removes the folder.
 */
async function scratchProgramStack(
  env: Record<string, string>,
  program: { project: string; stack: string; files: Record<string, string>; what: string },
  log: (line: string) => void,
): Promise<CliStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `okta-rotation-${program.project}-`));
  for (const [name, text] of Object.entries(program.files)) fs.writeFileSync(path.join(dir, name), text);
  fs.writeFileSync(path.join(dir, "package.json"), `{ "name": "${program.project}", "private": true }\n`);
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  log(`${program.what}: up once`);
  const stack = await createCliStack(program.stack, env, { cwd: dir });
  ok(`set-up up (${program.what})`, await stack.run(UP));
  const dispose = stack.dispose;
  return {
    ...stack,
    async dispose() {
      await dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An empty TypeScript Pulumi program (`export {}`) with this project's packages, in a folder of its own. */
function emptyProgramStack(env: Record<string, string>, log: (line: string) => void): Promise<CliStack> {
  return scratchProgramStack(
    env,
    {
      project: "empty",
      stack: `bench-empty-${process.pid}`,
      files: {
        "Pulumi.yaml": "name: empty\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
        "index.ts": "export {};\n",
      },
      what: "empty TypeScript program",
    },
    log,
  );
}

/**
 * The floor program (test/bench/shape) with `apps` apps, copied to a folder of its own with this project's
 * packages, and up once.
 */
function shapeProgramStack(
  env: Record<string, string>,
  apps: number,
  log: (line: string) => void,
): Promise<CliStack> {
  const stack = `bench-shape-${apps}-${process.pid}`;
  const source = (f: string) => fs.readFileSync(path.join(__dirname, "shape", f), "utf8");
  return scratchProgramStack(
    env,
    {
      project: "shape",
      stack,
      files: {
        "Pulumi.yaml": source("Pulumi.yaml"),
        "index.ts": source("index.ts"),
        [`Pulumi.${stack}.yaml`]: `config:\n  shape:apps: "${apps}"\n`,
      },
      what: `floor program of the rotation's shape, ${apps} app${apps > 1 ? "s" : ""}`,
    },
    log,
  );
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Rounds of no-change previews: empty program, one app, the large stack, then the floor program's one app and
 * large stack.
 */
async function previewLatency(
  empty: CliStack,
  rotation: { one: CliStack; big: CliStack },
  shape: { one: CliStack; big: CliStack },
  rounds: number,
  log: (line: string) => void,
): Promise<PreviewLatency> {
  const emptyMs: number[] = [];
  const oneAppMs: number[] = [];
  const appsMs: number[] = [];
  const shapeOneAppMs: number[] = [];
  const shapeAppsMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    log(
      `no-change previews, round ${i + 1} of ${rounds}: empty program, 1 app, the large stack, the floor's two`,
    );
    emptyMs.push(ok("preview (empty program)", await empty.run(["preview"])).ms);
    oneAppMs.push(ok("preview (1 app, no change)", await rotation.one.run(["preview"])).ms);
    appsMs.push(ok("preview (large stack, no change)", await rotation.big.run(["preview"])).ms);
    shapeOneAppMs.push(ok("preview (floor, 1 app)", await shape.one.run(["preview"])).ms);
    shapeAppsMs.push(ok("preview (floor, large)", await shape.big.run(["preview"])).ms);
  }
  return {
    rounds,
    emptyMs,
    oneAppMs,
    appsMs,
    oneAppToEmpty: median(oneAppMs.map((x, i) => x / emptyMs[i]!)),
    appsToOneApp: median(appsMs.map((x, i) => x / oneAppMs[i]!)),
    shapeOneAppMs,
    shapeAppsMs,
    shapeAppsToOneApp: median(shapeAppsMs.map((x, i) => x / shapeOneAppMs[i]!)),
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ratio = (r: number) => `${r.toFixed(2)}×`;

/** The bench as lines of text, figures side by side. */
export function formatBench(r: BenchResult): string[] {
  const l = r.large;
  const limit = (x: LargeRotation) =>
    (x.rateLimits.tokenShare < 1
      ? `${Math.round(x.rateLimits.tokenShare * 100)}% (one token's share) of ${x.rateLimits.apps} per ${x.rateLimits.windowSeconds} s`
      : `${x.rateLimits.apps} per ${x.rateLimits.windowSeconds} s`) +
    ` (${((x.rateLimits.perSecond * 60) / 100).toFixed(2)}× Okta's paid-org 100/min)`;
  const rotation = (x: LargeRotation) => [
    (x.stacks === 1
      ? `  ${r.apps} apps rotated in one up`
      : `  ${r.apps} apps in ${x.stacks} stacks rotated by ${x.stacks} ups at once`) +
      ` at ${limit(x)}: ${s(x.rotationUpMs)}, ${x.rateLimited429s} × 429, ${x.failures} failures`,
    `    ${x.writes} writes, ${x.bucketRequests} requests in the bucket; lower bound ${s(x.writesLowerBoundMs)} ` +
      `(writes ÷ rate; ${s(x.fixedWindowBoundMs)} in fixed windows)`,
    `    wall ÷ lower bound: ${ratio(x.rateLimitRatio)}; goal ≤ 1.25`,
  ];
  return [
    `Okta rotation bench (real pulumi engine, file backend, local Okta with its /api/v1/apps bucket rate-limited)`,
    `  Okta writes per app rotation: ${r.writesPerRotation} (minimum 3: create, deactivate, delete)`,
    `  Okta writes per no-op up:     ${r.noopWrites} (goal 0)`,
    ...rotation(l),
    `    state after the rotation: ${(l.stateBytes / 1e6).toFixed(2)} MB (${(l.stateBytes / r.apps / 1e3).toFixed(1)} KB per app)`,
    ...(r.largeAtOktaLimit ? rotation(r.largeAtOktaLimit) : []),
    ...(r.largeAtTokenShare ? rotation(r.largeAtTokenShare) : []),
    ...(r.largeSplit ? rotation(r.largeSplit) : []),
    `  1-app rotation up ÷ no-op up: ${ratio(r.rotationToNoopRatio)} (${s(r.oneApp.rotationUpMs)} ÷ ${s(r.oneApp.noopUpMs)}; goal ≤ 1.5)`,
    `  preview with a bump pending: ${r.apps} apps ${s(l.previewMs)} vs 1 app ${s(r.oneApp.previewMs)} (${ratio(r.previewRatio)})`,
    ...previewLines(r),
  ];
}

/** The two preview ratios, side by side, from one run. */
export function previewLines(r: Pick<BenchResult, "apps" | "previews">): string[] {
  const p = r.previews;
  const m = (xs: number[]) => s(median(xs));
  return [
    `  preview, no change (median of ${p.rounds} round${p.rounds > 1 ? "s" : ""}, same CLI):`,
    `    1 app ÷ empty TypeScript program: ${ratio(p.oneAppToEmpty)} (${m(p.oneAppMs)} ÷ ${m(p.emptyMs)})` +
      `   |   ${r.apps} apps ÷ 1 app: ${ratio(p.appsToOneApp)} (${m(p.appsMs)} ÷ ${m(p.oneAppMs)}; goal ≤ 1.5)`,
    `    floor, a program of the same shape where nothing happens (test/bench/shape): ${r.apps} apps ÷ 1 app: ` +
      `${ratio(p.shapeAppsToOneApp)} (${m(p.shapeAppsMs)} ÷ ${m(p.shapeOneAppMs)})`,
  ];
}
