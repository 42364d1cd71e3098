import * as pulumi from "@pulumi/pulumi";
import { expect } from "vitest";
import { revealInputs } from "../../dynamic/hiddenInputs";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** Resource registrations seen by the mocks, in order. */
export const registered: Registered[] = [];

/**
 * Pulumi mocks that echo inputs as outputs and give each dynamic resource the outputs its provider would:
 * ids, a secret value, a status. Call before importing the code under test. `preview`: run as `pulumi preview`
 * does (default: as `pulumi up`).
 */
export function installMocks(preview = false): void {
  skipProviderSerialization();
  let n = 0;
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const inputs = { ...(args.inputs as Record<string, unknown>) };
        delete inputs.__provider;
        registered.push({ type: args.type, name: args.name, inputs });
        const outs: Record<string, unknown> = { ...inputs };
        if (args.name.includes("-slot-")) {
          // What the provider sees: bookkeeping under its plain names (dynamic/hiddenInputs.ts).
          const plain = revealInputs(inputs)!;
          outs.secretId = plain.adoptSecretId ?? `ocs-${args.name}-${inputs.generation}`;
          outs.clientSecret = `value-of-${args.name}-${inputs.generation}`;
          outs.secretHash = `hash-${n}`;
          outs.created = "2026-01-01T00:00:00.000Z";
        }
        if (/-key-[ab]$/.test(args.name)) outs.kid = `kid-${args.name}-${inputs.generation}`;
        if (/-jwk-[ab]$/.test(args.name)) {
          outs.keyId = `pks-${args.name}-${inputs.generation}`;
          outs.kid = (inputs.jwk as { kid?: string } | undefined)?.kid;
          outs.created = "2026-01-01T00:00:00.000Z";
        }
        if (args.name.endsWith("-rollback-secret")) outs.secretId = "ocs-rollback";
        if (args.name.endsWith("-generated")) outs.secretId = `ocs-generated-of-${String(inputs.appId)}`;
        return { id: `${args.name}-id-${++n}`, state: outs };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    "okta-credential-rotation",
    "test",
    preview,
  );
}

/**
 * Under Vitest, Pulumi's closure serializer walks Vitest's module wrappers instead of plain CommonJS modules and
 * does not finish (pulumi/pulumi#10480). Component tests run with mocks, where the serialized provider is never
 * used, so they replace the serializer with a stub. The real serialization is exercised by the engine tests,
 * which run the program under the real `pulumi` CLI, and checked for credentials there.
 */
function skipProviderSerialization(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure") as {
    serializeFunction: (...args: unknown[]) => Promise<{ text: string; containsSecrets: boolean }>;
  };
  closure.serializeFunction = async () => ({
    text: "/* provider not serialized in component tests */",
    containsSecrets: false,
  });
}

/** The value of an output (undefined when unknown). */
export function valueOf<T>(output: pulumi.Output<T> | undefined): Promise<T | undefined> {
  return new Promise((resolve) => {
    if (!output) return resolve(undefined);
    output.apply((v) => {
      resolve(v);
      return v;
    });
  });
}

/** Whether an output is marked secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
  return (output as unknown as { isSecret: Promise<boolean> }).isSecret;
}

export interface ChildOptions {
  type: string;
  name: string;
  /** The inputs as the provider sees them: bookkeeping under its plain names (dynamic/hiddenInputs.ts). */
  props: Record<string, unknown>;
  /** The inputs as registered, bookkeeping under the `__` prefix that no diff shows. */
  registered: Record<string, unknown>;
  opts: pulumi.CustomResourceOptions;
  resource: pulumi.Resource;
}

/** A transformation that records every child's options (dependsOn, deleteBeforeReplace, …), not the component's own. */
export function recordChildren(into: ChildOptions[]): pulumi.ResourceTransformation {
  return (a) => {
    if (a.resource instanceof pulumi.ComponentResource) return undefined;
    into.push({
      type: a.type,
      name: a.name,
      props: revealInputs(a.props as Record<string, unknown>)!,
      registered: a.props as Record<string, unknown>,
      opts: a.opts,
      resource: a.resource,
    });
    return undefined;
  };
}

/** The message of the pulumi.ResourceError `fn` throws, checked to be one line shown without a stack trace. */
export function resourceErrorMessage(fn: () => unknown): string {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(pulumi.ResourceError.isInstance(thrown)).toBe(true);
  const err = thrown as pulumi.ResourceError;
  expect(err.hideStack).toBe(true);
  expect(err.message).not.toContain("\n");
  return err.message;
}
