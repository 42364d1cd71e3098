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
import { PACKAGE_CONFIG_NAMESPACE } from "../components/settings";
import {
  applyBumps,
  applyGenerationBumps,
  configSource,
  DEFAULT_PROJECT,
  hasAppsKey,
  readComponentStackConfig,
  readStackConfig,
  StackConfigFileError,
  sharedBumps,
  sharedGenerationBumps,
  type GenerationBump,
} from "./configFile";
import {
  appsToBump,
  credentialKind,
  dueRow,
  exitCodeOf,
  EXIT,
  formatTable,
  targetOfApp,
  type DueRow,
} from "./due";
import { componentTargets, rotationsOfState } from "./stackState";
import { listCredentials, oktaReader, type CredentialReader } from "./okta";

export const USAGE = `usage: okta-rotation-due [--stack <name> | --config-file <path>] [--as-of <date>] [--max-age-days <n>]
                         [--json] [--write]

Reads the stack config file (Pulumi.<stack>.yaml), each app's current client secret (or, for private_key_jwt
apps, its current key) from Okta, and reports its age against maxCredentialAgeDays. A stack whose config has no
<project>:apps list is a program that uses the components: its SecretRotation and KeyRotation resources are read
from the stack's state (pulumi stack export), and a bump raises okta-credential-rotation:generations.<name>
(keyGenerations.<name>), where such a program keeps its generations (docs/operations.md#rotation-when-due).
  --stack <name>        the stack: reads Pulumi.<name>.yaml here, and its outputs (audit records) for --json
  --config-file <path>  the stack config file to read (and write); not for a component program's stack
  --as-of <date>        measure the ages at this date (YYYY-MM-DD, UTC midnight, or an ISO 8601 time): what will be
                        due then; default now
  --max-age-days <n>    a component program's rotations that record no maxCredentialAgeDays are due at this age
  --json                print the report as JSON
  --write               bump generation (or privateKeyJwt.keyGeneration, or the component's entry) of each due app
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
  /** `--max-age-days`: the age limit of a component program's rotations that record none. */
  readonly maxAgeDays?: number;
}

/** The options, or a usage error message. Pure. */
export function parseArgs(argv: readonly string[]): DueOptions | { readonly usage: string } {
  let stack: string | undefined;
  let configFile: string | undefined;
  let json = false;
  let write = false;
  let asOfMs: number | undefined;
  let maxAgeDays: number | undefined;
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
      } else if (flag === "--max-age-days") {
        const given = value();
        if (!/^[1-9]\d*$/.test(given)) {
          return { usage: `--max-age-days needs a whole number of days ≥ 1 (got ${given})` };
        }
        maxAgeDays = Number(given);
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
    ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
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
  return pulumiJson(["stack", "output", "rotations", "--json"], stack, cwd).then((r) => {
    if ("unavailable" in r) return r;
    const rotations = r.json as Record<string, { audit?: unknown } | undefined> | null;
    const records: Record<string, unknown> = {};
    for (const [app, rot] of Object.entries(rotations ?? {})) records[app] = rot?.audit ?? null;
    return { records };
  });
}

/** A `pulumi … --json` command's output on a stack, parsed; or why it could not be had. */
function pulumiJson(
  args: readonly string[],
  stack: string,
  cwd: string,
): Promise<{ json: unknown } | { unavailable: string }> {
  return new Promise((resolve) => {
    execFile(
      "pulumi",
      [...args, "--stack", stack, "--non-interactive"],
      { cwd, env: process.env, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const why = (stderr || err.message).trim().split("\n")[0] ?? "";
          resolve({ unavailable: `pulumi ${args[0]} ${args[1]} of stack '${stack}' failed: ${why}` });
          return;
        }
        try {
          resolve({ json: JSON.parse(stdout) as unknown });
        } catch {
          resolve({ unavailable: `pulumi ${args[0]} ${args[1]} of stack '${stack}' did not print JSON` });
        }
      },
    );
  });
}

/** The stack's state as `pulumi stack export` prints it (only ids, names and numbers are read from it). */
function exportStack(stack: string, cwd: string): Promise<{ json: unknown } | { unavailable: string }> {
  return pulumiJson(["stack", "export"], stack, cwd);
}

export interface DueIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The time the ages are measured at (default: now). */
  readonly nowMs?: number;
  /** The Okta client (default: the providers' connection from the stack config and the environment). */
  readonly reader?: CredentialReader;
  /** The stack's state (default: `pulumi stack export --stack <name>` in the project's directory). */
  readonly exportStack?: (stack: string, cwd: string) => Promise<{ json: unknown } | { unavailable: string }>;
}

/** What the report is made of, whichever kind of program the stack runs. */
interface Judged {
  readonly rows: DueRow[];
  /** Writes the bumps of these rows into the file's text; names what it bumped. */
  readonly bump: (rows: readonly DueRow[]) => { text: string; bumped: string[] };
  /** Why each row's bump cannot be written on its own (YAML anchors and aliases), by app. */
  readonly shared: (rows: readonly DueRow[]) => Map<string, string>;
  /** The audit records for --json, if this kind of program has them at hand (else read from stack outputs). */
  readonly audit?: Record<string, unknown>;
}

class Refusal extends Error {}

/** A program with the stack config's apps list: its apps, bumped in that list. */
async function judgeApps(
  text: string,
  project: string,
  file: string,
  opts: DueOptions,
  io: DueIo,
  nowMs: number,
): Promise<Judged> {
  if (opts.maxAgeDays !== undefined) {
    throw new Refusal(
      `--max-age-days is for a program that uses the components; ${file} lists its apps, and each sets its own ` +
        `maxCredentialAgeDays`,
    );
  }
  const config = readStackConfig(text, project, file);
  const appsKey = config.appsKey;
  const apps: AppConfig[] = parseAppsConfig(config.apps, project);
  const reader = io.reader ?? (await oktaReader(configSource(config.settings, project)));
  const targets = apps.map(targetOfApp);
  const listings = await listCredentials(reader, targets);
  const names = apps.map((a) => a.name);
  const bumpsOf = (rows: readonly DueRow[]) =>
    appsToBump(rows).map((r) => {
      const app = apps.find((a) => a.name === r.app)!;
      return { index: names.indexOf(r.app), field: credentialKind(app).field, from: r.generation! };
    });
  return {
    rows: targets.map((t) => dueRow(t, listings.get(t.name)!, nowMs)),
    shared: (rows) => {
      const byIndex = sharedBumps(text, appsKey, bumpsOf(rows), names, file);
      return new Map([...byIndex].map(([index, reason]) => [names[index]!, reason]));
    },
    bump: (rows) => {
      const bumps = bumpsOf(rows);
      return {
        text: applyBumps(text, appsKey, bumps, file, names),
        bumped: bumps.map((b) => apps[b.index]!.name),
      };
    },
  };
}

/**
 * A program that uses the components: its SecretRotation and KeyRotation resources from the stack's state, bumped
 * in the stack config's `okta-credential-rotation:generations` / `keyGenerations` (components/generations.ts).
 */
async function judgeComponents(
  text: string,
  project: string,
  file: string,
  opts: DueOptions,
  io: DueIo,
  nowMs: number,
): Promise<Judged> {
  if (opts.stack === undefined) {
    throw new Refusal(
      `${file} has no ${project}:apps list, so the stack runs a program that uses the components: give --stack ` +
        `<name> in the project's directory, so its rotations are read from the stack's state`,
    );
  }
  const config = readComponentStackConfig(text, file);
  const exported = await (io.exportStack ?? exportStack)(opts.stack, path.dirname(file));
  if ("unavailable" in exported) {
    throw new Refusal(
      `${exported.unavailable}; the rotations of a component program are read from its state`,
    );
  }
  const rotations = rotationsOfState(exported.json);
  if (rotations.length === 0) {
    throw new Refusal(
      `stack '${opts.stack}' has no SecretRotation or KeyRotation in its state, and ${file} no ${project}:apps ` +
        `list: run okta-rotation-due in the directory of the project that rotates the apps, after its first pulumi up`,
    );
  }
  const judged = componentTargets(rotations, config, PACKAGE_CONFIG_NAMESPACE, opts.maxAgeDays);
  const targets = judged.flatMap((j) => ("target" in j ? [j.target] : []));
  const reader = io.reader ?? (await oktaReader(configSource(config.settings, project)));
  const listings = await listCredentials(reader, targets);
  const rows: DueRow[] = judged.map((j) =>
    "target" in j
      ? dueRow(j.target, listings.get(j.target.name)!, nowMs)
      : { app: j.name, kind: "clientSecret", field: "-", due: false, error: j.error },
  );
  const keyOf = new Map(judged.flatMap((j) => ("target" in j ? [[j.target.name, j.key] as const] : [])));
  const bumpsOf = (rs: readonly DueRow[]): GenerationBump[] =>
    appsToBump(rs).map((r) => ({ key: keyOf.get(r.app)!, name: r.app, from: r.generation! }));
  return {
    rows,
    shared: (rs) => {
      const byEntry = sharedGenerationBumps(text, bumpsOf(rs), file);
      return new Map(
        rs.flatMap((r) => {
          const reason = byEntry.get(`${keyOf.get(r.app)}.${r.app}`);
          return reason === undefined ? [] : [[r.app, reason] as const];
        }),
      );
    },
    bump: (rs) => {
      const bumps = bumpsOf(rs);
      return { text: applyGenerationBumps(text, bumps, file), bumped: bumps.map((b) => b.name) };
    },
    audit: Object.fromEntries(rotations.map((r) => [r.name, r.audit ?? null])),
  };
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
  const nowMs = opts.asOfMs ?? io.nowMs ?? Date.now();
  let judged: Judged;
  try {
    if (!fs.existsSync(file)) {
      throw new StackConfigFileError(
        `${file} does not exist: give --stack <name> in the project's directory, or --config-file <path>`,
      );
    }
    const text = fs.readFileSync(file, "utf8");
    judged = hasAppsKey(text, project, file)
      ? await judgeApps(text, project, file, opts, io, nowMs)
      : await judgeComponents(text, project, file, opts, io, nowMs);
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof StackConfigFileError ||
      err instanceof OktaConfigError ||
      err instanceof Refusal
    ) {
      io.stderr(`okta-rotation-due: ${err.message}\n`);
      return EXIT.error;
    }
    throw err;
  }

  // A value shared with another app through YAML anchors cannot be bumped for one app alone: refused, by app.
  const shared = opts.write ? judged.shared(judged.rows) : new Map<string, string>();
  const rows = judged.rows.map((r) => {
    const reason = shared.get(r.app);
    return reason === undefined ? r : { ...r, refused: reason };
  });
  const code = exitCodeOf(rows, opts.write);

  const written: string[] = [];
  if (opts.write && code !== EXIT.error && appsToBump(rows).length > 0) {
    try {
      const { text, bumped } = judged.bump(rows);
      fs.writeFileSync(file, text);
      written.push(...bumped);
    } catch (err) {
      if (err instanceof StackConfigFileError) {
        io.stderr(`okta-rotation-due: ${err.message}\n`);
        return EXIT.error;
      }
      throw err;
    }
  }

  if (opts.json) {
    const audit =
      judged.audit !== undefined
        ? { records: judged.audit }
        : opts.stack !== undefined
          ? await readAuditRecords(opts.stack, path.dirname(file))
          : undefined;
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
