import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT, REPO_ROOT, pulumiCommand } from "./harness";

/** The outcome of one `pulumi` command. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A running `pulumi` command that can be killed like a user's Ctrl-\ or an OOM-killed CI job. */
export interface CliRun {
  child: ChildProcess;
  done: Promise<CliResult>;
  /**
   * SIGKILL to the CLI's process group (the CLI, the language host, the program) and to every process below the
   * CLI: the CLI starts each resource plugin in a process group of its own, which a killed CLI leaves running.
   */
  kill(): void;
}

/**
 * A stack of this project's own program driven by spawning the `pulumi` binary directly (not the
 * Automation API), so that a run can be SIGKILLed at any moment. File backend in a temp dir, passphrase
 * secrets provider, config written straight to `Pulumi.<stack>.yaml`.
 */
export interface CliStack {
  name: string;
  backendDir: string;
  env: Record<string, string>;
  /** Writes the `apps` stack config. */
  setApps(apps: unknown[]): void;
  start(args: string[]): CliRun;
  run(args: string[]): Promise<CliResult>;
  /** The stack's state as `pulumi stack export` prints it. */
  exportState(): Promise<{ resources?: StateResource[]; pending_operations?: unknown[] }>;
  dispose(): Promise<void>;
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
  delete?: boolean;
}

/**
 * `cwd`: the program's directory (default: this project's). `backendDir`: share another stack's file backend.
 */
export async function createCliStack(
  name: string,
  env: Record<string, string>,
  where: { cwd?: string; backendDir?: string } = {},
): Promise<CliStack> {
  const cwd = where.cwd ?? REPO_ROOT;
  const backendDir = where.backendDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "okta-rotation-state-"));
  const ownBackend = where.backendDir === undefined;
  const pulumiPath = (await pulumiCommand()).command;
  const fullEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    PULUMI_HOME: process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"),
    PATH: `${path.dirname(pulumiPath)}${path.delimiter}${process.env.PATH ?? ""}`,
    ...env,
  };
  const configFile = path.join(cwd, `Pulumi.${name}.yaml`);

  const start = (args: string[]): CliRun => {
    const t0 = performance.now();
    const child = spawn(pulumiPath, [...args, "--stack", name, "--non-interactive", "--color", "never"], {
      cwd,
      env: fullEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliResult>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, signal) =>
        resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 }),
      );
    });
    return {
      child,
      done,
      kill() {
        killTree(child.pid!);
      },
    };
  };
  const run = (args: string[]) => start(args).done;

  const init = await run(["stack", "init", "--secrets-provider", "passphrase"]);
  if (init.code !== 0) throw new Error(`pulumi stack init ${name} failed: ${init.stderr || init.stdout}`);

  return {
    name,
    backendDir,
    env: fullEnv,
    setApps(apps) {
      const text = fs.existsSync(configFile) ? fs.readFileSync(configFile, "utf8") : "";
      const keep = text
        .split("\n")
        .filter((l) => !l.startsWith(`  ${PROJECT}:apps:`) && l.trim() !== "config:" && l.trim() !== "");
      // A JSON string is a valid YAML double-quoted scalar; the program reads it with getObject.
      fs.writeFileSync(
        configFile,
        [...keep, "config:", `  ${PROJECT}:apps: ${JSON.stringify(JSON.stringify(apps))}`, ""].join("\n"),
      );
    },
    start,
    run,
    async exportState() {
      const r = await run(["stack", "export"]);
      if (r.code !== 0) throw new Error(`pulumi stack export failed: ${r.stderr}`);
      return JSON.parse(r.stdout).deployment;
    },
    async dispose() {
      await run(["stack", "rm", "--yes", "--force"]).catch(() => undefined);
      fs.rmSync(configFile, { force: true });
      if (ownBackend) fs.rmSync(backendDir, { recursive: true, force: true });
    },
  };
}

/**
 * SIGKILL to the process group `pid` leads and to every process below it, found before the kill (once the CLI is
 * gone its plugins' parent is init, and each plugin leads a process group of its own).
 */
export function killTree(pid: number): void {
  for (const target of [-pid, ...descendants(pid)]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** The pids of every process below `pid` (Linux /proc; none elsewhere). */
export function descendants(pid: number): number[] {
  if (!fs.existsSync("/proc")) return [];
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // Exited meanwhile.
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after its last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

/** Okta management writes (non-GET /api/v1 calls) in a request log slice; a 429 refusal wrote nothing. */
export function managementWrites(
  log: ReadonlyArray<{ method: string; path: string; status: number }>,
): string[] {
  return log
    .filter((e) => e.path.startsWith("/api/v1/") && e.method !== "GET" && e.status !== 429)
    .map((e) => `${e.method} ${e.path}`);
}
