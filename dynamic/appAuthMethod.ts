// `AppAuthMethod`: the token endpoint auth method of an Okta OIDC app (and optionally its JWKS URL), as a
// Pulumi dynamic resource. Okta has no PATCH for apps: each change is a GET of the whole app and a PUT of
// it with only `credentials.oauthClient.token_endpoint_auth_method` (and `settings.oauthClient.jwks_uri`)
// changed. Create remembers what it found (for the record). Delete never changes the app: the method is how
// its clients authenticate, and putting the old one back would lock out every client that moved on (and strip
// the protection Okta gives the only ACTIVE key of a private_key_jwt app). It releases the app instead: the
// method stays as it is in Okta, no longer managed, and the run says so with a warning.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  OktaApiError,
  compact,
  configureConnection,
  describeFailure,
  failureMentions,
  getOktaApi,
  isNotFound,
  operationError,
  providerWarning,
  type OktaApi,
  type OktaApp,
} from "./connection";
import { sameValue, checkInputs } from "./validation";
import { providerByReference } from "./providerByReference";

export const TOKEN_ENDPOINT_AUTH_METHODS = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt",
  "none",
] as const;

export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

export function appAuthMethodInputsSchema() {
  const methods = [
    "client_secret_basic",
    "client_secret_post",
    "client_secret_jwt",
    "private_key_jwt",
    "none",
  ] as const;
  return z.object({
    appId: z
      .string({ error: "appId must be a string (the Okta app id, 0oa…)" })
      .trim()
      .min(1, "appId must not be empty (the Okta app id, 0oa…)"),
    tokenEndpointAuthMethod: z.enum(methods, {
      error: `tokenEndpointAuthMethod must be one of ${methods.join(", ")}`,
    }),
    jwksUri: z
      .string({ error: "jwksUri must be a string" })
      .url("jwksUri must be an absolute https URL")
      .refine((u) => u.startsWith("https://"), "jwksUri must use https")
      .optional(),
  });
}

export type AppAuthMethodInputs = z.infer<ReturnType<typeof appAuthMethodInputsSchema>>;

export interface AppAuthMethodOutputs {
  readonly appId: string;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  readonly jwksUri?: string;
  /** The method the app had when this resource was created (for the record: delete does not restore it). */
  readonly previousMethod: string;
  /** The app's JWKS URL when this resource was created (absent: none); dropping jwksUri puts it back. */
  readonly previousJwksUri?: string;
}

/** Reads `credentials.oauthClient.token_endpoint_auth_method` and `settings.oauthClient.jwks_uri`. Pure. */
export function readAuthSettings(app: OktaApp): { method: string | undefined; jwksUri: string | undefined } {
  const creds = app.credentials as { oauthClient?: { token_endpoint_auth_method?: unknown } } | undefined;
  const settings = app.settings as { oauthClient?: { jwks_uri?: unknown } } | undefined;
  const method = creds?.oauthClient?.token_endpoint_auth_method;
  const jwksUri = settings?.oauthClient?.jwks_uri;
  return {
    method: typeof method === "string" ? method : undefined,
    jwksUri: typeof jwksUri === "string" && jwksUri !== "" ? jwksUri : undefined,
  };
}

/**
 * The whole app with only the auth method (and, when `jwksUri` is not `undefined`, the JWKS URL; `null`
 * removes it) changed. Pure: the input is not modified.
 */
export function withAuthSettings(app: OktaApp, method: string, jwksUri: string | null | undefined): OktaApp {
  const copy = structuredClone(app) as Record<string, unknown>;
  const credentials = (copy.credentials ?? {}) as Record<string, unknown>;
  const oauthClient = (credentials.oauthClient ?? {}) as Record<string, unknown>;
  oauthClient.token_endpoint_auth_method = method;
  credentials.oauthClient = oauthClient;
  copy.credentials = credentials;
  if (jwksUri !== undefined) {
    const settings = (copy.settings ?? {}) as Record<string, unknown>;
    const settingsOauth = (settings.oauthClient ?? {}) as Record<string, unknown>;
    if (jwksUri === null) delete settingsOauth.jwks_uri;
    else settingsOauth.jwks_uri = jwksUri;
    settings.oauthClient = settingsOauth;
    copy.settings = settings;
  }
  return copy as OktaApp;
}

