// The processes a local environment starts: each logs to a file, and every one is stopped by `stopAll` — also
// when the parent exits, is interrupted (Ctrl-C) or a test fails, so no server outlives what started it, and
// the directories they kept their files in (removeOnExit) go with them.

import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

export interface Started {
  name: string;
  child: ChildProcess;
  logFile: string;
}

const running = new Set<ChildProcess>();
let hooked = false;

function killAllNow(): void {
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Gone already.
    }
  }
  running.clear();
}

/** Directories to remove when this process ends: what the servers kept on disk (keys, etcd's data). */
const ownedDirs = new Set<string>();

function removeDirsNow(): void {
  for (const dir of ownedDirs) {
    try {
      // A server killed a moment ago may still be writing (etcd's WAL): retry while the directory refills, up to
      // about five seconds (Node waits 100 ms more on each retry).
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // Best effort at exit: nothing else can be done here.
    }
  }
  ownedDirs.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // The servers first (SIGKILL), then their directories: nothing writes to them any more.
  process.on("exit", () => {
    killAllNow();
    removeDirsNow();
  });
  // Ctrl-C, kill or a closed terminal: stop the servers, then exit as the signal would (`exit` handlers of
  // other parts, such as the Vault server's, run too). The handlers stay installed: a signal to the process group
  // reaches this process twice (directly, and relayed by tsx), and with no handler left the second would end it
  // at once, part-way through removing the directories.
  const codes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
  let exiting = false;
  for (const [signal, code] of Object.entries(codes)) {
    process.on(signal, () => {
      if (exiting) return;
      exiting = true;
      killAllNow();
      process.exit(code);
    });
  }
}

/**
 * Removes `dir` when this process ends — also on Ctrl-C, SIGTERM or SIGHUP, after the servers are killed — unless
 * the returned function is called first (the directory was removed by an orderly stop).
 */
export function removeOnExit(dir: string): () => void {
  hookExit();
  ownedDirs.add(dir);
  return () => ownedDirs.delete(dir);
}

/** Starts a program with its output in `<logDir>/<name>.log`; it is killed when this process ends. */
export function startProcess(name: string, command: string, args: string[], logDir: string): Started {
  hookExit();
  const logFile = path.join(logDir, `${name}.log`);
  const out = fs.openSync(logFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", out, out], cwd: logDir });
  fs.closeSync(out);
  running.add(child);
  child.once("exit", () => running.delete(child));
  return { name, child, logFile };
}

/** The last lines of a process's log, for an error message. */
export function logTail(p: Started, lines = 15): string {
  try {
    return fs.readFileSync(p.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `ready` until it returns true; fails early if the process exits, and at the timeout with its log. */
export async function waitReady(p: Started, what: string, ready: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
      throw new Error(`${p.name} exited before ${what}:\n${logTail(p)}`);
    }
    try {
      if (await ready()) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`${p.name}: no ${what} after ${timeoutMs} ms:\n${logTail(p)}`);
    await sleep(200);
  }
}

/** Stops processes in the order given: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcesses(ps: Started[], graceMs = 5000): Promise<void> {
  for (const p of ps) {
    const child = p.child;
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  }
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
