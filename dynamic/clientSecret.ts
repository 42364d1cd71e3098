// `ClientSecret`: one client secret of an Okta OIDC app, as a Pulumi dynamic resource.
//
// Create = POST …/credentials/secrets (generated or own value), or adopt an existing secret by id;
// status change = lifecycle activate/deactivate (an update); delete = deactivate if ACTIVE, then DELETE.
// Changing appId, generation, value or adoptSecretId replaces the secret.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  OktaApiError,
  compact,
  configureConnection,
  createOnce,
  describeFailure,
  exclusive,
  failureMentions,
  getOktaApi,
  isNotFound,
  operationError,
  providerWarning,
  secretHash,
  type LifecycleStatus,
  type OktaApi,
  type OktaClientSecret,
} from "./connection";
import { sameValue, checkInputs } from "./validation";
import { providerByReference } from "./providerByReference";

// Schemas are built by functions, not held in module constants, so that the provider stays serializable by
// value (see connection.ts): a captured schema object would be serialized with it.

/** The resolved inputs of a ClientSecret (the single source of its types). */
export function clientSecretInputsSchema() {
  return z
    .object({
      appId: z
        .string({ error: "appId must be a string (the Okta app id, 0oa…)" })
        .trim()
        .min(1, "appId must not be empty (the Okta app id, 0oa…)"),
      status: z
        .enum(["ACTIVE", "INACTIVE"], { error: 'status must be "ACTIVE" or "INACTIVE"' })
        .default("ACTIVE"),
      value: z
        .string({ error: "value must be a string" })
        .min(14, "value must be at least 14 characters long (Okta's minimum for a client secret)")
        .max(100, "value must be at most 100 characters long (Okta's maximum for a client secret)")
        .regex(/^[\x20-\x7E]+$/, "value must contain only printable ASCII characters (0x20-0x7E)")
        .optional(),
      adoptSecretId: z
        .string({ error: "adoptSecretId must be a string (an Okta secret id, ocs…)" })
        .trim()
        .min(1, "adoptSecretId must not be empty; leave it out to create a new secret")
        .optional(),
      generation: z
        .number({ error: "generation must be a number" })
        .int("generation must be a whole number")
        .nonnegative("generation must not be negative")
        .optional(),
      replaceOnlyInactive: z.boolean({ error: "replaceOnlyInactive must be a boolean" }).optional(),
      recoverCreatedAfter: z
        .string({ error: "recoverCreatedAfter must be an ISO 8601 time" })
        .refine((t) => !Number.isNaN(Date.parse(t)), "recoverCreatedAfter must be an ISO 8601 time")
        .optional(),
    })
    .superRefine((v, ctx) => {
      if (v.value !== undefined && v.adoptSecretId !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["value"],
          message:
            "give either value (create a secret with this value) or adoptSecretId (adopt an existing one), not both",
        });
      }
    });
}

export type ClientSecretInputs = z.infer<ReturnType<typeof clientSecretInputsSchema>>;

export interface ClientSecretOutputs {
  readonly appId: string;
  readonly status: LifecycleStatus;
  readonly value?: string;
  readonly adoptSecretId?: string;
  readonly generation?: number;
  readonly secretId: string;
  readonly secretHash: string;
  readonly created?: string;
  readonly lastUpdated?: string;
  readonly clientSecret?: string;
}

/** Inputs whose change replaces the secret (a new secret is created, the old one deleted). */
export const CLIENT_SECRET_REPLACE_KEYS = ["appId", "generation", "value", "adoptSecretId"] as const;
/** Inputs whose change is an in-place update. */
export const CLIENT_SECRET_UPDATE_KEYS = ["status"] as const;

/** The diff of a ClientSecret: old outputs against new inputs. Pure. */
export function diffClientSecret(
  olds: Partial<Record<string, unknown>>,
  news: Partial<Record<string, unknown>>,
): { changes: boolean; replaces: string[] } {
  const replaceKeys = ["appId", "generation", "value", "adoptSecretId"] as const; // CLIENT_SECRET_REPLACE_KEYS
  const replaces = replaceKeys.filter((k) => !sameValue(olds[k], news[k]));
  const newStatus = news.status ?? "ACTIVE";
  const updates = !sameValue(olds.status ?? "ACTIVE", newStatus); // CLIENT_SECRET_UPDATE_KEYS
  return { changes: replaces.length > 0 || updates, replaces: [...replaces] };
}

