import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  UNRECORDED_PROMISE_STACK,
  isPulumiPromiseStack,
  skipUnprintedPromiseStacks,
} from "../../components/promiseStacks";

// The SDK's own function, as the program's runtime calls it for each promise it makes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
};
/** The stack the SDK records on a promise it makes (on the promise it is given). */
function recorded(): string {
  const p = Promise.resolve(1);
  void debuggablePromise(p, "test");
  return (p as unknown as { _debugStackTrace: string })._debugStackTrace;
}

/** A formatter standing in for ts-node's source-map support: it says which error it formatted. */
let formatted: string[];
const original = Error.prepareStackTrace;
beforeEach(() => {
  formatted = [];
  Error.prepareStackTrace = (error: Error) => {
    formatted.push(error.message);
    return `formatted: ${error.message}`;
  };
});
afterEach(() => {
  Error.prepareStackTrace = original;
});

describe("skipUnprintedPromiseStacks", () => {
  it("leaves the SDK's promise stacks unformatted, and formats every other stack as before", () => {
    expect(skipUnprintedPromiseStacks({})).toBe(true);
    expect(recorded()).toBe(UNRECORDED_PROMISE_STACK);
    expect(new Error("a resource failed").stack).toBe("formatted: a resource failed");
    expect(formatted).toEqual(["a resource failed"]);
  });

  it("changes nothing when PULUMI_DEBUG_PROMISE_LEAKS will print the stacks", () => {
    expect(skipUnprintedPromiseStacks({ PULUMI_DEBUG_PROMISE_LEAKS: "true" })).toBe(false);
    expect(recorded()).toBe("formatted: ");
  });

  it("changes nothing without a formatter of its own to spare (V8 formats natively)", () => {
    delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    expect(skipUnprintedPromiseStacks({})).toBe(false);
    expect(Error.prepareStackTrace).toBeUndefined();
    expect(recorded()).toMatch(/^Error\n {4}at debuggablePromise /);
  });

  it("wraps the formatter once, however often it is called", () => {
    expect(skipUnprintedPromiseStacks({})).toBe(true);
    const once = Error.prepareStackTrace;
    expect(skipUnprintedPromiseStacks({})).toBe(true);
    expect(Error.prepareStackTrace).toBe(once);
    void new Error("once").stack;
    expect(formatted).toEqual(["once"]);
  });
});

describe("isPulumiPromiseStack", () => {
  const frame = (fn: string | null, file: string | undefined) =>
    ({ getFunctionName: () => fn, getFileName: () => file }) as unknown as NodeJS.CallSite;
  const segment = fc.stringMatching(/^[a-z.@+_-]{1,12}$/);

  it("is the SDK's debuggablePromise in its runtime/debuggable.js, wherever the package is installed", () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), fc.constantFrom("/", "\\"), (dirs, sep) => {
        const file = [...dirs, "node_modules", "@pulumi", "pulumi", "runtime", "debuggable.js"].join(sep);
        expect(isPulumiPromiseStack([frame("debuggablePromise", sep + file)])).toBe(true);
      }),
    );
  });

  it("is nothing else: another function, another file, or no frame", () => {
    fc.assert(
      fc.property(fc.option(segment, { nil: null }), fc.array(segment, { maxLength: 6 }), (fn, dirs) => {
        const file = "/" + dirs.join("/");
        expect(isPulumiPromiseStack([frame(fn, "/x/@pulumi/pulumi/runtime/debuggable.js")])).toBe(
          fn === "debuggablePromise",
        );
        expect(isPulumiPromiseStack([frame("debuggablePromise", file)])).toBe(
          /\/@pulumi\/pulumi\/runtime\/debuggable\.js$/.test(file),
        );
      }),
    );
    expect(isPulumiPromiseStack([])).toBe(false);
    expect(isPulumiPromiseStack([frame("debuggablePromise", undefined)])).toBe(false);
  });
});
