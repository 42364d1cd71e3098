// Decides how a pull request may be previewed (.github/workflows/preview.yml), from data only: the list of files
// it changes (GitHub's "list pull request files" answer) and the text of the stack config file on both sides.
// Nothing of the pull request is run to decide.
//
// - `config`: the pull request changes only the stack config file `Pulumi.<stack>.yaml`, in place, and in it only
//   the value of `<project>:apps` (a bump by okta-rotation-due or by hand, an app added or changed). It is
//   previewed by the base branch's code with that file taken from the pull request: the code that sees the
//   stack's secrets is code that was reviewed and merged.
// - `code`: anything else — a source file, a workflow, the lock file, another stack's config, the file added,
//   removed, renamed or made a symlink, a new provider key (`okta:httpProxy`), a secure value, a secrets
//   provider, an ESC environment. Its preview runs the pull request's code, and so waits for a maintainer's
//   approval (the `preview-code` environment's required reviewers).
// - `destination`: config-only, but the change sends a credential somewhere it did not go before (a new token
//   endpoint, Vault entry, Deployment or Okta app: `credentialDestinationChanges`). Previewed like `config`; the
//   comment names each destination first, and deploy.yml carries it out only after a maintainer's approval.
//
// Usage (the workflow's): tsx scripts/review/classify-pr.ts --stack <stack> --files <files.json>
//   --base-config <Pulumi.<stack>.yaml of the base> [--pr-config <the pull request's file>] [--pr-config-type file]
//   [--project <name>]   (default: `name` of ./Pulumi.yaml)
// Prints one line of JSON, {"mode": "config" | "destination" | "code", "reasons": [...], "destinations": [...]};
// exit 0 whatever the mode, 2 on bad usage.
//   tsx scripts/review/classify-pr.ts --destinations-only --stack <stack> --base-config <file before> --config <file>
// prints {"destinations": [...]} for a pushed change (deploy.yml).

import * as fs from "fs";
import { isMap, parseDocument, visit, type Document } from "yaml";

export type PreviewMode = "config" | "destination" | "code";

/** One entry of GitHub's "list pull request files" answer (the fields used here). */
export interface ChangedFile {
  readonly filename: string;
  /** added, removed, modified, renamed, copied, changed, unchanged */
  readonly status: string;
  readonly previous_filename?: string;
}

export interface ClassifyInput {
  readonly stack: string;
  /** The Pulumi project's name (`name` in Pulumi.yaml): the apps key is `<project>:apps`. */
  readonly project: string;
  readonly files: readonly ChangedFile[];
  /** The stack config file on the base branch; undefined when it has none. */
  readonly baseConfig: string | undefined;
  /** The pull request's version of it: its text and the type GitHub reports (`file`, `symlink`, …). */
  readonly prConfig: { readonly type: string; readonly text: string } | undefined;
}

export interface Classification {
  readonly mode: PreviewMode;
  /** Why it is not config-only (empty for `config` and `destination`). */
  readonly reasons: readonly string[];
  /**
   * The credential destinations the stack config's change adds (`credentialDestinationChanges`), whatever the
   * mode; a config-only change with any is `destination`.
   */
  readonly destinations: readonly string[];
}

/** The most files GitHub lists for a pull request; a longer list may be cut, so it is never config-only. */
export const MAX_LISTED_FILES = 3000;