/**
 * Refuses to replace a secret that is still ACTIVE when the resource asks for it (`replaceOnlyInactive`): in a
 * rotation slot, an ACTIVE secret about to be replaced means the previous rotation never retired it, and clients
 * may still hold it. Returns the reason, or undefined when the replacement is safe. Pure.
 */
export function unsafeReplacement(
  id: string,
  olds: Partial<Record<string, unknown>>,
  news: Partial<Record<string, unknown>>,
  replaces: readonly string[],
): string | undefined {
  if (replaces.length === 0 || news.replaceOnlyInactive !== true || olds.status !== "ACTIVE")
    return undefined;
  const app = String(news.appId ?? olds.appId);
  const from = olds.generation === undefined ? "" : ` (generation ${String(olds.generation)})`;
  const to = news.generation === undefined ? "" : ` for generation ${String(news.generation)}`;
  return (
    `${describeClientSecret(app, id)}${from} would be deleted and replaced${to}, but it is still ACTIVE: the ` +
    `previous rotation did not finish retiring it, and clients may still hold it. Set generation back to the ` +
    `previous value and run pulumi up to finish that rotation (it deactivates this secret once its successor is ` +
    `delivered), then bump again.`
  );
}

/** How to name the resource in messages. */
export function describeClientSecret(appId: string, secretId?: string): string {
  return secretId ? `ClientSecret ${secretId} of app ${appId}` : `a new ClientSecret of app ${appId}`;
}

/** A secret as a context line: id, status, created. Never the value. */
export function secretSummary(s: Pick<OktaClientSecret, "id" | "status" | "created">): string {
  return `${s.id} ${s.status}${s.created ? ` created ${s.created}` : ""}`;
}

function outputs(inputs: ClientSecretInputs, s: OktaClientSecret): ClientSecretOutputs {
  const value = s.client_secret ?? inputs.value;
  return compact({
    appId: inputs.appId,
    status: s.status,
    value: inputs.value,
    adoptSecretId: inputs.adoptSecretId,
    generation: inputs.generation,
    secretId: s.id,
    secretHash: s.secret_hash ?? (value !== undefined ? secretHash(value) : ""),
    created: s.created,
    lastUpdated: s.lastUpdated,
    clientSecret: value,
  });
}

async function listForError(api: OktaApi, appId: string): Promise<string[]> {
  try {
    const secrets = await api.listSecrets(appId);
    return [
      `The app's secrets now: ${secrets.length === 0 ? "none" : secrets.map(secretSummary).join("; ")}.`,
    ];
  } catch {
    return [];
  }
}

async function createSecret(api: OktaApi, inputs: ClientSecretInputs): Promise<OktaClientSecret> {
  return exclusive(`secrets:${inputs.appId}`, () => createSecretExclusive(api, inputs));
}

