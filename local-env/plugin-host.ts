// What the local environment's stand-in resource plugins (vault-plugin/, okta-plugin/) share: how they are hosted on
// the Node SDK's provider server, how the engine's property values reach them, and when the local environment puts
// one on PATH.
//
// - Configure: the SDK's server answers the engine's Configure call itself and drops the request (server.js
//   `configure`), so a provider never sees its configuration. `interceptConfigure` wraps that handler, before
//   the server is registered, to hand the request's `args` and `variables` to the plugin's `configure` — and to
//   answer with its error when the configuration cannot be used — then lets the SDK answer as usual.
// - ignoreChanges: the SDK's server drops the `ignoreChanges` of Diff and Update requests too. For a plugin that
//   wants them (`ignoreChangesOfNextCall`), the same wrapper hands them over right before the SDK's handler calls
//   the provider's `diff` / `update`, which it does synchronously: the provider takes them at its first statement.
// - Values: the SDK's server tells the engine it accepts secrets and passes property bags through as plain
//   JavaScript: a secret arrives as `{ [specialSigKey]: specialSecretSig, value }` and must be returned in that form
//   to stay secret — a bare value in `check`'s inputs or in the outputs is stored in plain text. Unknown values
//   (preview) arrive as `unknownValue`.
// - PATH: a plugin on PATH shadows an installed one, so a stand-in goes on PATH only when the official plugin of the
//   installed SDK's version is not in $PULUMI_HOME/plugins.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CheckFailure } from "@pulumi/pulumi/provider";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

// --- property values ---

export const UNKNOWN = unknownValue;

export type PropertyBag = Record<string, unknown>;

/** What a stand-in's `check` answers: the normalized inputs, and a failure per field it refuses. */
export interface CheckOutcome {
  readonly inputs: PropertyBag;
  readonly failures: CheckFailure[];
}

export function isSecretValue(v: unknown): v is { value: unknown } {
  return (
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig
  );
}

/** `v` marked secret for the engine. */
export function secretValue(v: unknown): PropertyBag {
  return { [specialSigKey]: specialSecretSig, value: v };
}

function unwrapDeep(v: unknown): { value: unknown; secret: boolean } {
  if (isSecretValue(v)) return { value: unwrapDeep(v.value).value, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(unwrapDeep);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (typeof v === "object" && v !== null) {
    let secret = false;
    const out: PropertyBag = {};
    for (const [k, inner] of Object.entries(v)) {
      const u = unwrapDeep(inner);
      out[k] = u.value;
      secret ||= u.secret;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}

/**
 * The bag with every secret unwrapped, and the top-level keys that held a secret anywhere inside (a property
 * with a secret inside is returned secret as a whole).
 */
export function unwrapSecrets(bag: PropertyBag | undefined): { plain: PropertyBag; secretKeys: Set<string> } {
  const plain: PropertyBag = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(bag ?? {})) {
    const u = unwrapDeep(v);
    plain[k] = u.value;
    if (u.secret) secretKeys.add(k);
  }
  return { plain, secretKeys };
}

/** The bag with the given top-level keys marked secret (absent keys stay absent). */
export function wrapSecrets(bag: PropertyBag, keys: Iterable<string>): PropertyBag {
  const out: PropertyBag = { ...bag };
  for (const k of keys) {
    if (out[k] !== undefined && out[k] !== null && out[k] !== UNKNOWN) out[k] = secretValue(out[k]);
  }
  return out;
}

// --- URNs ---

/** The type token of a URN (`urn:pulumi:<stack>::<project>::<parent types $ >type::<name>`). */
export function urnType(urn: string): string {
  const parts = urn.split("::");
  const qualified = parts.length >= 4 ? parts[2] : "";
  return qualified.split("$").pop() ?? qualified;
}

/** The resource name of a URN. */
export function urnName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

// --- the Configure interception ---

/** What a stand-in plugin's provider takes from the engine's requests that the SDK's server drops. */
export interface ConfigurablePlugin {
  /** Throws, naming the key and the environment variable, when the configuration cannot be used. */
  configure(args: PropertyBag | undefined, variables: Record<string, string>): void;
  /** The `ignoreChanges` paths of the Diff or Update request whose `diff` / `update` call comes next. */
  ignoreChangesOfNextCall?(paths: readonly string[]): void;
}

interface EngineRequest {
  getArgs(): { toJavaScript(): PropertyBag } | undefined;
  getVariablesMap(): { forEach(fn: (value: string, key: string) => void): void };
  getIgnorechangesList(): string[];
}
type UnaryHandler = (
  call: { request: EngineRequest },
  callback: (err: unknown, value?: unknown) => void,
) => void;
interface GrpcServerPrototype {
  addService(service: unknown, implementation: Record<string, unknown>): void;
}

/** The @grpc/grpc-js the SDK's provider server uses (resolved from @pulumi/pulumi, so the same module instance). */
function sdkGrpcServer(): GrpcServerPrototype {
  const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] })) as {
    Server: { prototype: GrpcServerPrototype };
  };
  return grpc.Server.prototype;
}

