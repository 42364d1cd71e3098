// `GeneratedSecret`: the one client secret Okta generated when an app was created, found so a rotation can adopt it.
//
// An app created with client_secret_basic (or _post, _jwt) gets a secret from Okta at once: createApplication
// answers with it, and it is the app's only secret. An `okta.app.OAuth` with `omitSecret` keeps that secret out of
// state, so nobody knows its id in advance — but the app holds it, and with Okta's two-secret cap a rotation that
// ignored it would find no room at its second generation. This resource looks it up once, before the rotation
// writes anything, and records its id; the rotation then adopts it as generation 0 and retires it like any
// previous secret. It refuses, naming the secrets it found, an app with more than one secret or none ACTIVE:
// those are not freshly created apps, and the secret its clients use must then be named with adoptSecretId.
// One read of Okta on create; none afterwards (the record does not follow the secret once it is retired).

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { secretSummary } from "./clientSecret";
import { configureConnection, getOktaApi } from "./connection";
import { OktaApiError, describeFailure, isNotFound, operationError } from "./oktaErrors";
import type { OktaClientSecret } from "./oktaObjects";
import { checkInputs, sameValue } from "./validation";
import { providerByReference } from "./providerByReference";

/** The zod schema of {@link GeneratedSecret}'s inputs (the single source of {@link GeneratedSecretInputs}). */
export function generatedSecretInputsSchema() {
  return z.object({
    appId: z
      .string({ error: "appId must be a string (the Okta app id, 0oa…)" })
      .trim()
      .min(1, "appId must not be empty (the Okta app id, 0oa…)"),
    /** The app's name in the program or stack config, for messages. */
    app: z.string({ error: "app must be a string (the rotation's name)" }).min(1),
  });
}

/** The resolved inputs of a {@link GeneratedSecret}. */
export type GeneratedSecretInputs = z.infer<ReturnType<typeof generatedSecretInputsSchema>>;

/** The state of a {@link GeneratedSecret}: the secret Okta generated with the app, found once. */
export interface GeneratedSecretOutputs extends GeneratedSecretInputs {
  /** The secret's Okta id (ocs…). */
  readonly secretId: string;
  /** When Okta created it. */
  readonly created?: string;
}

/**
 * The secret a rotation of a newly created app adopts: the app's only secret, ACTIVE. Otherwise why not, as a
 * message naming the app, the secrets found and what to do instead. Pure.
 */
export function generatedSecretOf(
  app: string,
  appId: string,
  secrets: readonly Pick<OktaClientSecret, "id" | "status" | "created">[],
): { secret: Pick<OktaClientSecret, "id" | "status" | "created"> } | { problem: string } {
  const list = secrets.map(secretSummary).join("; ");
  if (secrets.length === 1 && secrets[0].status === "ACTIVE") return { secret: secrets[0] };
  const found =
    secrets.length === 0
      ? "has no client secret"
      : secrets.length === 1
        ? `has one secret, INACTIVE (${list})`
        : `has ${secrets.length} secrets (${list})`;
  return {
    problem:
      `app '${app}': adoptGeneratedSecret adopts the one secret Okta generated when app ${appId} was created, but ` +
      `the app ${found}. That is not a newly created app: remove adoptGeneratedSecret and set adoptSecretId to the ` +
      `ACTIVE secret its clients use now${secrets.length === 0 ? " (or remove both if it has none)" : ""}. ` +
      `Nothing was changed.`,
  };
}

/** The dynamic provider of GeneratedSecret. */
export class GeneratedSecretProvider implements pulumi.dynamic.ResourceProvider<
  GeneratedSecretInputs,
  GeneratedSecretOutputs
> {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  async check(
    _olds: unknown,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<GeneratedSecretInputs>> {
    return checkInputs<GeneratedSecretInputs>(generatedSecretInputsSchema, news);
  }

  async diff(
    _id: pulumi.ID,
    olds: GeneratedSecretOutputs,
    news: GeneratedSecretInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // Another app is another lookup; a rename of the rotation only changes messages.
    const replaces = sameValue(olds.appId, news.appId) ? [] : ["appId"];
    return { changes: replaces.length > 0 || olds.app !== news.app, replaces };
  }

  async create(inputs: GeneratedSecretInputs): Promise<pulumi.dynamic.CreateResult<GeneratedSecretOutputs>> {
    let secrets: OktaClientSecret[];
    try {
      secrets = await getOktaApi().listSecrets(inputs.appId);
    } catch (err) {
      throw new OktaApiError({
        resource: `the secrets of app ${inputs.appId}`,
        action: "read",
        failure: describeFailure(err),
        hint: isNotFound(err)
          ? `check appId of '${inputs.app}': there is no app ${inputs.appId} in this Okta org.`
          : "check the Okta connection and the token's permissions (okta.apps.read), then run again.",
      });
    }
    const found = generatedSecretOf(inputs.app, inputs.appId, secrets);
    if ("problem" in found) throw operationError(found.problem);
    return {
      id: found.secret.id,
      outs: {
        ...inputs,
        secretId: found.secret.id,
        ...(found.secret.created ? { created: found.secret.created } : {}),
      },
    };
  }

  async update(
    _id: pulumi.ID,
    olds: GeneratedSecretOutputs,
    news: GeneratedSecretInputs,
  ): Promise<pulumi.dynamic.UpdateResult<GeneratedSecretOutputs>> {
    return { outs: { ...olds, app: news.app } };
  }
}

const provider = providerByReference(__filename, "GeneratedSecretProvider");

/** Arguments of {@link GeneratedSecret}. */
export interface GeneratedSecretArgs {
  /** The app (0oa…), typically the `id` of an `okta.app.OAuth` in the same program. */
  readonly appId: pulumi.Input<string>;
  /** The rotation's name, for messages. */
  readonly app: pulumi.Input<string>;
}

/** The id of the one client secret Okta generated for a newly created app (looked up once, then kept). */
export class GeneratedSecret extends pulumi.dynamic.Resource {
  declare public readonly appId: pulumi.Output<string>;
  declare public readonly secretId: pulumi.Output<string>;
  declare public readonly created: pulumi.Output<string | undefined>;

  constructor(name: string, args: GeneratedSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, secretId: undefined, created: undefined },
      opts,
      "okta-rotation",
      "GeneratedSecret",
    );
  }
}
