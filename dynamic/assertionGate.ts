// `AssertionGate`: proves a private_key_jwt key before the rotation relies on it — the private_key_jwt
// variant of TokenExchangeGate.
//
// Okta's token endpoint honours only the app's configured `token_endpoint_auth_method`: while an app still
// uses its client secret, every client assertion is refused whatever the key. So the gate gives the strongest
// proof Okta allows at that moment:
//  - `registered`: the key is registered on the app under its kid, ACTIVE, and an assertion signed with the
//    delivered private key verifies against the public key Okta holds (the very check the token endpoint
//    makes). Always done; enough before the switch.
//  - `exchange`: a real client_credentials exchange with a client assertion. Done when the app already
//    uses private_key_jwt (key rotations, and the proof right after the switch), or when `exchange` is
//    "always" (then a refusal fails the gate even before the switch).
// The private key is an input only (a secret); it is never in the outputs, logs or error messages.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { buildClientAssertion, CLIENT_ASSERTION_TYPE } from "../client/assertion";
import { configureConnection, getOktaApi } from "./connection";
import { OktaApiError, describeFailure, operationError } from "./oktaErrors";
import type { OktaJsonWebKey } from "./oktaObjects";
import { readAuthSettings } from "./appAuthMethod";
import { overlapRemainingMs } from "./tokenExchangeGate";
import { sameValue, checkInputs } from "./validation";
import { providerByReference } from "./providerByReference";
import { isUnknown } from "./providerValues";
import { assertionExchangeRefusal, isPolicyRefusal, policyRefusalHint } from "./tokenEndpoint";

