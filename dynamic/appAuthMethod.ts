// `AppAuthMethod`: the token endpoint auth method of an Okta OIDC app (and optionally its JWKS URL), as a
// Pulumi dynamic resource. Okta has no PATCH for apps: each change is a GET of the whole app and a PUT of
// it with only `credentials.oauthClient.token_endpoint_auth_method` (and `settings.oauthClient.jwks_uri`)
// changed. A whole-app PUT replaces the app's key set and may give kept keys new ids (okta-api.md), so the body
// carries every key the app has (as the jwks list returned them), and after the PUT the app and its keys are read
// back and compared, keys by `kid`: a field this resource did not mean to change that Okta dropped or changed
// (`dpop_bound_access_tokens`, `jwks_uri`, a key's `use`, the set of kids…) stops the run with an error that says
// which one and what to do. Create remembers what it found (for the record). Delete never changes the app: the method is how
// its clients authenticate, and putting the old one back would lock out every client that moved on (and strip
// the protection Okta gives the only ACTIVE key of a private_key_jwt app). It releases the app instead: the
// method stays as it is in Okta, no longer managed, and the run says so with a warning.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configureConnection, getOktaApi, providerWarning } from "./connection";
import type { OktaApi } from "./oktaApi";
import { OktaApiError, describeFailure, failureMentions, isNotFound, operationError } from "./oktaErrors";
import type { OktaApp, OktaJsonWebKey } from "./oktaObjects";
import { compact } from "./providerValues";
import { sameValue, checkInputs } from "./validation";
import { providerByReference } from "./providerByReference";

/** The token endpoint auth methods Okta knows for an OIDC app. */
export const TOKEN_ENDPOINT_AUTH_METHODS = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt",
  "none",
] as const;

/** One of {@link TOKEN_ENDPOINT_AUTH_METHODS}. */
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** The zod schema of {@link AppAuthMethod}'s inputs (the single source of {@link AppAuthMethodInputs}). */
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

/** The resolved inputs of an {@link AppAuthMethod}. */
export type AppAuthMethodInputs = z.infer<ReturnType<typeof appAuthMethodInputsSchema>>;

/** The state of an {@link AppAuthMethod}: the method set, and what the app had before. */
export interface AppAuthMethodOutputs {
  readonly appId: string;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  readonly jwksUri?: string;
  /** The method the app had when this resource was created (for the record: delete does not restore it). */
  readonly previousMethod: string;
  /** The app's JWKS URL when this resource was created (absent: none); dropping jwksUri puts it back. */
  readonly previousJwksUri?: string;
  /**
   * The ids this resource's PUTs gave the app's keys (Okta may renumber every key it keeps), by the id a key had
   * before them: how a key recorded before the switch is named now.
   */
  readonly renumberedKeys?: Record<string, string>;
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

/**
 * The app with `settings.oauthClient.jwks.keys` set to `keys` (none: no `jwks` member). A whole-app PUT keeps only
 * the keys its body carries, so the body carries every key the app has. Pure: the input is not modified.
 */
export function withKeys(app: OktaApp, keys: readonly OktaJsonWebKey[]): OktaApp {
  const copy = structuredClone(app) as Record<string, unknown>;
  const settings = (copy.settings ?? {}) as Record<string, unknown>;
  const oauthClient = (settings.oauthClient ?? {}) as Record<string, unknown>;
  if (keys.length > 0) oauthClient.jwks = { keys: keys.map((k) => ({ ...k })) };
  else delete oauthClient.jwks;
  settings.oauthClient = oauthClient;
  copy.settings = settings;
  return copy as OktaApp;
}

/** Fields of the app a change of the auth method must leave as they were sent (when they were sent). */
export function watchedAppFields(): string[] {
  return [
    "label",
    "signOnMode",
    "credentials.oauthClient.token_endpoint_auth_method",
    "credentials.oauthClient.pkce_required",
    "settings.oauthClient.jwks_uri",
    "settings.oauthClient.dpop_bound_access_tokens",
    "settings.oauthClient.application_type",
    "settings.oauthClient.grant_types",
    "settings.oauthClient.response_types",
    "settings.oauthClient.redirect_uris",
  ];
}

/** A field Okta did not keep as sent by a PUT. */
export interface PutDrift {
  /** e.g. `settings.oauthClient.dpop_bound_access_tokens`, `settings.oauthClient.jwks.keys[kid=k1].use`. */
  readonly field: string;
  readonly sent: unknown;
  readonly found: unknown;
}

function at(o: unknown, path: string): unknown {
  let v: unknown = o;
  for (const part of path.split(".")) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v === null ? undefined : v;
}

/**
 * What a PUT did not keep: each watched field sent with a value (and `jwks_uri` and the auth method even when
 * sent without one) that reads back different or absent, the set of kids, and each kept key's `use`, `status`,
 * `kty` and `alg` (when sent), keys matched by `kid` since their ids may change. Pure.
 */
export function putDrift(
  sent: OktaApp,
  sentKeys: readonly OktaJsonWebKey[],
  after: OktaApp,
  afterKeys: readonly OktaJsonWebKey[],
): PutDrift[] {
  const drift: PutDrift[] = [];
  const always = ["settings.oauthClient.jwks_uri", "credentials.oauthClient.token_endpoint_auth_method"];
  for (const field of watchedAppFields()) {
    const s = at(sent, field);
    if (s === undefined && !always.includes(field)) continue;
    const f = at(after, field);
    if (!sameValue(s, f)) drift.push({ field, sent: s, found: f });
  }
  const kids = (keys: readonly OktaJsonWebKey[]) => keys.map((k) => k.kid ?? `(id ${k.id})`).sort();
  if (!sameValue(kids(sentKeys), kids(afterKeys))) {
    drift.push({
      field: "settings.oauthClient.jwks.keys (kids)",
      sent: kids(sentKeys),
      found: kids(afterKeys),
    });
  }
  for (const k of sentKeys) {
    const back = afterKeys.find((a) => a.kid !== undefined && a.kid === k.kid);
    if (back === undefined) continue;
    for (const m of ["use", "status", "kty", "alg"] as const) {
      if (k[m] !== undefined && k[m] !== back[m]) {
        drift.push({
          field: `settings.oauthClient.jwks.keys[kid=${k.kid}].${m}`,
          sent: k[m],
          found: back[m],
        });
      }
    }
  }
  return drift;
}

const shown = (v: unknown): string => (v === undefined ? "absent" : JSON.stringify(v));

/**
 * The new ids a PUT gave the keys it kept (matched by `kid`), by their ids before it, added to what earlier PUTs
 * recorded (an id from before those maps to the key's id after this one). Pure.
 */
export function renumberedKeys(
  earlier: Readonly<Record<string, string>> | undefined,
  sentKeys: readonly OktaJsonWebKey[],
  afterKeys: readonly OktaJsonWebKey[],
): Record<string, string> {
  const now: Record<string, string> = {};
  for (const k of sentKeys) {
    const back = afterKeys.find((a) => a.kid !== undefined && a.kid === k.kid);
    if (back !== undefined && back.id !== k.id) now[k.id] = back.id;
  }
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(earlier ?? {})) out[from] = now[to] ?? to;
  return { ...out, ...now };
}

