// `RefusalProof`: the other side of a rotation's proof. The gate shows the new credential works; this shows Okta
// stopped accepting the previous one once it was deactivated: a client_credentials exchange with it must be
// refused with `invalid_client` (okta-api.md, "Token endpoint": an INACTIVE secret does not authenticate).
//
// It calls only the token endpoint, never the management API. A change of the credential, its generation or the
// endpoint re-runs it; otherwise it does nothing. A proof that fails stops the run: the new credential is then
// already delivered and ACTIVE, so consumers keep working while someone looks.

import * as pulumi from "@pulumi/pulumi";
import { basicExchangeRequest } from "./tokenExchangeGate";
import { isPolicyRefusal, policyRefusalHint } from "./tokenEndpoint";
import { hideInputs, type HidesInputs } from "./hiddenInputs";
import { providerByReference } from "./providerByReference";

export interface RefusalProofInputs {
  appId: string;
  /** The retired credential (deactivated by this run or before). */
  secretId: string;
  generation: number;
  clientId: string;
  clientSecret?: string;
  tokenUrl: string;
  scope?: string;
  /** Tries while Okta still accepts the credential (it may take a moment to stop), one second apart. Default 5. */
  attempts?: number;
}

export interface RefusalProofOutputs extends Omit<RefusalProofInputs, "clientSecret"> {
  /** When Okta refused the retired credential. */
  refusedAt: string;
  /** Okta's `error` for it: `invalid_client`. */
  refusal: string;
}

/**
 * What one exchange with a retired credential says. Pure. Only Okta's answers about the credential itself count
 * as a refusal (okta-api.md, "Token endpoint"): an `invalid_client` for another reason — e.g. an org authorization
 * server that takes no client secret at all — proves nothing about this secret.
 */
export function classifyRefusal(
  status: number,
  body: { error?: string; error_description?: string } | undefined,
): "refused" | "accepted" | "retry" | "inconclusive" {
  const aboutTheSecret =
    body?.error_description === "The client secret supplied for a confidential client is invalid." ||
    body?.error_description ===
      "Client authentication failed. Either the client or the client credentials are invalid.";
  if (status === 401 && body?.error === "invalid_client" && aboutTheSecret) return "refused";
  if (status === 200) return "accepted";
  if (status === 429 || status >= 500) return "retry";
  return "inconclusive";
}

async function prove(inputs: RefusalProofInputs): Promise<RefusalProofOutputs> {
  const what = `the retired secret ${inputs.secretId} (generation ${inputs.generation}) of app ${inputs.appId}`;
  if (!inputs.clientSecret) {
    throw new Error(
      `Refusal proof of ${what}: no value to try. The new secret stays delivered and ACTIVE. Check that the ` +
        `rotation passes the retired secret to the proof.`,
    );
  }
  const attempts = inputs.attempts ?? 5;
  const request = basicExchangeRequest(inputs.clientId, inputs.clientSecret, inputs.scope);
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let status = 0;
    let body: { error?: string; error_description?: string } | undefined;
    try {
      const res = await fetch(inputs.tokenUrl, {
        method: "POST",
        headers: request.headers,
        body: request.body,
      });
      status = res.status;
      const text = await res.text();
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        body = undefined;
      }
    } catch (err) {
      last = `network error: ${(err as Error).message}`;
    }
    const verdict = status === 0 ? "retry" : classifyRefusal(status, body);
    if (verdict === "refused") {
      const { clientSecret: _omit, ...rest } = inputs;
      return { ...rest, refusedAt: new Date().toISOString(), refusal: body!.error! };
    }
    if (status !== 0) {
      last =
        verdict === "accepted"
          ? "Okta issued a token for it"
          : `HTTP ${status} ${[body?.error, body?.error_description].filter(Boolean).join(": ")}`.trim();
    }
    if (verdict === "inconclusive" && isPolicyRefusal(status, body)) {
      // Policy evaluation comes after client authentication: the retired secret got past it (okta-api.md,
      // "Token endpoint"), and only a missing policy rule kept the token back.
      throw new Error(
        `Refusal proof of ${what} at ${inputs.tokenUrl}: Okta did not refuse the secret itself (${last}): it got ` +
          `past client authentication, so it may still be ACTIVE, and the proof cannot tell without an access ` +
          `policy rule for this client. The new secret stays delivered and ACTIVE. Check the retired secret's ` +
          `status in the Okta Admin Console (it should be INACTIVE). ` +
          policyRefusalHint(inputs.tokenUrl, inputs.clientId, inputs.scope) +
          ` Then run pulumi up again to repeat the proof.`,
      );
    }
    if (verdict === "inconclusive") break;
    if (attempt < attempts) await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(
    `Refusal proof of ${what} at ${inputs.tokenUrl}: Okta did not refuse it (${last}). The new secret stays ` +
      `delivered and ACTIVE, so consumers keep working. Check the secret's status in the Okta Admin Console (it ` +
      `should be INACTIVE) and that nothing reactivated it, then run pulumi up again to repeat the proof.`,
  );
}

const WATCHED = ["appId", "secretId", "generation", "clientId", "tokenUrl", "scope"] as const;

/** The provider's implementation; in state, the resources refer to it (see providerByReference.ts). */
export const refusalProofProvider: pulumi.dynamic.ResourceProvider & HidesInputs = {
  // The retired secret it presents is how the proof works: kept out of every diff (hiddenInputs.ts).
  hiddenInputs: () => ["clientSecret"],
  async diff(_id: string, olds: RefusalProofOutputs, news: RefusalProofInputs) {
    const changed = WATCHED.filter((k) => olds[k] !== news[k]);
    return { changes: changed.length > 0, replaces: [] };
  },
  async create(inputs: RefusalProofInputs) {
    return { id: `${inputs.appId}-refusal-proof`, outs: await prove(inputs) };
  },
  async update(_id: string, _olds: RefusalProofOutputs, news: RefusalProofInputs) {
    return { outs: await prove(news) };
  },
};

const refusalProofReference = providerByReference(__filename, "refusalProofProvider");

export interface RefusalProofArgs {
  readonly appId: pulumi.Input<string>;
  readonly secretId: pulumi.Input<string>;
  readonly generation: pulumi.Input<number>;
  readonly clientId: pulumi.Input<string>;
  readonly clientSecret?: pulumi.Input<string>;
  readonly tokenUrl: pulumi.Input<string>;
  readonly scope?: pulumi.Input<string>;
  readonly attempts?: pulumi.Input<number>;
}

/** Proves that Okta refuses a retired client secret (`invalid_client`); fails the run if it does not. */
export class RefusalProof extends pulumi.dynamic.Resource {
  declare public readonly refusedAt: pulumi.Output<string>;
  declare public readonly refusal: pulumi.Output<string>;

  constructor(name: string, args: RefusalProofArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      refusalProofReference,
      name,
      hideInputs({ ...args, refusedAt: undefined, refusal: undefined }, ["clientSecret"]),
      { ...opts, additionalSecretOutputs: ["clientSecret", "__clientSecret"] },
      "okta-rotation",
      "RefusalProof",
    );
  }
}
