// The credential entry a rotation writes to Vault KV v2, read back by the app. Keys of the entry:
//
//   client_id                    the OAuth client id
//   token_endpoint_auth_method   "private_key_jwt" or "client_secret_basic": what the app is switched to
//   private_key, kid, alg        the private JWK (JSON text), its kid (RFC 7638 thumbprint) and algorithm
//   client_secret                the client secret, present while the app moves between the two methods;
//                                stored under the stack's `vault.key` when that is set (default client_secret)
//   secret_id, generation        the Okta id and the generation of that secret (secret rotation)
//   key_generation               the key generation delivered

import type { ClientCredential } from "./tokenClient";

/** The key the client secret is stored under unless the stack sets `vault.key`. */
export const DEFAULT_SECRET_KEY = "client_secret";

/**
 * The keys a rotation writes into the entry itself: the client secret's key (`vault.key`) must be none of
 * them, or one would overwrite the other.
 */
export const ENTRY_KEYS: readonly string[] = Object.freeze([
  "client_id",
  "token_endpoint_auth_method",
  "private_key",
  "kid",
  "alg",
  "secret_id",
  "generation",
  "key_generation",
]);

/** Options of {@link credentialsFromEntry}. */
export interface CredentialsFromEntryOptions {
  /**
   * The entry key that holds the client secret: the stack's `vault.key` for this app (default
   * `client_secret`).
   */
  readonly secretKey?: string;
}

/**
 * The credentials an app holds from a delivered entry: the entry's own method first, the other as the
 * fallback while the app moves between a client secret and a private key.
 */
export function credentialsFromEntry(
  entry: Readonly<Record<string, unknown>>,
  opts: CredentialsFromEntryOptions = {},
): ClientCredential[] {
  // Trimmed like the stack's vault.key; anything but text (a JavaScript caller) counts as empty.
  const raw: unknown = opts.secretKey ?? DEFAULT_SECRET_KEY;
  const secretKey = typeof raw === "string" ? raw.trim() : "";
  if (secretKey === "") {
    throw new TypeError(
      "secretKey: must be the entry key that holds the client secret (the stack's vault.key; default client_secret)",
    );
  }
  if (ENTRY_KEYS.includes(secretKey)) {
    throw new TypeError(
      `secretKey: '${secretKey}' is one of the entry's own keys (${ENTRY_KEYS.join(", ")}), not the client ` +
        `secret's; pass the stack's vault.key for this app, or leave secretKey out for client_secret`,
    );
  }
  const out: ClientCredential[] = [];
  const key: ClientCredential | undefined =
    typeof entry.private_key === "string" && entry.private_key !== ""
      ? {
          method: "private_key_jwt",
          key: {
            privateJwk: entry.private_key,
            ...(typeof entry.kid === "string" ? { kid: entry.kid } : {}),
            ...(typeof entry.alg === "string" ? { alg: entry.alg } : {}),
          },
        }
      : undefined;
  const secretValue = entry[secretKey];
  const secret: ClientCredential | undefined =
    typeof secretValue === "string" && secretValue !== ""
      ? { method: "client_secret_basic", clientSecret: secretValue }
      : undefined;
  const keyFirst = entry.token_endpoint_auth_method !== "client_secret_basic";
  for (const c of keyFirst ? [key, secret] : [secret, key]) if (c) out.push(c);
  if (out.length === 0) {
    const otherKey =
      secretKey === DEFAULT_SECRET_KEY
        ? "; if the stack sets vault.key for this app, pass it: credentialsFromEntry(entry, { secretKey })"
        : "; check that secretKey is the stack's vault.key for this app";
    throw new TypeError(`the delivered entry holds neither private_key nor ${secretKey}${otherKey}`);
  }
  return out;
}