/** The error of a PUT that did not keep what it did not mean to change. Pure. */
export function putDriftMessage(appId: string, method: string, drift: readonly PutDrift[]): string {
  const lines = drift.map((d) => `  ${d.field}: sent ${shown(d.sent)}, Okta now has ${shown(d.found)}`);
  const keysLost = drift.some((d) => d.field.startsWith("settings.oauthClient.jwks.keys"));
  return [
    `${describe(appId)}: the PUT that set token_endpoint_auth_method to ${method} left the app with ` +
      `${drift.length === 1 ? "a field" : "fields"} it did not mean to change (Okta drops or rewrites what a client ` +
      `sends back without understanding it, for good):`,
    ...lines,
    `What to do: put ${drift.length === 1 ? "that field" : "those fields"} back on app ${appId} in the Okta Admin ` +
      `Console (or with a GET + PUT of the whole app)` +
      (keysLost
        ? `, re-register keys that are gone and check each key's use and status (then \`pulumi refresh\` so the ` +
          `stack's JsonWebKeys find their keys by kid)`
        : "") +
      `, check that the app's clients still authenticate, then run \`pulumi up\` again.`,
  ].join("\n");
}

/** The diff of an AppAuthMethod: old outputs against new inputs; a new app replaces. Pure. */
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

/**
 * What a preview says when an app's method in Okta is not the private_key_jwt the stack set. Pure.
 */
