import { z } from "zod";
import { DEFAULT_SECRET_KEY, ENTRY_KEYS } from "../client/delivered";
import {
  OPENID_REFUSAL,
  assertionExchangeRefusal,
  oidcScopesIn,
  secretExchangeRefusal,
} from "../dynamic/tokenEndpoint";

/** The config namespace of this project's stack settings (`<namespace>:apps`). */
export const CONFIG_KEY = "apps";

// Ids, Vault locations and Kubernetes names are trimmed before anything compares them: `X` and ` X` are the
// same appId. One that is empty once trimmed is refused (too_small).
const text = () => z.string().trim().min(1);

const name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    "use 1–63 lowercase letters, digits and dashes, starting with a letter or digit",
  );

/** The `vault` field of an app: KV v2 mount, path and key. */
export const vaultTargetSchema = z
  .object({
    /** KV v2 mount, e.g. `secret`. */
    mount: text(),
    /** Path of the secret inside the mount, e.g. `apps/billing-api`. */
    path: text().refine(
      (p) => !p.startsWith("/") && !p.endsWith("/"),
      "write the path without leading or trailing '/'",
    ),
    /** Key under which the client secret is stored in the KV entry; not one of the entry's own keys. */
    key: text()
      .refine((k) => !ENTRY_KEYS.includes(k), `use a key the entry does not hold (${ENTRY_KEYS.join(", ")})`)
      .default(DEFAULT_SECRET_KEY),
  })
  .strict();

/** An entry of an app's `deployments`: a Deployment whose pods read the credential. */
export const deploymentSchema = z
  .object({
    namespace: text().default("default"),
    name: text(),
    /** Do not await the rollout (the pod census still holds the retirement until every pod carries the new one). */
    skipAwait: z.boolean().default(false),
  })
  .strict();

/** The `gates` field of an app: token exchange, minimum overlap and pod census. */
export const gatesSchema = z
  .object({
    /** Prove the new secret with a real client_credentials exchange before the old one is retired. */
    tokenExchange: z.boolean().default(false),
    /**
     * Token endpoint to use; default: the org's `default` custom authorization server,
     * `/oauth2/default/v1/token` (the org server, `/oauth2/v1/token`, refuses client secrets).
     */
    tokenUrl: z
      .string()
      .trim()
      .pipe(z.url({ protocol: /^https?$/ }))
      .optional(),
    /** Scope to request in the exchange: one defined on that server; required with tokenExchange. */
    scope: text().optional(),
    /** Minimum time both secrets stay ACTIVE before the old one is retired. */
    minOverlapSeconds: z.number().int().min(0).max(86_400).default(0),
    /** Before the previous credential is retired, wait until no pod of the Deployments carries an older one. */
    podCensus: z.boolean().default(true),
    /** How long the census waits for the last pod holding an older credential. */
    podCensusTimeoutSeconds: z.number().int().min(1).max(86_400).default(600),
  })
  .strict();

/** The `privateKeyJwt` field of an app: migration to, key rotation of and rollback from private_key_jwt. */
export const privateKeyJwtSchema = z
  .object({
    /** Migrate the app to private_key_jwt (KeyRotation replaces its SecretRotation). */
    enabled: z.boolean().default(false),
    /** RS256 (most compatible) or ES256 (smallest); takes effect with the next key. */
    algorithm: z.enum(["RS256", "ES256"]).default("RS256"),
    /** Bump by one to rotate the key. Key generation g lives in key slot g % 2; 1 is the migration. */
    keyGeneration: z.number().int().min(1).default(1),
    /** Go back to a client secret (the key stays registered; remove rollback to migrate again). */
    rollback: z.boolean().default(false),
    /** At the migration, keys the app already has are left as they are (else the start is refused). */
    keepExistingKeys: z.boolean().default(false),
  })
  .strict();

