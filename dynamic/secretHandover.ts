// `SecretHandover`: the client-secret side of a move between client secrets and private_key_jwt.
//
// One resource type, three modes, each a single step of the KeyRotation component:
//  - `read`: the client secret pods hold now (the newest ACTIVE secret), while the app still authenticates
//    with secrets. It is delivered next to the new key, so pods keep a working credential through the
//    switch of the auth method. Once the app uses private_key_jwt there is nothing to read.
//  - `generate`: a new client secret value made at apply time, for the way back (rollback): Okta refuses to
//    create or activate a secret while the app uses private_key_jwt, so the value is delivered first and
//    registered right after the switch back.
//  - `retire`: after the switch is proven, every client secret of the app except `keep` is deactivated and
//    deleted. A secret already gone is fine (Okta may delete them on the switch). When Okta refuses to
//    deactivate the only ACTIVE secret of a private_key_jwt app, the secret is recorded as `unusable`: it
//    can no longer authenticate (Okta honours only the app's auth method) and cannot be removed until the
//    app switches back, when a rollback retires it.
// Secret values are outputs only under `additionalSecretOutputs`; they never appear in messages.

import { randomBytes } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configureConnection, getOktaApi } from "./connection";
import type { OktaApi } from "./oktaApi";
import { OktaApiError, describeFailure, failureMentions, isNotFound, operationError } from "./oktaErrors";
import type { OktaClientSecret } from "./oktaObjects";
import { compact } from "./providerValues";
import { readAuthSettings } from "./appAuthMethod";
import { sameValue, checkInputs } from "./validation";
import { providerByReference } from "./providerByReference";

export const SECRET_HANDOVER_MODES = ["read", "generate", "retire"] as const;
export type SecretHandoverMode = (typeof SECRET_HANDOVER_MODES)[number];

export function secretHandoverInputsSchema() {
  return z.object({
    appId: z
      .string({ error: "appId must be a string (the Okta app id, 0oa…)" })
      .trim()
      .min(1, "appId must not be empty"),
    mode: z.enum(["read", "generate", "retire"], { error: 'mode must be "read", "generate" or "retire"' }),
    /** A change re-runs the step (the key generation, or a rollback toggle). */
    trigger: z.string({ error: "trigger must be a string" }).default(""),
    /** `retire` only: secret ids to keep. */
    keep: z.array(z.string()).default([]),
  });
}

export type SecretHandoverInputs = z.infer<ReturnType<typeof secretHandoverInputsSchema>>;

export interface SecretHandoverOutputs extends SecretHandoverInputs {
  /** `read`: the app's auth method; `retire`: the method when the secrets were retired. */
  readonly authMethod?: string;
  /** `read` / `generate`: the secret value (a Pulumi secret); absent when the app no longer uses secrets. */
  readonly clientSecret?: string;
  /** `read`: the id of the secret read. */
  readonly secretId?: string;
  /** `retire`: ids deactivated and deleted (or already gone). */
  readonly retired?: string[];
  /** `retire`: ACTIVE secrets Okta would not deactivate because the app uses private_key_jwt. */
  readonly unusable?: string[];
}

/** Methods with which the token endpoint accepts a client secret. */
export function usesClientSecrets(method: string | undefined): boolean {
  return method !== "private_key_jwt" && method !== "none";
}

/** The secret pods most likely hold: the newest ACTIVE one. Pure. */
export function currentSecret(secrets: readonly OktaClientSecret[]): OktaClientSecret | undefined {
  const active = secrets.filter((s) => s.status === "ACTIVE");
  return [...active].sort((a, b) => String(b.created ?? "").localeCompare(String(a.created ?? "")))[0];
}

/** The order in which secrets are retired: INACTIVE first (no refusal possible), then ACTIVE. Pure. */
export function retirementOrder(
  secrets: readonly OktaClientSecret[],
  keep: readonly string[],
): OktaClientSecret[] {
  const rest = secrets.filter((s) => !keep.includes(s.id));
  return [...rest.filter((s) => s.status !== "ACTIVE"), ...rest.filter((s) => s.status === "ACTIVE")];
}

function resource(appId: string): string {
  return `SecretHandover of app ${appId}`;
}

async function authMethodOf(api: OktaApi, appId: string): Promise<string> {
  try {
    return readAuthSettings(await api.getApp(appId)).method ?? "client_secret_basic";
  } catch (err) {
    throw new OktaApiError({
      resource: resource(appId),
      action: "read the app for",
      failure: describeFailure(err),
      hint: "check appId and the Okta connection.",
    });
  }
}

async function listSecrets(api: OktaApi, appId: string): Promise<OktaClientSecret[]> {
  try {
    return await api.listSecrets(appId);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw new OktaApiError({
      resource: resource(appId),
      action: "list the secrets for",
      failure: describeFailure(err),
    });
  }
}

async function read(inputs: SecretHandoverInputs): Promise<SecretHandoverOutputs> {
  const api = getOktaApi();
  const authMethod = await authMethodOf(api, inputs.appId);
  // No secret to hand over is an empty value, not a missing output: the engine gives a preview an output missing
  // from the state as unknown, which would show the Vault entry built from it as a write on every preview.
  if (!usesClientSecrets(authMethod)) return { ...inputs, authMethod, clientSecret: "" };
  const current = currentSecret(await listSecrets(api, inputs.appId));
  if (current?.client_secret === undefined) return { ...inputs, authMethod, clientSecret: "" };
  return { ...inputs, authMethod, clientSecret: current.client_secret, secretId: current.id };
}

