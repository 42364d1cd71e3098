import { startOktaLocal, type FaultRule, type OktaLocal } from "../../local-env/okta";
import { Monitor, type MonitorStats } from "../drill/monitor";
import { createCliStack, type CliResult, type CliStack } from "../engine/cli";
import { removeEmptyBackendSidecars } from "../engine/harness";

/** Where a `pulumi up` of a rotation is SIGKILLed, seen from the local Okta's request log. */
export type KillPoint = "after-create" | "after-vault" | "during-rollout" | "after-deactivate";
export const KILL_POINTS: readonly KillPoint[] = [
  "after-create",
  "after-vault",
  "during-rollout",
  "after-deactivate",
];

/** Seconds both secrets stay ACTIVE before the old one is retired: stands in for Vault write + rollout. */
const OVERLAP_SECONDS = 3;
const UP = ["up", "--yes", "--skip-preview"];

export interface KillOutcome {
  point: KillPoint;
  generation: number;
  /** The `up` right after the kill, without `pulumi cancel`: refused (the stack is locked). */
  upWithoutCancel?: { code: number | null; asksForCancel: boolean };
  /** What `pulumi preview` said after `pulumi cancel`: the steps it will finish. */
  previewSteps: string[];
  converged: boolean;
  /** Ran after `pulumi cancel`; the output when it failed. */
  convergeError?: string;
  monitor: MonitorStats;
  /** Secrets in Okta that the stack's state does not know. */
  orphans: number;
  pendingOperationsLeft: number;
  noChangesAfter: boolean;
}

export interface FaultOutcome {
  faults: string;
  /** The first `up` under faults; `clearError`: it succeeded, or its error says what to do. */
  firstUp: { code: number | null; ms: number; clearError: boolean };
  /** Converged after the faults were lifted (1 more `up` if the first stopped). */
  converged: boolean;
  retries429: number;
  monitor: MonitorStats;
  orphans: number;
}

export interface FaultDrillResult {
  kills: KillOutcome[];
  faults: FaultOutcome[];
}

const STEP_LINE = /^\s*([+~-]{1,2}|\+-)\s*pulumi-nodejs:dynamic\/okta-rotation:(\w+):\s*\((\w[\w-]*)\)/;