/** One app of the program's stack config (`okta-credential-rotation:apps`), field by field as docs/configuration.md describes it. */
export const appConfigSchema = z
  .object({
    /** Logical name: stable resource names and stack output keys derive from it. */
    name,
    /** Names this app had before: a rename keeps its resources (aliases) instead of replacing them. */
    formerNames: z.array(name).default([]),
    /** Okta app id (`0oa…`). */
    appId: text(),
    /** OAuth client id; needed by the token exchange gate. Defaults to the app id (Okta's default). */
    clientId: text().optional(),
    /**
     * Bump by one to rotate. Generation g lives in slot g % 2. Stays required with privateKeyJwt: it is then
     * the secret generation the app had reached before the migration.
     */
    generation: z.number().int().min(1),
    /** Day one: the id of the secret the app already uses. It becomes generation 0 and is retired by generation 1. */
    adoptSecretId: text().optional(),
    /** Go back to the previous secret: reactivate it, deliver it, roll, deactivate the current one. */
    rollback: z.boolean().default(false),
    /**
     * Emergency: this generation's rotation revokes the previous secret (it leaked): no minimum overlap, and the
     * previous secret is deleted in the same run once its successor is rolled out.
     */
    revoke: z.boolean().default(false),
    /**
     * The oldest the current credential may get, in days: `okta-rotation-due` bumps the app once its current
     * secret (or, with privateKeyJwt, its current key) is that old. Without it the app is never due.
     */
    maxCredentialAgeDays: z.number().int().min(1).optional(),
    vault: vaultTargetSchema.optional(),
    deployments: z.array(deploymentSchema).default([]),
    gates: gatesSchema.default({
      tokenExchange: false,
      minOverlapSeconds: 0,
      podCensus: true,
      podCensusTimeoutSeconds: 600,
    }),
    privateKeyJwt: privateKeyJwtSchema.optional(),
  })
  .strict();

/** The program's `apps`: a list of at least one app. */
export const programConfigSchema = z.array(appConfigSchema).min(1);

/** One app of the stack config, validated, with defaults applied. */
export type AppConfig = z.infer<typeof appConfigSchema>;
/** One app of the stack config as written, before defaults. */
export type AppConfigInput = z.input<typeof appConfigSchema>;
/** Where an app's credential is delivered in Vault KV v2. */
export type VaultTarget = z.infer<typeof vaultTargetSchema>;
/** A Deployment that consumes an app's credential. */
export type DeploymentRef = z.infer<typeof deploymentSchema>;
/** An app's gates, with defaults applied. */
export type Gates = z.infer<typeof gatesSchema>;
/** An app's private_key_jwt settings, with defaults applied. */
export type PrivateKeyJwtConfig = z.infer<typeof privateKeyJwtSchema>;

/** What a field must be and what to do about a wrong one, in the words of docs/configuration.md#stack-config. */
export interface FieldRule {
  /** The shape of the value, for "you gave … as text" hints. */
  readonly type: "number" | "boolean" | "text" | "list" | "mapping";
  /** Completes "must be …". */
  readonly must: string;
  /** What to do; may use the value given (trimmed text, or undefined). */
  readonly fix: string | ((given: string | undefined) => string);
}

const bool = (fix: string): FieldRule => ({ type: "boolean", must: "true or false", fix });

/**
 * Every field of an app, by its path inside the app (`deployments[].name`): what the message says when its
 * value is wrong. Zod's own messages never reach the user; a unit test checks that each schema field has a
 * rule here.
 */