async function createSecretExclusive(api: OktaApi, inputs: ClientSecretInputs): Promise<OktaClientSecret> {
  const { appId, value, status } = inputs;
  const resource = describeClientSecret(appId);
  const listFirst = async (): Promise<OktaClientSecret[]> => {
    try {
      return await api.listSecrets(appId);
    } catch (err) {
      throw new OktaApiError({
        resource,
        action: "create",
        step: "listing the app's secrets first",
        failure: describeFailure(err),
        hint: isNotFound(err)
          ? `check appId: there is no app ${appId} in this Okta org.`
          : "check the Okta connection and the token's permissions (okta.apps.read, okta.apps.manage).",
      });
    }
  };
  const wantHash = value !== undefined ? secretHash(value) : undefined;
  const isOwn = (s: OktaClientSecret) =>
    wantHash !== undefined &&
    (s.secret_hash === wantHash || (s.client_secret !== undefined && s.client_secret === value));
  // In a rotation (recoverCreatedAfter given) a generated secret is created without listing first: a secret of
  // this rotation whose create answer was lost still shows, because the app is then at Okta's two-secret cap and
  // Okta refuses the create, and the list is read then. That saves one call of the rate-limited bucket per
  // rotation. A secret with an own value, or one outside a rotation, is looked for first.
  const listLazily = wantHash === undefined && inputs.recoverCreatedAfter !== undefined;
  const since = Date.parse(inputs.recoverCreatedAfter ?? "");
  let before: OktaClientSecret[] | undefined = listLazily ? undefined : await listFirst();
  // A secret with this very value already there (e.g. an interrupted earlier run): it is ours.
  const existing =
    before === undefined
      ? undefined
      : wantHash !== undefined
        ? before.find(isOwn)
        : recoverLostCreate(inputs, before);
  if (existing !== undefined)
    return existing.status === status ? existing : setStatus(api, appId, existing.id, status);
  let created: OktaClientSecret;
  try {
    ({ item: created } = await createOnce({
      before: before ?? [],
      list: () => api.listSecrets(appId),
      create: () =>
        api.createSecret(appId, value !== undefined ? { client_secret: value, status } : { status }),
      // Without a list first, what was created since the rotation started is new (only one can be).
      recognise: (s) =>
        wantHash !== undefined
          ? isOwn(s)
          : before !== undefined || (s.created !== undefined && Date.parse(s.created) >= since),
      what: `client secret of app ${appId}`,
    }));
  } catch (err) {
    if (err instanceof Error && err.name === "OktaRotationError") throw err;
    const failure = describeFailure(err);
    const atCap = failureMentions(failure, "maximum number of client secrets");
    if (atCap && before === undefined) {
      before = await listFirst();
      const lost = recoverLostCreate(inputs, before);
      if (lost !== undefined) return lost.status === status ? lost : setStatus(api, appId, lost.id, status);
    }
    const context = atCap
      ? [
          `The app's secrets (at most two are allowed): ${
            (await api.listSecrets(appId).catch(() => before ?? [])).map(secretSummary).join("; ") || "none"
          }.`,
        ]
      : failure.status !== undefined
        ? await listForError(api, appId)
        : [];
    throw new OktaApiError({
      resource,
      action: "create",
      failure,
      context,
      hint: atCap
        ? "free a slot first: deactivate and delete one of the secrets above that no running client uses " +
          "(Okta Admin Console or the API), or bring it under this stack with adoptSecretId instead of creating a new one."
        : failureMentions(failure, "private_key_jwt")
          ? "the app authenticates with private_key_jwt, which has no client secrets; remove this secret from the stack or switch the app back first."
          : failureMentions(failure, "client_secret")
            ? "fix the value input (14-100 printable ASCII characters; at least 32 for client_secret_jwt apps)."
            : failure.ambiguous
              ? "Okta did not answer clearly and the secret is not in Okta; run again."
              : "see Okta's message above.",
    });
  }
  return created.status === status ? created : setStatus(api, appId, created.id, status);
}

/**
 * A generated secret whose create answer was lost (the run was killed after Okta created it, before the engine
 * recorded it): a secret created after `recoverCreatedAfter` — when this rotation started; no other secret of
 * the app is created during a rotation — is this slot's. Creating another would be a third secret, which Okta
 * refuses. Two such secrets cannot be told apart: refuse rather than guess.
 */
function recoverLostCreate(
  inputs: ClientSecretInputs,
  before: readonly OktaClientSecret[],
): OktaClientSecret | undefined {
  if (inputs.recoverCreatedAfter === undefined) return undefined;
  const since = Date.parse(inputs.recoverCreatedAfter);
  const lost = before.filter((s) => s.created !== undefined && Date.parse(s.created) >= since);
  if (lost.length === 0) return undefined;
  if (lost.length > 1) {
    throw operationError(
      `Creating ${describeClientSecret(inputs.appId)}: ${lost.length} secrets were created since this rotation ` +
        `started (${lost.map(secretSummary).join("; ")}) and only one can be its own. Deactivate and delete the ` +
        `one no client uses, then run again.`,
    );
  }
  providerWarning(
    `${describeClientSecret(inputs.appId, lost[0]!.id)} was created by an interrupted run of this rotation ` +
      `(created ${lost[0]!.created}, after the rotation started at ${inputs.recoverCreatedAfter}); adopting it ` +
      `instead of creating a third secret.`,
  );
  return lost[0];
}

async function adoptSecret(
  api: OktaApi,
  inputs: ClientSecretInputs,
  secretId: string,
): Promise<OktaClientSecret> {
  const { appId, status } = inputs;
  let s: OktaClientSecret;
  try {
    s = await api.getSecret(appId, secretId);
  } catch (err) {
    throw new OktaApiError({
      resource: describeClientSecret(appId, secretId),
      action: "adopt",
      failure: describeFailure(err),
      context: isNotFound(err) ? await listForError(api, appId) : [],
      hint: isNotFound(err)
        ? "adoptSecretId must name an existing secret of this app (see the list above); remove adoptSecretId to create a new secret."
        : "check the Okta connection and run again.",
    });
  }
  return s.status === status ? s : setStatus(api, appId, secretId, status);
}