/** The resource steps a `pulumi preview --diff` announces, e.g. `ClientSecret replace`. */
export function previewSteps(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => STEP_LINE.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[2]} ${m[3]}`);
}

class Drill {
  held: string[] = [];
  constructor(
    readonly okta: OktaLocal,
    readonly stack: CliStack,
    readonly appId: string,
    readonly seeded: string,
  ) {}

  app(generation: number) {
    return {
      name: "svc",
      appId: this.appId,
      generation,
      adoptSecretId: this.seeded,
      gates: { minOverlapSeconds: OVERLAP_SECONDS },
    };
  }

  /**
   * Pods hold the ACTIVE secret they had before the run until the new one has been ACTIVE for the overlap
   * (their rollout), then the new one. The monitor flags a sample where what they hold is not ACTIVE.
   */
  monitor(): Monitor {
    const before = this.okta.listSecrets(this.appId).filter((s) => s.status === "ACTIVE");
    const old = new Set(before.map((s) => s.id));
    return new Monitor(
      () => this.okta.listSecrets(this.appId),
      () => {
        const fresh = this.okta
          .listSecrets(this.appId)
          .filter((s) => !old.has(s.id) && s.status === "ACTIVE");
        const rolled = fresh.find((s) => Date.now() - Date.parse(s.created) >= OVERLAP_SECONDS * 1000);
        return rolled ? [rolled.id] : [...old];
      },
      5,
    );
  }

  async orphans(): Promise<{ orphans: number; pending: number }> {
    const state = await this.stack.exportState();
    const known = new Set((state.resources ?? []).map((r) => r.id));
    return {
      orphans: this.okta.listSecrets(this.appId).filter((s) => !known.has(s.id)).length,
      pending: (state.pending_operations ?? []).length,
    };
  }

  async killAt(point: KillPoint): Promise<CliResult> {
    const from = this.okta.requestLog.length;
    const run = this.stack.start(UP);
    const seen = (method: string, re: RegExp) =>
      this.okta.requestLog
        .slice(from)
        .find((e) => e.method === method && re.test(e.path) && e.status >= 200 && e.status < 300);
    const delayAfterCreate = point === "after-vault" ? 300 : point === "during-rollout" ? 1500 : 0;
    const timer = setInterval(() => {
      const hit =
        point === "after-deactivate"
          ? seen("POST", /\/lifecycle\/deactivate$/)
          : seen("POST", /\/credentials\/secrets$/);
      if (hit && Date.now() - hit.time >= delayAfterCreate) {
        clearInterval(timer);
        run.kill();
      }
    }, 2);
    const r = await run.done;
    clearInterval(timer);
    return r;
  }
}

/**
 * Kills `pulumi up` of a one-app rotation at each step boundary and runs it again; then rotates under Okta
 * faults. Everything is observed from the local Okta's state (no API call, no rate limit).
 */
export async function runFaultDrill(
  opts: {
    points?: readonly KillPoint[];
    faults?: boolean;
    /** Also try `up` without `pulumi cancel` after every kill (default: after the first only). */
    everyVariant?: boolean;
    log?: (l: string) => void;
  } = {},
): Promise<FaultDrillResult> {
  const log = opts.log ?? (() => undefined);
  const okta = await startOktaLocal({ apps: [{ label: "drill" }], rateLimits: { apps: 1e6, app: 1e6 } });
  const appId = okta.apps[0]!.id;
  const seeded = okta.listSecrets(appId)[0]!.id;
  const stack = await createCliStack(`fault-drill-${process.pid}`, {
    OKTA_ORG_URL: okta.orgUrl,
    OKTA_API_TOKEN: okta.apiToken,
    OKTA_ROTATION_RETRY_BASE_MS: "100",
    OKTA_ROTATION_RETRY_MAX_MS: "1000",
    OKTA_ROTATION_REQUEST_TIMEOUT_MS: "5000",
  });
  const d = new Drill(okta, stack, appId, seeded);
  const result: FaultDrillResult = { kills: [], faults: [] };
  try {
    let generation = 1;
    stack.setApps([d.app(generation)]);
    const first = await stack.run(UP);
    if (first.code !== 0) throw new Error(`set-up up failed:\n${first.stdout}${first.stderr}`);

    for (const point of opts.points ?? KILL_POINTS) {
      generation++;
      log(`kill at ${point} (generation ${generation})`);
      stack.setApps([d.app(generation)]);
      const monitor = d.monitor();
      monitor.start();
      await d.killAt(point);
      // Without `pulumi cancel` the file backend's lock from the killed run refuses the next up.
      const retry = result.kills.length === 0 || opts.everyVariant ? await stack.run(UP) : undefined;
      // A kill while the file backend rewrote its checkpoint's sidecar leaves it empty (docs/operations.md).
      removeEmptyBackendSidecars(stack.backendDir);
      await stack.run(["cancel", "--yes"]);
      // The killed create is a pending CREATE in the state; only this clears it without a prompt.
      await stack.run(["refresh", "--yes", "--clear-pending-creates"]);
      const preview = await stack.run(["preview", "--diff"]);
      const up = await stack.run(UP);
      const stats = monitor.stop();
      const { orphans, pending } = await d.orphans();
      const after = await stack.run(["preview", "--diff", "--expect-no-changes"]);
      result.kills.push({
        point,
        generation,
        ...(retry
          ? {
              upWithoutCancel: {
                code: retry.code,
                asksForCancel: /pulumi cancel/.test(retry.stderr + retry.stdout),
              },
            }
          : {}),
        previewSteps: previewSteps(preview.stdout),
        converged: up.code === 0,
        ...(up.code !== 0 ? { convergeError: (up.stdout + up.stderr).slice(-2000) } : {}),
        monitor: stats,
        orphans,
        pendingOperationsLeft: pending,
        noChangesAfter: after.code === 0,
      });
    }

    if (opts.faults !== false) {
      const storms: { name: string; rules: FaultRule[]; limit?: { apps: number; windowSeconds: number } }[] =
        [
          { name: "429 storm (1 request per 5 s window)", rules: [], limit: { apps: 1, windowSeconds: 5 } },
          {
            name: "5% 5xx, 5% dropped connections, +150 ms latency",
            rules: [{ path: "^/api/v1/apps", errorRate: 0.05, dropRate: 0.05, latencyMs: 150 }],
          },
        ];
      for (const storm of storms) {
        generation++;
        log(`faults: ${storm.name} (generation ${generation})`);
        stack.setApps([d.app(generation)]);
        const monitor = d.monitor();
        monitor.start();
        const from = okta.requestLog.length;
        okta.setFaults(storm.rules);
        if (storm.limit) okta.setRateLimits(storm.limit);
        const up = await stack.run(UP);
        okta.setFaults([]);
        okta.setRateLimits({ apps: 1e6, app: 1e6, windowSeconds: 60 });
        const text = up.stdout + up.stderr;
        let converged = up.code === 0;
        if (!converged) converged = (await stack.run(UP)).code === 0;
        const stats = monitor.stop();
        result.faults.push({
          faults: storm.name,
          firstUp: {
            code: up.code,
            ms: up.ms,
            clearError: up.code === 0 || /What to do: /.test(text),
          },
          converged,
          retries429: okta.requestLog.slice(from).filter((e) => e.status === 429).length,
          monitor: stats,
          orphans: (await d.orphans()).orphans,
        });
      }
    }
    return result;
  } finally {
    await stack.dispose();
    await okta.close();
  }
}

/** The drill as lines of text. */
export function formatFaultDrill(r: FaultDrillResult): string[] {
  const lines = [
    "Fault drill (SIGKILL of pulumi up at each step boundary; then pulumi cancel, refresh --clear-pending-creates, preview, up):",
  ];
  for (const k of r.kills) {
    lines.push(
      `  ${k.point.padEnd(17)} gen ${k.generation}: ` +
        (k.upWithoutCancel
          ? `up without cancel exit ${k.upWithoutCancel.code}${k.upWithoutCancel.asksForCancel ? " (asks for pulumi cancel)" : ""}; `
          : "") +
        `preview: ${k.previewSteps.join(", ") || "no changes"}; ` +
        `converged ${k.converged ? "yes" : "NO"}; max ${k.monitor.maxOnApp} secrets, min ${k.monitor.minActive} ACTIVE, ` +
        `held-inactive samples ${k.monitor.heldInactiveSamples}, orphans ${k.orphans}, pending ops ${k.pendingOperationsLeft}`,
    );
  }
  for (const f of r.faults) {
    lines.push(
      `  ${f.faults}: first up exit ${f.firstUp.code} in ${(f.firstUp.ms / 1000).toFixed(1)} s, ${f.retries429} × 429; ` +
        `converged ${f.converged ? "yes" : "NO"}; max ${f.monitor.maxOnApp} secrets, min ${f.monitor.minActive} ACTIVE, ` +
        `held-inactive samples ${f.monitor.heldInactiveSamples}, orphans ${f.orphans}`,
    );
  }
  return lines;
}