export const FIELD_RULES: Readonly<Record<string, FieldRule>> = {
  "": {
    type: "mapping",
    must: "an app: a mapping with at least name, appId and generation",
    fix: "write it as in docs/configuration.md#stack-config",
  },
  name: {
    type: "text",
    must: "1–63 lowercase letters, digits and dashes, starting with a letter or digit",
    fix: (v) => {
      const slug = (v ?? "")
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 63);
      return `e.g. ${slug || "billing-api"}; resource names and stack outputs derive from it, so keep it once chosen`;
    },
  },
  appId: {
    type: "text",
    must: "the Okta app id, e.g. 0oa1b2c3d4e5f6g7h8i9",
    fix: "copy it from the app in the Okta admin console (Applications → the app → General)",
  },
  formerNames: {
    type: "list",
    must: "a list of the names this app had before, e.g. [billing]",
    fix: "list each former name once, or remove formerNames",
  },
  "formerNames[]": {
    type: "text",
    must: "a former name: 1–63 lowercase letters, digits and dashes",
    fix: "write the name exactly as it was in the stack config",
  },
  clientId: {
    type: "text",
    must: "the app's OAuth client id",
    fix: "set it, or remove clientId to use appId (Okta's default)",
  },
  generation: {
    type: "number",
    must: "a whole number ≥ 1",
    fix: "set it to 1 for a new app, or to the generation the app is at",
  },
  adoptSecretId: {
    type: "text",
    must: "the id of the client secret the app uses now (ocs…)",
    fix: "set it, or remove adoptSecretId",
  },
  rollback: bool("true goes back to the previous secret; remove rollback otherwise"),
  revoke: bool(
    "true makes this generation's rotation revoke the previous secret (no overlap, deleted at once)",
  ),
  maxCredentialAgeDays: {
    type: "number",
    must: "a whole number of days ≥ 1",
    fix: "set it to the age at which the current credential should be rotated (e.g. 90), or remove maxCredentialAgeDays",
  },
  vault: {
    type: "mapping",
    must: "a mapping with mount, path and optionally key",
    fix: "e.g. vault: { mount: secret, path: apps/billing-api }, or remove vault",
  },
  "vault.mount": { type: "text", must: "the KV v2 mount, e.g. secret", fix: "set it to the mount's name" },
  "vault.path": {
    type: "text",
    must: "a path inside the mount without '/' at either end, e.g. apps/billing-api",
    fix: (v) => {
      const bare = (v ?? "").replace(/^\/+|\/+$/g, "");
      return bare ? `write it as ${bare}` : "set it to the entry's path inside the mount";
    },
  },
  "vault.key": {
    type: "text",
    must: `a key of its own in the entry: not ${ENTRY_KEYS.slice(0, -1).join(", ")} or ${ENTRY_KEYS.at(-1)}`,
    fix: `choose another key, or remove key to use ${DEFAULT_SECRET_KEY}`,
  },
  deployments: {
    type: "list",
    must: "a list of Deployments, each { namespace, name }",
    fix: "e.g. deployments: [{ namespace: billing, name: billing-api }], or remove deployments",
  },
  "deployments[]": {
    type: "mapping",
    must: "a Deployment: a mapping with name and optionally namespace",
    fix: "e.g. { namespace: billing, name: billing-api }",
  },
  "deployments[].namespace": {
    type: "text",
    must: "a Kubernetes namespace",
    fix: "set it, or remove namespace to use default",
  },
  "deployments[].name": {
    type: "text",
    must: "the Deployment's name",
    fix: "set it to the Deployment's name",
  },
  "deployments[].skipAwait": bool(
    "true does not wait for the rollout (the pod census still waits for every pod); remove it to wait",
  ),
  gates: {
    type: "mapping",
    must: "a mapping with tokenExchange, tokenUrl, scope, minOverlapSeconds, podCensus and podCensusTimeoutSeconds (each optional)",
    fix: "e.g. gates: { tokenExchange: true, minOverlapSeconds: 900 }, or remove gates",
  },
  "gates.tokenExchange": bool("true proves each new secret with a real token exchange; false skips it"),
  "gates.tokenUrl": {
    type: "text",
    must: "the full http(s) URL of the token endpoint, e.g. https://example.okta.com/oauth2/default/v1/token",
    fix: "fix it, or remove tokenUrl to use the org's default authorization server (/oauth2/default/v1/token)",
  },
  "gates.scope": {
    type: "text",
    must: "a scope defined on the authorization server, e.g. rotation.check",
    fix: "set it to the scope you added for the rotation (docs/configuration.md#connecting-to-okta)",
  },
  "gates.minOverlapSeconds": {
    type: "number",
    must: "a whole number of seconds, 0–86400",
    fix: "set it to 900 (the runbook's safe value), or 0 for no wait",
  },
  "gates.podCensus": bool(
    "true (default) retires the previous credential only once no pod carries it; false trusts the rollout alone",
  ),
  "gates.podCensusTimeoutSeconds": {
    type: "number",
    must: "a whole number of seconds, 1–86400",
    fix: "set it above your pods' rollout time plus their termination grace period, or remove it for 600",
  },
  privateKeyJwt: {
    type: "mapping",
    must: "a mapping with enabled, algorithm, keyGeneration, rollback and keepExistingKeys (each optional)",
    fix: "e.g. privateKeyJwt: { enabled: true }, or remove privateKeyJwt",
  },
  "privateKeyJwt.enabled": bool("true migrates the app to private_key_jwt"),
  "privateKeyJwt.algorithm": {
    type: "text",
    must: "RS256 or ES256",
    fix: "RS256 is the most compatible, ES256 the smallest; remove algorithm for RS256",
  },
  "privateKeyJwt.keyGeneration": {
    type: "number",
    must: "a whole number ≥ 1",
    fix: "set it to 1 for the migration, or to the key generation the app is at; bump it by one to rotate the key",
  },
  "privateKeyJwt.rollback": bool(
    "true goes back from private_key_jwt to a client secret; remove rollback otherwise",
  ),
  "privateKeyJwt.keepExistingKeys": bool(
    "true leaves the keys the app already has at the migration as they are; remove it otherwise",
  ),
};

