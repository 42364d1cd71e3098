// `okta:app/oAuth:OAuth` — what `new okta.app.OAuth(...)` of @pulumi/okta registers — with the semantics of
// terraform-provider-okta's `okta_app_oauth`, which pulumi-okta bridges. Every rule below names the function of
// okta/services/idaas/resource_okta_app_oauth.go (or app.go) it comes from, at commit e59c130b.
//
// Served inputs (camelCase of the Terraform names, as node_modules/@pulumi/okta/app/oauth.d.ts spells them): label,
// type, grantTypes, responseTypes, redirectUris, postLogoutRedirectUris, tokenEndpointAuthMethod, omitSecret,
// clientId, status, pkceRequired, autoKeyRotation, consentMethod, issuerMode. Any other input is refused by `check`,
// naming it and the official plugin to install. Outputs: those inputs as Okta reads them back, plus id, name,
// signOnMode and clientSecret (secret; only while omitSecret is false, from create's or an update's answer).
//
// Not done, because the local Okta serves none of it and the official plugin does it where it matters: the
// groups-claim call of `setAppOauthGroupsClaim` (an internal API), the authentication policy of
// `createOrUpdateAuthenticationPolicy` (apps other than `service`), logos, and the `GET /api/v1/users/me` that
// config.go `VerifyCredentials` makes at configure time.
//
// Deliberate differences, each small: `check` refuses what `resourceAppOAuthCreate`/`Update` would refuse only at
// apply time (validateGrantTypes, validateAppOAuth), so a preview already says it; `status` must be ACTIVE or
// INACTIVE (the only values AppUpdateStatus acts on); and `delete` of an app already gone (404) succeeds instead of
// retrying and failing (app.go deleteApplication retries every error). A refresh of an app deleted out of band
// fails, as `resourceAppOAuthRead` does since v6.10 (it reads through the v6 client and returns "failed to get OAuth
// application: …" on any error, a 404 included; the same code is in v6.9.0 and v6.12.0).

import { z } from "zod";
import type { CheckFailure } from "@pulumi/pulumi/provider";
import { describeFailure, isNotFound, OktaApiError } from "../../dynamic/oktaErrors";
import type { LifecycleStatus, OktaApp } from "../../dynamic/oktaObjects";
import {
  UNKNOWN,
  unwrapSecrets,
  urnName,
  wrapSecrets,
  type CheckOutcome,
  type PropertyBag,
} from "../plugin-host";

export const OAUTH_APP_TYPE = "okta:app/oAuth:OAuth";

/** What the stand-in serves; everything else needs the official plugin. */
export const SERVED_INPUTS = [
  "label",
  "type",
  "grantTypes",
  "responseTypes",
  "redirectUris",
  "postLogoutRedirectUris",
  "tokenEndpointAuthMethod",
  "omitSecret",
  "clientId",
  "status",
  "pkceRequired",
  "autoKeyRotation",
  "consentMethod",
  "issuerMode",
] as const;

/** Always secret, as in pulumi-okta's schema (`client_secret` is Sensitive). */
export const SECRET_OUTPUTS = ["clientSecret"] as const;

/** `pulumi plugin install resource okta <version>`, for errors that send the reader to the official plugin. */
export function installOfficial(version: string): string {
  return `install the official plugin (pulumi plugin install resource okta ${version})`;
}

// resource_okta_app_oauth.go: the grant-type constants and `appRequirementsByType`.
const AUTHORIZATION_CODE = "authorization_code";
const IMPLICIT = "implicit";
const PASSWORD = "password";
const REFRESH_TOKEN = "refresh_token";
const CLIENT_CREDENTIALS = "client_credentials";
const COMMON_GRANTS = [
  "urn:ietf:params:oauth:grant-type:saml2-bearer",
  "urn:ietf:params:oauth:grant-type:token-exchange",
  "urn:ietf:params:oauth:grant-type:device_code",
  "interaction_code",
  "urn:okta:params:oauth:grant-type:oob",
  "urn:okta:params:oauth:grant-type:otp",
  "http://auth0.com/oauth/grant-type/mfa-oob",
  "http://auth0.com/oauth/grant-type/mfa-otp",
];

export interface AppRequirements {
  readonly required: readonly string[];
  readonly valid: readonly string[];
}

