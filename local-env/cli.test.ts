// `npm run -s local-env` as people use it: the export lines it prints work, and SIGTERM (or Ctrl-C) stops every
// server and removes what they kept on disk — the cluster's CA and admin keys, etcd's data. Needs the cluster's
// binaries (scripts/install-kube.sh, run by npm test first).
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");

interface Run {
  child: ChildProcess;
  ready: Promise<void>;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm run -s local-env` with its temporary files in `tmp`, in a process group of its own (like a terminal's). */
function start(tmp: string): Run {
  const child = spawn("npm", ["run", "-s", "local-env"], {
    cwd: root,
    env: { ...process.env, TMPDIR: tmp },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  // Ready once it says so on stderr and its export lines have come through stdout: the two pipes are read
  // independently, so either may arrive first.
  let onOutput = () => undefined as void;
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
    onOutput();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    onOutput = () => {
      if (
        /local-env: ready in /.test(err) &&
        ["OKTA_APP_ID", "PATH"].every((k) => new RegExp(`^export ${k}=.*$`, "m").test(out))
      )
        resolve();
    };
    child.stderr!.on("data", (c: Buffer) => {
      err += c.toString();
      onOutput();
    });
    void exit.then(() => reject(new Error(`local-env exited before it was ready:\n${err}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, stdout: () => out, stderr: () => err, exit };
}

/** The exported variables of the printed lines, as a shell would read them. */
function exported(lines: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of lines.matchAll(/^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/gm))
    vars[m[1]!] = m[2]!.replace(/'\\''/g, "'");
  return vars;
}

/** What local-env left in `tmp`, apart from tsx's compile cache. */
function leftIn(tmp: string): string[] {
  return fs.readdirSync(tmp).filter((f) => !f.startsWith("tsx-"));
}

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

let current: Run | undefined;
const tmps: string[] = [];
afterEach(() => {
  if (current?.child.pid && current.child.exitCode === null) process.kill(-current.child.pid, "SIGKILL");
  for (const t of tmps.splice(0)) fs.rmSync(t, { recursive: true, force: true });
});

describe("npm run -s local-env", () => {
  for (const [how, signal, group] of [
    ["SIGTERM to the process group", "SIGTERM", true],
    ["Ctrl-C (SIGINT to the process group)", "SIGINT", true],
    // A supervisor that signals npm alone: npm passes it to its script, which `exec`s tsx (a shell in between
    // would die of it and leave the program running), and tsx passes it to the program.
    ["SIGTERM to npm alone", "SIGTERM", false],
  ] as const) {
    it(`prints what a shell needs, and on ${how} stops everything and removes its files`, async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "local-env-test-"));
      tmps.push(tmp);
      current = start(tmp);
      await current.ready;
      const vars = exported(current.stdout());
      // The seeded app, the rate limits it runs with, a PATH for the user's shell.
      expect(vars.OKTA_APP_ID).toMatch(/^0oa/);
      expect(vars.OKTA_APP_SECRET_ID).toMatch(/^ocs/);
      expect(current.stderr()).toContain(`app ${vars.OKTA_APP_ID} (OKTA_APP_ID)`);
      expect(current.stderr()).toMatch(/local-env: Okta rate limits: \/api\/v1\/apps\* \d+ and/);
      const apps = await fetch(`${vars.OKTA_ORG_URL}/api/v1/apps/${vars.OKTA_APP_ID}`, {
        headers: { Authorization: `SSWS ${vars.OKTA_API_TOKEN}`, Accept: "application/json" },
      });
      expect(apps.status).toBe(200);
      const pathDirs = vars.PATH!.split(path.delimiter);
      expect(pathDirs.filter((d) => /node_modules[\\/]\.bin|node-gyp-bin/.test(d))).toEqual([]);
      expect(pathDirs.length).toBeGreaterThan(0);
      // While it runs, the cluster's directory holds its keys and etcd's data.
      const dirs = leftIn(tmp).filter((f) => f.startsWith("okta-rotation-cluster-"));
      expect(dirs).toHaveLength(1);
      const clusterDir = path.join(tmp, dirs[0]!);
      expect(fs.existsSync(path.join(clusterDir, "ca.key"))).toBe(true);
      expect(fs.existsSync(path.join(clusterDir, "etcd-data"))).toBe(true);
      expect(path.dirname(vars.KUBECONFIG!)).toBe(clusterDir);

      process.kill(group ? -current.child.pid! : current.child.pid!, signal);
      const { code, signal: by } = await current.exit;
      expect(code !== 0 || by !== null).toBe(true);
      // npm may exit before the program it ran has finished: wait for that (at most 30 s), then nothing is left
      // and nothing listens.
      for (let i = 0; i < 60 && leftIn(tmp).length > 0; i++) await new Promise((r) => setTimeout(r, 500));
      expect(leftIn(tmp)).toEqual([]);
      expect(await reachable(vars.OKTA_ORG_URL!)).toBe(false);
      expect(await reachable(`${vars.VAULT_ADDR}/v1/sys/health`)).toBe(false);
    }, 600_000);
  }
});
