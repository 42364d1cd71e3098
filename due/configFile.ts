// The stack config file (`Pulumi.<stack>.yaml`): read the apps and the Okta connection settings from it, and bump
// generations in it while keeping everything else — other keys, comments, quoting and layout — as it was.
//
// The apps key holds either YAML (a list written by hand or by `pulumi config set --path`) or a JSON text (what
// `pulumi config set okta-credential-rotation:apps '[…]'` and the Automation API's `setConfig` write); Pulumi's
// `Config.getObject` reads both, and so does this file. A bump edits the YAML node in place; a JSON text is
// written back as compact JSON.

import { isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { CONFIG_KEY } from "../components/config";
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

/** Reads the apps and the plain-text settings of a stack config file's text. Pure. */
export function readStackConfig(text: string, project: string, file: string): StackConfigFile {
  const doc = parse(text, file);
  const appsKey = `${project}:${CONFIG_KEY}`;
  const config = doc.get("config", true);
  if (config !== undefined && config !== null && !isMap(config)) {
    throw new StackConfigFileError(`${file}: 'config' must be a mapping of config keys`);
  }
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries((doc.toJS() as { config?: Record<string, unknown> })?.config ?? {})) {
    if (typeof v === "string") settings[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") settings[k] = String(v);
  }
  const node = doc.getIn(["config", appsKey], true);
  if (node === undefined) {
    throw new StackConfigFileError(
      `${file} has no ${appsKey}: add the apps to rotate (README "Stack config"), or point --config-file at the ` +
        `stack's config file`,
    );
  }
  let apps: unknown = (doc.toJS() as { config: Record<string, unknown> }).config[appsKey];
  if (typeof apps === "string") {
    try {
      apps = JSON.parse(apps) as unknown;
    } catch {
      throw new StackConfigFileError(
        `${file}: ${appsKey} is text that is not JSON; write the apps as a YAML list (README "Stack config")`,
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

/**
 * The file's text with each bump applied, and nothing else changed: comments, other keys and the layout of YAML
 * stay as they were. Refuses when the file does not hold the value a bump starts from (it changed since it was
 * read). Pure.
 */
export function applyBumps(text: string, appsKey: string, bumps: readonly Bump[], file: string): string {
  if (bumps.length === 0) return text;
  const doc = parse(text, file);
  const node = doc.getIn(["config", appsKey], true);
  const path = (b: Bump) => [b.index, ...b.field.split(".")];
  const check = (b: Bump, found: unknown) => {
    const now = found === undefined && b.field === "privateKeyJwt.keyGeneration" ? 1 : found;
    if (now !== b.from) {
      throw new StackConfigFileError(
        `${file}: ${appsKey}[${b.index}].${b.field} is ${JSON.stringify(now)}, not ${b.from} as read; ` +
          `nothing was written. Run again.`,
      );
    }
  };
  if (isSeq(node)) {
    for (const b of bumps) {
      check(b, doc.getIn(["config", appsKey, ...path(b)]));
      doc.setIn(["config", appsKey, ...path(b)], b.from + 1);
    }
    return doc.toString({ lineWidth: 0 });
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
    node.value = JSON.stringify(apps);
    return doc.toString({ lineWidth: 0 });
  }
  throw new StackConfigFileError(`${file}: ${appsKey} must be a list of apps; nothing was written`);
}