/** resource_okta_app_oauth.go `appRequirementsByType`: required and valid grant types per application type. */
export function appRequirementsByType(): Record<string, AppRequirements> {
  return {
    web: {
      required: [AUTHORIZATION_CODE],
      valid: [
        AUTHORIZATION_CODE,
        IMPLICIT,
        REFRESH_TOKEN,
        CLIENT_CREDENTIALS,
        ...COMMON_GRANTS,
        "urn:openid:params:grant-type:ciba",
      ],
    },
    native: {
      required: [AUTHORIZATION_CODE],
      valid: [
        AUTHORIZATION_CODE,
        IMPLICIT,
        REFRESH_TOKEN,
        PASSWORD,
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        ...COMMON_GRANTS,
      ],
    },
    browser: { required: [], valid: [IMPLICIT, AUTHORIZATION_CODE, REFRESH_TOKEN, ...COMMON_GRANTS] },
    service: { required: [CLIENT_CREDENTIALS], valid: [CLIENT_CREDENTIALS, IMPLICIT, ...COMMON_GRANTS] },
  };
}

export function oauthAppInputsSchema() {
  const strings = (field: string) =>
    z.array(z.string({ error: `${field} items must be strings` }), {
      error: `${field} must be a list of strings`,
    });
  const nonEmpty = (field: string, what: string) =>
    z
      .string({ error: `${field} is required: ${what}` })
      .refine((s) => s.trim() !== "", `${field} must not be empty: ${what}`);
  return z.object({
    label: nonEmpty("label", "the app's display name"),
    // Required, ForceNew; not validated by the provider (an unknown type gets no grant defaults).
    type: nonEmpty("type", "web, native, browser or service"),
    grantTypes: strings("grantTypes").optional(),
    // The schema's ValidateFunc: StringInSlice code, token, id_token.
    responseTypes: z
      .array(
        z.enum(["code", "token", "id_token"], {
          error: "responseTypes items must be code, token or id_token",
        }),
        { error: "responseTypes must be a list of strings" },
      )
      .optional(),
    redirectUris: strings("redirectUris").optional(),
    postLogoutRedirectUris: strings("postLogoutRedirectUris").optional(),
    // Schema defaults: token_endpoint_auth_method client_secret_basic, omit_secret false, status ACTIVE (app.go
    // baseAppSchema), auto_key_rotation true, consent_method TRUSTED, issuer_mode ORG_URL.
    tokenEndpointAuthMethod: nonEmpty(
      "tokenEndpointAuthMethod",
      "client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt or none",
    ).default("client_secret_basic"),
    omitSecret: z.boolean({ error: "omitSecret must be true or false" }).default(false),
    clientId: nonEmpty("clientId", "the OAuth client id to create the app with").optional(),
    status: z.enum(["ACTIVE", "INACTIVE"], { error: "status must be ACTIVE or INACTIVE" }).default("ACTIVE"),
    pkceRequired: z.boolean({ error: "pkceRequired must be true or false" }).optional(),
    autoKeyRotation: z.boolean({ error: "autoKeyRotation must be true or false" }).default(true),
    consentMethod: z
      .string({ error: "consentMethod must be a string (REQUIRED or TRUSTED)" })
      .default("TRUSTED"),
    issuerMode: z
      .string({ error: "issuerMode must be a string (ORG_URL, CUSTOM_URL or DYNAMIC)" })
      .default("ORG_URL"),
  });
}

export type OAuthAppInputs = z.infer<ReturnType<typeof oauthAppInputsSchema>>;

/** resource_okta_app_oauth.go `validateGrantTypes` (with utils.ConditionalValidator's text); undefined when fine. */
export function grantTypesProblem(
  type: string,
  grantTypes: readonly string[] | undefined,
): string | undefined {
  if (!grantTypes || grantTypes.length === 0) return undefined;
  const req = appRequirementsByType()[type];
  if (!req) return undefined;
  let explanation = `grantTypes of a "${type}" app can contain ${req.valid.join(", ")}`;
  if (req.required.length > 0) explanation += ` and must contain ${req.required.join(", ")}`;
  const bad =
    req.required.some((g) => !grantTypes.includes(g)) || grantTypes.some((g) => !req.valid.includes(g));
  return bad ? `${explanation}; got ${grantTypes.join(", ")}` : undefined;
}

