// The stack config file (`Pulumi.<stack>.yaml`): read the apps and the Okta connection settings from it, and bump
// generations in it while keeping everything else — other keys, comments, quoting and layout — as it was.
//
// The apps key holds either YAML (a list written by hand or by `pulumi config set --path`) or a JSON text (what
// `pulumi config set okta-credential-rotation:apps '[…]'` and the Automation API's `setConfig` write); Pulumi's
// `Config.getObject` reads both, and so does this file. A bump edits the YAML node in place; a JSON text is
// written back as compact JSON.

import {
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { CONFIG_KEY } from "../components/config";
import type { GenerationsKey } from "../components/generations";
import { PACKAGE_CONFIG_NAMESPACE } from "../components/settings";
import type { ConfigSource } from "../dynamic/oktaSettings";

/** The project name when no Pulumi.yaml is found next to the config file. */
export const DEFAULT_PROJECT = "okta-credential-rotation";

/** A stack config file that cannot be used; the message names the file and what to do. */
export class StackConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackConfigFileError";
  }
}

/** The parts of a stack config file this tool uses. */
export interface StackConfigFile {
  /** `<project>:apps`. */
  readonly appsKey: string;
  /** The raw apps value (a list, or whatever the file holds, for parseAppsConfig to judge). */
  readonly apps: unknown;
  /** Plain-text settings of the file, by full key (`okta:orgName`); secure values are left out. */
  readonly settings: Readonly<Record<string, string>>;
}

function parse(text: string, file: string): Document {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    throw new StackConfigFileError(`${file} is not valid YAML: ${doc.errors[0]!.message}`);
  }
  return doc;
}

/** The plain-text settings of a parsed stack config file, by full key; secure values are left out. */
function settingsOf(doc: Document): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries((doc.toJS() as { config?: Record<string, unknown> })?.config ?? {})) {
    if (typeof v === "string") settings[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") settings[k] = String(v);
  }
  return settings;
}

/** Whether the file sets `<project>:apps`: the stack config program's list (else a component program's stack). Pure. */
export function hasAppsKey(text: string, project: string, file: string): boolean {
  return parse(text, file).getIn(["config", `${project}:${CONFIG_KEY}`], true) !== undefined;
}

/** The full stack config key of a convention map: `okta-credential-rotation:generations`. */
export function generationsConfigKey(key: GenerationsKey): string {
  return `${PACKAGE_CONFIG_NAMESPACE}:${key}`;
}

/** A convention map's value in the file: a mapping, or a JSON text of one (`pulumi config set` without --path). */
function mapValue(doc: Document, key: GenerationsKey, file: string): Record<string, unknown> | undefined {
  const full = generationsConfigKey(key);
  const value = (doc.toJS() as { config?: Record<string, unknown> }).config?.[full];
  if (value === undefined || value === null) return undefined;
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      parsed = undefined;
    }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new StackConfigFileError(
      `${file}: ${full} must map each rotation's name to its generation, e.g. ` +
        `pulumi config set --path '${full}.billing' 1`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** The stack config file of a program that uses the components: its settings and the convention's maps. Pure. */
export function readComponentStackConfig(
  text: string,
  file: string,
): {
  readonly settings: Readonly<Record<string, string>>;
  readonly generations?: Record<string, unknown>;
  readonly keyGenerations?: Record<string, unknown>;
} {
  const doc = parse(text, file);
  const config = doc.get("config", true);
  if (config !== undefined && config !== null && !isMap(config)) {
    throw new StackConfigFileError(`${file}: 'config' must be a mapping of config keys`);
  }
  const generations = mapValue(doc, "generations", file);
  const keyGenerations = mapValue(doc, "keyGenerations", file);
  return {
    settings: settingsOf(doc),
    ...(generations !== undefined ? { generations } : {}),
    ...(keyGenerations !== undefined ? { keyGenerations } : {}),
  };
}

/** One bump of a convention map's entry: `okta-credential-rotation:<key>.<name>`, from `from` to `from + 1`. */
export interface GenerationBump {
  readonly key: GenerationsKey;
  readonly name: string;
  readonly from: number;
}

/**
 * Where a convention entry's number stands, or why it cannot be written on its own (a YAML alias or an anchor
 * another place repeats: a bump would change that place too). Pure.
 */
function locateEntry(
  doc: Document,
  text: string,
  b: GenerationBump,
): { readonly node: Scalar } | { readonly json: Scalar } | { readonly reason: string } {
  const full = generationsConfigKey(b.key);
  const here = `${full}.${b.name}`;
  const map = doc.getIn(["config", full], true);
  if (isScalar(map) && typeof map.value === "string") return { json: map };
  const aliases: string[] = [];
  visit(doc, {
    Alias(_k, node) {
      aliases.push(node.source);
    },
  });
  if (isAlias(map)) return { reason: `${full} is the YAML alias *${map.source}, shared with its anchor` };
  if (!isMap(map)) return { reason: `${full} is not a mapping in the file` };
  if (map.anchor && aliases.includes(map.anchor)) {
    return { reason: `${full} carries the YAML anchor &${map.anchor}, which an alias elsewhere repeats` };
  }
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === b.name);
  if (pair === undefined) return { reason: `${here} is not set in the file` };
  const value = pair.value;
  if (isAlias(value)) {
    return {
      reason:
        `${here} is given by the YAML alias *${value.source} (line ${lineOf(text, value.range?.[0])}), shared ` +
        `with its anchor: write the number out (replace *${value.source} by its value)`,
    };
  }
  if (!isScalar(value)) return { reason: `${here} is not a number in the file` };
  if (value.anchor && aliases.includes(value.anchor)) {
    return {
      reason:
        `${here} carries the YAML anchor &${value.anchor} (line ${lineOf(text, value.range?.[0])}), which an alias ` +
        `repeats: write the number out on its own (remove the anchor)`,
    };
  }
  return { node: value };
}

