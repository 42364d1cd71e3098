// Creates that are never blindly repeated.

import { reportRetry } from "./connection";
import { describeFailure, operationError } from "./oktaErrors";
import { backoffDelayMs, retryPolicyFromEnv, sleep } from "./oktaRetry";

export interface CreateOnceOptions<T extends { readonly id: string }> {
  /** What the app held right before the first POST. */
  readonly before: readonly T[];
  readonly list: () => Promise<T[]>;
  readonly create: () => Promise<T>;
  /** Whether an item that appeared since `before` is the one this create made. */
  readonly recognise: (candidate: T) => boolean;
  /** For log lines, e.g. `client secret for app 0oa1`. */
  readonly what: string;
}

/**
 * Runs a create (POST) whose outcome may be unclear (5xx, dropped connection, timeout) without ever
 * creating twice: after an unclear failure it lists again and adopts the item it recognises as its own;
 * only when nothing new is there does it POST again. Clear refusals (4xx) are thrown at once.
 */
export async function createOnce<T extends { readonly id: string }>(
  opts: CreateOnceOptions<T>,
): Promise<{ readonly item: T; readonly recognised: boolean }> {
  const policy = retryPolicyFromEnv(process.env);
  const known = new Set(opts.before.map((i) => i.id));
  for (let attempt = 1; ; attempt++) {
    try {
      return { item: await opts.create(), recognised: false };
    } catch (err) {
      const failure = describeFailure(err);
      if (!failure.ambiguous) throw err;
      const after = await opts.list();
      const mine = after.filter((i) => !known.has(i.id) && opts.recognise(i));
      if (mine.length === 1) {
        const item = mine[0]!;
        reportRetry({
          method: "POST",
          path: opts.what,
          reason: failure.status !== undefined ? "server-error" : "network-error",
          ...(failure.status !== undefined ? { status: failure.status } : {}),
          attempt,
          delayMs: 0,
          message: `Creating the ${opts.what} had an unclear outcome (${failure.detail}); it did happen: adopted ${item.id}`,
        });
        return { item, recognised: true };
      }
      if (mine.length > 1) {
        throw operationError(
          `Creating the ${opts.what} had an unclear outcome (${failure.detail}) and ${mine.length} new items ` +
            `appeared meanwhile (${mine.map((i) => i.id).join(", ")}); cannot tell which one is ours. ` +
            `Check the app in Okta, delete the extra one, and run again.`,
        );
      }
      if (attempt > policy.maxRetries) throw err;
      for (const i of after) known.add(i.id);
      const delayMs = backoffDelayMs(attempt, policy);
      reportRetry({
        method: "POST",
        path: opts.what,
        reason: failure.status !== undefined ? "server-error" : "network-error",
        ...(failure.status !== undefined ? { status: failure.status } : {}),
        attempt,
        delayMs,
        message: `Creating the ${opts.what} failed (${failure.detail}) and it is not in Okta; retry ${attempt}/${policy.maxRetries} in ${delayMs} ms`,
      });
      await sleep(delayMs);
    }
  }
}