export function driftMessage(appId: string, found: string): string {
  return (
    `${describe(appId)}: Okta has token_endpoint_auth_method ${found}, not private_key_jwt as this stack set it: a ` +
    `whole-app PUT (an update of the okta.app.OAuth without a refresh since the switch, or a change in the Admin ` +
    `Console) replaced it, and with it, most likely, the app's keys. Its clients sign with a key the app no longer ` +
    `accepts. Run pulumi up --refresh: the refresh finds the keys that are gone, and the up registers them again ` +
    `and switches the app back to private_key_jwt (this resource's update). Then, in the program, keep the ` +
    `okta.app.OAuth unchanged or apply its changes with --refresh (docs/concepts.md#add-it-to-your-program).`
  );
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

async function listKeys(api: OktaApi, appId: string, step: string): Promise<OktaJsonWebKey[]> {
  try {
    return await api.listKeys(appId);
  } catch (err) {
    throw new OktaApiError({
      resource: describe(appId),
      action: "update",
      step,
      failure: describeFailure(err),
      hint: "check the Okta connection and run again.",
    });
  }
}

/**
 * GET + PUT when the app differs from what is wanted; no PUT when it already matches. The PUT carries every key the
 * app has; the app and its keys are then read back and compared (`putDrift`). Returns the keys' new ids
 * (`renumberedKeys`, added to `earlier`).
 */
async function apply(
  api: OktaApi,
  appId: string,
  method: string,
  jwksUri: string | null | undefined,
  earlier: Readonly<Record<string, string>> | undefined,
  app?: OktaApp,
): Promise<Record<string, string> | undefined> {
  const current = app ?? (await getApp(api, appId, "update", "reading the app first"));
  const now = readAuthSettings(current);
  const jwksMatches = jwksUri === undefined || (jwksUri ?? undefined) === now.jwksUri;
  if (now.method === method && jwksMatches) return earlier === undefined ? undefined : { ...earlier };
  const keys = await listKeys(api, appId, "listing the app's keys, which the PUT must carry");
  const body = withKeys(withAuthSettings(current, method, jwksUri), keys);
  try {
    // Okta answers a whole-app PUT with the app, its client_secret included (okta-api.md, Revision 3). That answer
    // is dropped here unread: the app is read back with a GET (which carries no secret) and only that is compared,
    // so the secret reaches no log, error or output (test/provider/appAuthMethod.test.ts proves it).
    await api.putApp(appId, body);
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
  const after = await getApp(api, appId, "update", "reading the app back after the PUT");
  const afterKeys = await listKeys(api, appId, "reading the app's keys back after the PUT");
  // Okta deletes saved keys when an app moves to a JWKS URL (its key-management guide): not a loss then.
  const movingToUri = typeof jwksUri === "string" && jwksUri !== now.jwksUri;
  const drift = putDrift(body, keys, after, afterKeys).filter(
    (d) => !(movingToUri && d.field.startsWith("settings.oauthClient.jwks.keys")),
  );
  if (drift.length > 0) throw operationError(putDriftMessage(appId, method, drift));
  const renumbered = renumberedKeys(earlier, keys, afterKeys);
  return Object.keys(renumbered).length > 0 ? renumbered : undefined;
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
    return checkInputs<AppAuthMethodInputs>(appAuthMethodInputsSchema, news);
  }

  async diff(
    _id: pulumi.ID,
    olds: AppAuthMethodOutputs,
    news: AppAuthMethodInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const planned = diffAppAuthMethod(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
    );
    if (planned.changes || news.tokenEndpointAuthMethod !== "private_key_jwt") return planned;
    // A private_key_jwt app loses its method to any whole-app PUT that does not carry it (an update of the
    // okta.app.OAuth without a refresh since the switch, a person in the Admin Console): its clients then have no
    // working credential. One read per such app makes preview and up see it, not only a refresh.
    let found: string | undefined;
    try {
      found = readAuthSettings(await getOktaApi().getApp(news.appId)).method ?? "client_secret_basic";
    } catch {
      return planned; // the update or the refresh says what Okta answered
    }
    if (found === news.tokenEndpointAuthMethod) return planned;
    providerWarning(driftMessage(news.appId, found));
    return { changes: true, replaces: [] };
  }

  async create(inputs: AppAuthMethodInputs): Promise<pulumi.dynamic.CreateResult<AppAuthMethodOutputs>> {
    const api = getOktaApi();
    const app = await getApp(api, inputs.appId, "create", "reading the app first");
    const found = readAuthSettings(app);
    const renumbered = await apply(
      api,
      inputs.appId,
      inputs.tokenEndpointAuthMethod,
      inputs.jwksUri,
      undefined,
      app,
    );
    return {
      id: inputs.appId,
      outs: compact({
        appId: inputs.appId,
        tokenEndpointAuthMethod: inputs.tokenEndpointAuthMethod,
        jwksUri: inputs.jwksUri,
        previousMethod: found.method ?? "client_secret_basic",
        previousJwksUri: found.jwksUri,
        renumberedKeys: renumbered,
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
    const outs = compact({
      ...props,
      tokenEndpointAuthMethod: (now.method ?? "client_secret_basic") as TokenEndpointAuthMethod,
      jwksUri: props.jwksUri !== undefined ? now.jwksUri : undefined,
    });
    // The inputs as Okta holds them now: a method reset by a whole-app PUT (the Admin Console, another tool) shows
    // in the next diff as the change that switches it back, e.g. `"client_secret_basic" => "private_key_jwt"`.
    return {
      id,
      props: outs,
      inputs: compact({
        appId: outs.appId,
        tokenEndpointAuthMethod: outs.tokenEndpointAuthMethod,
        jwksUri: outs.jwksUri,
      }) as AppAuthMethodOutputs,
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
    const renumbered = await apply(
      api,
      news.appId,
      news.tokenEndpointAuthMethod,
      jwksUri,
      olds.renumberedKeys,
    );
    return {
      outs: compact({
        appId: news.appId,
        tokenEndpointAuthMethod: news.tokenEndpointAuthMethod,
        jwksUri: news.jwksUri,
        previousMethod: olds.previousMethod,
        previousJwksUri: olds.previousJwksUri,
        renumberedKeys: renumbered,
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

/** Arguments of {@link AppAuthMethod}. */
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
  /** The ids this resource's PUTs gave the app's keys, by the id each had before (see `renumberedKeys`). */
  declare public readonly renumberedKeys: pulumi.Output<Record<string, string> | undefined>;

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
        renumberedKeys: undefined,
      },
      opts,
      "okta-rotation",
      "AppAuthMethod",
    );
  }
}