async function setStatus(
  api: OktaApi,
  appId: string,
  secretId: string,
  status: LifecycleStatus,
): Promise<OktaClientSecret> {
  try {
    return await api.setSecretStatus(appId, secretId, status);
  } catch (err) {
    const failure = describeFailure(err);
    const onlyActive = failureMentions(failure, "only active client secret");
    throw new OktaApiError({
      resource: describeClientSecret(appId, secretId),
      action: status === "ACTIVE" ? "activate" : "deactivate",
      failure,
      context: failure.status !== undefined ? await listForError(api, appId) : [],
      hint: onlyActive
        ? "it is the app's only ACTIVE secret and clients still need one: create and activate another secret first " +
          "(e.g. rotate: bump the generation of the other slot), then deactivate this one."
        : isNotFound(err)
          ? "the secret is gone from Okta; run `pulumi refresh` so the stack forgets it, then `pulumi up`."
          : "see Okta's message above and run again.",
    });
  }
}

async function deleteSecret(
  api: OktaApi,
  appId: string,
  secretId: string,
  recorded: LifecycleStatus | undefined,
): Promise<void> {
  const resource = describeClientSecret(appId, secretId);
  const remove = async (): Promise<void> => {
    try {
      await api.deleteSecret(appId, secretId);
    } catch (err) {
      if (isNotFound(err)) return; // already gone: deleted out of band, or by Okta on a switch to private_key_jwt
      throw new OktaApiError({
        resource,
        action: "delete",
        failure: describeFailure(err),
        hint: "the secret is INACTIVE now (no client can use it); run again to finish deleting it.",
      });
    }
  };
  // A secret the state records as INACTIVE (a retired slot) is deleted straight away, without reading it first:
  // one call of the rate-limited bucket fewer per rotation. Okta refuses to delete an ACTIVE one, so a secret
  // activated out of band since is found that way, and deactivated first like any ACTIVE one.
  if (recorded === "INACTIVE") {
    try {
      await api.deleteSecret(appId, secretId);
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!failureMentions(describeFailure(err), "delete an active client secret")) {
        throw new OktaApiError({
          resource,
          action: "delete",
          failure: describeFailure(err),
          hint: "see Okta's message above and run again.",
        });
      }
    }
  }
  let current: OktaClientSecret;
  try {
    current = await api.getSecret(appId, secretId);
  } catch (err) {
    if (isNotFound(err)) return;
    throw new OktaApiError({
      resource,
      action: "delete",
      step: "reading it first",
      failure: describeFailure(err),
    });
  }
  if (current.status === "ACTIVE") {
    try {
      await api.setSecretStatus(appId, secretId, "INACTIVE");
    } catch (err) {
      if (isNotFound(err)) return;
      const failure = describeFailure(err);
      const onlyActive = failureMentions(failure, "only active client secret");
      if (onlyActive) {
        // Okta refuses to leave the app without an active secret, and the clients still use this one: release it
        // (it stays ACTIVE in Okta, no longer managed) rather than fail the destroy or lock the app out.
        providerWarning(
          `${resource} is the app's only ACTIVE secret; Okta refuses to deactivate it and clients still use it, so it ` +
            `is left ACTIVE in Okta and no longer managed. Adopt it again with adoptSecretId, or delete it in Okta ` +
            `once the app has another credential.`,
        );
        return;
      }
      throw new OktaApiError({
        resource,
        action: "delete",
        step: "deactivating it first",
        failure,
        context: failure.status !== undefined ? await listForError(api, appId) : [],
        hint: "see Okta's message above and run again.",
      });
    }
  }
  await remove();
}

/** The dynamic provider of ClientSecret. Holds no state: credentials come from `configure` or the environment. */
export class ClientSecretProvider implements pulumi.dynamic.ResourceProvider<
  ClientSecretInputs,
  ClientSecretOutputs
