import * as pulumi from "@pulumi/pulumi";
import { hideInputs, type HidesInputs } from "./hiddenInputs";
import { providerByReference } from "./providerByReference";
import { isUnknown } from "./providerValues";
import { isPolicyRefusal, policyRefusalHint, secretExchangeRefusal } from "./tokenEndpoint";

export interface TokenExchangeGateInputs {
  appId: string;
  /** The credential being proven; a change re-runs the gate. */
  secretId: string;
  generation: number;
  clientId: string;
  clientSecret?: string;
  tokenUrl: string;
  scope?: string;
  /** Run a real client_credentials exchange. */
  exchange: boolean;
  /** Seconds both credentials must have been ACTIVE before the gate opens. */
  minOverlapSeconds: number;
  /** When the new credential became ACTIVE (ISO 8601): the start of the overlap. */
  activeSince: string;
}

export interface TokenExchangeGateOutputs extends Omit<TokenExchangeGateInputs, "clientSecret"> {
  openedAt: string;
  /** HTTP status of the proving exchange (200), or absent when no exchange was asked for. */
  exchangeStatus?: number;
}

/** Milliseconds still to wait before the overlap is long enough. Pure. */
export function overlapRemainingMs(activeSince: string, minOverlapSeconds: number, nowMs: number): number {
  const since = Date.parse(activeSince);
  if (Number.isNaN(since)) return minOverlapSeconds * 1000;
  return Math.max(0, since + minOverlapSeconds * 1000 - nowMs);
}

/** The form body and headers of a client_secret_basic client_credentials request. Pure. */
export function basicExchangeRequest(
  clientId: string,
  clientSecret: string,
  scope?: string,
): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (scope) form.set("scope", scope);
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
    "base64",
  );
  return {
    headers: {
      authorization: `Basic ${basic}`,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: form.toString(),
  };
}