/** resource_okta_app_oauth.go `validateAppOAuth`, for the served inputs: [property, reason] or undefined. */
export function appOAuthProblem(
  inputs: {
    readonly tokenEndpointAuthMethod: string;
    readonly grantTypes?: readonly string[];
    readonly responseTypes?: readonly string[];
  },
  version: string,
): [string, string] | undefined {
  if (inputs.tokenEndpointAuthMethod === "private_key_jwt") {
    return [
      "tokenEndpointAuthMethod",
      "'jwks' or 'jwksUri' is required when 'tokenEndpointAuthMethod' is 'private_key_jwt', and neither is " +
        `served by the local environment's okta plugin; ${installOfficial(version)}, or create the app with a ` +
        "client secret method and switch it afterwards",
    ];
  }
  if ((inputs.grantTypes ?? []).includes(IMPLICIT)) {
    const rt = inputs.responseTypes ?? [];
    if (!rt.includes("token") && !rt.includes("id_token")) {
      return [
        "responseTypes",
        "'responseTypes' must contain at least one of ['token', 'id_token'] when 'grantTypes' contains 'implicit'",
      ];
    }
  }
  return undefined;
}

/**
 * resource_okta_app_oauth.go `buildAppOAuthV6`: the grant types sent — the inputs', else the bare minimum of the
 * type (its required grants, or all valid ones when it requires none).
 */
export function defaultGrantTypes(type: string, grantTypes: readonly string[] | undefined): string[] {
  if (grantTypes && grantTypes.length > 0) return [...grantTypes];
  const req = appRequirementsByType()[type];
  if (!req) return [];
  return [...(req.required.length === 0 ? req.valid : req.required)];
}

/**
 * resource_okta_app_oauth.go `buildAppOAuthV6`: the response types sent — the inputs', else `token` for implicit or
 * client_credentials and `code` for password, authorization_code or refresh_token.
 */
export function defaultResponseTypes(
  grantTypes: readonly string[],
  responseTypes: readonly string[] | undefined,
): string[] {
  if (responseTypes && responseTypes.length > 0) return [...responseTypes];
  const out: string[] = [];
  if ([IMPLICIT, CLIENT_CREDENTIALS].some((g) => grantTypes.includes(g))) out.push("token");
  if ([PASSWORD, AUTHORIZATION_CODE, REFRESH_TOKEN].some((g) => grantTypes.includes(g))) out.push("code");
  return out;
}

/**
 * resource_okta_app_oauth.go `buildAppOAuthV6`, the PKCE rule: the input when given; else true for
 * token_endpoint_auth_method `none`, true for a new native or browser app, false otherwise.
 */
export function pkceRequiredFor(inputs: OAuthAppInputs, isNew: boolean): boolean {
  if (inputs.pkceRequired !== undefined) return inputs.pkceRequired;
  if (inputs.tokenEndpointAuthMethod === "none") return true;
  return isNew && (inputs.type === "native" || inputs.type === "browser");
}

/**
 * The app object sent to Okta, as resource_okta_app_oauth.go `buildAppOAuthV6` builds it from the served inputs
 * (settings it sets from schema defaults of inputs not served are set the same way: the username template, hidden
 * icons, wildcard redirect DISABLED, refresh-token rotation STATIC with leeway 0 when refresh_token is granted).
 * `clientSecret` is the one kept in state: sent on update unless omitSecret (`resourceAppOAuthUpdate`).
 */
