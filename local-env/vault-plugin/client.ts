// The few calls of Vault's HTTP API the plugin makes, with fetch. Errors carry the method, the API path, the HTTP
// status and Vault's own `errors` — never a request body or the token.

import type { VaultConnection } from "./config";

export class VaultApiError extends Error {
  override readonly name = "VaultApiError";
  constructor(
    readonly method: string,
    readonly apiPath: string,
    readonly status: number,
    readonly errors: readonly string[],
  ) {
    super(
      `${method} /v1/${apiPath}: HTTP ${status}: ${errors.length > 0 ? errors.join("; ") : "no detail from Vault"}`,
    );
  }

  /** Vault's check-and-set refusals (a `cas` that does not match, or none where `cas_required` wants one). */
  get isCheckAndSet(): boolean {
    return this.errors.some((e) => e.includes("check-and-set"));
  }
}

/** Vault answered, with a status and its JSON body (`undefined` for 204). */
export interface VaultAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

/** Vault's `errors`, one message each: a multierror ("2 errors occurred:\n\t* a\n\t* b") becomes its items. */
export function vaultErrorLines(errors: readonly unknown[]): string[] {
  return errors.flatMap((e) =>
    String(e)
      .split("\n")
      .map((line) => line.trim().replace(/^\*\s*/, ""))
      .filter((line) => line !== "" && !/^\d+ errors? occurred:$/.test(line)),
  );
}

export class VaultClient {
  constructor(private readonly connection: VaultConnection) {}

  /** One request; 2xx and the statuses in `accept` resolve, anything else throws a VaultApiError. */
  async request(
    method: "GET" | "POST" | "DELETE",
    apiPath: string,
    body?: unknown,
    accept: readonly number[] = [],
  ): Promise<VaultAnswer> {
    let res: Response;
    try {
      res = await fetch(`${this.connection.address}/v1/${apiPath}`, {
        method,
        headers: {
          "X-Vault-Token": this.connection.token,
          ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(
        `${method} /v1/${apiPath}: cannot reach Vault at ${this.connection.address} ` +
          `(${cause?.code ?? cause?.message ?? (e as Error).message}); check vault:address / VAULT_ADDR and that the server runs`,
      );
    }
    const text = await res.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      parsed = undefined;
    }
    if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) {
      return { status: res.status, body: parsed };
    }
    const errors = Array.isArray(parsed?.errors) ? vaultErrorLines(parsed.errors) : [];
    throw new VaultApiError(method, apiPath, res.status, errors);
  }
}