/**
 * Makes the provider server pass Configure requests to `impl.configure` first, and the `ignoreChanges` of Diff and
 * Update requests to `impl.ignoreChangesOfNextCall` when it has one. Call before `provider.main`.
 */
export function interceptConfigure(impl: ConfigurablePlugin): void {
  const proto = sdkGrpcServer();
  const addService = proto.addService;
  proto.addService = function (this: unknown, service: unknown, implementation: Record<string, unknown>) {
    const original = implementation.configure as UnaryHandler | undefined;
    if (typeof original === "function") {
      implementation.configure = ((call, callback) => {
        try {
          const variables: Record<string, string> = {};
          call.request.getVariablesMap().forEach((value, key) => (variables[key] = value));
          impl.configure(call.request.getArgs()?.toJavaScript(), variables);
        } catch (e) {
          callback(e);
          return;
        }
        original.call(implementation, call, callback);
      }) satisfies UnaryHandler;
    }
    const takesIgnoreChanges = impl.ignoreChangesOfNextCall?.bind(impl);
    for (const method of ["diff", "update"]) {
      const handler = implementation[method] as UnaryHandler | undefined;
      if (typeof handler !== "function" || !takesIgnoreChanges) continue;
      implementation[method] = ((call, callback) => {
        takesIgnoreChanges(call.request.getIgnorechangesList?.() ?? []);
        handler.call(implementation, call, callback);
      }) satisfies UnaryHandler;
    }
    addService.call(this, service, implementation);
  };
}

/** The top-level property an `ignoreChanges` path names (`jwks[0].kid` → `jwks`, `"a.b"` quoted paths aside). */
export function ignoredProperty(path: string): string {
  return path.split(/[.[]/)[0];
}

/**
 * `news` with each ignored property set to its value in `olds` (the last outputs), or removed when `olds` has
 * none: Terraform's `ignore_changes`, where the planned value of an ignored attribute is its prior state.
 */
export function withIgnoredChanges(
  olds: PropertyBag,
  news: PropertyBag,
  paths: readonly string[],
): PropertyBag {
  const out: PropertyBag = { ...news };
  for (const key of new Set(paths.map(ignoredProperty))) {
    if (olds[key] === undefined) delete out[key];
    else out[key] = olds[key];
  }
  return out;
}

// --- which plugin the engine uses ---

/** The version of an installed `@pulumi/<pkg>` package: the plugin version the engine asks for. */
export function pulumiSdkVersion(pkg: string): string {
  const file = require.resolve(`@pulumi/${pkg}/package.json`);
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

/** Where the Pulumi CLI keeps installed plugins: `$PULUMI_HOME/plugins`, default `~/.pulumi/plugins`. */
export function pulumiPluginsDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  return path.join(env.PULUMI_HOME || path.join(home, ".pulumi"), "plugins");
}

/**
 * True when the official resource plugin `resource-<name>-v<version>` is installed (a complete install, not one
 * whose `.partial` marker says it is still being written).
 */
export function officialPluginInstalled(name: string, version: string, pluginsDir: string): boolean {
  const dir = path.join(pluginsDir, `resource-${name}-v${version}`);
  return fs.existsSync(dir) && !fs.existsSync(`${dir}.partial`);
}

/**
 * The stand-in's bin directory to put first on PATH, or `undefined` when the official plugin `name` of `version`
 * is installed: the official plugin is preferred whenever present.
 */
export function standInPluginPath(
  name: string,
  binDir: string,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return officialPluginInstalled(name, version, pulumiPluginsDir(env)) ? undefined : binDir;
}
