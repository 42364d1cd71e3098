// Where a gate may prove a credential: Okta's rules for `client_credentials` at the org authorization server
// and at custom ones (../shared/okta-api.md, "Token endpoint"). Pure, Okta-free; used by the gates' `check`
// (before anything is written, in preview and under --skip-preview) and by the stack config.

/** OIDC scopes: Okta refuses each of them with `client_credentials`, at every authorization server. */
export const OIDC_SCOPES: readonly string[] = [
  "openid",
  "profile",
  "email",
  "address",
  "phone",
  "offline_access",
];

/** Okta's answer to an OIDC scope with `client_credentials` (400 invalid_scope). */
export const OPENID_REFUSAL = "Cannot request 'openid' scopes using client credentials.";
/** Okta's answer to a client secret at the org authorization server (401 invalid_client). */
export const ORG_SECRET_REFUSAL =
  "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.";
/** Okta's answer to a custom scope at the org authorization server (400 invalid_scope). */
export const ORG_CUSTOM_SCOPE_REFUSAL = "Custom scopes are not allowed for this request.";

/**
 * Okta's answer when no access policy of a custom authorization server yields a rule for the request (401
 * access_denied; okta-api.md "Token endpoint", Okta's error table "No matching policy").
 */
export const POLICY_REFUSAL =
  "Policy evaluation failed for this request, please check the policy configurations.";

/** Whether a token endpoint answer is Okta's "no policy rule admits this request" refusal. Pure. */
export function isPolicyRefusal(
  status: number,
  body: { error?: unknown; error_description?: unknown } | undefined,
): boolean {
  return (
    status === 401 &&
    body?.error === "access_denied" &&
    typeof body.error_description === "string" &&
    body.error_description.startsWith("Policy evaluation failed")
  );
}

/** The authorization server id of a custom server's token URL (`/oauth2/{id}/v1/token`), or undefined. */
export function authServerIdOf(tokenUrl: string): string | undefined {
  try {
    return /^\/oauth2\/([^/]+)\/v1\/token\/?$/.exec(new URL(tokenUrl).pathname)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * What to create when Okta refused a client_credentials exchange with "Policy evaluation failed…": a policy naming
 * the client and a rule admitting client_credentials and the scope. Okta evaluates the policies that name the client
 * in priority order, passes over a policy without rules or without a matching rule, and refuses only when none
 * yields one (okta-api.md Revision 3, from Okta's policies concept page). Pure.
 */
export function policyRefusalHint(tokenUrl: string, clientId: string, scope: string | undefined): string {
  const server = authServerIdOf(tokenUrl) ?? "<authServerId>";
  const scopes = scopesOf(scope);
  const scopeText = scopes.length > 0 ? scopes.join(" ") : "the server's default scopes";
  return (
    `Okta found no access policy rule on authorization server ${server} that lets client ${clientId} use ` +
    `client_credentials for ${scopeText} (401 access_denied: "${POLICY_REFUSAL}"). Create on that server ` +
    `(Admin Console: Security > API > Authorization Servers > ${server} > Access Policies, or ` +
    `POST /api/v1/authorizationServers/${server}/policies) an ACTIVE access policy whose clients include ` +
    `${clientId} (or all clients), and in it an ACTIVE rule (POST …/policies/{policyId}/rules) whose grant types ` +
    `include client_credentials and whose scopes include ${scopeText}. A policy that names the client but has no ` +
    `rule, or no rule matching, does not block it: Okta moves on to the next policy, so an existing policy only ` +
    `needs such a rule added.`
  );
}

/** The default custom authorization server's token endpoint of an org (API Access Management). */
export function defaultTokenUrl(orgUrl: string): string {
  return `${orgUrl.replace(/\/+$/, "")}/oauth2/default/v1/token`;
}

/** Whether `tokenUrl` is the org authorization server's token endpoint (`/oauth2/v1/token`). */
export function isOrgTokenUrl(tokenUrl: string): boolean {
  try {
    return /^\/oauth2\/v1\/token\/?$/.test(new URL(tokenUrl).pathname);
  } catch {
    return false;
  }
}

/** The scopes of a space-separated `scope` value. */
export function scopesOf(scope: string | undefined): string[] {
  return (scope ?? "").split(/\s+/).filter((s) => s !== "");
}

/** The OIDC scopes among `scope`. */
export function oidcScopesIn(scope: string | undefined): string[] {
  return scopesOf(scope).filter((s) => OIDC_SCOPES.includes(s));
}

/** What to set instead of the org server: the org's default custom server, and a scope defined on it. */
function instead(tokenUrl: string, what: string): string {
  let org = "https://<org>.okta.com";
  try {
    org = new URL(tokenUrl).origin;
  } catch {
    // keep the placeholder
  }
  return (
    `set ${what} to a custom authorization server's token endpoint, e.g. ${defaultTokenUrl(org)}, and a scope ` +
    `defined on that server, with an access policy rule that lets this app use client_credentials ` +
    `(docs/configuration.md#connecting-to-okta)`
  );
}

/** Why Okta refuses the OIDC scopes in `scope` with client_credentials, at any server, or undefined. */
function oidcRefusal(scope: string | undefined): string | undefined {
  const oidc = oidcScopesIn(scope);
  if (oidc.length === 0) return undefined;
  return (
    `the scope ${oidc.join(" ")} cannot be used with client_credentials: Okta refuses it (400 invalid_scope: ` +
    `"${OPENID_REFUSAL}"); use a custom scope defined on the authorization server instead`
  );
}

/**
 * Why Okta would refuse a `client_credentials` exchange with a client secret at `tokenUrl`, or undefined.
 * `what`: the setting to change, as the caller's user knows it (`gates.tokenUrl`).
 */
export function secretExchangeRefusal(
  tokenUrl: string,
  scope: string | undefined,
  what: string,
): string | undefined {
  const oidc = oidcRefusal(scope);
  if (oidc !== undefined) return oidc;
  if (!isOrgTokenUrl(tokenUrl)) return undefined;
  return (
    `${tokenUrl} is the org authorization server, which takes client_credentials only from service apps ` +
    `authenticating with private_key_jwt, for Okta scopes: a client secret is refused there (401 invalid_client: ` +
    `"${ORG_SECRET_REFUSAL}"); ${instead(tokenUrl, what)}`
  );
}

/**
 * Why Okta would refuse a `client_credentials` exchange with a client assertion (private_key_jwt) at
 * `tokenUrl`, or undefined. At the org server only a service app asking for Okta scopes (`okta.*`) gets a token.
 */
export function assertionExchangeRefusal(
  tokenUrl: string,
  scope: string | undefined,
  what: string,
): string | undefined {
  const oidc = oidcRefusal(scope);
  if (oidc !== undefined) return oidc;
  if (!isOrgTokenUrl(tokenUrl)) return undefined;
  const scopes = scopesOf(scope);
  if (scopes.length > 0 && scopes.every((s) => s.startsWith("okta."))) return undefined;
  return (
    `${tokenUrl} is the org authorization server, which gives private_key_jwt clients tokens only for Okta ` +
    `scopes (okta.*), and only to service apps granted them: ` +
    (scopes.length === 0
      ? `no scope is set (Okta: 400 invalid_scope "No scopes were requested.")`
      : `custom scopes are refused there (400 invalid_scope: "${ORG_CUSTOM_SCOPE_REFUSAL}")`) +
    `; ${instead(tokenUrl, what)}`
  );
}