/** The fields of each mapping in an app, by path (`""` is the app itself), for unknown-field hints. */
const KNOWN_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "": Object.keys(appConfigSchema.shape),
  vault: Object.keys(vaultTargetSchema.shape),
  "deployments[]": Object.keys(deploymentSchema.shape),
  gates: Object.keys(gatesSchema.shape),
  privateKeyJwt: Object.keys(privateKeyJwtSchema.shape),
};

/** The first line of a config error's message; one problem per line follows. */
export const CONFIG_ERROR_HEADING = "Invalid stack config (nothing was changed):";

// ANSI escape sequences, then any other control character (a newline would split a problem in two).
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-_]/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Text safe for one line of a plain-text message: no escape sequences, no control characters. */
function plain(s: string): string {
  return s.replace(ANSI, "").replace(CONTROL, " ").trim();
}

/** The message of a ConfigError: the heading, then one problem per line. Pure. */
export function formatConfigProblems(problems: readonly string[]): string {
  return [CONFIG_ERROR_HEADING, ...problems.map((p) => `  - ${plain(p)}`)].join("\n");
}

/**
 * A stack config error: each problem names the config key, the app and the fix. Its message is plain text
 * (see `formatConfigProblems`) and it carries nothing else that `util.inspect` would print: `problems` and
 * `name` are not enumerable.
 */
export class ConfigError extends Error {
  declare readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(formatConfigProblems(problems));
    Object.defineProperty(this, "name", { value: "ConfigError", writable: true, configurable: true });
    Object.defineProperty(this, "problems", { value: Object.freeze(problems.map(plain)) });
  }
}

/** What `parseAppsConfig` can check beyond the apps themselves. */
export interface ConfigContext {
  /** The org URL from the stack's Okta settings, or undefined when none is set. */
  readonly orgUrl: string | undefined;
}

type Path = ReadonlyArray<PropertyKey>;