/** Why each convention bump (by name) cannot be written on its own; see `locateEntry`. Pure. */
export function sharedGenerationBumps(
  text: string,
  bumps: readonly GenerationBump[],
  file: string,
): Map<string, string> {
  const doc = parse(text, file);
  const out = new Map<string, string>();
  for (const b of bumps) {
    const at = locateEntry(doc, text, b);
    if ("reason" in at) out.set(`${b.key}.${b.name}`, `${at.reason}, then run okta-rotation-due again`);
  }
  return out;
}

/**
 * The file's text with each convention entry raised by one, and nothing else changed (comments, line endings,
 * quoting, anchors): each number is rewritten where it stands; a JSON text is written back as compact JSON where it
 * stood. Refuses, writing nothing, when the file does not hold the value a bump starts from or the value is shared
 * (see `sharedGenerationBumps`). Pure.
 */
export function applyGenerationBumps(text: string, bumps: readonly GenerationBump[], file: string): string {
  const doc = parse(text, file);
  const edits: { at: number; end: number; text: string }[] = [];
  const jsonMaps = new Map<GenerationsKey, { node: Scalar; map: Record<string, unknown> }>();
  const stale = (b: GenerationBump, now: unknown) =>
    new StackConfigFileError(
      `${file}: ${generationsConfigKey(b.key)}.${b.name} is ${JSON.stringify(now ?? null)}, not ${b.from} as read; ` +
        `nothing was written. Run again.`,
    );
  for (const b of bumps) {
    const at = locateEntry(doc, text, b);
    if ("reason" in at) throw new StackConfigFileError(`${file}: ${at.reason}; nothing was written`);
    if ("json" in at) {
      const held = jsonMaps.get(b.key) ?? {
        node: at.json,
        map: JSON.parse(at.json.value as string) as Record<string, unknown>,
      };
      jsonMaps.set(b.key, held);
      if (held.map[b.name] !== b.from) throw stale(b, held.map[b.name]);
      held.map[b.name] = b.from + 1;
      continue;
    }
    if (at.node.value !== b.from) throw stale(b, at.node.value);
    const [start, end] = at.node.range!;
    edits.push({ at: start, end, text: String(b.from + 1) });
  }
  for (const { node, map } of jsonMaps.values()) {
    const [start, end] = node.range!;
    edits.push({ at: start, end, text: JSON.stringify(JSON.stringify(map)) });
  }
  let out = text;
  for (const e of edits.sort((x, y) => y.at - x.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return out;
}

/** Reads the apps and the plain-text settings of a stack config file's text. Pure. */
export function readStackConfig(text: string, project: string, file: string): StackConfigFile {
  const doc = parse(text, file);
  const appsKey = `${project}:${CONFIG_KEY}`;
  const config = doc.get("config", true);
  if (config !== undefined && config !== null && !isMap(config)) {
    throw new StackConfigFileError(`${file}: 'config' must be a mapping of config keys`);
  }
  const settings = settingsOf(doc);
  const node = doc.getIn(["config", appsKey], true);
  if (node === undefined) {
    throw new StackConfigFileError(
      `${file} has no ${appsKey}: add the apps to rotate (docs/configuration.md#stack-config), or point ` +
        `--config-file at the stack's config file`,
    );
  }
  let apps: unknown = (doc.toJS() as { config: Record<string, unknown> }).config[appsKey];
  if (typeof apps === "string") {
    try {
      apps = JSON.parse(apps) as unknown;
    } catch {
      throw new StackConfigFileError(
        `${file}: ${appsKey} is text that is not JSON; write the apps as a YAML list ` +
          `(docs/configuration.md#stack-config)`,
      );
    }
  }
  return { appsKey, apps, settings };
}

/**
 * The stack's settings as a dynamic provider's `configure(req)` sees them: a key without a namespace is the
 * project's (`oktaOrgUrl` → `<project>:oktaOrgUrl`). Pure.
 */
export function configSource(settings: Readonly<Record<string, string>>, project: string): ConfigSource {
  return {
    get(key: string): string | undefined {
      return settings[key.includes(":") ? key : `${project}:${key}`];
    },
  };
}

/** One bump: the app at `index` of the apps list, and the field to raise by one. */
export interface Bump {
  readonly index: number;
  readonly field: "generation" | "privateKeyJwt.keyGeneration";
  /** The value now (keyGeneration defaults to 1 when the file does not set it). */
  readonly from: number;
}

/** Where a bump's value is in the file: the scalar to rewrite, or the mapping to add it to (keyGeneration). */
type Located =
  | { readonly kind: "scalar"; readonly node: Scalar }
  | { readonly kind: "insert"; readonly map: YAMLMap }
  | { readonly kind: "shared"; readonly reason: string };

function lineOf(text: string, offset: number | undefined): number {
  return offset === undefined ? 0 : text.slice(0, offset).split("\n").length;
}

/** Every alias in the document, with the apps-list index it is under (if any). */
function aliasesOf(doc: Document, appsKey: string): { source: string; app: number | undefined }[] {
  const out: { source: string; app: number | undefined }[] = [];
  const apps = doc.getIn(["config", appsKey], true);
  visit(doc, {
    Alias(_key, node, path) {
      const app = isSeq(apps) ? apps.items.findIndex((item) => path.includes(item as never)) : -1;
      out.push({ source: node.source, app: app >= 0 ? app : undefined });
    },
  });
  return out;
}

/**
 * Finds the node a bump writes, walking the YAML nodes themselves: a value reached through an alias, a merge
 * key (`<<`), or an anchor that an alias elsewhere repeats is shared, and a bump of it would change the other
 * places too. Pure.
 */
function locate(doc: Document, text: string, appsKey: string, b: Bump, names: readonly string[]): Located {
  const apps = doc.getIn(["config", appsKey], true) as YAMLSeq;
  const aliases = aliasesOf(doc, appsKey);
  const here = `${appsKey}[${b.index}].${b.field}`;
  const sharedWith = (anchor: string) => {
    const others = aliases
      .filter((a) => a.source === anchor && a.app !== b.index)
      .map((a) => (a.app === undefined ? "another key" : `app '${names[a.app] ?? a.app}'`));
    return [...new Set(others)];
  };
  const anchored = (node: Node, what: string): Located | undefined => {
    if (!node.anchor) return undefined;
    const others = sharedWith(node.anchor);
    if (others.length === 0) return undefined;
    return {
      kind: "shared",
      reason:
        `${here}: ${what} carries the YAML anchor &${node.anchor} (line ${lineOf(text, node.range?.[0])}), which ` +
        `${others.join(" and ")} repeat${others.length === 1 && !others[0]!.startsWith("app") ? "s" : ""} by an ` +
        `alias: a bump here would bump them too. Write this app's ${b.field} out on its own (replace the aliases ` +
        `*${node.anchor} by a copy, or remove the anchor), then run okta-rotation-due again`,
    };
  };
  const viaAlias = (source: string, line: number): Located => ({
    kind: "shared",
    reason:
      `${here}: the value is given by the YAML alias *${source} (line ${line}), shared with ` +
      `${[...sharedWith(source), "its anchor &" + source].join(" and ")}: a bump would change it there too. Write ` +
      `the number out on this app (replace *${source} by its value), then run okta-rotation-due again`,
  });
  let node: unknown = apps.items[b.index];
  const keys = b.field.split(".");
  for (let i = 0; i <= keys.length; i++) {
    if (isAlias(node)) return viaAlias(node.source, lineOf(text, node.range?.[0]));
    const shared = isNode(node)
      ? anchored(node, i === 0 ? "the app" : i === keys.length ? "the value" : keys[i - 1]!)
      : undefined;
    if (shared) return shared;
    if (i === keys.length) break;
    if (!isMap(node))
      return {
        kind: "shared",
        reason: `${here}: not a mapping in the file; write it as in docs/configuration.md#stack-config`,
      };
    const k = keys[i]!;
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === k);
    if (pair === undefined) {
      const merged = node.items.find((p) => isScalar(p.key) && p.key.value === "<<");
      if (merged !== undefined) {
        const src = isAlias(merged.value) ? ` *${merged.value.source}` : "";
        return {
          kind: "shared",
          reason:
            `${here}: ${k} comes from a YAML merge key (<<:${src}, line ${lineOf(text, (merged.key as Node).range?.[0])}), ` +
            `which other entries may share: a bump there would change them too. Set ${k} on this app itself, then ` +
            `run okta-rotation-due again`,
        };
      }
      if (i === keys.length - 1) return { kind: "insert", map: node };
      return {
        kind: "shared",
        reason: `${here}: ${k} is not set; set it as in docs/configuration.md#stack-config`,
      };
    }
    node = pair.value;
  }
  if (!isScalar(node)) return { kind: "shared", reason: `${here}: not a number in the file` };
  return { kind: "scalar", node };
}

/**
 * Why each bump (by app index) cannot be written on its own: its value is shared with another app or place
 * through YAML anchors, aliases or merge keys. Empty for a JSON text. Pure.
 */
export function sharedBumps(
  text: string,
  appsKey: string,
  bumps: readonly Bump[],
  names: readonly string[],
  file: string,
): Map<number, string> {
  const out = new Map<number, string>();
  const doc = parse(text, file);
  if (!isSeq(doc.getIn(["config", appsKey], true))) return out;
  for (const b of bumps) {
    const at = locate(doc, text, appsKey, b, names);
    if (at.kind === "shared") out.set(b.index, at.reason);
  }
  return out;
}

/**
 * The file's text with each bump applied, and nothing else changed: every other character of the file stays as
 * it was (comments, line endings, indentation, quoting, folded scalars, anchors). Each number is rewritten where
 * it stands; a keyGeneration the app does not set yet is added to its privateKeyJwt mapping in that mapping's
 * style. Refuses when the file does not hold the value a bump starts from (it changed since it was read), and a
 * bump whose value is shared with another app through YAML anchors (see `sharedBumps`). Pure.
 */
export function applyBumps(
  text: string,
  appsKey: string,
  bumps: readonly Bump[],
  file: string,
  names: readonly string[] = [],
): string {
  if (bumps.length === 0) return text;
  const doc = parse(text, file);
  const node = doc.getIn(["config", appsKey], true);
  const check = (b: Bump, found: unknown) => {
    const now = found === undefined && b.field === "privateKeyJwt.keyGeneration" ? 1 : found;
    if (now !== b.from) {
      throw new StackConfigFileError(
        `${file}: ${appsKey}[${b.index}].${b.field} is ${JSON.stringify(now)}, not ${b.from} as read; ` +
          `nothing was written. Run again.`,
      );
    }
  };
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  if (isSeq(node)) {
    const edits: { at: number; end: number; text: string }[] = [];
    for (const b of bumps) {
      const at = locate(doc, text, appsKey, b, names);
      if (at.kind === "shared") throw new StackConfigFileError(`${file}: ${at.reason}; nothing was written`);
      if (at.kind === "scalar") {
        check(b, at.node.value);
        const [start, end] = at.node.range!;
        edits.push({ at: start, end, text: String(b.from + 1) });
        continue;
      }
      check(b, undefined);
      const key = b.field.split(".").at(-1)!;
      const map = at.map;
      const valueEnd = map.range![1];
      if (map.flow) {
        // `{ enabled: true }` → `{ enabled: true, keyGeneration: 2 }`: after the last entry, before the spaces.
        const close = text.lastIndexOf("}", valueEnd);
        const head = text.slice(0, close).replace(/\s*$/, "").length;
        const sep = map.items.length === 0 ? "" : ", ";
        edits.push({ at: head, end: head, text: `${sep}${key}: ${b.from + 1}` });
        continue;
      }
      const last = map.items.at(-1)!;
      const first = map.items[0]!;
      const lineStart = text.lastIndexOf("\n", (first.key as Node).range![0]) + 1;
      const indent = text.slice(lineStart, (first.key as Node).range![0]).replace(/[^ \t]/g, " ");
      const lastEnd = isNode(last.value) ? last.value.range![1] : (last.key as Node).range![1];
      edits.push({ at: lastEnd, end: lastEnd, text: `${eol}${indent}${key}: ${b.from + 1}` });
    }
    let out = text;
    for (const e of edits.sort((x, y) => y.at - x.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
    return out;
  }
  if (isScalar(node) && typeof node.value === "string") {
    const apps = JSON.parse(node.value) as Record<string, unknown>[];
    for (const b of bumps) {
      let holder = apps[b.index] as Record<string, unknown>;
      const keys = b.field.split(".");
      for (const k of keys.slice(0, -1)) holder = (holder[k] ??= {}) as Record<string, unknown>;
      check(b, holder[keys.at(-1)!]);
      holder[keys.at(-1)!] = b.from + 1;
    }
    // The JSON text is written back as a double-quoted scalar where it stood (JSON's escapes are YAML's too).
    const [start, end] = node.range!;
    return text.slice(0, start) + JSON.stringify(JSON.stringify(apps)) + text.slice(end);
  }
  throw new StackConfigFileError(`${file}: ${appsKey} must be a list of apps; nothing was written`);
}
