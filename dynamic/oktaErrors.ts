// Errors of the Okta connection and of the operations on Okta, and what a failure says: the fields Okta
// returned, whether the call may have taken effect, and what the operator should do.

/**
 * Sets an error's message on the instance itself. The closure serializer turns classes into constructor
 * functions that call `Error` as a function, which returns a new object instead of initialising `this`: without
 * this, an error thrown inside the serialized provider reaches the engine with no message ("error: undefined").
 */
export function keepMessage(err: Error, message: string, name: string): void {
  Object.defineProperty(err, "message", {
    value: message,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  err.name = name;
}

/** A request that never got an HTTP answer (dropped connection, timeout, DNS…). */
export class OktaTransportError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
    readonly retried: boolean,
  ) {
    const message = `Okta ${method} ${path} got no answer: ${reason}`;
    super(message);
    keepMessage(this, message, "OktaTransportError");
  }
}

/** What the SDK (or our transport) threw, reduced to plain fields. */
export interface OktaFailure {
  readonly status?: number;
  readonly errorCode?: string;
  readonly errorSummary?: string;
  readonly errorCauses: readonly string[];
  readonly errorId?: string;
  /**
   * The scope Okta says the access token lacks: `scope="…"` of a `WWW-Authenticate` challenge with
   * `error="insufficient_scope"` on a 403 (okta-api.md, "Management API…" and Revision 3).
   */
  readonly missingScope?: string;
  /** No HTTP answer, or a 5xx: the call may or may not have taken effect. */
  readonly ambiguous: boolean;
  readonly detail: string;
}

/** What failed in an Okta call, from any error the SDK or the transport throws: status, Okta's error fields, whether it may have taken effect. */
export function describeFailure(err: unknown): OktaFailure {
  if (err instanceof OktaApiError) {
    return {
      status: err.status,
      errorCode: err.errorCode,
      errorSummary: err.errorSummary,
      errorCauses: err.errorCauses,
      errorId: err.errorId,
      ...(err.missingScope !== undefined ? { missingScope: err.missingScope } : {}),
      ambiguous: err.status === undefined || err.status >= 500,
      detail: err.message,
    };
  }
  if (err instanceof OktaTransportError) {
    return { errorCauses: [], ambiguous: true, detail: err.message };
  }
  if (typeof err === "object" && err !== null && typeof (err as { status?: unknown }).status === "number") {
    const e = err as {
      status: number;
      errorCode?: unknown;
      errorSummary?: unknown;
      errorCauses?: unknown;
      errorId?: unknown;
      message?: unknown;
      headers?: { get?: (name: string) => string | null };
    };
    // OAuth-style refusals (DPoP at the management API) carry no errorCode/errorSummary; their challenge does.
    const header = typeof e.headers?.get === "function" ? e.headers.get("www-authenticate") : null;
    const challenge = oauthChallenge(header);
    const causes = Array.isArray(e.errorCauses)
      ? e.errorCauses
          .map((c: unknown) =>
            typeof c === "object" && c !== null
              ? String((c as { errorSummary?: unknown }).errorSummary ?? "")
              : "",
          )
          .filter((s) => s !== "")
      : [];
    const errorCode = typeof e.errorCode === "string" ? e.errorCode : challenge?.error;
    const errorSummary =
      typeof e.errorSummary === "string" && e.errorSummary !== "" ? e.errorSummary : challenge?.description;
    return {
      status: e.status,
      ...(errorCode !== undefined ? { errorCode } : {}),
      ...(errorSummary !== undefined ? { errorSummary } : {}),
      ...(typeof e.errorId === "string" ? { errorId: e.errorId } : {}),
      ...(challenge?.error === "insufficient_scope" && challenge.scope
        ? { missingScope: challenge.scope }
        : {}),
      errorCauses: causes,
      ambiguous: e.status >= 500,
      // An HttpError message is `HTTP <status> <body>`: a non-JSON body, kept short.
      detail: String(e.message ?? `HTTP ${e.status}`).slice(0, 300),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { errorCauses: [], ambiguous: true, detail: message };
}

/** `error` and `error_description` of a `WWW-Authenticate` challenge (RFC 6750 §3, RFC 9449 §7.1). */
export function oauthChallenge(
  header: string | null | undefined,
): { error: string; description?: string; scope?: string } | undefined {
  const error = /\berror="([^"]*)"/.exec(header ?? "")?.[1];
  if (!error) return undefined;
  const description = /\berror_description="([^"]*)"/.exec(header ?? "")?.[1];
  const scope = /(?:^|[\s,])scope="([^"]*)"/.exec(header ?? "")?.[1];
  return { error, ...(description ? { description } : {}), ...(scope ? { scope } : {}) };
}

export interface OktaApiErrorInit {
  /** e.g. `ClientSecret ocs123 of app 0oa123` */
  readonly resource: string;
  /** e.g. `create`, `deactivate` */
  readonly action: string;
  /** The call within the action that failed, e.g. `listing the app's secrets first`. */
  readonly step?: string;
  readonly failure: OktaFailure;
  /** What the operator should do. */
  readonly hint?: string;
  /** Extra context lines (e.g. the app's existing secrets). Must never contain secret values. */
  readonly context?: readonly string[];
}

