// `okta-rotation-due` (`npm run due`): which apps' current credential is older than their
// `maxCredentialAgeDays`, and with `--write`, the generation bumps that rotate them, written into the stack
// config file for a pull request (docs/operations.md#rotation-when-due).
//
//   okta-rotation-due [--stack <name> | --config-file <path>] [--as-of <date>] [--json] [--write]
//
// Exit codes: see EXIT in due.ts.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { ConfigError, parseAppsConfig, type AppConfig } from "../components/config";
import { OktaConfigError } from "../dynamic/oktaSettings";
import {
  applyBumps,
  configSource,
  DEFAULT_PROJECT,
  readStackConfig,
  StackConfigFileError,
  sharedBumps,
} from "./configFile";
import { appsToBump, dueRow, exitCodeOf, EXIT, formatTable, type DueRow } from "./due";
import { listCredentials, oktaReader, type CredentialReader } from "./okta";

export const USAGE = `usage: okta-rotation-due [--stack <name> | --config-file <path>] [--as-of <date>] [--json] [--write]

Reads the stack config file (Pulumi.<stack>.yaml), each app's current client secret (or, for private_key_jwt
apps, its current key) from Okta, and reports its age against maxCredentialAgeDays.
  --stack <name>        the stack: reads Pulumi.<name>.yaml here, and its outputs (audit records) for --json
  --config-file <path>  the stack config file to read (and write)
  --as-of <date>        measure the ages at this date (YYYY-MM-DD, UTC midnight, or an ISO 8601 time): what will be
                        due then; default now
  --json                print the report as JSON
  --write               bump generation (or privateKeyJwt.keyGeneration) of each due app in the file
Okta: the file's okta:* / okta-credential-rotation:oktaOrgUrl keys, else OKTA_ORG_URL and OKTA_API_TOKEN, or the service app's
OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY [, OKTA_API_PRIVATE_KEY_ID] (okta.apps.read is enough).
Exit: 0 nothing due (or all due apps bumped), 1 error (nothing written), 2 usage, 3 due without --write,
4 --write refused a due app in an unfinished state (the others were bumped).`;

export interface DueOptions {
  readonly stack?: string;
  readonly configFile?: string;
  readonly json: boolean;
  readonly write: boolean;
  /** `--as-of`: the time the ages are measured at (epoch ms). */
  readonly asOfMs?: number;
}

/** The options, or a usage error message. Pure. */
export function parseArgs(argv: readonly string[]): DueOptions | { readonly usage: string } {
  let stack: string | undefined;
  let configFile: string | undefined;
  let json = false;
  let write = false;
  let asOfMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] =
      a.startsWith("--") && a.includes("=")
        ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
        : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      if (flag === "--stack" || flag === "-s") stack = value();
      else if (flag === "--config-file") configFile = value();
      else if (flag === "--as-of") {
        const given = value();
        const ms = /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(given) ? Date.parse(given) : NaN;
        if (Number.isNaN(ms)) return { usage: `--as-of needs a date, e.g. 2027-01-31 (got ${given})` };
        asOfMs = ms;
      } else if (flag === "--json") json = true;
      else if (flag === "--write") write = true;
      else if (flag === "--help" || flag === "-h") return { usage: "" };
      else return { usage: `unknown option ${flag}` };
    } catch (err) {
      return { usage: (err as Error).message };
    }
  }
  if (stack !== undefined && configFile !== undefined) {
    return { usage: "give --stack or --config-file, not both" };
  }
  if (stack === undefined && configFile === undefined) {
    return { usage: "give --stack <name> or --config-file <path>" };
  }
  return {
    ...(stack !== undefined ? { stack } : {}),
    ...(configFile !== undefined ? { configFile } : {}),
    json,
    write,
    ...(asOfMs !== undefined ? { asOfMs } : {}),
  };
}

/** The project name from the Pulumi.yaml next to the stack config file, if any. */
function projectOf(dir: string): string {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) return DEFAULT_PROJECT;
  const name = parseDocument(fs.readFileSync(file, "utf8")).get("name");
  return typeof name === "string" && name !== "" ? name : DEFAULT_PROJECT;
}

/** Each app's stack output `rotations.<app>.audit`, read with the Pulumi CLI from the stack's backend. */
function readAuditRecords(
  stack: string,
  cwd: string,
): Promise<{ records: Record<string, unknown> } | { unavailable: string }> {
  return new Promise((resolve) => {
    execFile(
      "pulumi",
      ["stack", "output", "rotations", "--json", "--stack", stack, "--non-interactive"],
      { cwd, env: process.env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const why = (stderr || err.message).trim().split("\n")[0] ?? "";
          resolve({ unavailable: `pulumi stack output of stack '${stack}' failed: ${why}` });
          return;
        }
        try {
          const rotations = JSON.parse(stdout) as Record<string, { audit?: unknown } | undefined>;
          const records: Record<string, unknown> = {};
          for (const [app, r] of Object.entries(rotations ?? {})) records[app] = r?.audit ?? null;
          resolve({ records });
        } catch {
          resolve({ unavailable: `pulumi stack output of stack '${stack}' did not print JSON` });
        }
      },
    );
  });
}