async function openGate(inputs: TokenExchangeGateInputs): Promise<TokenExchangeGateOutputs> {
  const wait = overlapRemainingMs(inputs.activeSince, inputs.minOverlapSeconds, Date.now());
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  let exchangeStatus: number | undefined;
  if (inputs.exchange) {
    if (!inputs.clientSecret) {
      throw new Error(
        `Token exchange gate of app ${inputs.appId}, generation ${inputs.generation}: no client secret to prove. ` +
          `The old credential stays ACTIVE. Check that the rotation passes the new secret to the gate.`,
      );
    }
    const request = basicExchangeRequest(inputs.clientId, inputs.clientSecret, inputs.scope);
    let lastError = "";
    let policyMissing = false;
    for (let attempt = 1; attempt <= 4; attempt++) {
      let res: Response;
      try {
        res = await fetch(inputs.tokenUrl, { method: "POST", headers: request.headers, body: request.body });
      } catch (err) {
        lastError = `network error: ${(err as Error).message}`;
        await new Promise((r) => setTimeout(r, 250 * attempt));
        continue;
      }
      if (res.status === 200) {
        const body = (await res.json()) as { access_token?: unknown };
        if (typeof body.access_token !== "string") {
          lastError = "the token endpoint answered 200 without an access_token";
          break;
        }
        exchangeStatus = 200;
        break;
      }
      const text = await res.text();
      let described = text.slice(0, 300);
      try {
        const json = JSON.parse(text) as {
          error?: string;
          error_description?: string;
          errorSummary?: string;
        };
        described = [json.error, json.error_description ?? json.errorSummary].filter(Boolean).join(": ");
        policyMissing = isPolicyRefusal(res.status, json);
      } catch {
        // Not JSON: keep the start of the text.
      }
      lastError = `HTTP ${res.status} ${described}`;
      if (res.status !== 429 && res.status < 500) break;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
    if (exchangeStatus !== 200) {
      const what = policyMissing
        ? `${policyRefusalHint(inputs.tokenUrl, inputs.clientId, inputs.scope)} Then run pulumi up again.`
        : `Check the client id, the token URL and the scope (custom authorization servers need a scope the app ` +
          `may request), then run pulumi up again.`;
      throw new Error(
        `Token exchange gate of app ${inputs.appId}: the new secret ${inputs.secretId} (generation ` +
          `${inputs.generation}) was refused at ${inputs.tokenUrl}: ${lastError}. The previous secret stays ACTIVE, ` +
          `so consumers keep working. ${what}`,
      );
    }
  }
  const { clientSecret: _omit, ...rest } = inputs;
  return { ...rest, openedAt: new Date().toISOString(), ...(exchangeStatus ? { exchangeStatus } : {}) };
}

const WATCHED = [
  "appId",
  "secretId",
  "generation",
  "clientId",
  "tokenUrl",
  "scope",
  "exchange",
  "minOverlapSeconds",
] as const;

/**
 * Why Okta would refuse the proving exchange these inputs ask for, as `check` failures (empty when none, when
 * no exchange is asked, or while the token URL or scope is still unknown). Pure.
 */
export function exchangeTargetFailures(
  news: Record<string, unknown>,
): { property: string; reason: string }[] {
  if (news.exchange !== true || typeof news.tokenUrl !== "string") return [];
  // Not known yet (preview): checked when it is, before the gate's create.
  if (isUnknown(news.tokenUrl) || isUnknown(news.scope)) return [];
  const scope = typeof news.scope === "string" ? news.scope : undefined;
  const why = secretExchangeRefusal(news.tokenUrl, scope, "gates.tokenUrl and gates.scope");
  if (why === undefined) return [];
  const property = /^the scope /.test(why) ? "scope" : "tokenUrl";
  return [
    {
      property,
      reason:
        `Token exchange gate of app ${String(news.appId)}: ${why}. Nothing was changed: the new secret is ` +
        `proven only where Okta can grant it a token.`,
    },
  ];
}

/** Inputs kept out of every diff (hiddenInputs.ts). */
const GATE_HIDDEN_INPUTS = ["clientSecret", "activeSince"] as const;

/** The provider's implementation; in state, the resources refer to it (see providerByReference.ts). */
export const gateProvider: pulumi.dynamic.ResourceProvider & HidesInputs = {
  // The secret it proves and when that became ACTIVE are how the gate works, not what a reviewer decides on.
  hiddenInputs: () => GATE_HIDDEN_INPUTS,
  // Runs before anything is written (preview, and `up --skip-preview` too): a gate Okta would never open
  // stops the rotation before its first step, not after the new secret is out.
  async check(_olds: unknown, news: Record<string, unknown>) {
    const failures = exchangeTargetFailures(news);
    return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
  },
  async diff(_id: string, olds: TokenExchangeGateOutputs, news: TokenExchangeGateInputs) {
    const changed = WATCHED.filter((k) => olds[k] !== news[k]);
    return { changes: changed.length > 0, replaces: [] };
  },
  async create(inputs: TokenExchangeGateInputs) {
    const outs = await openGate(inputs);
    return { id: `${inputs.appId}-gate`, outs };
  },
  async update(_id: string, _olds: TokenExchangeGateOutputs, news: TokenExchangeGateInputs) {
    return { outs: await openGate(news) };
  },
};

const gateProviderReference = providerByReference(__filename, "gateProvider");

/** Arguments of {@link TokenExchangeGate}. */
export interface TokenExchangeGateArgs {
  readonly appId: pulumi.Input<string>;
  readonly secretId: pulumi.Input<string>;
  readonly generation: pulumi.Input<number>;
  readonly clientId: pulumi.Input<string>;
  readonly clientSecret?: pulumi.Input<string>;
  readonly tokenUrl: pulumi.Input<string>;
  readonly scope?: pulumi.Input<string>;
  readonly exchange: pulumi.Input<boolean>;
  readonly minOverlapSeconds: pulumi.Input<number>;
  readonly activeSince: pulumi.Input<string>;
}

/**
 * Opens only when the new credential is proven: it waits out the minimum overlap since the credential became
 * ACTIVE and, when asked, performs a real client_credentials exchange with it. The retirement of the previous
 * credential depends on it, so a refused secret stops the rotation with the old one still ACTIVE.
 */
export class TokenExchangeGate extends pulumi.dynamic.Resource {
  declare public readonly openedAt: pulumi.Output<string>;
  declare public readonly exchangeStatus: pulumi.Output<number | undefined>;

  constructor(name: string, args: TokenExchangeGateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      gateProviderReference,
      name,
      hideInputs({ ...args, openedAt: undefined, exchangeStatus: undefined }, GATE_HIDDEN_INPUTS),
      { ...opts, additionalSecretOutputs: ["clientSecret", "__clientSecret"] },
      "okta-rotation",
      "TokenExchangeGate",
    );
  }
}