async function retire(inputs: SecretHandoverInputs): Promise<SecretHandoverOutputs> {
  const api = getOktaApi();
  const { appId } = inputs;
  const authMethod = await authMethodOf(api, appId);
  const retired: string[] = [];
  const unusable: string[] = [];
  const secrets = await listSecrets(api, appId);
  // While the app authenticates with secrets, only a kept ACTIVE secret makes retiring the others safe.
  if (
    usesClientSecrets(authMethod) &&
    !secrets.some((s) => s.status === "ACTIVE" && inputs.keep.includes(s.id))
  ) {
    throw operationError(
      `${resource(appId)}: refused to retire the client secrets: the app still authenticates with them ` +
        `(${authMethod}) and none of the secrets to keep is ACTIVE. Nothing was changed. Retire them only after ` +
        `the switch to private_key_jwt, or keep the secret clients use.`,
    );
  }
  for (const s of retirementOrder(secrets, inputs.keep)) {
    try {
      if (s.status === "ACTIVE") await api.setSecretStatus(appId, s.id, "INACTIVE");
      await api.deleteSecret(appId, s.id);
      retired.push(s.id);
    } catch (err) {
      if (isNotFound(err)) {
        retired.push(s.id); // already gone: Okta removed it with the switch, or someone did
        continue;
      }
      const failure = describeFailure(err);
      if (failureMentions(failure, "only active client secret") && !usesClientSecrets(authMethod)) {
        unusable.push(s.id);
        void pulumi.log.warn(
          `Client secret ${s.id} of app ${appId} stays ACTIVE: Okta does not deactivate the only ACTIVE secret, and ` +
            `refuses new secrets while the app uses ${authMethod}. It cannot authenticate (the token endpoint ` +
            `accepts only ${authMethod} now); a rollback to client secrets retires it after the switch back.`,
        );
        continue;
      }
      throw new OktaApiError({
        resource: `${resource(appId)}, secret ${s.id}`,
        action: "retire",
        failure,
        hint: usesClientSecrets(authMethod)
          ? `the app still authenticates with client secrets (${authMethod}); retire them only after the switch.`
          : "see Okta's message above and run again: retiring is idempotent.",
      });
    }
  }
  return { ...inputs, authMethod, retired, unusable };
}

async function run(inputs: SecretHandoverInputs): Promise<SecretHandoverOutputs> {
  switch (inputs.mode) {
    case "read":
      return read(inputs);
    case "generate":
      return { ...inputs, clientSecret: randomBytes(48).toString("base64url") };
    case "retire":
      return retire(inputs);
  }
}

/** The dynamic provider of SecretHandover. Holds nothing: credentials come from `configure` or the environment. */
export class SecretHandoverProvider implements pulumi.dynamic.ResourceProvider<
  SecretHandoverInputs,
  SecretHandoverOutputs
> {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  async check(
    _olds: unknown,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<SecretHandoverInputs>> {
    return checkInputs<SecretHandoverInputs>(secretHandoverInputsSchema, news);
  }

  async diff(
    _id: pulumi.ID,
    olds: SecretHandoverOutputs,
    news: SecretHandoverInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const o = olds as unknown as Record<string, unknown>;
    const n = news as unknown as Record<string, unknown>;
    const replaces = (["appId", "mode"] as const).filter((k) => !sameValue(o[k], n[k]));
    const updates = (["trigger", "keep"] as const).filter(
      (k) => !sameValue(o[k] ?? (k === "keep" ? [] : ""), n[k]),
    );
    // State written before `clientSecret` was always set: read once more, so later previews know the value.
    const stale = n.mode === "read" && o.clientSecret === undefined;
    return { changes: replaces.length > 0 || updates.length > 0 || stale, replaces: [...replaces] };
  }

  async create(inputs: SecretHandoverInputs): Promise<pulumi.dynamic.CreateResult<SecretHandoverOutputs>> {
    return { id: `${inputs.appId}-secrets-${inputs.mode}`, outs: compact({ ...(await run(inputs)) }) };
  }

  async update(
    _id: pulumi.ID,
    olds: SecretHandoverOutputs,
    news: SecretHandoverInputs,
  ): Promise<pulumi.dynamic.UpdateResult<SecretHandoverOutputs>> {
    // A generated value stays the same for the life of the resource: only a replacement makes a new one.
    if (news.mode === "generate") return { outs: compact({ ...news, clientSecret: olds.clientSecret }) };
    return { outs: compact({ ...(await run(news)) }) };
  }
}

// In state, the provider is a reference to SecretHandoverProvider in this file (see providerByReference.ts).
const provider = providerByReference(__filename, "SecretHandoverProvider");

export interface SecretHandoverArgs {
  readonly appId: pulumi.Input<string>;
  readonly mode: SecretHandoverMode;
  /** A change re-runs `read` and `retire`. */
  readonly trigger?: pulumi.Input<string>;
  /** `retire`: secret ids to keep. */
  readonly keep?: pulumi.Input<pulumi.Input<string>[]>;
}

/** See the file comment. `clientSecret` is a secret output. */
export class SecretHandover extends pulumi.dynamic.Resource {
  declare public readonly authMethod: pulumi.Output<string | undefined>;
  declare public readonly clientSecret: pulumi.Output<string | undefined>;
  declare public readonly secretId: pulumi.Output<string | undefined>;
  declare public readonly retired: pulumi.Output<string[] | undefined>;
  declare public readonly unusable: pulumi.Output<string[] | undefined>;

  constructor(name: string, args: SecretHandoverArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        appId: args.appId,
        mode: args.mode,
        trigger: args.trigger ?? "",
        keep: args.keep ?? [],
        authMethod: undefined,
        clientSecret: undefined,
        secretId: undefined,
        retired: undefined,
        unusable: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["clientSecret"] }),
      "okta-rotation",
      "SecretHandover",
    );
  }
}