export function assertionGateInputsSchema() {
  return z.object({
    appId: z
      .string({ error: "appId must be a string (the Okta app id, 0oa…)" })
      .min(1, "appId must not be empty"),
    clientId: z.string({ error: "clientId must be a string" }).min(1, "clientId must not be empty"),
    kid: z.string({ error: "kid must be a string" }).min(1, "kid must not be empty"),
    generation: z.number({ error: "generation must be a number" }).int().nonnegative(),
    privateJwk: z
      .record(z.string(), z.unknown(), { error: "privateJwk must be an object (the private JWK)" })
      .refine((k) => typeof k.d === "string", "privateJwk must be a private key (it has no 'd' member)"),
    tokenUrl: z
      .string({ error: "tokenUrl must be a string" })
      .regex(/^https?:\/\//, "tokenUrl must be the full URL of the token endpoint"),
    scope: z.string().min(1).optional(),
    /** `auto`: exchange when the app already uses private_key_jwt; `always`: exchange in any case. */
    exchange: z.enum(["auto", "always"], { error: 'exchange must be "auto" or "always"' }).default("auto"),
    minOverlapSeconds: z.number().int().min(0).max(86_400).default(0),
    activeSince: z.string().optional(),
  });
}

export type AssertionGateInputs = z.infer<ReturnType<typeof assertionGateInputsSchema>>;

export interface AssertionGateOutputs extends Omit<AssertionGateInputs, "privateJwk"> {
  /** What was proven: the registered key only, or a real token exchange. */
  readonly proof: "registered" | "exchange";
  /** The app's token_endpoint_auth_method when the gate opened. */
  readonly authMethod: string;
  /** Okta's id of the key (pks…). */
  readonly keyId: string;
  readonly openedAt: string;
}

/** Inputs whose change re-runs the gate. */
export const ASSERTION_GATE_WATCHED = [
  "appId",
  "clientId",
  "kid",
  "generation",
  "tokenUrl",
  "scope",
  "exchange",
  "minOverlapSeconds",
] as const;

/** The public members of a JWK that identify the key (RSA: e, n; EC: crv, x, y). Pure. */
export function samePublicKey(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
): boolean {
  const members = a.kty === "RSA" ? ["kty", "e", "n"] : ["kty", "x", "y"];
  return members.every((m) => a[m] === b[m]);
}

/**
 * What is true of the app when a gate stops: before the switch nothing changed; once the app is on
 * private_key_jwt (the proof after the switch, or a key rotation), clients that still send a client secret are
 * refused, and the way back is the rollback. Pure.
 */
export function gateStateWords(method: string | undefined): string {
  if (method !== "private_key_jwt") {
    return "Nothing that depends on the gate ran: the app's auth method and the previous credentials are unchanged.";
  }
  return (
    "The app IS switched to private_key_jwt (token_endpoint_auth_method in Okta): Okta now refuses every client " +
    "that authenticates with a client secret (invalid_client), so pods still on a Vault version without the key " +
    "fail; pods on the version this run delivered sign with the key, which Okta checks as above. The client " +
    "secrets are not retired yet (nothing after this gate ran). To go back to client secrets, set " +
    "privateKeyJwt.rollback: true (keep enabled: true) and run pulumi up; otherwise fix the cause and run pulumi " +
    "up again to finish."
  );
}

function gateError(inputs: AssertionGateInputs, what: string, hint: string, method?: string): Error {
  return operationError(
    `Assertion gate of app ${inputs.appId}, key generation ${inputs.generation} (kid ${inputs.kid}): ${what}. ` +
      `${gateStateWords(method)} ${hint}`,
  );
}

async function proveRegistered(
  inputs: AssertionGateInputs,
): Promise<{ key: OktaJsonWebKey; method: string }> {
  const api = getOktaApi();
  let keys: OktaJsonWebKey[];
  let method: string;
  try {
    keys = await api.listKeys(inputs.appId);
    method = readAuthSettings(await api.getApp(inputs.appId)).method ?? "client_secret_basic";
  } catch (err) {
    throw new OktaApiError({
      resource: `AssertionGate of app ${inputs.appId}`,
      action: "read the app and its keys for",
      failure: describeFailure(err),
      hint: "check the Okta connection and run again.",
    });
  }
  const key = keys.find((k) => k.kid === inputs.kid);
  if (!key) {
    throw gateError(
      inputs,
      `no key with this kid is registered on the app (registered: ${keys.map((k) => `${k.kid} ${k.status}`).join(", ") || "none"})`,
      "Check that the JsonWebKey of this generation was created on the same app.",
      method,
    );
  }
  if (key.status !== "ACTIVE") {
    throw gateError(
      inputs,
      `the key is ${key.status} in Okta`,
      "Activate it (or run pulumi up again).",
      method,
    );
  }
  const jose = await import("jose");
  const registered = { ...key } as Record<string, unknown>;
  const priv = inputs.privateJwk as Record<string, unknown>;
  if (!samePublicKey(priv, registered)) {
    throw gateError(
      inputs,
      "the key registered under this kid is not the public half of the delivered private key",
      "Run pulumi up again so the key pair and the registered key are of the same generation.",
      method,
    );
  }
  const assertion = await buildClientAssertion({
    clientId: inputs.clientId,
    audience: inputs.tokenUrl,
    key: { privateJwk: priv as never, kid: inputs.kid },
  });
  try {
    const publicKey = await jose.importJWK(
      // Okta echoes `"crv": null` for an EC key registered without it (okta-api.md Revision 3): the curve is
      // then the private key's.
      { kty: key.kty, e: key.e, n: key.n, crv: key.crv ?? priv.crv, x: key.x, y: key.y } as never,
      String(priv.alg ?? (key.kty === "RSA" ? "RS256" : "ES256")),
    );
    await jose.jwtVerify(assertion, publicKey, {
      issuer: inputs.clientId,
      subject: inputs.clientId,
      audience: inputs.tokenUrl,
    });
  } catch (err) {
    throw gateError(
      inputs,
      `an assertion signed with the delivered key does not verify against the registered key (${err instanceof Error ? err.name : "error"})`,
      "Run pulumi up again so the key pair and the registered key are of the same generation.",
      method,
    );
  }
  return { key, method };
}

async function exchange(inputs: AssertionGateInputs, method: string): Promise<void> {
  let last = "";
  for (let attempt = 1; attempt <= 4; attempt++) {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await buildClientAssertion({
        clientId: inputs.clientId,
        audience: inputs.tokenUrl,
        key: { privateJwk: inputs.privateJwk as never, kid: inputs.kid },
      }),
    });
    if (inputs.scope) form.set("scope", inputs.scope);
    let res: Response;
    try {
      res = await fetch(inputs.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form.toString(),
      });
    } catch (err) {
      last = `network error: ${(err as Error).message}`;
      await new Promise((r) => setTimeout(r, 250 * attempt));
      continue;
    }
    const text = await res.text();
    let body: { access_token?: unknown; error?: string; error_description?: string } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // described by status below
    }
    if (res.status === 200 && typeof body.access_token === "string") return;
    last = `HTTP ${res.status}${body.error ? ` ${body.error}` : ""}${body.error_description ? `: ${body.error_description}` : ""}`;
    // The key authenticated; what is missing is an access policy rule (okta-api.md Revision 3). Not a delay.
    if (isPolicyRefusal(res.status, body)) {
      throw gateError(
        inputs,
        `a private_key_jwt token exchange at ${inputs.tokenUrl} was refused: ${last}`,
        policyRefusalHint(inputs.tokenUrl, inputs.clientId, inputs.scope),
      );
    }
    // A key registered a moment ago may take a moment to be honoured: retry 401 too, a few times.
    if (res.status !== 429 && res.status < 500 && res.status !== 401) break;
    await new Promise((r) => setTimeout(r, 250 * attempt));
  }
  throw gateError(
    inputs,
    `a private_key_jwt token exchange at ${inputs.tokenUrl} was refused: ${last}`,
    "Check the client id, the token URL (an assertion's aud must be exactly the endpoint called) and the scope.",
    method,
  );
}