export function buildAppBody(inputs: OAuthAppInputs, isNew: boolean, clientSecret?: string): PropertyBag {
  const grantTypes = defaultGrantTypes(inputs.type, inputs.grantTypes);
  const responseTypes = defaultResponseTypes(grantTypes, inputs.responseTypes);
  const oauthCredentials: PropertyBag = {
    autoKeyRotation: inputs.autoKeyRotation,
    ...(inputs.clientId ? { client_id: inputs.clientId } : {}),
    token_endpoint_auth_method: inputs.tokenEndpointAuthMethod,
    ...(clientSecret && !inputs.omitSecret ? { client_secret: clientSecret } : {}),
    pkce_required: pkceRequiredFor(inputs, isNew),
  };
  const oauthSettings: PropertyBag = {
    application_type: inputs.type,
    grant_types: grantTypes,
    response_types: responseTypes,
    ...(inputs.consentMethod ? { consent_method: inputs.consentMethod } : {}),
    ...(inputs.redirectUris && inputs.redirectUris.length > 0 ? { redirect_uris: inputs.redirectUris } : {}),
    ...(inputs.postLogoutRedirectUris && inputs.postLogoutRedirectUris.length > 0
      ? { post_logout_redirect_uris: inputs.postLogoutRedirectUris }
      : {}),
    ...(inputs.issuerMode ? { issuer_mode: inputs.issuerMode } : {}),
    wildcard_redirect: "DISABLED",
    ...(grantTypes.includes(REFRESH_TOKEN) ? { refresh_token: { rotation_type: "STATIC", leeway: 0 } } : {}),
  };
  return {
    label: inputs.label,
    name: "oidc_client",
    signOnMode: "OPENID_CONNECT",
    credentials: {
      oauthClient: oauthCredentials,
      userNameTemplate: { template: "${source.login}", type: "BUILT_IN" },
    },
    settings: { oauthClient: oauthSettings, notes: {} },
    visibility: { hide: { iOS: true, web: true } },
    accessibility: {},
  };
}

function record(v: unknown): PropertyBag {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as PropertyBag) : {};
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/**
 * The outputs Okta's app object gives, as resource_okta_app_oauth.go `resourceAppOAuthRead` and
 * `setOAuthClientSettingsV6` set them: name, status, signOnMode, label; clientId, tokenEndpointAuthMethod,
 * autoKeyRotation and pkceRequired when the app has a client id; type, issuerMode, the URI and type lists;
 * consentMethod only when Okta returns one. The client secret is never read ("only provided on create and update").
 */
export function outputsFromApp(app: OktaApp): PropertyBag {
  const credentials = record(record(app.credentials).oauthClient);
  const settings = record(record(app.settings).oauthClient);
  const out: PropertyBag = {
    name: app.name,
    status: app.status,
    signOnMode: app.signOnMode,
    label: app.label,
  };
  if (typeof credentials.client_id === "string" && credentials.client_id !== "") {
    out.clientId = credentials.client_id;
    out.tokenEndpointAuthMethod = credentials.token_endpoint_auth_method;
    out.autoKeyRotation = credentials.autoKeyRotation === true;
    out.pkceRequired = credentials.pkce_required === true;
  }
  out.type = settings.application_type;
  if (typeof settings.consent_method === "string" && settings.consent_method !== "") {
    out.consentMethod = settings.consent_method;
  }
  out.issuerMode = settings.issuer_mode;
  out.redirectUris = stringList(settings.redirect_uris);
  out.responseTypes = stringList(settings.response_types);
  out.grantTypes = stringList(settings.grant_types);
  out.postLogoutRedirectUris = stringList(settings.post_logout_redirect_uris);
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** The client secret in an answer of create or PUT (`credentials.oauthClient.client_secret`), if any. */
export function clientSecretOf(app: OktaApp): string | undefined {
  const s = record(record(app.credentials).oauthClient).client_secret;
  return typeof s === "string" && s !== "" ? s : undefined;
}

/**
 * Validates the inputs and fills the schema defaults. An input the plugin does not serve is a failure naming it;
 * unknown values (preview) pass unchecked. Reasons name the field and never quote a value.
 */
export function checkOAuthApp(rawOlds: PropertyBag, rawNews: PropertyBag, version: string): CheckOutcome {
  const { plain: news, secretKeys } = unwrapSecrets(rawNews);
  const { plain: olds } = unwrapSecrets(rawOlds);
  const failures: CheckFailure[] = [];
  const served = new Set<string>(SERVED_INPUTS);
  const known: PropertyBag = {};
  const unknown: PropertyBag = {};
  for (const [k, v] of Object.entries(news)) {
    if (k.startsWith("__") || v === undefined || v === null) continue;
    if (!served.has(k)) {
      failures.push({
        property: k,
        reason: `${k} is not served by the local environment's okta plugin (it serves ${SERVED_INPUTS.join(", ")}); ${installOfficial(version)}`,
      });
      continue;
    }
    (v === UNKNOWN ? unknown : known)[k] = v;
  }
  // Unknown values are left out of the validation (and get no default).
  const omitted = Object.fromEntries(Object.keys(unknown).map((k) => [k, true])) as Record<string, true>;
  const parsed = oauthAppInputsSchema()
    .omit(omitted as never)
    .safeParse(known) as unknown as ReturnType<ReturnType<typeof oauthAppInputsSchema>["safeParse"]>;
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      failures.push({ property: issue.path.map(String).join("."), reason: issue.message });
    }
  }
  if (failures.length > 0 || !parsed.success) return { inputs: rawNews, failures };
  const inputs: PropertyBag = { ...parsed.data, ...unknown };
  if (!("type" in unknown) && !("grantTypes" in unknown)) {
    const problem = grantTypesProblem(parsed.data.type, parsed.data.grantTypes);
    if (problem) failures.push({ property: "grantTypes", reason: problem });
  }
  if (!["tokenEndpointAuthMethod", "grantTypes", "responseTypes"].some((k) => k in unknown)) {
    // Optional + Computed: without an input, the value Okta holds (the old output) counts, as d.Get does.
    const responseTypes = parsed.data.responseTypes ?? stringList(olds.responseTypes);
    const problem = appOAuthProblem({ ...parsed.data, responseTypes }, version);
    if (problem) failures.push({ property: problem[0], reason: problem[1] });
  }
  if (failures.length > 0) return { inputs: rawNews, failures };
  return { inputs: wrapSecrets(inputs, secretKeys), failures: [] };
}

