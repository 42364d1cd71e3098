// A real Vault server for the local environment: `vault server -dev` on loopback, KV v2 at `secret/`, a random
// root token. State lives in memory and is gone when the process stops. Plus two reads on Vault's HTTP API that
// tests and the fleet use to see what a rotation wrote.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { freePort } from "./processes";

const REPO_ROOT = path.resolve(__dirname, "..");

export interface VaultDevOptions {
  /** The `vault` binary; default `VAULT_BIN`, else the one `scripts/install-vault.sh` provides. */
  readonly vaultBin?: string;
  /** Loopback port; default a free one. */
  readonly port?: number;
  /** How long to wait for `GET /v1/sys/health` (ms); default 60 000 (the binary is large, the cores shared). */
  readonly startTimeoutMs?: number;
}

export interface VaultDev {
  /** `http://127.0.0.1:<port>` */
  readonly address: string;
  /** The root token (random per start). */
  readonly token: string;
  /** Stops the server; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Where a server to read from is: `startVault()`'s answer fits. */
export interface VaultEndpoint {
  readonly address: string;
  readonly token: string;
}

/** The `vault` binary: `VAULT_BIN`, else the directory `scripts/install-vault.sh` prints (cached after one build). */
export function vaultBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VAULT_BIN) return env.VAULT_BIN;
  const script = path.join(REPO_ROOT, "scripts", "install-vault.sh");
  let dir: string;
  try {
    dir = execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  } catch (e) {
    throw new Error(
      `startVault: no Vault binary: set VAULT_BIN, or let scripts/install-vault.sh build one (it failed: ${(e as Error).message})`,
    );
  }
  return path.join(dir, "vault");
}

/** What the server said when it stopped: its error lines, else the end of its log. */
function startFailure(log: string): string {
  const errors = log.split("\n").filter((l) => /error/i.test(l));
  return (errors.length > 0 ? errors.slice(0, 5).join("\n") : log.slice(-1000)).trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `vault server -dev` on 127.0.0.1 with a random root token, waits until `GET /v1/sys/health` answers,
 * checks that KV v2 is mounted at `secret/`, and returns its address and token. The server is killed by `stop()`,
 * and when this process exits.
 */
export async function startVault(opts: VaultDevOptions = {}): Promise<VaultDev> {
  const bin = opts.vaultBin ?? vaultBinary();
  if (!fs.existsSync(bin))
    throw new Error(`startVault: no Vault binary at ${bin} (VAULT_BIN or scripts/install-vault.sh)`);
  const port = opts.port ?? (await freePort());
  // Vault refuses a custom token id with its own `hvs.` prefix.
  const token = `dev-${randomBytes(18).toString("hex")}`;
  const address = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    bin,
    [
      "server",
      "-dev",
      `-dev-listen-address=127.0.0.1:${port}`,
      `-dev-root-token-id=${token}`,
      "-dev-no-store-token",
    ],
    // The dev server prints the root token and unseal key on stdout: not passed on.
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderrTail = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderrTail = (stderrTail + b.toString("utf8")).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  const killOnExit = () => {
    if (alive) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (alive) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => alive && child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (!alive) throw new Error(`startVault: vault exited before answering: ${startFailure(stderrTail)}`);
      try {
        const res = await fetch(`${address}/v1/sys/health`);
        if (res.status === 200) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline)
        throw new Error(`startVault: no answer from ${address}/v1/sys/health in time`);
      await sleep(100);
    }
    const mount = await vaultRequest({ address, token }, "GET", "sys/mounts/secret");
    const body = (await mount.json()) as { type?: string; options?: { version?: string } };
    if (mount.status !== 200 || body.type !== "kv" || body.options?.version !== "2") {
      throw new Error(`startVault: secret/ is not a KV v2 mount (HTTP ${mount.status}, type ${body.type})`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { address, token, stop };
}

/** One call to Vault's HTTP API with the endpoint's token. */
export async function vaultRequest(
  vault: VaultEndpoint,
  method: string,
  apiPath: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${vault.address.replace(/\/+$/, "")}/v1/${apiPath.replace(/^\/+/, "")}`, {
    method,
    headers: {
      "X-Vault-Token": vault.token,
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
}

async function vaultErrors(res: Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { errors?: unknown[] };
  return Array.isArray(body.errors) && body.errors.length > 0
    ? body.errors.map(String).join("; ")
    : "no detail";
}

export interface KvVersion {
  /** The version's data; `undefined` when the version is deleted or destroyed. */
  readonly data: Record<string, unknown> | undefined;
  readonly version: number;
  readonly createdTime: string;
  /** Set when the version is (soft-)deleted. */
  readonly deletionTime: string;
  readonly destroyed: boolean;
}

/**
 * Reads a KV v2 entry (`GET <mount>/data/<path>`), the latest version or `version`. `undefined` when the entry has no
 * such version (or no metadata at all); a deleted version comes back with `data: undefined` and its deletion time.
 */
export async function readKv(
  vault: VaultEndpoint,
  mount: string,
  entryPath: string,
  version?: number,
): Promise<KvVersion | undefined> {
  const query = version !== undefined ? `?version=${version}` : "";
  const res = await vaultRequest(vault, "GET", `${mount}/data/${entryPath}${query}`);
  if (res.status !== 200 && res.status !== 404) {
    throw new Error(`readKv ${mount}/data/${entryPath}: HTTP ${res.status}: ${await vaultErrors(res)}`);
  }
  const body = (await res.json()) as {
    data?: {
      data?: Record<string, unknown> | null;
      metadata?: { version: number; created_time: string; deletion_time: string; destroyed: boolean };
    };
  };
  const m = body.data?.metadata;
  if (!m) return undefined;
  return {
    data: body.data?.data ?? undefined,
    version: m.version,
    createdTime: m.created_time,
    deletionTime: m.deletion_time,
    destroyed: m.destroyed,
  };
}

export interface KvMetadata {
  readonly currentVersion: number;
  readonly oldestVersion: number;
  readonly maxVersions: number;
  readonly casRequired: boolean;
  readonly customMetadata: Record<string, string> | null;
  /** Per version: when it was created, whether it is deleted (`deletionTime` set) or destroyed. */
  readonly versions: Record<string, { createdTime: string; deletionTime: string; destroyed: boolean }>;
}

/** Reads a KV v2 entry's metadata (`GET <mount>/metadata/<path>`); `undefined` when the entry does not exist. */
export async function kvMetadata(
  vault: VaultEndpoint,
  mount: string,
  entryPath: string,
): Promise<KvMetadata | undefined> {
  const res = await vaultRequest(vault, "GET", `${mount}/metadata/${entryPath}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) {
    throw new Error(
      `kvMetadata ${mount}/metadata/${entryPath}: HTTP ${res.status}: ${await vaultErrors(res)}`,
    );
  }
  const { data } = (await res.json()) as {
    data: {
      current_version: number;
      oldest_version: number;
      max_versions: number;
      cas_required: boolean;
      custom_metadata: Record<string, string> | null;
      versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
    };
  };
  const versions: KvMetadata["versions"] = {};
  for (const [v, info] of Object.entries(data.versions ?? {})) {
    versions[v] = {
      createdTime: info.created_time,
      deletionTime: info.deletion_time,
      destroyed: info.destroyed,
    };
  }
  return {
    currentVersion: data.current_version,
    oldestVersion: data.oldest_version,
    maxVersions: data.max_versions,
    casRequired: data.cas_required,
    customMetadata: data.custom_metadata,
    versions,
  };
}
