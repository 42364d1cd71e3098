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
    `(README "Connecting to Okta")`
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