export interface OAuthAppDiff {
  readonly changes: boolean;
  readonly replaces: string[];
  readonly updates: string[];
}

const sameList = (a: unknown, b: unknown) => JSON.stringify(stringList(a)) === JSON.stringify(stringList(b));
const sameSet = (a: unknown, b: unknown) =>
  JSON.stringify([...new Set(stringList(a))].sort()) === JSON.stringify([...new Set(stringList(b))].sort());

/**
 * What changes between the last outputs and the checked inputs. Replaces: `type` (ForceNew), `clientId` when given
 * and different (ForceNew; Optional + Computed, so an absent one keeps Okta's), `omitSecret` from true to false
 * (resourceAppOAuth's CustomizeDiff). Every other served input updates; grantTypes, responseTypes and pkceRequired
 * are Optional + Computed, so only a given value is compared; grant, response and post-logout types are sets,
 * redirectUris a list.
 */
export function diffOAuthApp(rawOlds: PropertyBag, rawNews: PropertyBag): OAuthAppDiff {
  const { plain: olds } = unwrapSecrets(rawOlds);
  const { plain: news } = unwrapSecrets(rawNews);
  const given = (k: string) => news[k] !== undefined && news[k] !== null;
  const unknown = (k: string) => news[k] === UNKNOWN || olds[k] === UNKNOWN;
  const replaces: string[] = [];
  const updates: string[] = [];
  if (unknown("type") || olds.type !== news.type) replaces.push("type");
  if (given("clientId") && (unknown("clientId") || olds.clientId !== news.clientId))
    replaces.push("clientId");
  if (olds.omitSecret === true && news.omitSecret !== true) replaces.push("omitSecret");
  else if (unknown("omitSecret") || (olds.omitSecret === true) !== (news.omitSecret === true)) {
    updates.push("omitSecret");
  }
  for (const k of ["label", "status", "tokenEndpointAuthMethod", "consentMethod", "issuerMode"]) {
    if (unknown(k) || olds[k] !== news[k]) updates.push(k);
  }
  if (unknown("autoKeyRotation") || (olds.autoKeyRotation !== false) !== (news.autoKeyRotation !== false)) {
    updates.push("autoKeyRotation");
  }
  if (given("pkceRequired") && (unknown("pkceRequired") || olds.pkceRequired !== news.pkceRequired)) {
    updates.push("pkceRequired");
  }
  for (const k of ["grantTypes", "responseTypes"]) {
    if (given(k) && (unknown(k) || !sameSet(olds[k], news[k]))) updates.push(k);
  }
  if (
    unknown("postLogoutRedirectUris") ||
    !sameSet(olds.postLogoutRedirectUris, news.postLogoutRedirectUris)
  ) {
    updates.push("postLogoutRedirectUris");
  }
  if (unknown("redirectUris") || !sameList(olds.redirectUris, news.redirectUris))
    updates.push("redirectUris");
  return { changes: replaces.length + updates.length > 0, replaces, updates };
}

