// The credential entry a rotation writes to Vault KV v2, read back by the app. Keys of the entry:
//
//   client_id                    the OAuth client id
//   token_endpoint_auth_method   "private_key_jwt" or "client_secret_basic": what the app is switched to
//   private_key, kid, alg        the private JWK (JSON text), its kid (RFC 7638 thumbprint) and algorithm
//   client_secret                the client secret, present while the app moves between the two methods
//   key_generation               the key generation delivered

import type { ClientCredential } from "./tokenClient";

/** The credentials an app holds from a delivered entry: the entry's own method first. */
export function credentialsFromEntry(entry: Readonly<Record<string, unknown>>): ClientCredential[] {
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
  const secret: ClientCredential | undefined =
    typeof entry.client_secret === "string" && entry.client_secret !== ""
      ? { method: "client_secret_basic", clientSecret: entry.client_secret }
      : undefined;
  const keyFirst = entry.token_endpoint_auth_method !== "client_secret_basic";
  for (const c of keyFirst ? [key, secret] : [secret, key]) if (c) out.push(c);
  if (out.length === 0) {
    throw new TypeError("the delivered entry holds neither private_key nor client_secret");
  }
  return out;
}