export function diffAppAuthMethod(
  olds: Partial<Record<string, unknown>>,
  news: Partial<Record<string, unknown>>,
): { changes: boolean; replaces: string[] } {
  const replaces = sameValue(olds.appId, news.appId) ? [] : ["appId"];
  const updated =
    !sameValue(olds.tokenEndpointAuthMethod, news.tokenEndpointAuthMethod) ||
    !sameValue(olds.jwksUri, news.jwksUri);
  return { changes: replaces.length > 0 || updated, replaces };
}

function describe(appId: string): string {
  return `AppAuthMethod of app ${appId}`;
}

async function getApp(api: OktaApi, appId: string, action: string, step?: string): Promise<OktaApp> {
  try {
    return await api.getApp(appId);
  } catch (err) {
    throw new OktaApiError({
      resource: describe(appId),
      action,
      ...(step !== undefined ? { step } : {}),
      failure: describeFailure(err),
      hint: isNotFound(err)
        ? `check appId: there is no app ${appId} in this Okta org.`
        : "check the Okta connection and the token's permissions (okta.apps.read, okta.apps.manage).",
    });
  }
}

/** GET + PUT when the app differs from what is wanted; no PUT when it already matches. */
async function apply(
  api: OktaApi,
  appId: string,
  method: string,
  jwksUri: string | null | undefined,
  app?: OktaApp,
): Promise<void> {
  const current = app ?? (await getApp(api, appId, "update", "reading the app first"));
  const now = readAuthSettings(current);
  const jwksMatches = jwksUri === undefined || (jwksUri ?? undefined) === now.jwksUri;
  if (now.method === method && jwksMatches) return;
  try {
    await api.putApp(appId, withAuthSettings(current, method, jwksUri));
  } catch (err) {
    const failure = describeFailure(err);
    throw new OktaApiError({
      resource: describe(appId),
      action: "update",
      step: `setting token_endpoint_auth_method to ${method} with a PUT of the whole app`,
      failure,
      hint:
        method === "private_key_jwt" && failureMentions(failure, "jwks")
          ? "private_key_jwt needs a public key: register an ACTIVE JsonWebKey on the app (dependsOn it) or give jwksUri."
          : failure.ambiguous
            ? "Okta did not answer clearly; run again (the change is idempotent)."
            : "see Okta's message above.",
    });
  }
}

/**
 * The warning of a released AppAuthMethod: which app, which method it keeps, and how to change it without locking
 * its clients out. Pure.
 */
export function releaseMessage(
  props: Pick<AppAuthMethodOutputs, "appId" | "tokenEndpointAuthMethod" | "jwksUri" | "previousMethod">,
): string {
  const method = props.tokenEndpointAuthMethod;
  const jwks = props.jwksUri !== undefined ? ` and jwks_uri ${props.jwksUri}` : "";
  const before =
    props.previousMethod !== undefined && props.previousMethod !== method
      ? ` (it had ${props.previousMethod} before this stack)`
      : "";
  const back =
    method === "private_key_jwt"
      ? "To go back to a client secret without downtime, set privateKeyJwt.rollback: true on the app and run " +
        "pulumi up before removing it from the stack. "
      : "";
  return (
    `${describe(props.appId)} is released, not reverted: the app keeps token_endpoint_auth_method ${method}${jwks} ` +
    `in Okta${before}, so its clients keep authenticating as they do now; it is no longer managed by this stack. ` +
    back +
    `To change it by hand, first give the clients a credential for the new method, then set ` +
    `credentials.oauthClient.token_endpoint_auth_method in the Okta Admin Console (or GET + PUT the whole app).`
  );
}

/** The dynamic provider of AppAuthMethod. Holds no state: credentials come from `configure` or the environment. */
export class AppAuthMethodProvider implements pulumi.dynamic.ResourceProvider<
  AppAuthMethodInputs,
  AppAuthMethodOutputs