/**
 * What to do when Okta names the scope the service app's token lacks (403 with `error="insufficient_scope"` and
 * `scope="…"` in its WWW-Authenticate challenge): grant that scope to the service app, and ask for it.
 */
export function missingScopeHint(scope: string): string {
  return (
    `Okta says the access token lacks the scope ${scope}. Grant ${scope} to the service app (Admin Console: the ` +
    `app's "Okta API Scopes" tab, or POST /api/v1/apps/{serviceAppId}/grants with {"scopeId":"${scope}",` +
    `"issuer":"<org URL>"}), add it to okta:scopes / OKTA_API_SCOPES, check the app's admin role allows it, then ` +
    `run again.`
  );
}

/** What to do about a failure whose cause is the connection, not the resource. */
function statusHint(status: number | undefined, missingScope?: string): string | undefined {
  if (status === 403 && missingScope !== undefined) return missingScopeHint(missingScope);
  switch (status) {
    case 401:
      return (
        "Okta did not accept the credentials: check okta:apiToken / OKTA_API_TOKEN, or the service app's " +
        "okta:clientId, okta:privateKey and okta:privateKeyId (OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY, OKTA_API_PRIVATE_KEY_ID)."
      );
    case 403:
      return (
        "the credentials may not manage this app: use an API token of an admin who can manage apps, or grant the " +
        "service app the okta.apps.read and okta.apps.manage scopes (okta:scopes / OKTA_API_SCOPES) and an admin role."
      );
    case 429:
      return (
        "Okta's rate limit was still exceeded after the retries; run again later, or allow more waits with " +
        "OKTA_ROTATION_RATE_LIMIT_RETRIES / OKTA_ROTATION_RATE_LIMIT_MAX_WAIT_MS."
      );
    default:
      return undefined;
  }
}

/** What to do when Okta refused a DPoP proof of the service app (RFC 9449; Okta's texts in okta-api.md). */
function dpopHint(f: OktaFailure): string | undefined {
  const dpop =
    f.errorCode === "invalid_dpop_proof" ||
    f.errorCode === "use_dpop_nonce" ||
    (f.errorCode === "invalid_request" && failureMentions(f, "DPoP"));
  if (!dpop) return undefined;
  return (
    "Okta refused the DPoP proof that goes with the service app's token. Okta refuses proofs issued more than " +
    "five minutes in the past: check this machine's clock, then run again."
  );
}

/** Builds the message of an OktaApiError. Pure. */
export function formatOktaErrorMessage(init: OktaApiErrorInit): string {
  const f = init.failure;
  const what = `${init.action} ${init.resource}${init.step ? ` (${init.step})` : ""}`;
  const head =
    f.status !== undefined
      ? `Okta refused to ${what}: HTTP ${f.status}${f.errorCode ? ` ${f.errorCode}` : ""}`
      : `Could not ${what}: ${f.detail}`;
  const parts = [head];
  if (f.status !== undefined) {
    if (f.errorSummary) parts.push(`  errorSummary: ${f.errorSummary}`);
    if (f.missingScope)
      parts.push(`  missing scope: ${f.missingScope} (WWW-Authenticate: insufficient_scope)`);
    for (const c of f.errorCauses) parts.push(`  cause: ${c}`);
    if (!f.errorSummary && f.errorCauses.length === 0) parts.push(`  ${f.detail}`);
    if (f.errorId) parts.push(`  errorId: ${f.errorId}`);
  }
  for (const line of init.context ?? []) parts.push(`  ${line}`);
  const hint = statusHint(f.status, f.missingScope) ?? dpopHint(f) ?? init.hint;
  if (hint) parts.push(`What to do: ${hint}`);
  return parts.join("\n");
}

/** An Okta call failed. Carries Okta's fields, names the resource, and says what to do. */
export class OktaApiError extends Error {
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorSummary: string | undefined;
  readonly errorCauses: readonly string[];
  readonly errorId: string | undefined;
  readonly missingScope: string | undefined;
  readonly resource: string;
  readonly action: string;

  constructor(init: OktaApiErrorInit) {
    const message = formatOktaErrorMessage(init);
    super(message);
    keepMessage(this, message, "OktaApiError");
    this.status = init.failure.status;
    this.errorCode = init.failure.errorCode;
    this.errorSummary = init.failure.errorSummary;
    this.errorCauses = init.failure.errorCauses;
    this.errorId = init.failure.errorId;
    this.missingScope = init.failure.missingScope;
    this.resource = init.resource;
    this.action = init.action;
  }
}

/** True when Okta says the thing does not exist (404 / E0000007). */
export function isNotFound(err: unknown): boolean {
  const f = describeFailure(err);
  return f.status === 404 || f.errorCode === "E0000007";
}

/** True when Okta's summary or a cause contains `text` (case-insensitive). */
export function failureMentions(f: OktaFailure, text: string): boolean {
  const t = text.toLowerCase();
  return [f.errorSummary ?? "", ...f.errorCauses].some((s) => s.toLowerCase().includes(t));
}

/** Error of an operation outside an Okta call (plain message, same name for the engine output). */
export function operationError(message: string): Error {
  const e = new Error(message);
  e.name = "OktaRotationError";
  return e;
}