/** The calls the resource makes (dynamic/oktaApi.ts `OktaApi`). */
export interface OktaAppApi {
  createApp(app: PropertyBag, activate: boolean): Promise<OktaApp>;
  getApp(appId: string): Promise<OktaApp>;
  putApp(appId: string, app: OktaApp): Promise<OktaApp>;
  setAppStatus(appId: string, status: LifecycleStatus): Promise<void>;
  deleteApp(appId: string): Promise<void>;
}

export interface OAuthAppState {
  readonly id: string;
  readonly outputs: PropertyBag;
}

/** The OAuth app operations against one Okta org. */
export class OAuthAppResource {
  constructor(private readonly api: () => OktaAppApi) {}

  private label(urn: string, id?: string): string {
    return `${OAUTH_APP_TYPE} '${urnName(urn)}'${id ? ` (app ${id})` : ""}`;
  }

  private fail(urn: string, id: string | undefined, action: string, e: unknown, step?: string): Error {
    return new OktaApiError({
      resource: this.label(urn, id),
      action,
      ...(step ? { step } : {}),
      failure: describeFailure(e),
    });
  }

  /**
   * resource_okta_app_oauth.go `resourceAppOAuthCreate`: `createApplication` with `activate` = (status is ACTIVE);
   * the client secret of the answer is kept unless omitSecret; then the app is read back.
   */
  async create(urn: string, rawInputs: PropertyBag): Promise<OAuthAppState> {
    const { plain, secretKeys } = unwrapSecrets(rawInputs);
    const inputs = oauthAppInputsSchema().parse(plain);
    const api = this.api();
    let created: OktaApp;
    try {
      created = await api.createApp(buildAppBody(inputs, true), inputs.status === "ACTIVE");
    } catch (e) {
      throw this.fail(urn, undefined, "create", e);
    }
    const id = String(created.id ?? "");
    if (id === "") throw new Error(`${this.label(urn)}: Okta's answer to the create names no app id`);
    const secret = inputs.omitSecret ? undefined : clientSecretOf(created);
    const read = await this.readApp(urn, id);
    if (!read) throw new Error(`${this.label(urn, id)}: the app Okta just created cannot be read back (404)`);
    return { id, outputs: this.outputs(inputs, read, secret, secretKeys) };
  }

  /**
   * resource_okta_app_oauth.go `resourceAppOAuthUpdate`: first the status change through the app lifecycle (app.go
   * `AppUpdateStatus`); when anything else changed, a PUT of the whole app built from the inputs — with the kept
   * client secret unless omitSecret — whose answer's secret is kept (blanked when omitSecret), then a read.
   */
  async update(urn: string, id: string, rawOlds: PropertyBag, rawNews: PropertyBag): Promise<PropertyBag> {
    const { plain: olds } = unwrapSecrets(rawOlds);
    const { plain, secretKeys } = unwrapSecrets(rawNews);
    const inputs = oauthAppInputsSchema().parse(plain);
    const api = this.api();
    if (olds.status !== inputs.status) {
      try {
        await api.setAppStatus(id, inputs.status);
      } catch (e) {
        throw this.fail(urn, id, inputs.status === "ACTIVE" ? "activate" : "deactivate", e);
      }
    }
    const d = diffOAuthApp(rawOlds, rawNews);
    const kept =
      typeof olds.clientSecret === "string" && olds.clientSecret !== "" ? olds.clientSecret : undefined;
    if (!d.updates.some((k) => k !== "status")) {
      // AppUpdateStatus answered "no other changes": the update ends there, with the planned values.
      return this.outputs(inputs, { ...olds, status: inputs.status }, kept, secretKeys);
    }
    let answer: OktaApp;
    try {
      answer = await api.putApp(id, buildAppBody(inputs, false, kept));
    } catch (e) {
      throw this.fail(urn, id, "update", e, "PUT of the whole app");
    }
    const secret = inputs.omitSecret ? undefined : (clientSecretOf(answer) ?? kept);
    const read = await this.readApp(urn, id);
    if (!read) throw new Error(`${this.label(urn, id)}: the app is gone (404) right after its update`);
    return this.outputs(inputs, read, secret, secretKeys);
  }

