// A dynamic resource stores its provider in state (`__provider`, in inputs and in outputs), serialized with
// everything the provider captures. A provider that captures its implementation (the Okta connection, the
// retries, the schemas) is 50-65 KB of JavaScript per resource, so 100 apps' worth of slots is a state of tens
// of megabytes that the engine rewrites after every step.
//
// `providerByReference` stands in for such a provider. The stand-in captures only where the implementation is
// (its file, relative to the project directory, and its export name) and loads it in the provider process on
// first use, the way a provider from an npm package is captured as a `require` of that package. The provider
// process runs in the project directory, like the program. A TypeScript file is loaded through tsx.

import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";

const PROVIDER_METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;
type ProviderMethod = (typeof PROVIDER_METHODS)[number];
type AnyProvider = Partial<Record<ProviderMethod, (...args: unknown[]) => Promise<unknown>>>;

/**
 * A provider that loads `exportName` from `file` (a provider class or object) in the provider process.
 * `implementation` is that same provider here: only its method names are used, so the stand-in offers exactly
 * the methods it has (a missing `diff` or `update` changes what the engine does).
 */
export function providerByReference(
  file: string,
  exportName: string,
  implementation: pulumi.dynamic.ResourceProvider,
): pulumi.dynamic.ResourceProvider {
  const relativeFile = path.relative(process.cwd(), file).split(path.sep).join("/");
  const stand: Record<string, unknown> = {};
  for (const method of PROVIDER_METHODS) {
    if (typeof (implementation as AnyProvider)[method] === "function") {
      stand[method] = callThrough(relativeFile, exportName, method);
    }
  }
  return stand as unknown as pulumi.dynamic.ResourceProvider;
}

function callThrough(relativeFile: string, exportName: string, method: ProviderMethod) {
  return (...args: unknown[]): Promise<unknown> => callProvider(relativeFile, exportName, method, args);
}

async function callProvider(
  relativeFile: string,
  exportName: string,
  method: ProviderMethod,
  args: unknown[],
): Promise<unknown> {
  const provider = loadProvider(relativeFile, exportName);
  const fn = provider[method];
  if (typeof fn !== "function") {
    throw new Error(
      `the provider ${exportName} in ${relativeFile} has no ${method} method; it is out of step with the ` +
        "program that wrote this state: run `npm install` and `pulumi up` again from the project directory",
    );
  }
  return fn.apply(provider, args);
}

/** Loads (once per process) and returns the provider; exported for tests. */
export function loadProvider(relativeFile: string, exportName: string): AnyProvider {
  // Kept on globalThis, not in a captured variable: the serializer would copy a captured cache into state.
  const cache = ((globalThis as Record<string, unknown>)["__oktaRotationProviders"] ??= {}) as Record<
    string,
    AnyProvider
  >;
  const key = `${relativeFile}#${exportName}`;
  const cached = cache[key];
  if (cached) return cached;
  const file = path.resolve(process.cwd(), relativeFile);
  let exported: unknown;
  try {
    if (/\.[cm]?tsx?$/.test(file)) {
      const g = globalThis as Record<string, unknown>;
      if (!g["__oktaRotationTsx"]) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded in the provider process only
        (require("tsx/cjs/api") as { register(): () => void }).register();
        g["__oktaRotationTsx"] = true;
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point: load at run time, by path
    exported = (require(file) as Record<string, unknown>)[exportName];
  } catch (err) {
    throw new Error(
      `cannot load the dynamic provider ${exportName} from ${relativeFile} (in ${process.cwd()}): ` +
        `${(err instanceof Error ? err.message : String(err)).split("\n")[0]}. Run pulumi from the project directory ` +
        "(the one with Pulumi.yaml) after `npm install`.",
    );
  }
  if (exported === undefined || exported === null) {
    throw new Error(
      `${relativeFile} (in ${process.cwd()}) exports no ${exportName}; the program that wrote this state ` +
        "had it. Check out a version of the project that has it, or run `pulumi up` with the current program first.",
    );
  }
  const provider = (
    typeof exported === "function" ? new (exported as new () => AnyProvider)() : exported
  ) as AnyProvider;
  cache[key] = provider;
  return provider;
}
