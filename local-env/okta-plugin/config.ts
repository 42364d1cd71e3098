// The provider configuration this plugin serves, resolved as terraform-provider-okta (which pulumi-okta bridges)
// resolves it: okta/config/config.go `NewConfig` takes each setting from the provider's inputs (stack config
// `okta:<key>`, or an explicit `okta.Provider`), else from its environment variable; okta/api/idaas.go
// `GetV3ClientConfig` / `oktaV2SDKClient` build the org URL and pick the credentials.
//
//   orgName        OKTA_ORG_NAME
//   baseUrl        OKTA_BASE_URL        (default okta.com, the base the provider's docs name; config.go sets none)
//   apiToken       OKTA_API_TOKEN       SSWS
//   accessToken    OKTA_ACCESS_TOKEN    Bearer — not served here (see below)
//   clientId       OKTA_API_CLIENT_ID   } an OAuth service app with private_key_jwt
//   privateKey     OKTA_API_PRIVATE_KEY }
//   privateKeyId   OKTA_API_PRIVATE_KEY_ID
//   scopes         OKTA_API_SCOPES      (comma-separated)
//   httpProxy      OKTA_HTTP_PROXY      replaces the org URL: idaas.go `orgUrl = strings.TrimSuffix(c.HttpProxy, "/")`
//
// The org URL is `https://<orgName>.<baseUrl>` unless httpProxy is set (idaas.go `GetV3ClientConfig`); that is how
// this plugin reaches the local Okta on http://127.0.0.1:<port>. Credentials are taken in the order of idaas.go's
// `switch`: access token, then API token, then private key; none at all is refused as okta/provider/provider.go
// `providerConfigure` refuses it.

import type { OktaConnectionSettings } from "../../dynamic/oktaSettings";
import { UNKNOWN, unwrapSecrets, type PropertyBag } from "../plugin-host";

/** A configuration that cannot be used, with what to set. Never carries a configured value. */
export class OktaPluginConfigError extends Error {
  override readonly name = "OktaPluginConfigError";
}

/** Values still unknown (a preview whose provider inputs come from resources not created yet). */
export const CONFIG_UNKNOWN = Symbol("config-unknown");

/** Each setting: its input name (stack config `okta:<name>`) and its environment variable (config.go `NewConfig`). */
export const OKTA_CONFIG_KEYS = {
  orgName: "OKTA_ORG_NAME",
  baseUrl: "OKTA_BASE_URL",
  apiToken: "OKTA_API_TOKEN",
  accessToken: "OKTA_ACCESS_TOKEN",
  clientId: "OKTA_API_CLIENT_ID",
  privateKey: "OKTA_API_PRIVATE_KEY",
  privateKeyId: "OKTA_API_PRIVATE_KEY_ID",
  scopes: "OKTA_API_SCOPES",
  httpProxy: "OKTA_HTTP_PROXY",
} as const;

type Key = keyof typeof OKTA_CONFIG_KEYS;

/** `okta:<key>` (and the env var) as an error names them. */
function names(key: Key): string {
  return `\`okta:${key}\` / ${OKTA_CONFIG_KEYS[key]}`;
}

/** The provider's input, else the older `okta:config:<key>` variable, else the environment (config.go `NewConfig`). */
function pick(
  args: PropertyBag,
  variables: Record<string, string>,
  env: NodeJS.ProcessEnv,
  key: Key,
): string | readonly string[] | typeof CONFIG_UNKNOWN | undefined {
  const v = args[key] ?? variables[`okta:config:${key}`] ?? variables[`okta:${key}`];
  if (v === UNKNOWN) return CONFIG_UNKNOWN;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  const fromEnv = env[OKTA_CONFIG_KEYS[key]]?.trim();
  return fromEnv ? fromEnv : undefined;
}

function pickString(
  args: PropertyBag,
  variables: Record<string, string>,
  env: NodeJS.ProcessEnv,
  key: Exclude<Key, "scopes">,
): string | typeof CONFIG_UNKNOWN | undefined {
  const v = pick(args, variables, env, key);
  return Array.isArray(v) ? v.join(",") : (v as string | typeof CONFIG_UNKNOWN | undefined);
}

/**
 * Scopes as a list: an array input, a JSON array (stack config keeps lists as JSON text), or comma-separated
 * (config.go `NewConfig`: `strings.Split(OKTA_API_SCOPES, ",")`).
 */
export function parseScopes(v: string | readonly string[]): string[] {
  let items: readonly unknown[] | undefined = Array.isArray(v) ? v : undefined;
  if (!items && typeof v === "string" && v.startsWith("[")) {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (Array.isArray(parsed)) items = parsed;
    } catch {
      // not JSON: comma-separated
    }
  }
  const list = items ? items.map(String) : String(v).split(",");
  return list.map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * The org URL: httpProxy with its trailing slash removed when set, else `https://<orgName>.<baseUrl>` (idaas.go
 * `GetV3ClientConfig`). Throws naming the keys when neither can be built.
 */
