// The Okta connection shared by the dynamic resources of this folder.
//
// Credentials are never held by the provider objects themselves: a dynamic provider stored in Pulumi state
// (`__provider`) carries everything it captures. The resources store only a stand-in that names their
// provider (providerByReference.ts), and the providers stay serializable by value too, with nothing secret
// captured (test/provider/serialization.test.ts). The providers' `configure(req)` hands the stack config to
// `configureConnection`, which keeps it in a process-global registry (outside any serialized closure); the
// settings are resolved from that config and the environment only when a call to Okta is about to be made.
// What to connect to is oktaSettings.ts; the calls are oktaApi.ts, under the retry policy of oktaRetry.ts.

import * as pulumi from "@pulumi/pulumi";
import { OktaApi } from "./oktaApi";
import type { RetryEvent } from "./oktaRetry";
import { resolveConnectionSettings, type ConfigSource } from "./oktaSettings";

interface ConnectionRegistry {
  config?: ConfigSource;
  clients: Map<string, OktaApi>;
  retryListeners: Set<(e: RetryEvent) => void>;
  warningListeners?: Set<(message: string) => void>;
  locks: Map<string, Promise<unknown>>;
}

const REGISTRY_KEY = "__oktaRotationConnectionRegistry";

function registry(): ConnectionRegistry {
  const g = globalThis as unknown as Record<string, ConnectionRegistry | undefined>;
  let r = g[REGISTRY_KEY];
  if (r === undefined) {
    r = { clients: new Map(), retryListeners: new Set(), locks: new Map() };
    g[REGISTRY_KEY] = r;
  }
  return r;
}

/** Called from each provider's `configure(req)`: remembers the stack config for this process. */
export async function configureConnection(req: { config: ConfigSource }): Promise<void> {
  const r = registry();
  r.config = req.config;
  r.clients.clear();
}

/** Forgets the configured stack config and cached clients (tests). */
export function resetConnection(): void {
  const r = registry();
  r.config = undefined;
  r.clients.clear();
}

/**
 * Runs `fn` after every earlier `exclusive` call with the same key has settled (in this process). Creates on
 * one app are serialized so that "what appeared since my list" after an unclear outcome can only be ours,
 * even when the engine runs several resources of the same app in parallel.
 */
export async function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const locks = registry().locks;
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(key, settled);
  try {
    return await run;
  } finally {
    if (locks.get(key) === settled) locks.delete(key);
  }
}

/** Subscribe to retry events (tests, diagnostics). Returns the unsubscribe function. */
export function onRetry(listener: (e: RetryEvent) => void): () => void {
  const r = registry();
  r.retryListeners.add(listener);
  return () => r.retryListeners.delete(listener);
}

function inEngine(): boolean {
  if (pulumi.runtime.hasEngine()) return true;
  // The dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`) has no engine connection of its own;
  // its stderr is what the engine shows for the provider, which is where pulumi.log falls back to.
  return process.argv.some((a) => a.includes("dynamic-provider"));
}

/** A warning from inside a provider method (shown by the engine with the provider's output). */
export function providerWarning(message: string): void {
  for (const l of registry().warningListeners ?? []) l(message);
  if (inEngine()) void pulumi.log.warn(message);
}

/** Subscribe to provider warnings (tests, diagnostics). Returns the unsubscribe function. */
export function onWarning(listener: (message: string) => void): () => void {
  const r = registry();
  (r.warningListeners ??= new Set()).add(listener);
  return () => r.warningListeners?.delete(listener);
}

export function reportRetry(e: RetryEvent): void {
  for (const l of registry().retryListeners) l(e);
  if (inEngine()) void pulumi.log.warn(e.message);
}

/** The Okta API client for the current config + environment (cached per settings). */
export function getOktaApi(): OktaApi {
  const settings = resolveConnectionSettings(registry().config, process.env);
  const key = JSON.stringify(settings);
  const r = registry();
  let api = r.clients.get(key);
  if (api === undefined) {
    api = new OktaApi(settings, reportRetry);
    r.clients.set(key, api);
  }
  return api;
}
