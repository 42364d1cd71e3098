// Reads each app's credentials from Okta's management API with the connection the dynamic providers use
// (dynamic/connection.ts): the same settings — the stack config's Okta keys, else OKTA_ORG_URL, OKTA_API_TOKEN
// or the service app's OKTA_API_CLIENT_ID / OKTA_API_PRIVATE_KEY, with DPoP when Okta binds its tokens — and
// the same retries. Only list calls are made: a token granted okta.apps.read is enough.

import { configureConnection, getOktaApi } from "../dynamic/connection";
import type { OktaApi } from "../dynamic/oktaApi";
import { describeFailure, OktaApiError } from "../dynamic/oktaErrors";
import type { ConfigSource } from "../dynamic/oktaSettings";
import type { DueTarget, Listing } from "./due";

/** The calls this tool makes. */
export type CredentialReader = Pick<OktaApi, "listSecrets" | "listKeys">;

/** The Okta client for these stack settings and this environment, made as the providers make theirs. */
export async function oktaReader(config: ConfigSource): Promise<CredentialReader> {
  await configureConnection({ config });
  return getOktaApi();
}

/** Each app's credentials of the kind that ages (secrets, or keys for private_key_jwt apps), one app at a time. */
export async function listCredentials(
  reader: CredentialReader,
  apps: readonly Pick<DueTarget, "name" | "appId" | "kind">[],
): Promise<Map<string, Listing>> {
  const out = new Map<string, Listing>();
  for (const app of apps) {
    const kind = app.kind;
    try {
      const credentials =
        kind === "privateKey" ? await reader.listKeys(app.appId) : await reader.listSecrets(app.appId);
      // Only what the report needs: no secret value is kept.
      out.set(app.name, {
        credentials: credentials.map((c) => ({
          id: c.id,
          status: c.status,
          ...(c.created !== undefined ? { created: c.created } : {}),
        })),
      });
    } catch (err) {
      const error = new OktaApiError({
        resource: `app '${app.name}' (${app.appId})`,
        action: "list the credentials of",
        step: kind === "privateKey" ? "its JSON Web Keys" : "its client secrets",
        failure: describeFailure(err),
        hint: "check appId and that the token is granted okta.apps.read, then run again.",
      });
      out.set(app.name, { error: error.message.replace(/\n\s*/g, " ") });
    }
  }
  return out;
}