async function openGate(inputs: AssertionGateInputs): Promise<AssertionGateOutputs> {
  const wait = inputs.activeSince
    ? overlapRemainingMs(inputs.activeSince, inputs.minOverlapSeconds, Date.now())
    : 0;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const { key, method } = await proveRegistered(inputs);
  const doExchange = inputs.exchange === "always" || method === "private_key_jwt";
  if (doExchange) await exchange(inputs, method);
  const rest: Partial<AssertionGateInputs> = { ...inputs };
  delete rest.privateJwk;
  return {
    ...(rest as Omit<AssertionGateInputs, "privateJwk">),
    proof: doExchange ? "exchange" : "registered",
    authMethod: method,
    keyId: key.id,
    openedAt: new Date().toISOString(),
  };
}

/** The dynamic provider of AssertionGate. Holds nothing: the key arrives as an input, credentials via configure. */
export class AssertionGateProvider implements pulumi.dynamic.ResourceProvider<
  AssertionGateInputs,
  AssertionGateOutputs
> {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  async check(
    _olds: unknown,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<AssertionGateInputs>> {
    const checked = checkInputs<AssertionGateInputs>(assertionGateInputsSchema, news);
    if (checked.failures && checked.failures.length > 0) return checked;
    // Before anything is written (preview and --skip-preview): a proof Okta would refuse at this endpoint.
    const { tokenUrl, scope } = news;
    const known = !isUnknown(tokenUrl) && !isUnknown(scope); // else checked once known, before the create
    if (known && typeof tokenUrl === "string" && (scope === undefined || typeof scope === "string")) {
      const why = assertionExchangeRefusal(tokenUrl, scope, "gates.tokenUrl and gates.scope");
      if (why !== undefined) {
        return {
          inputs: news as AssertionGateInputs,
          failures: [
            {
              property: /^the scope /.test(why) ? "scope" : "tokenUrl",
              reason:
                `Assertion gate of app ${String(news.appId)}: ${why}. Nothing was changed: the key is proven ` +
                `only where Okta can grant it a token.`,
            },
          ],
        };
      }
    }
    return checked;
  }

  async diff(
    _id: pulumi.ID,
    olds: AssertionGateOutputs,
    news: AssertionGateInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const o = olds as unknown as Record<string, unknown>;
    const n = news as unknown as Record<string, unknown>;
    const watched = [
      "appId",
      "clientId",
      "kid",
      "generation",
      "tokenUrl",
      "scope",
      "exchange",
      "minOverlapSeconds",
    ] as const; // ASSERTION_GATE_WATCHED (inline: the provider stays serializable by value)
    const changed = watched.filter((k) => !sameValue(o[k], n[k]));
    return { changes: changed.length > 0, replaces: [] };
  }

  async create(inputs: AssertionGateInputs): Promise<pulumi.dynamic.CreateResult<AssertionGateOutputs>> {
    return { id: `${inputs.appId}-${inputs.kid}-gate`, outs: await openGate(inputs) };
  }

  async update(
    _id: pulumi.ID,
    _olds: AssertionGateOutputs,
    news: AssertionGateInputs,
  ): Promise<pulumi.dynamic.UpdateResult<AssertionGateOutputs>> {
    return { outs: await openGate(news) };
  }
}

// In state, the provider is a reference to AssertionGateProvider in this file (see providerByReference.ts).
const provider = providerByReference(__filename, "AssertionGateProvider");

export interface AssertionGateArgs {
  readonly appId: pulumi.Input<string>;
  readonly clientId: pulumi.Input<string>;
  /** The kid of the key being proven; a change re-runs the gate. */
  readonly kid: pulumi.Input<string>;
  readonly generation: pulumi.Input<number>;
  /** The private JWK (pass the KeyPair's secret output); never stored in the gate's outputs. */
  readonly privateJwk: pulumi.Input<Record<string, string>>;
  readonly tokenUrl: pulumi.Input<string>;
  readonly scope?: pulumi.Input<string>;
  /** `auto` (default): a real exchange once the app uses private_key_jwt; `always`: in any case. */
  readonly exchange?: pulumi.Input<"auto" | "always">;
  readonly minOverlapSeconds?: pulumi.Input<number>;
  /** When the key became ACTIVE (ISO 8601): the start of the minimum overlap. */
  readonly activeSince?: pulumi.Input<string>;
}

/** Opens only when the key is proven (see the file comment); what depends on it waits. */
export class AssertionGate extends pulumi.dynamic.Resource {
  declare public readonly proof: pulumi.Output<"registered" | "exchange">;
  declare public readonly authMethod: pulumi.Output<string>;
  declare public readonly keyId: pulumi.Output<string>;
  declare public readonly openedAt: pulumi.Output<string>;

  constructor(name: string, args: AssertionGateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        ...args,
        privateJwk: pulumi.secret(args.privateJwk),
        proof: undefined,
        authMethod: undefined,
        keyId: undefined,
        openedAt: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["privateJwk"] }),
      "okta-rotation",
      "AssertionGate",
    );
  }
}