function keyPath(namespace: string, path: Path): string {
  let out = `${namespace}:${CONFIG_KEY}`;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${plain(String(p))}`;
  return out;
}

/** `["deployments", 0, "name"]` → `deployments[].name`: the key of FIELD_RULES and KNOWN_FIELDS. */
function pattern(path: Path): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += "[]";
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The raw value at `path`, and whether its key is there at all. */
function at(root: unknown, path: Path): { present: boolean; value: unknown } {
  let value = root;
  for (const p of path) {
    if (typeof p === "number" ? !Array.isArray(value) : !isRecord(value)) return { present: false, value };
    const container = value as Record<PropertyKey, unknown>;
    if (!Object.prototype.hasOwnProperty.call(container, p)) return { present: false, value: undefined };
    value = container[p];
  }
  return { present: true, value };
}

function quote(s: string): string {
  const short = s.length > 60 ? `${s.slice(0, 57)}…` : s;
  // JSON escapes control characters, so a value cannot carry escape sequences into the message.
  return JSON.stringify(short);
}

/** "(you gave …)": what the config holds, in the config's own terms. */
function given(rule: FieldRule, field: string, present: boolean, value: unknown): string {
  if (!present || value === undefined) return "it is missing";
  if (value === null) return "it has no value";
  if (typeof value === "string") {
    const t = value.trim();
    if (t === "") return value === "" ? "it is empty" : "it is only spaces";
    const numeric = t !== "" && Number.isFinite(Number(t));
    if (rule.type === "number" && numeric) {
      return `you gave ${quote(value)} as text: write it without quotes, ${field}: ${Number(t)}`;
    }
    if (rule.type === "boolean" && /^(true|false)$/i.test(t)) {
      return `you gave ${quote(value)} as text: write it without quotes, ${field}: ${t.toLowerCase()}`;
    }
    return `you gave ${quote(value)}`;
  }
  if (typeof value === "number" && rule.type === "text") {
    return `you gave the number ${value}: write it in quotes, ${field}: "${value}"`;
  }
  if (typeof value === "number" || typeof value === "boolean") return `you gave ${String(value)}`;
  if (Array.isArray(value)) return value.length === 0 ? "you gave an empty list" : "you gave a list";
  if (isRecord(value)) return "you gave a mapping";
  return `you gave a ${typeof value}`;
}

/** Case, dashes and underscores aside, then up to two edits: `generaton`, `client_id`, `AppID`. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");
  const w = norm(word);
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(w, norm(c));
    if (d <= Math.min(2, Math.floor(c.length / 3)) && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

function unknownFieldFix(where: string, key: string): string {
  const here = KNOWN_FIELDS[where] ?? [];
  const near = closest(key, here);
  if (near !== undefined) return `rename it to ${near}`;
  if (where === "") {
    for (const [parent, fields] of Object.entries(KNOWN_FIELDS)) {
      if (parent === "") continue;
      const inner = closest(key, fields);
      const under = parent.replace("[]", "[0]");
      if (inner !== undefined)
        return `it belongs under ${parent.replace("[]", "")}: move it to ${under}.${inner}`;
    }
  }
  return `remove it (fields here: ${here.join(", ")}; see docs/configuration.md#stack-config)`;
}

/** One line per problem in a zod issue of app `index`; never zod's own message. */
function issueLines(
  issue: z.core.$ZodIssue,
  rawApp: unknown,
  index: number,
  label: string,
  namespace: string,
): string[] {
  if (issue.code === "unrecognized_keys") {
    const where = pattern(issue.path);
    const what = where === "" ? "an app" : where === "deployments[]" ? "a Deployment" : where;
    return issue.keys.map(
      (k) =>
        `${keyPath(namespace, [index, ...issue.path, k])}${label}: not a field of ${what}; ${unknownFieldFix(where, k)}`,
    );
  }
  const rule = FIELD_RULES[pattern(issue.path)] ?? {
    type: "text",
    must: "as docs/configuration.md#stack-config describes",
    fix: "see docs/configuration.md#stack-config",
  };
  const field = [...issue.path].reverse().find((p) => typeof p === "string") ?? "value";
  const { present, value } = at(rawApp, issue.path);
  const fix =
    typeof rule.fix === "string" ? rule.fix : rule.fix(typeof value === "string" ? value.trim() : undefined);
  return [
    `${keyPath(namespace, [index, ...issue.path])}${label}: must be ${rule.must} ` +
      `(${given(rule, String(field), present, value)}); ${fix}`,
  ];
}

const UNNAMED = "unnamed app";

/** One app as far as it can be read: each field that is valid on its own (defaults applied). */
interface AppView {
  readonly index: number;
  readonly raw: unknown;
  /** `app 'name'`, or `app with appId '0oa…'` when it has no name. */
  readonly ref: string;
  /** ` (app 'name')`: what follows the config key in each line. */
  readonly label: string;
  readonly fields: Partial<AppConfig>;
  readonly valid: ReadonlySet<string>;
}

function viewOf(raw: unknown, index: number): AppView {
  const fields: Record<string, unknown> = {};
  const valid = new Set<string>();
  if (isRecord(raw)) {
    for (const [k, schema] of Object.entries(appConfigSchema.shape)) {
      const r = (schema as z.ZodType).safeParse(raw[k]);
      if (r.success) {
        fields[k] = r.data;
        valid.add(k);
      }
    }
  }
  let ref = UNNAMED;
  if (isRecord(raw) && typeof raw.name === "string" && raw.name.trim() !== "") {
    ref = `app '${plain(raw.name).slice(0, 63)}'`;
  } else if (isRecord(raw) && typeof raw.appId === "string" && raw.appId.trim() !== "") {
    ref = `app with appId '${plain(raw.appId).slice(0, 63)}'`;
  }
  return { index, raw, ref, label: ` (${ref})`, fields: fields as Partial<AppConfig>, valid };
}

/** The problems across apps and between fields of one app, on whatever parts of the apps are valid. */
function consistencyProblems(
  views: readonly AppView[],
  namespace: string,
  context: ConfigContext | undefined,
): { index: number; line: string }[] {
  const out: { index: number; line: string }[] = [];
  const key = (i: number, ...rest: PropertyKey[]) => keyPath(namespace, [i, ...rest]);
  const ref = (v: AppView) => (v.ref === UNNAMED ? "another, unnamed app" : v.ref);

  // Duplicates: reported on the later app, naming the first one.
  const unique = (
    what: string,
    value: (v: AppView) => { value: string; field: string; raw?: unknown } | undefined,
    fix: string,
    skip?: (a: AppView, b: AppView) => boolean,
  ) => {
    const first = new Map<string, { view: AppView; field: string; raw?: unknown }>();
    for (const v of views) {
      const k = value(v);
      if (k === undefined) continue;
      const earlier = first.get(k.value);
      if (earlier === undefined) {
        first.set(k.value, { view: v, field: k.field, raw: k.raw });
        continue;
      }
      if (skip?.(earlier.view, v)) continue;
      const spaces =
        typeof k.raw === "string" && typeof earlier.raw === "string" && k.raw !== earlier.raw
          ? ", once the spaces around it are trimmed"
          : "";
      out.push({
        index: v.index,
        line:
          `${key(v.index, k.field)}${v.label}: same ${what} as ${ref(earlier.view)} ` +
          `(${key(earlier.view.index, earlier.field)})${spaces}; ${fix}`,
      });
    }
  };
  const rawField = (v: AppView, f: string) => (isRecord(v.raw) ? v.raw[f] : undefined);
  const field = (f: "name" | "appId" | "adoptSecretId") => (v: AppView) => {
    const value = v.valid.has(f) ? v.fields[f] : undefined;
    return typeof value === "string" ? { value, field: f, raw: rawField(v, f) } : undefined;
  };
  unique("name", field("name"), "give each app its own name");
  unique("appId", field("appId"), "give each app its own appId (each entry rotates one Okta app)");
  // The client id: explicit, or the app id (Okta's default). Two apps with the same appId are reported above.
  unique(
    "client id",
    (v) => {
      if (v.valid.has("clientId") && v.fields.clientId !== undefined) {
        return { value: v.fields.clientId, field: "clientId", raw: rawField(v, "clientId") };
      }
      return isRecord(v.raw) && v.raw.clientId === undefined ? field("appId")(v) : undefined;
    },
    "each Okta app has its own client id: check this app's clientId",
    (a, b) => a.valid.has("appId") && b.valid.has("appId") && a.fields.appId === b.fields.appId,
  );
  unique(
    "adoptSecretId",
    field("adoptSecretId"),
    "a secret belongs to one app: check the secret id on each app (Okta admin console → the app → General)",
  );
  unique(
    "Vault path",
    (v) => {
      const vault = rawField(v, "vault");
      if (!isRecord(vault)) return undefined;
      const mount = vaultTargetSchema.shape.mount.safeParse(vault.mount);
      const path = vaultTargetSchema.shape.path.safeParse(vault.path);
      return mount.success && path.success
        ? { value: `${mount.data}/${path.data}`, field: "vault" }
        : undefined;
    },
    "give each app its own Vault path",
  );

  // A former name is an alias of this app's resources: it must not be the name of an app in the config.
  for (const v of views) {
    if (!v.valid.has("formerNames")) continue;
    for (const former of v.fields.formerNames ?? []) {
      const owner = views.find((o) => o.valid.has("name") && o.fields.name === former);
      if (owner === undefined) continue;
      out.push({
        index: v.index,
        line:
          `${key(v.index, "formerNames")}${v.label}: '${former}' is the name of ${ref(owner)} ` +
          `(${key(owner.index, "name")}); a former name must not be in use: remove it from formerNames, or ` +
          `rename the other app`,
      });
    }
  }
  // A former name takes over the resources of the app that had it: two apps cannot both take them over (the
  // engine would stop at "Duplicate resource alias" after the preview), and one app cannot list it twice.
  const formerOwner = new Map<string, AppView>();
  for (const v of views) {
    if (!v.valid.has("formerNames")) continue;
    const seen = new Set<string>();
    for (const former of v.fields.formerNames ?? []) {
      if (seen.has(former)) {
        out.push({
          index: v.index,
          line: `${key(v.index, "formerNames")}${v.label}: '${former}' is listed twice; list each former name once`,
        });
        continue;
      }
      seen.add(former);
      const earlier = formerOwner.get(former);
      if (earlier === undefined) {
        formerOwner.set(former, v);
        continue;
      }
      out.push({
        index: v.index,
        line:
          `${key(v.index, "formerNames")}${v.label}: '${former}' is also a former name of ${ref(earlier)} ` +
          `(${key(earlier.index, "formerNames")}); the resources of the app once called '${former}' can go to one ` +
          `app only: keep '${former}' in the formerNames of the app that was renamed from it, and remove it from ` +
          `the other`,
      });
    }
  }

  for (const v of views) {
    const { rollback, generation, adoptSecretId, privateKeyJwt: pkj, gates, revoke } = v.fields;
    const has = (...fs: (keyof AppConfig)[]) => fs.every((f) => v.valid.has(f));
    if (has("revoke", "rollback") && revoke && rollback) {
      out.push({
        index: v.index,
        line:
          `${key(v.index, "revoke")}${v.label}: a revoke deletes the previous secret, so there is nothing to roll ` +
          `back to; remove rollback, or remove revoke`,
      });
    }
    if (has("revoke", "privateKeyJwt") && revoke && pkj?.enabled) {
      out.push({
        index: v.index,
        line:
          `${key(v.index, "revoke")}${v.label}: revoke applies to client secrets; this app uses privateKeyJwt: ` +
          `remove revoke (a leaked key is rotated with privateKeyJwt.keyGeneration)`,
      });
    }
    if (has("rollback", "privateKeyJwt") && rollback && pkj?.enabled) {
      out.push({
        index: v.index,
        line:
          `${key(v.index, "rollback")}${v.label}: rollback applies to client secrets; this app uses privateKeyJwt: ` +
          `to go back to a client secret set privateKeyJwt.rollback: true (and remove rollback)`,
      });
    } else if (
      has("rollback", "generation", "adoptSecretId") &&
      rollback &&
      generation !== undefined &&
      generation < 2 &&
      adoptSecretId === undefined
    ) {
      out.push({
        index: v.index,
        line:
          `${key(v.index, "rollback")}${v.label}: generation ${generation} has no previous secret to go back to; ` +
          `remove rollback`,
      });
    }
    if (has("privateKeyJwt") && pkj?.rollback && !pkj.enabled) {
      out.push({
        index: v.index,
        line:
          `${key(v.index, "privateKeyJwt", "rollback")}${v.label}: rollback goes back from private_key_jwt to a ` +
          `client secret and needs enabled: true; set enabled: true, or remove rollback`,
      });
    }
    if (has("gates", "privateKeyJwt") && gates) {
      // Okta's custom authorization servers grant client_credentials only for a scope defined on them (or a
      // default one, which an org's `default` server has none of for machine clients), and the org server
      // refuses client secrets: the proving exchange needs the scope (okta-api.md, "Token endpoint").
      if (gates.tokenExchange && gates.scope === undefined) {
        out.push({
          index: v.index,
          line:
            `${key(v.index, "gates", "scope")}${v.label}: gates.tokenExchange proves each new secret with a real ` +
            `client_credentials token exchange, and Okta grants one only for a scope defined on the ` +
            `authorization server; add a scope there with an access policy rule that admits this app, and set ` +
            `gates.scope to it, e.g. gates: { tokenExchange: true, scope: rotation.check } ` +
            `(docs/configuration.md#connecting-to-okta)`,
        });
      }
      // The org server refuses a secret proof, and a private_key_jwt proof that asks for other than Okta scopes.
      // Refused here, before any resource is registered: a gate's own check runs only once the gate is
      // registered, which in an `up` is after the new secret it proves exists.
      if (gates.tokenUrl !== undefined && oidcScopesIn(gates.scope).length === 0) {
        const what = "gates.tokenUrl";
        // A private_key_jwt rollback proves the secret it goes back to, like a secret rotation.
        const why = pkj?.enabled
          ? pkj.rollback
            ? secretExchangeRefusal(gates.tokenUrl, gates.scope, what)
            : assertionExchangeRefusal(gates.tokenUrl, gates.scope, what)
          : gates.tokenExchange
            ? secretExchangeRefusal(gates.tokenUrl, gates.scope, what)
            : undefined;
        if (why !== undefined) {
          out.push({
            index: v.index,
            line: `${key(v.index, "gates", "tokenUrl")}${v.label}: ${why}`,
          });
        }
      }
      const oidc = oidcScopesIn(gates.scope);
      if (oidc.length > 0) {
        out.push({
          index: v.index,
          line:
            `${key(v.index, "gates", "scope")}${v.label}: ${oidc.join(", ")} cannot be requested with ` +
            `client_credentials: Okta refuses it ("${OPENID_REFUSAL}"); set gates.scope to a custom scope ` +
            `defined on the authorization server, e.g. rotation.check`,
        });
      }
    }
    if (context !== undefined && context.orgUrl === undefined && has("gates", "privateKeyJwt") && gates) {
      const needs = pkj?.enabled ? "privateKeyJwt" : gates.tokenExchange ? "gates.tokenExchange" : undefined;
      if (needs !== undefined && gates.tokenUrl === undefined) {
        out.push({
          index: v.index,
          line:
            `${key(v.index, "gates", "tokenUrl")}${v.label}: ${needs} needs the token endpoint and no org URL ` +
            `is set; set gates.tokenUrl, or the org URL (okta-credential-rotation:oktaOrgUrl, or okta:orgName)`,
        });
      }
    }
  }
  return out;
}

/**
 * Validates the raw `apps` stack config. Returns typed app configs, or throws a ConfigError that lists every
 * problem at once — each app's own, and the duplicates and contradictions between whatever parts of the apps
 * are valid — one line each, naming the config key, the app and what to do. Pure: reads nothing but its
 * arguments. With `context`, also checks that apps needing a token endpoint have one.
 */
export function parseAppsConfig(raw: unknown, namespace: string, context?: ConfigContext): AppConfig[] {
  const root = `${namespace}:${CONFIG_KEY}`;
  const example = `pulumi config set --path '${CONFIG_KEY}[0].appId' 0oa…`;
  if (raw === undefined || raw === null) {
    throw new ConfigError([
      `${root} is not set: add a list of apps to rotate (see docs/configuration.md#stack-config), e.g. ${example}`,
    ]);
  }
  if (!Array.isArray(raw)) {
    const kind = given({ type: "list", must: "", fix: "" }, CONFIG_KEY, true, raw);
    throw new ConfigError([
      `${root}: must be a list of apps (${kind}); write each app as a list item ` +
        `(see docs/configuration.md#stack-config), e.g. ${example}`,
    ]);
  }
  if (raw.length === 0) {
    throw new ConfigError([
      `${root}: must be a list of at least one app (it is an empty list); add an app ` +
        `(see docs/configuration.md#stack-config), e.g. ${example}`,
    ]);
  }

  const problems: { index: number; line: string }[] = [];
  const apps: AppConfig[] = [];
  const views = raw.map((rawApp: unknown, index) => viewOf(rawApp, index));
  for (const view of views) {
    const parsed = appConfigSchema.safeParse(view.raw);
    if (parsed.success) apps.push(parsed.data);
    else {
      for (const issue of parsed.error.issues) {
        for (const line of issueLines(issue, view.raw, view.index, view.label, namespace)) {
          problems.push({ index: view.index, line });
        }
      }
    }
  }
  problems.push(...consistencyProblems(views, namespace, context));
  if (problems.length > 0) {
    // Grouped by app, each app's lines in the order found (Array.prototype.sort is stable).
    throw new ConfigError(problems.sort((a, b) => a.index - b.index).map((p) => p.line));
  }
  return apps;
}
