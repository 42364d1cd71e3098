// A dynamic resource stores its provider in state (`__provider`, in inputs and in outputs), serialized with
// everything the provider captures. A provider that captures its implementation (the Okta connection, the
// retries, the schemas) is 50-65 KB of JavaScript per resource, so 100 apps' worth of slots is a state of tens
// of megabytes that the engine rewrites after every step.
//
// `providerByReference` stands in for such a provider. The stand-in captures only where the implementation is
// (its file, relative to the project directory, and its export name) and loads it in the provider process on
// first use, the way a provider from an npm package is captured as a `require` of that package. The provider
// process runs in the project directory, like the program. A TypeScript file is loaded through tsx.

/* eslint-disable @typescript-eslint/no-require-imports -- loading at run time, by path, is the point */
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";

const PROVIDER_METHODS = ["check", "diff", "create", "read", "update", "delete"] as const;
type ProviderMethod = "configure" | (typeof PROVIDER_METHODS)[number];
type AnyProvider = Partial<Record<ProviderMethod, (...args: unknown[]) => Promise<unknown>>>;

/**
 * A provider that loads `exportName` from `file` (a provider class or object) in the provider process.
 *
 * The stand-in has one method, `configure`, which the dynamic provider host calls on every provider it
 * deserializes before any other (`getProvider` in @pulumi/pulumi's cmd/dynamic-provider). It loads the
 * implementation, gives the stand-in exactly the implementation's methods (a missing `diff` or `update` changes
 * what the engine does), and passes the configuration on.
 */
export function providerByReference(file: string, exportName: string): pulumi.dynamic.ResourceProvider {
  // One string is all the stand-in captures: "<file relative to the project directory>#<export>".
  const ref = `${path.relative(process.cwd(), file).split(path.sep).join("/")}#${exportName}`;
  return {
    configure(req: pulumi.dynamic.ConfigureRequest) {
      return install(this as AnyProvider, ref, req);
    },
  } as pulumi.dynamic.ResourceProvider;
}

/**
 * Every character of these functions is stored in state, once per resource and twice (inputs and outputs): they
 * are short, and their comments are up here. The cache is on globalThis (a captured one would be copied into
 * state); a .ts file loads through tsx, registered once.
 */
async function install(stand: AnyProvider, ref: string, req: unknown): Promise<void> {
  const provider = loadProvider(ref);
  for (const m of PROVIDER_METHODS) {
    const fn = provider[m];
    if (typeof fn === "function") stand[m] = fn.bind(provider);
  }
  await provider.configure?.(req);
}

/** Loads (once per process) and returns the provider `ref` ("<file>#<export>") names; exported for tests. */
export function loadProvider(ref: string): AnyProvider {
  const cache = ((globalThis as Record<string, unknown>)["__oktaRotationProviders"] ??= {}) as Record<
    string,
    AnyProvider
  >;
  if (cache[ref]) return cache[ref];
  const [file = "", name = ""] = ref.split("#");
  let exported: unknown;
  try {
    if (/\.[cm]?tsx?$/.test(file)) cache["tsx"] ??= require("tsx/cjs/api").register();
    exported = (require(path.resolve(file)) as Record<string, unknown>)[name];
  } catch (err) {
    throw new Error(
      `cannot load the dynamic provider ${ref} in ${process.cwd()}: ${String(err).split("\n")[0]}. ` +
        "Run pulumi in the project directory (with Pulumi.yaml), after npm install",
    );
  }
  if (!exported)
    throw new Error(
      `${file} in ${process.cwd()} exports no ${name}: check out the project version that has it`,
    );
  return (cache[ref] = (
    typeof exported === "function" ? new (exported as new () => AnyProvider)() : exported
  ) as AnyProvider);
}