/** The one file a config-only pull request may change. */
export function stackConfigFile(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/**
 * A stack config file parsed strictly: one YAML document, no anchors or aliases, no tags, no duplicate keys, a
 * mapping at the top. Returns the plain value or the reason it is refused. Pure.
 */
export function parseStackConfig(
  text: string,
  which: string,
): { value: Record<string, unknown> } | { problem: string } {
  let doc: Document;
  try {
    doc = parseDocument(text, { uniqueKeys: true, merge: false, strict: true });
  } catch (err) {
    return { problem: `${which} is not valid YAML (${(err as Error).message})` };
  }
  if (doc.errors.length > 0) return { problem: `${which} is not valid YAML (${doc.errors[0]!.message})` };
  if (doc.warnings.length > 0) return { problem: `${which}: ${doc.warnings[0]!.message}` };
  let special: string | undefined;
  visit(doc, {
    Alias() {
      special = "an alias";
      return visit.BREAK;
    },
    Node(_, node) {
      if (node.anchor !== undefined) special = "an anchor";
      else if (node.tag !== undefined) special = "a tag";
      return special !== undefined ? visit.BREAK : undefined;
    },
  });
  if (special !== undefined) {
    return { problem: `${which} uses ${special}, which a stack config file does not need` };
  }
  if (!isMap(doc.contents) && doc.contents !== null) return { problem: `${which} is not a YAML mapping` };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (err) {
    return { problem: `${which} cannot be read (${(err as Error).message})` };
  }
  const config = (value ?? {}) as Record<string, unknown>;
  const node = doc.get("config", true);
  if (node !== undefined && node !== null && !isMap(node))
    return { problem: `${which}: 'config' is not a mapping` };
  return { value: config };
}

/** Structural equality of plain YAML values (key order ignored). Pure. */
export function sameYamlValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameYamlValue(x, bb[i]));
  }
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i]) &&
    ka.every((k) => sameYamlValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** Whether a config value is a plain apps value: a JSON text or a YAML list, never `secure:`. Pure. */
function plainAppsValue(v: unknown): boolean {
  if (typeof v === "string") return true;
  return Array.isArray(v) && !JSON.stringify(v).includes('"secure"');
}

/**
 * The decision. Pure: it reads nothing but its input. `config` and `destination` are both previewed with the base
 * branch's code; `destination` also names the destinations it adds at the top of the comment, and deploy.yml
 * waits for a maintainer's approval before it carries them out.
 */
export function classifyPullRequest(input: ClassifyInput): Classification {
  const decided = classifyFiles(input);
  const destinations = destinationsOfInput(input);
  if (decided.mode === "code") return { ...decided, destinations };
  return { mode: destinations.length > 0 ? "destination" : "config", reasons: [], destinations };
}

/** The destination changes between the two config files, when both can be read; else none (a `code` change). */
function destinationsOfInput(input: ClassifyInput): string[] {
  if (input.baseConfig === undefined || input.prConfig?.type !== "file") return [];
  const base = parseStackConfig(input.baseConfig, "base");
  const pr = parseStackConfig(input.prConfig.text, "pr");
  if ("problem" in base || "problem" in pr) return [];
  const appsKey = `${input.project}:apps`;
  const apps = (v: Record<string, unknown>) => (record(v.config) ?? {})[appsKey];
  return credentialDestinationChanges(apps(base.value), apps(pr.value), appsKey);
}

/** Whether the files and the config file's keys make it config-only. Pure. */
function classifyFiles(input: ClassifyInput): { mode: "config" | "code"; reasons: string[] } {
  const reasons: string[] = [];
  const file = stackConfigFile(input.stack);
  const appsKey = `${input.project}:apps`;
  if (!/^[A-Za-z0-9_.-]+$/.test(input.stack))
    reasons.push(`the stack name ${JSON.stringify(input.stack)} is not a plain name`);
  if (input.files.length === 0) reasons.push("the pull request lists no changed file");
  if (input.files.length >= MAX_LISTED_FILES)
    reasons.push(`the pull request changes ${MAX_LISTED_FILES} files or more`);
  for (const f of input.files) {
    if (f.filename !== file) reasons.push(`changes ${f.filename} (only ${file} may change)`);
    else if (f.status !== "modified")
      reasons.push(`${file} is ${f.status} (only a change in place is config-only)`);
    if (f.previous_filename !== undefined && f.previous_filename !== f.filename)
      reasons.push(`renames ${f.previous_filename} to ${f.filename}`);
  }
  if (reasons.length > 0) return { mode: "code", reasons };

  if (input.baseConfig === undefined) return { mode: "code", reasons: [`the base branch has no ${file}`] };
  if (input.prConfig === undefined) return { mode: "code", reasons: [`the pull request has no ${file}`] };
  if (input.prConfig.type !== "file")
    return { mode: "code", reasons: [`${file} is a ${input.prConfig.type} in the pull request, not a file`] };
  const base = parseStackConfig(input.baseConfig, `${file} of the base branch`);
  const pr = parseStackConfig(input.prConfig.text, `${file} of the pull request`);
  if ("problem" in base) return { mode: "code", reasons: [base.problem] };
  if ("problem" in pr) return { mode: "code", reasons: [pr.problem] };

  // Every top-level key (secretsprovider, encryptedkey, environment, …) exactly as on the base branch.
  for (const k of new Set([...Object.keys(base.value), ...Object.keys(pr.value)])) {
    if (k === "config") continue;
    if (!sameYamlValue(base.value[k], pr.value[k]))
      reasons.push(`changes the top-level key '${k}' of ${file}`);
  }
  const baseConfig = (base.value.config ?? {}) as Record<string, unknown>;
  const prConfig = (pr.value.config ?? {}) as Record<string, unknown>;
  for (const k of new Set([...Object.keys(baseConfig), ...Object.keys(prConfig)])) {
    if (k === appsKey) continue;
    if (!(k in baseConfig)) reasons.push(`adds the config key '${k}' (only ${appsKey} may change)`);
    else if (!(k in prConfig)) reasons.push(`removes the config key '${k}' (only ${appsKey} may change)`);
    else if (!sameYamlValue(baseConfig[k], prConfig[k]))
      reasons.push(`changes the config key '${k}' (only ${appsKey} may change)`);
  }
  if (!(appsKey in prConfig)) reasons.push(`has no ${appsKey}`);
  else if (!plainAppsValue(prConfig[appsKey]))
    reasons.push(`${appsKey} is not a plain list or JSON text (a secure value, or another shape)`);
  return reasons.length > 0 ? { mode: "code", reasons } : { mode: "config", reasons: [] };
}

// ---- Where a credential goes ---------------------------------------------------------------------------------
//
// A config-only pull request runs no code of its own, but after it is merged `pulumi up` sends each app's new
// credential where the config says: the token-exchange gate presents the new secret (and the refusal proof the old
// one; a private_key_jwt app's assertion gate a signed assertion) at `gates.tokenUrl`; the value is written to the
// Vault entry `vault.mount`/`vault.path`; the Deployments listed roll onto it; and `appId` says whose credential it
// is. A change to any of these is a credential destination change: it is named at the top of the review comment,
// and `deploy.yml` carries it out only after a maintainer approved it (the `credential-destination` environment).

/** The places one app's credential is delivered to, as the stack config says (before the program's defaults). */
interface Destinations {
  readonly appId: string;
  /** The token endpoint a gate presents a credential at; undefined when no gate does. */
  readonly tokenUrl: string | undefined;
  /** `mount/path` of the Vault entry, or undefined when the app has no Vault delivery. */
  readonly vault: string | undefined;
  readonly deployments: ReadonlySet<string>;
}

/** What the token endpoint is when `gates.tokenUrl` is not set: the program's default. */
export const DEFAULT_TOKEN_URL = "the org's default authorization server (<org URL>/oauth2/default/v1/token)";

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** A field as the program reads it (text trimmed); any other value in its exact JSON form, so a change shows. */
function field(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v.trim() : JSON.stringify(v);
}

/** One app's destinations, from its raw config. Pure. */
function destinationsOf(app: Record<string, unknown>): Destinations {
  const gates = record(app.gates) ?? {};
  const pkj = record(app.privateKeyJwt) ?? {};
  // A gate presents a credential at the token endpoint when it exchanges a secret (tokenExchange; the refusal proof
  // then presents the retired one too) and always for a private_key_jwt app (the assertion gate).
  const presents = gates.tokenExchange === true || pkj.enabled === true;
  const vault = record(app.vault);
  const deployments = Array.isArray(app.deployments) ? app.deployments : [];
  return {
    appId: field(app.appId) ?? "",
    tokenUrl: presents ? (field(gates.tokenUrl) ?? DEFAULT_TOKEN_URL) : undefined,
    vault: vault !== undefined ? `${field(vault.mount) ?? ""}/${field(vault.path) ?? ""}` : undefined,
    deployments: new Set(
      deployments.map((d) => {
        const r = record(d);
        return r !== undefined
          ? `${field(r.namespace) ?? "default"}/${field(r.name) ?? ""}`
          : JSON.stringify(d);
      }),
    ),
  };
}

/** The apps of an apps value (a YAML list or the JSON text `pulumi config set` writes), or undefined. Pure. */
export function appsOf(value: unknown): Record<string, unknown>[] | undefined {
  let list = value;
  if (typeof value === "string") {
    try {
      list = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(list)) return undefined;
  const apps = list.map(record);
  return apps.every((a) => a !== undefined && typeof a.name === "string")
    ? (apps as Record<string, unknown>[])
    : undefined;
}

/** A value as the comment shows it: quoted, one line, no backtick to break out of the block it stands in. */
export function shown(v: string): string {
  return JSON.stringify(v).replace(/`/g, "\\u0060");
}

/**
 * The credential destinations the change from `before` to `after` (apps values of the stack config) adds: for
 * each app, a token endpoint, Vault entry, Deployment or Okta app its credential did not go to before. An app is
 * matched by its name, or by a former name (a rename). Removing a destination is not listed: it sends nothing
 * anywhere new. An apps value that cannot be read as a list of named apps counts as a change. Pure.
 */
export function credentialDestinationChanges(before: unknown, after: unknown, appsKey: string): string[] {
  const afterApps = appsOf(after);
  if (afterApps === undefined)
    return [
      `${appsKey} of the pull request cannot be read as a list of named apps: every destination may change`,
    ];
  const beforeApps = appsOf(before);
  if (beforeApps === undefined && before !== undefined)
    return [
      `${appsKey} of the base branch cannot be read as a list of named apps: every destination may change`,
    ];
  const byName = new Map<string, Record<string, unknown>>();
  for (const a of beforeApps ?? []) if (!byName.has(a.name as string)) byName.set(a.name as string, a);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const app of afterApps) {
    const name = app.name as string;
    const label = `app ${shown(name)}`;
    if (seen.has(name)) {
      out.push(`${label} is listed twice: every destination may change`);
      continue;
    }
    seen.add(name);
    const formers = Array.isArray(app.formerNames)
      ? app.formerNames.filter((f) => typeof f === "string")
      : [];
    const prev = byName.get(name) ?? formers.map((f) => byName.get(f as string)).find((a) => a !== undefined);
    const now = destinationsOf(app);
    if (prev === undefined) {
      const where = [
        `Okta app ${shown(now.appId)}`,
        now.tokenUrl !== undefined ? `token endpoint ${shown(now.tokenUrl)}` : undefined,
        now.vault !== undefined ? `Vault ${shown(now.vault)}` : undefined,
        now.deployments.size > 0 ? `Deployments ${[...now.deployments].map(shown).join(", ")}` : undefined,
      ].filter((w) => w !== undefined);
      out.push(`${label} is new: its credential goes to ${where.join("; ")}`);
      continue;
    }
    const was = destinationsOf(prev);
    if (now.appId !== was.appId)
      out.push(
        `${label}: appId ${shown(was.appId)} → ${shown(now.appId)} (the credential rotated and delivered is ` +
          `that Okta app's)`,
      );
    if (now.tokenUrl !== undefined && now.tokenUrl !== was.tokenUrl)
      out.push(
        `${label}: token endpoint ${was.tokenUrl !== undefined ? shown(was.tokenUrl) : "(none: no gate presented a credential)"} → ` +
          `${shown(now.tokenUrl)} (the gates present the new credential there, the refusal proof the old one)`,
      );
    if (now.vault !== undefined && now.vault !== was.vault)
      out.push(
        `${label}: Vault entry ${was.vault !== undefined ? shown(was.vault) : "(none)"} → ${shown(now.vault)} ` +
          `(the credential is written there)`,
      );
    const added = [...now.deployments].filter((d) => !was.deployments.has(d));
    if (added.length > 0)
      out.push(
        `${label}: Deployment${added.length > 1 ? "s" : ""} ${added.map(shown).join(", ")} added (rolled onto the credential)`,
      );
  }
  return out;
}

function arg(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function projectName(): string {
  const text = fs.readFileSync("Pulumi.yaml", "utf8");
  const name = (parseDocument(text).toJS() as { name?: unknown }).name;
  if (typeof name !== "string") throw new Error("Pulumi.yaml has no name: give --project");
  return name;
}

/**
 * `--destinations-only`: the destinations a pushed change of the stack config adds (deploy.yml: the file before the
 * push, absent when it cannot be read, and after it). Prints {"destinations": [...]}.
 */
function destinationsMain(argv: readonly string[]): number {
  const stack = arg(argv, "--stack");
  const basePath = arg(argv, "--base-config");
  const configPath = arg(argv, "--config");
  if (!stack || !basePath || !configPath) {
    console.error(
      "usage: classify-pr --destinations-only --stack <stack> --base-config <file> --config <file>",
    );
    return 2;
  }
  const appsKey = `${arg(argv, "--project") ?? projectName()}:apps`;
  const read = (path: string, which: string): { apps?: unknown; problem?: string } => {
    if (!fs.existsSync(path)) return {};
    const parsed = parseStackConfig(fs.readFileSync(path, "utf8"), which);
    return "problem" in parsed
      ? { problem: parsed.problem }
      : { apps: (record(parsed.value.config) ?? {})[appsKey] };
  };
  // No stack config file after the change: the config lives elsewhere (and this check cannot see it).
  if (!fs.existsSync(configPath)) {
    console.log(JSON.stringify({ destinations: [] }));
    return 0;
  }
  const before = read(basePath, `${stackConfigFile(stack)} before the change`);
  const after = read(configPath, stackConfigFile(stack));
  const problem = before.problem ?? after.problem;
  const destinations =
    problem !== undefined
      ? [`${problem}: every destination may change`]
      : credentialDestinationChanges(before.apps, after.apps, appsKey);
  console.log(JSON.stringify({ destinations }));
  return 0;
}

function main(argv: readonly string[]): number {
  if (argv.includes("--destinations-only")) return destinationsMain(argv);
  const stack = arg(argv, "--stack");
  const filesPath = arg(argv, "--files");
  const basePath = arg(argv, "--base-config");
  if (!stack || !filesPath || !basePath) {
    console.error(
      "usage: classify-pr --stack <stack> --files <files.json> --base-config <file> [--pr-config <file>] " +
        "[--pr-config-type file|symlink|…] [--project <name>]",
    );
    return 2;
  }
  const prPath = arg(argv, "--pr-config");
  const files = (JSON.parse(fs.readFileSync(filesPath, "utf8")) as unknown[]).flat() as ChangedFile[];
  const result = classifyPullRequest({
    stack,
    project: arg(argv, "--project") ?? projectName(),
    files,
    baseConfig: fs.existsSync(basePath) ? fs.readFileSync(basePath, "utf8") : undefined,
    prConfig:
      prPath !== undefined && fs.existsSync(prPath)
        ? { type: arg(argv, "--pr-config-type") ?? "file", text: fs.readFileSync(prPath, "utf8") }
        : undefined,
  });
  console.log(JSON.stringify(result));
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
