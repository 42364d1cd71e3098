// The connection settings: the Okta org URL and credentials, resolved from the stack config passed to
// `configure(req)` and the environment, and validated.

import { keepMessage } from "./oktaErrors";

/** The part of `pulumi.dynamic.Config` used here (`req.config` in `configure`). */
export interface ConfigSource {
  /** The value of a config key, e.g. `okta:orgName`, or undefined. */
  get(key: string): string | undefined;
}

/** How the connection authenticates to Okta's management API: an API token, or an OAuth service app with private_key_jwt. */
export type OktaCredentials =
  | { readonly kind: "apiToken"; readonly apiToken: string }
  | {
      readonly kind: "privateKey";
      readonly clientId: string;
      readonly privateKey: string;
      readonly privateKeyId?: string;
      readonly scopes: readonly string[];
    };

/** Where and how to reach Okta's management API, resolved from stack config and environment. */
export interface OktaConnectionSettings {
  /** `https://<org>.okta.com`, or `http://127.0.0.1:<port>` for the local Okta. No trailing slash. */
  readonly orgUrl: string;
  readonly credentials: OktaCredentials;
}

// Constants used by provider code are returned by functions: the closure serializer captures only the
// members it sees accessed statically, so a captured object indexed by a variable arrives incomplete.

export function defaultScopes(): string[] {
  return ["okta.apps.read", "okta.apps.manage"];
}

/** The scopes a service app asks for unless `okta:scopes` says otherwise: `okta.apps.read` and `okta.apps.manage`. */
export const DEFAULT_SCOPES: readonly string[] = defaultScopes();

/**
 * The config namespace of what this package reads itself (`okta-credential-rotation:oktaOrgUrl`), as a provider
 * package reads `<provider>:*`: the same in every program, whatever its project's name.
 */
export function packageNamespace(): string {
  return "okta-credential-rotation";
}

/** Stack config keys and environment variables, in the order they are consulted. */
export function connectionKeys() {
  return {
    // Fully qualified: the package's own namespace, whatever the project that uses it is called.
    orgUrl: { config: `${packageNamespace()}:oktaOrgUrl`, env: "OKTA_ORG_URL" },
    orgName: { config: "okta:orgName", env: "OKTA_ORG_NAME" },
    baseUrl: { config: "okta:baseUrl", env: "OKTA_BASE_URL" },
    apiToken: { config: "okta:apiToken", env: "OKTA_API_TOKEN" },
    clientId: { config: "okta:clientId", env: "OKTA_API_CLIENT_ID" },
    privateKey: { config: "okta:privateKey", env: "OKTA_API_PRIVATE_KEY" },
    privateKeyId: { config: "okta:privateKeyId", env: "OKTA_API_PRIVATE_KEY_ID" },
    scopes: { config: "okta:scopes", env: "OKTA_API_SCOPES" },
  } as const;
}

/** The stack config keys and environment variables of each connection setting. */
export const CONNECTION_KEYS = connectionKeys();

/** A connection setting is missing or malformed. The message names the config keys and env vars. */
export class OktaConfigError extends Error {
  constructor(message: string) {
    super(message);
    keepMessage(this, message, "OktaConfigError");
  }
}

