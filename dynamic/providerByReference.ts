// A dynamic resource stores its provider in state (`__provider`, in inputs and in outputs), serialized with
// everything the provider captures. A provider that captures its implementation (the Okta connection, the
// retries, the schemas) is 50-65 KB of JavaScript per resource from a checkout, and still 30 KB for
// ClientSecretProvider installed from the package (whose imports then serialize as `require`s); the stand-in
// below is under 1 KB. 100 apps' worth of slots by value is a state of
// tens of megabytes; the file backend rewrites the whole state twice per step, so that size is what a large
// `pulumi up` spends its time on.
//
// `providerByReference` stands in for such a provider. The stand-in captures the implementation's module
// as a module of this package, never its code or its place on disk, so state does not depend on where the
// program that wrote it lies:
//
// - installed from the package (under node_modules), the stand-in captures the module objects themselves.
//   Pulumi's closure serializer writes a module from node_modules as a `require` of its package export
//   (`require("okta-credential-rotation/dynamic/clientSecret")`), as it does for any provider that comes
//   from an npm package;
// - run from a checkout of this package (its own stack, its tests, or a program that links the checkout),
//   the serializer would copy those modules by value, so the stand-in captures the same export names as
//   strings and requires them from the project directory, where the provider process runs: the package
//   itself (Node resolves a package's own name inside it) or the program's node_modules.
//
// Either way the provider process loads compiled JavaScript: no TypeScript loader runs there.

/* eslint-disable @typescript-eslint/no-require-imports -- loading at run time, by package export, is the point */
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { hidesInputs, wrapHiddenInputs, type HidesInputs } from "./hiddenInputs";

const PROVIDER_METHODS = ["check", "diff", "create", "read", "update", "delete"] as const;
type ProviderMethod = "configure" | (typeof PROVIDER_METHODS)[number];
type AnyProvider = Partial<Record<ProviderMethod, (...args: unknown[]) => Promise<unknown>>>;
type Loader = Pick<typeof import("./providerByReference"), "install" | "installFrom">;

/**
 * A provider that loads `exportName` (a provider class or object) from the module `file` of this package in
 * the provider process.
 *
 * The stand-in has one method, `configure`, which the dynamic provider host calls on every provider it
 * deserializes before any other (`getProvider` in @pulumi/pulumi's cmd/dynamic-provider). It gives the
 * stand-in exactly the implementation's methods (a missing `diff` or `update` changes what the engine does)
 * and passes the configuration on. Every character of `configure` is stored in state, twice per resource.
 */
export function providerByReference(file: string, exportName: string): pulumi.dynamic.ResourceProvider {
  // The names below are stored in state with the code: short ones keep it small.
  const name = exportName;
  const impl = isInstalled(file) ? require.cache[file]?.exports : undefined;
  if (impl) {
    const loader: Loader = module.exports;
    return {
      configure(req: pulumi.dynamic.ConfigureRequest) {
        return loader.install(this as AnyProvider, impl, name, req);
      },
    } as pulumi.dynamic.ResourceProvider;
  }
  const pkg = packageOf(file);
  const loaderSpecifier = moduleSpecifier(pkg.name, path.relative(pkg.root, __filename));
  const specifier = moduleSpecifier(pkg.name, path.relative(pkg.root, file));
  return {
    configure(req: pulumi.dynamic.ConfigureRequest) {
      const loader: Loader = require("module").createRequire(`${process.cwd()}/`)(loaderSpecifier);
      return loader.installFrom(this as AnyProvider, specifier, name, req);
    },
  } as pulumi.dynamic.ResourceProvider;
}

/** True for a file of an installed package: one that Pulumi serializes as a `require` of that package. */
export function isInstalled(file: string): boolean {
  return file.split(/[\\/]/).includes("node_modules");
}

/**
 * The package export that names a module of this package: its path in the package without the build folder
 * and the extension (`dist/dynamic/clientSecret.js` and `dynamic/clientSecret.ts` are both
 * `<package>/dynamic/clientSecret`), as the package's `exports` map (`./dynamic/*`) publishes it.
 */
export function moduleSpecifier(packageName: string, pathInPackage: string): string {
  const parts = pathInPackage.split(/[\\/]/);
  if (parts[0] === "dist") parts.shift();
  const last = parts.pop()!.replace(/\.(d\.ts|ts|js)$/, "");
  return [packageName, ...parts, last].join("/");
}

const packages = new Map<string, { name: string; root: string }>();

/** The package (its name and folder) that `file` belongs to: the nearest package.json with a name above it. */
export function packageOf(file: string): { name: string; root: string } {
  const start = path.dirname(file);
  const known = packages.get(start);
  if (known) return known;
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string };
      if (name) {
        packages.set(start, { name, root: dir });
        return { name, root: dir };
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json with a name above ${file}`);
  }
}

/** `install` for a module named by its package export, required from the project directory. */
export async function installFrom(
  stand: AnyProvider,
  specifier: string,
  exportName: string,
  req: unknown,
): Promise<void> {
  let implementation: Record<string, unknown>;
  try {
    implementation = createRequire(`${process.cwd()}/`)(specifier) as Record<string, unknown>;
  } catch (err) {
    throw new Error(
      `cannot load the dynamic provider ${specifier}#${exportName} from ${process.cwd()}: ` +
        `${String(err).split("\n")[0]}. Run pulumi in the project directory (with Pulumi.yaml), after ` +
        "npm install (in a checkout of this package, npm install also builds dist/)",
    );
  }
  await install(stand, implementation, exportName, req, specifier);
}

const loaded = new WeakMap<object, Map<string, AnyProvider>>();

/**
 * Gives `stand` the methods of the provider that `exportName` of `implementation` (a module's exports) names,
 * then configures that provider. One provider per module and export in a process.
 */
export async function install(
  stand: AnyProvider,
  implementation: Record<string, unknown>,
  exportName: string,
  req: unknown,
  specifier = "its module",
): Promise<void> {
  const provider = loadProvider(implementation, exportName, specifier);
  // A provider with bookkeeping inputs gets them under their plain names (hiddenInputs.ts).
  const methods = hidesInputs(provider)
    ? wrapHiddenInputs(provider as unknown as Record<string, unknown> & HidesInputs, PROVIDER_METHODS)
    : undefined;
  for (const m of PROVIDER_METHODS) {
    const fn = provider[m];
    if (typeof fn === "function") stand[m] = methods?.[m] ?? fn.bind(provider);
  }
  await provider.configure?.(req);
}

/** The provider (made once per process) that `exportName` of `implementation` names. */
export function loadProvider(
  implementation: Record<string, unknown>,
  exportName: string,
  specifier = "its module",
): AnyProvider {
  const byName = loaded.get(implementation) ?? new Map<string, AnyProvider>();
  loaded.set(implementation, byName);
  const cached = byName.get(exportName);
  if (cached) return cached;
  const exported = implementation[exportName];
  if (!exported)
    throw new Error(
      `the dynamic provider ${exportName} is not exported by ${specifier}: install the ` +
        "version of okta-credential-rotation that has it (the one that wrote this state, or a later one)",
    );
  const provider = (
    typeof exported === "function" ? new (exported as new () => AnyProvider)() : exported
  ) as AnyProvider;
  byName.set(exportName, provider);
  return provider;
}
