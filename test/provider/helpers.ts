// Shared setup of the provider tests: a local Okta, the environment pointing at it, fast retries.
import { resetConnection } from "../../dynamic";
import { startOktaLocal } from "../../local-env/okta";

export type OktaLocal = Awaited<ReturnType<typeof startOktaLocal>>;
export type OktaLocalOptions = NonNullable<Parameters<typeof startOktaLocal>[0]>;

const CONNECTION_ENV = [
  "OKTA_ORG_URL",
  "OKTA_ORG_NAME",
  "OKTA_BASE_URL",
  "OKTA_API_TOKEN",
  "OKTA_API_CLIENT_ID",
  "OKTA_API_PRIVATE_KEY",
  "OKTA_API_PRIVATE_KEY_ID",
  "OKTA_API_SCOPES",
];

/** Starts a local Okta and points the providers at it with an SSWS token (env, as the brief of a CI job would). */
export async function startOkta(opts: OktaLocalOptions = {}): Promise<OktaLocal> {
  // A test file makes more calls than one token's share of a paid org's bucket (50 a minute): rate limits have
  // their own tests, which set them.
  const okta = await startOktaLocal({
    ...opts,
    rateLimits: { apps: 10_000, app: 10_000, ...opts.rateLimits },
  });
  useSsws(okta);
  process.env.OKTA_ROTATION_RETRY_BASE_MS = "5";
  process.env.OKTA_ROTATION_RETRY_MAX_MS = "20";
  process.env.OKTA_ROTATION_MAX_RETRIES = "4";
  process.env.OKTA_ROTATION_REQUEST_TIMEOUT_MS = "5000";
  return okta;
}

export function clearConnectionEnv(): void {
  for (const k of CONNECTION_ENV) delete process.env[k];
  resetConnection();
}

export function useSsws(okta: OktaLocal): void {
  clearConnectionEnv();
  process.env.OKTA_ORG_URL = okta.orgUrl;
  process.env.OKTA_API_TOKEN = okta.apiToken;
}

/** An Okta call made by "someone else" (drift), with the seeded SSWS token. */
export async function outOfBand(
  okta: OktaLocal,
  method: string,
  path: string,
  body?: Record<string, unknown>,
): Promise<number> {
  const res = await fetch(`${okta.orgUrl}${path}`, {
    method,
    headers: {
      Authorization: `SSWS ${okta.apiToken}`,
      Accept: "application/json",
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  await res.text();
  return res.status;
}

/** Outputs with secret members replaced by whether they are set: safe to print in a failed assertion. */
export function redact<T extends object>(outs: T | undefined): Record<string, unknown> {
  const r: Record<string, unknown> = { ...(outs ?? {}) };
  for (const k of ["clientSecret", "value"]) if (k in r) r[k] = r[k] === undefined ? undefined : "<set>";
  return r;
}

/** Requests since the last clearLog, as `METHOD path status` lines. */
export function calls(okta: OktaLocal): string[] {
  return okta.requestLog.map((l) => `${l.method} ${l.path} ${l.status}`);
}

/** Runs `fn` and returns the error it throws (fails the test if it does not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}