export interface DueIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The time the ages are measured at (default: now). */
  readonly nowMs?: number;
  /** The Okta client (default: the providers' connection from the stack config and the environment). */
  readonly reader?: CredentialReader;
}

/** Runs the command; returns its exit code. Prints the report on stdout, problems on stderr. */
export async function runDue(argv: readonly string[], io: DueIo): Promise<number> {
  const opts = parseArgs(argv);
  if ("usage" in opts) {
    if (opts.usage === "") {
      io.stdout(`${USAGE}\n`);
      return EXIT.ok;
    }
    io.stderr(`okta-rotation-due: ${opts.usage}\n${USAGE}\n`);
    return EXIT.usage;
  }
  const file = path.resolve(io.cwd, opts.configFile ?? `Pulumi.${opts.stack}.yaml`);
  const project = projectOf(path.dirname(file));
  let apps: AppConfig[];
  let text: string;
  let appsKey: string;
  let reader: CredentialReader;
  try {
    if (!fs.existsSync(file)) {
      throw new StackConfigFileError(
        `${file} does not exist: give --stack <name> in the project's directory, or --config-file <path>`,
      );
    }
    text = fs.readFileSync(file, "utf8");
    const config = readStackConfig(text, project, file);
    appsKey = config.appsKey;
    apps = parseAppsConfig(config.apps, project);
    reader = io.reader ?? (await oktaReader(configSource(config.settings, project)));
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StackConfigFileError || err instanceof OktaConfigError) {
      io.stderr(`okta-rotation-due: ${err.message}\n`);
      return EXIT.error;
    }
    throw err;
  }

  const nowMs = opts.asOfMs ?? io.nowMs ?? Date.now();
  const listings = await listCredentials(reader, apps);
  let rows: DueRow[] = apps.map((app) => dueRow(app, listings.get(app.name)!, nowMs));
  if (opts.write) {
    // A value shared with another app through YAML anchors cannot be bumped for one app alone: refused, by app.
    const names = apps.map((a) => a.name);
    const candidates = appsToBump(rows).map((r) => ({
      index: names.indexOf(r.app),
      field: r.field,
      from: r.generation,
    }));
    const shared = sharedBumps(text, appsKey, candidates, names, file);
    rows = rows.map((r) => {
      const reason = shared.get(names.indexOf(r.app));
      return reason === undefined ? r : { ...r, refused: reason };
    });
  }
  const code = exitCodeOf(rows, opts.write);

  const written: string[] = [];
  if (opts.write && code !== EXIT.error) {
    const bumps = appsToBump(rows).map((r) => ({
      index: apps.findIndex((a) => a.name === r.app),
      field: r.field,
      from: r.generation,
    }));
    if (bumps.length > 0) {
      try {
        fs.writeFileSync(
          file,
          applyBumps(
            text,
            appsKey,
            bumps,
            file,
            apps.map((a) => a.name),
          ),
        );
      } catch (err) {
        if (err instanceof StackConfigFileError) {
          io.stderr(`okta-rotation-due: ${err.message}\n`);
          return EXIT.error;
        }
        throw err;
      }
      written.push(...bumps.map((b) => apps[b.index]!.name));
    }
  }

  if (opts.json) {
    const audit =
      opts.stack !== undefined ? await readAuditRecords(opts.stack, path.dirname(file)) : undefined;
    const report = {
      configFile: file,
      checkedAt: new Date(nowMs).toISOString(),
      apps: rows.map((r) =>
        audit !== undefined && "records" in audit ? { ...r, audit: audit.records[r.app] ?? null } : r,
      ),
      due: rows.filter((r) => r.due).map((r) => r.app),
      written,
      exitCode: code,
      ...(audit === undefined
        ? {
            auditRecords:
              "not read: give --stack <name>, with access to the stack's backend, to include them",
          }
        : "unavailable" in audit
          ? { auditRecords: `not read: ${audit.unavailable}` }
          : {}),
    };
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    io.stdout(`${formatTable(rows, opts.write)}\n`);
    if (written.length > 0) io.stdout(`bumped in ${file}: ${written.join(", ")}\n`);
  }
  return code;
}

/** The command-line entry point: `npm run due`, `npx okta-rotation-due` (bin.ts). */
export function main(): void {
  runDue(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`okta-rotation-due: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.error;
    },
  );
}

if (require.main === module) main();