> {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  async check(
    _olds: unknown,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<AppAuthMethodInputs>> {
    return checkInputs<AppAuthMethodInputs>(appAuthMethodInputsSchema(), news);
  }

  async diff(
    _id: pulumi.ID,
    olds: AppAuthMethodOutputs,
    news: AppAuthMethodInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    return diffAppAuthMethod(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
    );
  }

  async create(inputs: AppAuthMethodInputs): Promise<pulumi.dynamic.CreateResult<AppAuthMethodOutputs>> {
    const api = getOktaApi();
    const app = await getApp(api, inputs.appId, "create", "reading the app first");
    const found = readAuthSettings(app);
    await apply(api, inputs.appId, inputs.tokenEndpointAuthMethod, inputs.jwksUri, app);
    return {
      id: inputs.appId,
      outs: compact({
        appId: inputs.appId,
        tokenEndpointAuthMethod: inputs.tokenEndpointAuthMethod,
        jwksUri: inputs.jwksUri,
        previousMethod: found.method ?? "client_secret_basic",
        previousJwksUri: found.jwksUri,
      }),
    };
  }

  async read(
    id: pulumi.ID,
    props?: AppAuthMethodOutputs,
  ): Promise<pulumi.dynamic.ReadResult<AppAuthMethodOutputs>> {
    if (props === undefined) throw operationError(`AppAuthMethod ${id}: no state to refresh from.`);
    let app: OktaApp;
    try {
      app = await getOktaApi().getApp(props.appId);
    } catch (err) {
      if (isNotFound(err)) return { id: "" };
      throw new OktaApiError({
        resource: describe(props.appId),
        action: "read",
        failure: describeFailure(err),
      });
    }
    const now = readAuthSettings(app);
    return {
      id,
      props: compact({
        ...props,
        tokenEndpointAuthMethod: (now.method ?? "client_secret_basic") as TokenEndpointAuthMethod,
        jwksUri: props.jwksUri !== undefined ? now.jwksUri : undefined,
      }),
    };
  }

  async update(
    _id: pulumi.ID,
    olds: AppAuthMethodOutputs,
    news: AppAuthMethodInputs,
  ): Promise<pulumi.dynamic.UpdateResult<AppAuthMethodOutputs>> {
    const api = getOktaApi();
    // jwksUri dropped from the inputs: put back what the app had before this resource.
    const jwksUri =
      news.jwksUri !== undefined
        ? news.jwksUri
        : olds.jwksUri !== undefined
          ? (olds.previousJwksUri ?? null)
          : undefined;
    await apply(api, news.appId, news.tokenEndpointAuthMethod, jwksUri);
    return {
      outs: compact({
        appId: news.appId,
        tokenEndpointAuthMethod: news.tokenEndpointAuthMethod,
        jwksUri: news.jwksUri,
        previousMethod: olds.previousMethod,
        previousJwksUri: olds.previousJwksUri,
      }),
    };
  }

  /** Releases the app: no Okta call, the app keeps its method (see `releaseMessage`). */
  async delete(_id: pulumi.ID, props: AppAuthMethodOutputs): Promise<void> {
    providerWarning(releaseMessage(props));
  }
}

// In state, the provider is a reference to AppAuthMethodProvider in this file (see providerByReference.ts).
const provider = providerByReference(__filename, "AppAuthMethodProvider");

export interface AppAuthMethodArgs {
  /** The Okta app (0oa…). */
  readonly appId: pulumi.Input<string>;
  /** The method to set, e.g. `private_key_jwt`. */
  readonly tokenEndpointAuthMethod: pulumi.Input<TokenEndpointAuthMethod>;
  /** Optional `settings.oauthClient.jwks_uri` (https). */
  readonly jwksUri?: pulumi.Input<string>;
}

/**
 * Sets an app's token endpoint auth method. Deleting the resource releases the app: the method stays as it is in
 * Okta (a warning says so and how to change it).
 */
export class AppAuthMethod extends pulumi.dynamic.Resource {
  declare public readonly appId: pulumi.Output<string>;
  declare public readonly tokenEndpointAuthMethod: pulumi.Output<TokenEndpointAuthMethod>;
  declare public readonly jwksUri: pulumi.Output<string | undefined>;
  declare public readonly previousMethod: pulumi.Output<string>;
  declare public readonly previousJwksUri: pulumi.Output<string | undefined>;

  constructor(name: string, args: AppAuthMethodArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        appId: args.appId,
        tokenEndpointAuthMethod: args.tokenEndpointAuthMethod,
        jwksUri: args.jwksUri,
        previousMethod: undefined,
        previousJwksUri: undefined,
      },
      opts,
      "okta-rotation",
      "AppAuthMethod",
    );
  }
}
