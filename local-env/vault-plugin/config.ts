// The provider configuration this plugin serves: the Vault address and token, from the provider's inputs
// (`vault:address` / `vault:token` in stack config, or an explicit `vault.Provider`), else from VAULT_ADDR /
// VAULT_TOKEN in the plugin's environment — the order the official provider uses.

import { UNKNOWN, unwrapSecrets, type PropertyBag } from "../plugin-host";

export interface VaultConnection {
  readonly address: string;
  readonly token: string;
}

/** A configuration that cannot be used, with what to set. */
export class VaultConfigError extends Error {
  override readonly name = "VaultConfigError";
}

/** Values still unknown (a preview whose provider inputs come from resources not created yet). */
export const CONFIG_UNKNOWN = Symbol("config-unknown");

function pick(
  args: PropertyBag,
  variables: Record<string, string>,
  key: "address" | "token" | "namespace",
): string | typeof CONFIG_UNKNOWN | undefined {
  const v = args[key] ?? variables[`vault:config:${key}`] ?? variables[`vault:${key}`];
  if (v === UNKNOWN) return CONFIG_UNKNOWN;
  if (typeof v !== "string") return undefined;
  const trimmed = v.trim();
  return trimmed === "" ? undefined : trimmed;
}

/**
 * The connection a Configure request describes. `args` are the provider's inputs (secrets may be wrapped),
 * `variables` the older `vault:config:<key>` map; the environment fills what neither sets.
 * Returns `CONFIG_UNKNOWN` when the address or token is not known yet; throws `VaultConfigError` naming the
 * config key and the environment variable when one is missing.
 */
export function resolveConnection(
  rawArgs: PropertyBag | undefined,
  variables: Record<string, string>,
  env: NodeJS.ProcessEnv,
): VaultConnection | typeof CONFIG_UNKNOWN {
  const { plain: args } = unwrapSecrets(rawArgs);
  const namespace = pick(args, variables, "namespace") ?? env.VAULT_NAMESPACE?.trim();
  if (namespace && namespace !== CONFIG_UNKNOWN) {
    throw new VaultConfigError(
      "vault: `vault:namespace` / VAULT_NAMESPACE is set, but Vault Enterprise namespaces are not served by the local " +
        "environment's vault plugin; unset it (the local Vault dev server has none)",
    );
  }
  const address = pick(args, variables, "address") ?? (env.VAULT_ADDR?.trim() || undefined);
  const token = pick(args, variables, "token") ?? (env.VAULT_TOKEN?.trim() || undefined);
  if (address === CONFIG_UNKNOWN || token === CONFIG_UNKNOWN) return CONFIG_UNKNOWN;
  if (!address) {
    throw new VaultConfigError(
      "vault: no Vault address: set the provider's `address` (stack config `vault:address`, e.g. " +
        "`pulumi config set vault:address http://127.0.0.1:8200`) or the VAULT_ADDR environment variable",
    );
  }
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new VaultConfigError(
      "vault: `vault:address` / VAULT_ADDR is not a URL; give the server's URL, e.g. http://127.0.0.1:8200",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new VaultConfigError("vault: `vault:address` / VAULT_ADDR must be an http:// or https:// URL");
  }
  if (!token) {
    throw new VaultConfigError(
      "vault: no Vault token: set the provider's `token` (stack config `pulumi config set --secret vault:token …`) " +
        "or the VAULT_TOKEN environment variable",
    );
  }
  return { address: address.replace(/\/+$/, ""), token };
}
