// The request executor that applies the retry policy (oktaRetry.ts) to Okta calls: 429 waits as Okta says, 5xx
// and network errors retried with backoff when the request may be repeated, pacing within this token's share of
// the rate limits (rateLimitPacing.ts), and, with a service app, authorization of every attempt
// (serviceAppAuth.ts). Its types come from the Okta SDK, so it is kept out of the package's public types.

import type { RequestExecutor } from "@okta/okta-sdk-nodejs";
import { loadOktaSdk } from "./oktaSdk";
import { OktaTransportError } from "./oktaErrors";
import { createRateLimitPacer, rateLimitBucket } from "./rateLimitPacing";
import {
  backoffDelayMs,
  isIdempotentRequest,
  rateLimitDelayMs,
  sleep,
  type RetryEvent,
  type RetryPolicy,
} from "./oktaRetry";
import type {
  AttemptHooks,
  AttemptRequest,
  AttemptResponse,
  ServiceAppAuth,
  Transport,
} from "./serviceAppAuth";

type FetchResponse = Awaited<ReturnType<RequestExecutor["fetch"]>>;
type FetchRequest = Parameters<RequestExecutor["fetch"]>[0];

/**
 * Sends one request under the retry policy: 429 waits as `X-Rate-Limit-Reset` says; 5xx and network errors
 * retried with backoff when the request may be repeated. `hooks.prepare` builds each attempt (fresh
 * credentials and DPoP proof); `hooks.again` asks for an immediate resend (a nonce, a renewed token). Each
 * retry is told to `reportRetry`.
 */
async function sendWithPolicy(
  send: (request: FetchRequest) => Promise<FetchResponse>,
  reportRetry: (e: RetryEvent) => void,
  policy: RetryPolicy,
  request: FetchRequest,
  hooks: AttemptHooks,
  idempotentOverride?: boolean,
): Promise<FetchResponse> {
  const req = request as { method?: string; url?: string };
  const method = String(req.method ?? "GET").toUpperCase();
  let path = String(req.url ?? "");
  try {
    path = new URL(path).pathname;
  } catch {
    // keep as is
  }
  const idempotent = idempotentOverride ?? isIdempotentRequest(method, path);
  let serverRetries = 0;
  let rateRetries = 0;
  for (;;) {
    let response: FetchResponse;
    // Outside the try: a refused token request or an unusable key is not a network failure to retry.
    const sent = hooks.prepare ? ((await hooks.prepare(request as AttemptRequest)) as FetchRequest) : request;
    try {
      response = await send({ ...sent, timeout: policy.requestTimeoutMs } as FetchRequest);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (idempotent && serverRetries < policy.maxRetries) {
        serverRetries++;
        const delayMs = backoffDelayMs(serverRetries, policy);
        reportRetry({
          method,
          path,
          reason: "network-error",
          attempt: serverRetries,
          delayMs,
          message: `Okta ${method} ${path} failed (${reason}); retry ${serverRetries}/${policy.maxRetries} in ${delayMs} ms`,
        });
        await sleep(delayMs);
        continue;
      }
      throw new OktaTransportError(method, path, reason, idempotent);
    }
    if (hooks.again?.(response as AttemptResponse, sent as AttemptRequest)) {
      await response.text().catch(() => undefined);
      continue;
    }
    if (response.status === 429 && rateRetries < policy.rateLimitRetries) {
      rateRetries++;
      const delayMs = rateLimitDelayMs(
        response.headers.get("x-rate-limit-reset"),
        response.headers.get("date"),
        Date.now(),
        policy.maxRateLimitWaitMs,
        backoffDelayMs(rateRetries, policy),
      );
      await response.text().catch(() => undefined);
      reportRetry({
        method,
        path,
        reason: "rate-limited",
        status: 429,
        attempt: rateRetries,
        delayMs,
        message: `Okta rate limit hit on ${method} ${path} (429); waiting ${Math.ceil(delayMs / 1000)} s as X-Rate-Limit-Reset says, retry ${rateRetries}/${policy.rateLimitRetries}`,
      });
      await sleep(delayMs);
      continue;
    }
    if (response.status >= 500 && idempotent && serverRetries < policy.maxRetries) {
      serverRetries++;
      const delayMs = backoffDelayMs(serverRetries, policy);
      await response.text().catch(() => undefined);
      reportRetry({
        method,
        path,
        reason: "server-error",
        status: response.status,
        attempt: serverRetries,
        delayMs,
        message: `Okta ${method} ${path} answered ${response.status}; retry ${serverRetries}/${policy.maxRetries} in ${delayMs} ms`,
      });
      await sleep(delayMs);
      continue;
    }
    return response;
  }
}

/**
 * A request executor with this project's retry policy in place of the SDK default; with a service app, the
 * executor also authorizes each attempt (token, DPoP proof) through serviceAppAuth.ts. Retries and pacing waits
 * are told to `reportRetry` (the connection's listeners and the engine log, connection.ts).
 */
export function retryingExecutor(
  policyOf: () => RetryPolicy,
  reportRetry: (e: RetryEvent) => void,
  serviceApp?: (transport: Transport) => ServiceAppAuth,
): RequestExecutor {
  const base = new (loadOktaSdk().RequestExecutor)();
  const fetchOnce = base.fetch.bind(base);
  // Stays within this token's share of each bucket (rateLimitPacing.ts); a 429 stays the fallback.
  const pacer = createRateLimitPacer({
    maxWaitMs: () => policyOf().maxRateLimitWaitMs,
    onWait: (e) =>
      reportRetry({
        method: "",
        path: e.bucket,
        reason: "paced",
        attempt: 0,
        delayMs: e.delayMs,
        message: `Okta rate limit: this token's share of ${e.bucket} (${e.limit}) is used; waiting ${Math.ceil(e.delayMs / 1000)} s for X-Rate-Limit-Reset`,
      }),
  });
  const send = async (request: FetchRequest): Promise<FetchResponse> => {
    const req = request as { method?: string; url?: string };
    let path = String(req.url ?? "");
    try {
      path = new URL(path).pathname;
    } catch {
      // keep as is
    }
    const bucket = rateLimitBucket(String(req.method ?? "GET").toUpperCase(), path);
    await pacer.before(bucket);
    let response: FetchResponse | undefined;
    try {
      response = await fetchOnce(request);
      return response;
    } finally {
      const headers = response?.headers;
      pacer.after(bucket, headers ? (name) => headers.get(name) : undefined);
    }
  };
  const transport: Transport = async (request, hooks, idempotent) =>
    (await sendWithPolicy(
      send,
      reportRetry,
      policyOf(),
      request as FetchRequest,
      hooks,
      idempotent,
    )) as unknown as AttemptResponse;
  const auth = serviceApp?.(transport);
  const fetch = (request: FetchRequest): Promise<FetchResponse> =>
    sendWithPolicy(send, reportRetry, policyOf(), request, auth?.hooks() ?? {});
  // The SDK only calls `fetch`; keep its EventEmitter surface from the base instance.
  return Object.assign(base, { fetch }) as RequestExecutor;
}