  /**
   * Refresh: resource_okta_app_oauth.go `resourceAppOAuthRead` (v6.10 and later): `GetApplication` through the v6
   * client, and any error fails the refresh — a 404 included ("failed to get OAuth application: …"), so an app
   * deleted out of band stays in state and the refresh says so, rather than the app silently leaving the stack.
   * `undefined` only when Okta answers an app without an id (the read then clears the id). Without earlier outputs
   * (an import), the inputs are the values read, as `appImporter` leaves them.
   */
  async read(
    urn: string,
    id: string,
    rawProps: PropertyBag,
  ): Promise<{ outputs: PropertyBag; inputs?: PropertyBag } | undefined> {
    const { plain: props, secretKeys } = unwrapSecrets(rawProps);
    let app: OktaApp;
    try {
      app = await this.api().getApp(id);
    } catch (e) {
      throw new OktaApiError({
        resource: this.label(urn, id),
        action: "read",
        step: "failed to get OAuth application",
        failure: describeFailure(e),
        ...(isNotFound(e)
          ? {
              hint:
                "the app is no longer in Okta (deleted out of band). To recreate it, remove it from the stack's " +
                "state (`pulumi state delete '<urn>'`) and run `pulumi up`; to stop managing it, remove it from the " +
                "program too. Its consumers lost their credentials with the app.",
            }
          : {}),
      });
    }
    if (!app || typeof app.id !== "string" || app.id === "") return undefined;
    const read = outputsFromApp(app);
    const omitSecret = props.omitSecret === true;
    // Read keeps omitSecret and clientSecret from state; consentMethod when Okta sends none.
    const outputs: PropertyBag = { ...props, ...read, omitSecret };
    const wrapped = wrapSecrets(outputs, [...secretKeys, ...SECRET_OUTPUTS]);
    if (props.label !== undefined) return { outputs: wrapped };
    const inputs: PropertyBag = { omitSecret: false };
    for (const k of SERVED_INPUTS) if (read[k] !== undefined) inputs[k] = read[k];
    return { outputs: wrapped, inputs };
  }

  /**
   * app.go `deleteApplication`: deactivate when the state's status is ACTIVE, then `DELETE /api/v1/apps/{id}`
   * (Okta deletes only INACTIVE apps). Both are retried on 429 and 5xx by the connection (dynamic/oktaRetry.ts).
   * An app already gone (404) counts as deleted.
   */
  async delete(urn: string, id: string, rawProps: PropertyBag): Promise<void> {
    const { plain: props } = unwrapSecrets(rawProps);
    const api = this.api();
    if (props.status === undefined || props.status === "ACTIVE") {
      try {
        await api.setAppStatus(id, "INACTIVE");
      } catch (e) {
        if (isNotFound(e)) return;
        throw this.fail(urn, id, "delete", e, "deactivating it first");
      }
    }
    try {
      await api.deleteApp(id);
    } catch (e) {
      if (isNotFound(e)) return;
      throw this.fail(urn, id, "delete", e);
    }
  }

  /** The app's outputs as read, `undefined` on 404. */
  private async readApp(urn: string, id: string): Promise<PropertyBag | undefined> {
    let app: OktaApp;
    try {
      app = await this.api().getApp(id);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw this.fail(urn, id, "read", e);
    }
    if (!app || typeof app.id !== "string" || app.id === "") return undefined;
    return outputsFromApp(app);
  }

  private outputs(
    inputs: OAuthAppInputs,
    read: PropertyBag,
    clientSecret: string | undefined,
    secretKeys: Set<string>,
  ): PropertyBag {
    const outputs: PropertyBag = { ...inputs, ...read, omitSecret: inputs.omitSecret };
    delete outputs.clientSecret;
    if (clientSecret !== undefined) outputs.clientSecret = clientSecret;
    return wrapSecrets(outputs, [...secretKeys, ...SECRET_OUTPUTS]);
  }
}
