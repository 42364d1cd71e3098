import { randomBytes } from "node:crypto";

/** An error answered with Okta's management API error body. */
export class OktaApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
    readonly causes: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(`${errorCode}: ${errorSummary}`);
  }

  body(): Record<string, unknown> {
    return {
      errorCode: this.errorCode,
      errorSummary: this.errorSummary,
      errorLink: this.errorCode,
      errorId: `oae${randomId(22)}`,
      errorCauses: this.causes.map((errorSummary) => ({ errorSummary })),
    };
  }
}

/** An error answered with the OAuth 2.0 error body of the token endpoint. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
  }

  body(): Record<string, unknown> {
    return { error: this.error, error_description: this.description };
  }
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Random alphanumeric string, the shape of Okta object ids. */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

export const validation = (summary: string, cause: string): OktaApiError =>
  new OktaApiError(400, "E0000001", summary, [cause]);

export const notFound = (id: string, type: string): OktaApiError =>
  new OktaApiError(404, "E0000007", `Not found: Resource not found: ${id} (${type})`);

export const malformedBody = (): OktaApiError =>
  new OktaApiError(400, "E0000003", "The request body was not well-formed.");

export const invalidToken = (): OktaApiError => new OktaApiError(401, "E0000011", "Invalid token provided");

export const forbidden = (): OktaApiError =>
  new OktaApiError(403, "E0000006", "You do not have permission to perform the requested action");

export const methodNotAllowed = (allow: string[]): OktaApiError =>
  new OktaApiError(405, "E0000022", "The endpoint does not support the provided HTTP method", [], {
    Allow: allow.join(", "),
  });

export const rateLimited = (): OktaApiError =>
  new OktaApiError(429, "E0000047", "API call exceeded rate limit due to too many requests.");
