// A dynamic resource stores its provider in state (`__provider`, in inputs and in outputs), serialized with
// everything the provider captures. A provider that captures its implementation (the Okta connection, the
// retries, the schemas) is 50-65 KB of JavaScript per resource, so 100 apps' worth of slots is a state of
// tens of megabytes; the file backend rewrites the whole state twice per step, so that size is what a large
// `pulumi up` spends its time on.
//
// `providerByReference` stands in for such a provider. The stand-in captures only where the implementation
// is (its file, relative to the project directory, and its export name), the way a provider from an npm
// package is captured as a `require` of that package; this module loads the implementation in the provider
// process on first use. The provider process runs in the project directory, like the program. TypeScript
// loads through tsx.

/* eslint-disable @typescript-eslint/no-require-imports -- loading at run time, by path, is the point */
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";

const PROVIDER_METHODS = ["check", "diff", "create", "read", "update", "delete"] as const;
type ProviderMethod = "configure" | (typeof PROVIDER_METHODS)[number];
type AnyProvider = Partial<Record<ProviderMethod, (...args: unknown[]) => Promise<unknown>>>;

/** This file, relative to the project directory: what the stand-in loads to install the implementation. */
const LOADER = relativeToProject(__filename);

/**
 * A provider that loads `exportName` from `file` (a provider class or object) in the provider process.
 *
 * The stand-in has one method, `configure`, which the dynamic provider host calls on every provider it
 * deserializes before any other (`getProvider` in @pulumi/pulumi's cmd/dynamic-provider). It loads this
 * module (once per process), which gives the stand-in exactly the implementation's methods (a missing `diff`
 * or `update` changes what the engine does) and passes the configuration on.
 *
 * Every character of `configure` is stored in state, twice per resource: it is three statements, and it
 * captures two strings and nothing else.
 */
export function providerByReference(file: string, exportName: string): pulumi.dynamic.ResourceProvider {
  const ref = `${relativeToProject(file)}#${exportName}`;
  return {
    configure(req: pulumi.dynamic.ConfigureRequest) {
      const g = globalThis as { __oktaRotationLoader?: typeof import("./providerByReference") };
      g.__oktaRotationLoader ??= (require("tsx/cjs/api").register(), require(`${process.cwd()}/${LOADER}`));
      return g.__oktaRotationLoader!.install(this as AnyProvider, ref, req);
    },
  } as pulumi.dynamic.ResourceProvider;
}

function relativeToProject(file: string): string {
  return path.relative(process.cwd(), file).split(path.sep).join("/");
}

/** Gives `stand` the methods of the provider `ref` names, then configures that provider. */
export async function install(stand: AnyProvider, ref: string, req: unknown): Promise<void> {
  const provider = loadProvider(ref);
  for (const m of PROVIDER_METHODS) {
    const fn = provider[m];
    if (typeof fn === "function") stand[m] = fn.bind(provider);
  }
  await provider.configure?.(req);
}

const loaded = new Map<string, AnyProvider>();

/** Loads (once per process) and returns the provider `ref` ("<file>#<export>") names. */
export function loadProvider(ref: string): AnyProvider {
  const cached = loaded.get(ref);
  if (cached) return cached;
  const [file = "", name = ""] = ref.split("#");
  let exported: unknown;
  try {
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
  const provider = (
    typeof exported === "function" ? new (exported as new () => AnyProvider)() : exported
  ) as AnyProvider;
  loaded.set(ref, provider);
  return provider;
}
