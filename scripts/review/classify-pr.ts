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
//
// Usage (the workflow's): tsx scripts/review/classify-pr.ts --stack <stack> --files <files.json>
//   --base-config <Pulumi.<stack>.yaml of the base> [--pr-config <the pull request's file>] [--pr-config-type file]
//   [--project <name>]   (default: `name` of ./Pulumi.yaml)
// Prints one line of JSON, {"mode": "config" | "code", "reasons": [...]}; exit 0 either way, 2 on bad usage.

import * as fs from "fs";
import { isMap, parseDocument, visit, type Document } from "yaml";

export type PreviewMode = "config" | "code";

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
  /** Why it is not config-only (empty for `config`). */
  readonly reasons: readonly string[];
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

/** The decision. Pure: it reads nothing but its input. */
export function classifyPullRequest(input: ClassifyInput): Classification {
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

function main(argv: readonly string[]): number {
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