export function oktaOrgUrl(settings: { httpProxy?: string; orgName?: string; baseUrl?: string }): string {
  if (settings.httpProxy) {
    const orgUrl = settings.httpProxy.replace(/\/+$/, "");
    let url: URL;
    try {
      url = new URL(orgUrl);
    } catch {
      throw new OktaPluginConfigError(
        `okta: ${names("httpProxy")} is not a URL; give scheme://host[:port], e.g. http://127.0.0.1:8080`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new OktaPluginConfigError(`okta: ${names("httpProxy")} must be an http:// or https:// URL`);
    }
    return orgUrl;
  }
  if (!settings.orgName) {
    throw new OktaPluginConfigError(
      `okta: no Okta org: set ${names("orgName")} (the <org> of https://<org>.okta.com, with ${names("baseUrl")} ` +
        `for another domain), or ${names("httpProxy")} to reach the API at another URL`,
    );
  }
  const orgUrl = `https://${settings.orgName}.${settings.baseUrl ?? "okta.com"}`;
  try {
    new URL(orgUrl);
  } catch {
    throw new OktaPluginConfigError(
      `okta: ${names("orgName")} and ${names("baseUrl")} do not make a URL (https://<orgName>.<baseUrl>)`,
    );
  }
  return orgUrl;
}

/**
 * The connection a Configure request describes: `args` are the provider's inputs (secrets may be wrapped),
 * `variables` the older `okta:config:<key>` map; the environment fills what neither sets. Returns `CONFIG_UNKNOWN`
 * while a value is not known yet; throws `OktaPluginConfigError` naming the keys when the settings cannot be used.
 */
export function resolveOktaConnection(
  rawArgs: PropertyBag | undefined,
  variables: Record<string, string>,
  env: NodeJS.ProcessEnv,
): OktaConnectionSettings | typeof CONFIG_UNKNOWN {
  const { plain: args } = unwrapSecrets(rawArgs);
  const s = {
    orgName: pickString(args, variables, env, "orgName"),
    baseUrl: pickString(args, variables, env, "baseUrl"),
    httpProxy: pickString(args, variables, env, "httpProxy"),
    apiToken: pickString(args, variables, env, "apiToken"),
    accessToken: pickString(args, variables, env, "accessToken"),
    clientId: pickString(args, variables, env, "clientId"),
    privateKey: pickString(args, variables, env, "privateKey"),
    privateKeyId: pickString(args, variables, env, "privateKeyId"),
    scopes: pick(args, variables, env, "scopes"),
  };
  if (Object.values(s).includes(CONFIG_UNKNOWN)) return CONFIG_UNKNOWN;
  const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
  const known = {
    orgName: str(s.orgName),
    baseUrl: str(s.baseUrl),
    httpProxy: str(s.httpProxy),
    apiToken: str(s.apiToken),
    accessToken: str(s.accessToken),
    clientId: str(s.clientId),
    privateKey: str(s.privateKey),
    privateKeyId: str(s.privateKeyId),
    scopes:
      typeof s.scopes === "string" || Array.isArray(s.scopes) ? (s.scopes as string | string[]) : undefined,
  };
  const orgUrl = oktaOrgUrl({
    ...(known.httpProxy ? { httpProxy: known.httpProxy } : {}),
    ...(known.orgName ? { orgName: known.orgName } : {}),
    ...(known.baseUrl ? { baseUrl: known.baseUrl } : {}),
  });
  // idaas.go `GetV3ClientConfig`: access token first, then API token, then private key.
  if (known.accessToken) {
    throw new OktaPluginConfigError(
      `okta: ${names("accessToken")} is set, but a Bearer access token is not served by the local environment's ` +
        `okta plugin; use ${names("apiToken")}, or an OAuth service app (${names("clientId")}, ` +
        `${names("privateKey")}), or install the official plugin (pulumi plugin install resource okta <version>)`,
    );
  }
  if (known.apiToken) return { orgUrl, credentials: { kind: "apiToken", apiToken: known.apiToken } };
  if (known.privateKey) {
    if (!known.clientId) {
      throw new OktaPluginConfigError(
        `okta: ${names("privateKey")} is set without ${names("clientId")}: an OAuth service app needs its client id`,
      );
    }
    const scopes = known.scopes ? parseScopes(known.scopes) : [];
    if (scopes.length === 0) {
      throw new OktaPluginConfigError(
        `okta: ${names("privateKey")} is set without ${names("scopes")}: name the scopes the service app is ` +
          "granted, e.g. okta.apps.read,okta.apps.manage",
      );
    }
    return {
      orgUrl,
      credentials: {
        kind: "privateKey",
        clientId: known.clientId,
        privateKey: known.privateKey,
        scopes,
        ...(known.privateKeyId ? { privateKeyId: known.privateKeyId } : {}),
      },
    };
  }
  // okta/provider/provider.go `providerConfigure`.
  throw new OktaPluginConfigError(
    `okta: no Okta credentials: set ${names("apiToken")} (\`pulumi config set --secret okta:apiToken …\`), or ` +
      `${names("privateKey")} with ${names("clientId")} and ${names("scopes")} for an OAuth service app`,
  );
}
