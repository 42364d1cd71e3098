// What an app needs to authenticate with the credential this project delivers: private_key_jwt client
// assertions and a caching client_credentials client. No Pulumi import: apps depend on this alone.
//
//   const entry = await readVaultEntry();                  // the KV v2 entry the rotation wrote
//   const client = createTokenClient({
//     tokenUrl: "https://<org>.okta.com/oauth2/default/v1/token", // a custom authorization server,
//     scope: "rotation.check",                              // and a scope defined on it
//     clientId: entry.client_id,
//     credentials: credentialsFromEntry(entry),            // or (entry, { secretKey }) with the stack's vault.key
//   });
//   const accessToken = await client.getToken();           // cached until shortly before it expires

export {
  CLIENT_ASSERTION_TYPE,
  DEFAULT_ASSERTION_LIFETIME_SECONDS,
  MAX_ASSERTION_LIFETIME_SECONDS,
  ClientAssertionError,
  buildClientAssertion,
  createAssertionSigner,
  signingAlgorithm,
} from "./assertion";
export type { AssertionKey, AssertionSigner, AssertionSignerOptions, SigningAlgorithm } from "./assertion";
export { TokenClient, TokenRequestError, createTokenClient } from "./tokenClient";
export type { AccessToken, ClientCredential, TokenClientOptions } from "./tokenClient";
export { DEFAULT_SECRET_KEY, ENTRY_KEYS, credentialsFromEntry } from "./delivered";
export type { CredentialsFromEntryOptions } from "./delivered";
