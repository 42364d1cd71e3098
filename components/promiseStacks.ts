// The stack traces Pulumi's Node SDK records for its own promises, and what they cost a large program.
//
// For every promise the SDK makes while it registers a resource (`debuggablePromise` in its runtime/debuggable.js:
// four per property of each resource, and more per call), it formats `new Error().stack` on the spot and keeps the
// text. It prints that text only in its promise-leak report, and only with PULUMI_DEBUG_PROMISE_LEAKS set. A
// program run by the TypeScript runtime formats every stack through ts-node's source-map support, frame by frame:
// in a no-change preview of 100 apps that was about a third of the program's CPU time, most of what a preview's
// cost grows by with each app (docs/local-environment.md, "At scale").

/** What such a stack reads as when nothing will print it. */
export const UNRECORDED_PROMISE_STACK =
  "Error\n    (stack not recorded: set PULUMI_DEBUG_PROMISE_LEAKS to record the stacks of Pulumi's promises)";

const WRAPPED = Symbol.for("okta-credential-rotation.promiseStacks");

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** Whether a stack is one that the SDK's `debuggablePromise` takes for a promise it makes. Pure. */
export function isPulumiPromiseStack(frames: readonly NodeJS.CallSite[]): boolean {
  const top = frames[0];
  if (top === undefined || top.getFunctionName() !== "debuggablePromise") return false;
  return /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/.test(top.getFileName() ?? "");
}

/**
 * Leaves the stacks of Pulumi's promises unformatted when nothing will print them: while
 * PULUMI_DEBUG_PROMISE_LEAKS is not set, such a stack reads {@link UNRECORDED_PROMISE_STACK}. Every other stack
 * trace (errors, the source position of each resource) is formatted as before, by the formatter in place
 * (ts-node's source-map support under the TypeScript runtime). With PULUMI_DEBUG_PROMISE_LEAKS set, or without a
 * formatter of its own to spare, it changes nothing. Call it in the program before registering resources; calling
 * it again does nothing. Returns whether the stacks are now left unformatted.
 */
export function skipUnprintedPromiseStacks(
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  if (env.PULUMI_DEBUG_PROMISE_LEAKS) return false;
  const format = Error.prepareStackTrace as (PrepareStackTrace & { [WRAPPED]?: true }) | undefined;
  if (typeof format !== "function") return false;
  if (format[WRAPPED]) return true;
  const wrapped: PrepareStackTrace & { [WRAPPED]?: true } = (error, frames) =>
    isPulumiPromiseStack(frames) ? UNRECORDED_PROMISE_STACK : format(error, frames);
  wrapped[WRAPPED] = true;
  Error.prepareStackTrace = wrapped;
  return true;
}