function lookup(
  key: keyof ReturnType<typeof connectionKeys>,
  config: ConfigSource | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const names = connectionKeys()[key];
  const fromConfig = config?.get(names.config);
  const value = fromConfig !== undefined && fromConfig !== "" ? fromConfig : env[names.env];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** True for hosts that never leave the machine: the only hosts allowed over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

function normaliseOrgUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OktaConfigError(
      `The Okta org URL from ${source} is not a URL. Expected https://<org>.okta.com.`,
    );
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new OktaConfigError(
      `The Okta org URL from ${source} must use https (plain http is accepted only for 127.0.0.1/localhost, ` +
        `i.e. the local Okta), got ${url.protocol}//${url.host}.`,
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * The org URL, or undefined when none is configured: `okta-credential-rotation:oktaOrgUrl` / OKTA_ORG_URL, else
 * `okta:orgName` + `okta:baseUrl` (default okta.com) / OKTA_ORG_NAME + OKTA_BASE_URL. Throws an OktaConfigError
 * for one that is not an https URL (http only on loopback). Pure.
 */
export function resolveOrgUrl(
  config: ConfigSource | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const k = connectionKeys();
  const explicit = lookup("orgUrl", config, env);
  if (explicit !== undefined) {
    return normaliseOrgUrl(explicit, `config "${k.orgUrl.config}" / env ${k.orgUrl.env}`);
  }
  const orgName = lookup("orgName", config, env);
  if (orgName === undefined) return undefined;
  const baseUrl = lookup("baseUrl", config, env) ?? "okta.com";
  return normaliseOrgUrl(`https://${orgName}.${baseUrl}`, `okta:orgName/okta:baseUrl`);
}

/**
 * Resolves the org URL and credentials. Pure: takes the stack config (or nothing) and an environment.
 *
 * Org URL: `okta-credential-rotation:oktaOrgUrl` / OKTA_ORG_URL, else `okta:orgName` + `okta:baseUrl` (default okta.com)
 * / OKTA_ORG_NAME + OKTA_BASE_URL. Credentials: `okta:apiToken` / OKTA_API_TOKEN (SSWS), else an OAuth
 * service app: `okta:clientId`, `okta:privateKey` (PEM or JWK JSON), `okta:privateKeyId`, `okta:scopes`.
 */
export function resolveConnectionSettings(
  config: ConfigSource | undefined,
  env: Readonly<Record<string, string | undefined>>,
): OktaConnectionSettings {
  const k = connectionKeys();
  const orgUrl = resolveOrgUrl(config, env);
  if (orgUrl === undefined) {
    throw new OktaConfigError(
      "No Okta org configured. Set `pulumi config set okta:orgName <org>` (and optionally okta:baseUrl, " +
        `default okta.com), or env ${k.orgName.env}/${k.baseUrl.env}; or give the full URL with ` +
        `\`pulumi config set ${k.orgUrl.config} https://<org>.okta.com\` or env ${k.orgUrl.env}.`,
    );
  }

  const apiToken = lookup("apiToken", config, env);
  if (apiToken !== undefined) {
    return { orgUrl, credentials: { kind: "apiToken", apiToken } };
  }
  const clientId = lookup("clientId", config, env);
  const privateKey = lookup("privateKey", config, env);
  if (clientId === undefined && privateKey === undefined) {
    throw new OktaConfigError(
      `No Okta credentials configured for ${orgUrl}. Either set an API token ` +
        `(\`pulumi config set --secret okta:apiToken <token>\` or env ${k.apiToken.env}), or an OAuth service app ` +
        `with private_key_jwt (okta:clientId + okta:privateKey [+ okta:privateKeyId, okta:scopes], or env ` +
        `${k.clientId.env}, ${k.privateKey.env}, ${k.privateKeyId.env}, ${k.scopes.env}).`,
    );
  }
  if (clientId === undefined || privateKey === undefined) {
    const missing = clientId === undefined ? k.clientId : k.privateKey;
    throw new OktaConfigError(
      `Incomplete OAuth service app credentials for ${orgUrl}: ${missing.config} (env ${missing.env}) is missing. ` +
        `An OAuth service app needs both ${k.clientId.config} and ${k.privateKey.config}.`,
    );
  }
  const scopesRaw = lookup("scopes", config, env);
  const scopes = scopesRaw
    ? scopesRaw
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter((s) => s !== "")
    : defaultScopes();
  const privateKeyId = lookup("privateKeyId", config, env);
  return {
    orgUrl,
    credentials: {
      kind: "privateKey",
      clientId,
      privateKey,
      scopes,
      ...(privateKeyId !== undefined ? { privateKeyId } : {}),
    },
  };
}