> {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  async check(
    _olds: unknown,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<ClientSecretInputs>> {
    return checkInputs<ClientSecretInputs>(clientSecretInputsSchema(), news);
  }

  async diff(
    _id: pulumi.ID,
    olds: ClientSecretOutputs,
    news: ClientSecretInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const o = olds as unknown as Record<string, unknown>;
    const n = news as unknown as Record<string, unknown>;
    const { changes, replaces } = diffClientSecret(o, n);
    const unsafe = unsafeReplacement(_id, o, n, replaces);
    if (unsafe) throw operationError(unsafe);
    return { changes, replaces };
  }

  async create(inputs: ClientSecretInputs): Promise<pulumi.dynamic.CreateResult<ClientSecretOutputs>> {
    const api = getOktaApi();
    const s =
      inputs.adoptSecretId !== undefined
        ? await adoptSecret(api, inputs, inputs.adoptSecretId)
        : await createSecret(api, inputs);
    return { id: s.id, outs: outputs(inputs, s) };
  }

  async read(
    id: pulumi.ID,
    props?: ClientSecretOutputs,
  ): Promise<pulumi.dynamic.ReadResult<ClientSecretOutputs>> {
    if (props === undefined) throw operationError(`ClientSecret ${id}: no state to refresh from.`);
    const api = getOktaApi();
    let s: OktaClientSecret;
    try {
      s = await api.getSecret(props.appId, id);
    } catch (err) {
      if (isNotFound(err)) return { id: "" };
      throw new OktaApiError({
        resource: describeClientSecret(props.appId, id),
        action: "read",
        failure: describeFailure(err),
      });
    }
    const value = s.client_secret ?? props.clientSecret;
    return {
      id,
      props: compact({
        ...props,
        status: s.status,
        secretHash: s.secret_hash ?? (value !== undefined ? secretHash(value) : props.secretHash),
        created: s.created ?? props.created,
        lastUpdated: s.lastUpdated ?? props.lastUpdated,
        clientSecret: value,
      }),
    };
  }

  async update(
    id: pulumi.ID,
    olds: ClientSecretOutputs,
    news: ClientSecretInputs,
  ): Promise<pulumi.dynamic.UpdateResult<ClientSecretOutputs>> {
    const api = getOktaApi();
    const s =
      olds.status === news.status
        ? await api.getSecret(news.appId, id)
        : await setStatus(api, news.appId, id, news.status);
    const outs = outputs(news, s);
    return { outs: compact({ ...outs, clientSecret: outs.clientSecret ?? olds.clientSecret }) };
  }

  async delete(id: pulumi.ID, props: ClientSecretOutputs): Promise<void> {
    await deleteSecret(getOktaApi(), props.appId, id, props.status);
  }
}

// In state, the provider is a reference to ClientSecretProvider in this file (see providerByReference.ts).
const provider = providerByReference(__filename, "ClientSecretProvider");

export interface ClientSecretArgs {
  /** The Okta app (0oa…) that owns the secret. */
  readonly appId: pulumi.Input<string>;
  /** Default ACTIVE. A change is an update (lifecycle activate/deactivate), not a replacement. */
  readonly status?: pulumi.Input<"ACTIVE" | "INACTIVE">;
  /** Bring your own value (14-100 printable ASCII). Stored as a secret. A change replaces. */
  readonly value?: pulumi.Input<string>;
  /** Adopt this existing secret (ocs…) instead of creating one (`pulumi import` does not work for dynamic resources). */
  readonly adoptSecretId?: pulumi.Input<string>;
  /** Bump to rotate: a change replaces the secret. */
  readonly generation?: pulumi.Input<number>;
  /** Refuse (in diff, before any write) to replace this secret while it is ACTIVE. Used by rotation slots. */
  readonly replaceOnlyInactive?: pulumi.Input<boolean>;
  /**
   * When this rotation started (RotationGuard.startedAt). A generated secret created in Okta after it, found when
   * this resource is created, is taken as this resource's own create whose answer was lost. Not diffed.
   */
  readonly recoverCreatedAfter?: pulumi.Input<string>;
}

/** A client secret of an Okta OIDC app. `clientSecret` and `value` are secret outputs. */
export class ClientSecret extends pulumi.dynamic.Resource {
  declare public readonly appId: pulumi.Output<string>;
  declare public readonly status: pulumi.Output<"ACTIVE" | "INACTIVE">;
  declare public readonly adoptSecretId: pulumi.Output<string | undefined>;
  declare public readonly generation: pulumi.Output<number | undefined>;
  declare public readonly secretId: pulumi.Output<string>;
  declare public readonly secretHash: pulumi.Output<string>;
  declare public readonly created: pulumi.Output<string>;
  declare public readonly lastUpdated: pulumi.Output<string>;
  /** The secret value (a Pulumi secret). */
  declare public readonly clientSecret: pulumi.Output<string>;

  constructor(name: string, args: ClientSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        appId: args.appId,
        status: args.status,
        value: args.value === undefined ? undefined : pulumi.secret(args.value),
        adoptSecretId: args.adoptSecretId,
        generation: args.generation,
        replaceOnlyInactive: args.replaceOnlyInactive,
        recoverCreatedAfter: args.recoverCreatedAfter,
        secretId: undefined,
        secretHash: undefined,
        created: undefined,
        lastUpdated: undefined,
        clientSecret: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["clientSecret", "value"] }),
      "okta-rotation",
      "ClientSecret",
    );
  }
}
