// `Revocation`: the last step of an emergency rotation (`revoke: true`). The previous secret leaked, so it is not
// kept INACTIVE for a rollback: once its successor is delivered and rolled out and the previous one deactivated,
// it is deleted in the same run. Its own slot resource then refers to a secret that is gone, which is what Okta
// tells the slot when it is next replaced or refreshed (404: already gone).
//
// Create and update = DELETE of the revoked secret, which must be INACTIVE by then (Okta refuses to delete an
// ACTIVE secret: that refusal stops the run, and the secret stays as it is). Delete of this resource = nothing.

import * as pulumi from "@pulumi/pulumi";
import { configureConnection, getOktaApi } from "./connection";
import type { OktaApi } from "./oktaApi";
import { OktaApiError, describeFailure, isNotFound } from "./oktaErrors";
import { providerByReference } from "./providerByReference";

export interface RevocationInputs {
  appId: string;
  /** The revoked secret (the previous generation's). */
  secretId: string;
  /** The generation whose rotation revokes it. */
  generation: number;
}

export interface RevocationOutputs extends RevocationInputs {
  /** When the secret was deleted (or found gone). */
  revokedAt: string;
}

async function revoke(api: OktaApi, inputs: RevocationInputs): Promise<RevocationOutputs> {
  try {
    await api.deleteSecret(inputs.appId, inputs.secretId);
  } catch (err) {
    if (!isNotFound(err)) {
      throw new OktaApiError({
        resource: `ClientSecret ${inputs.secretId} of app ${inputs.appId}`,
        action: "delete",
        step: `revoking it (generation ${inputs.generation})`,
        failure: describeFailure(err),
        hint:
          "the new secret is delivered and ACTIVE; the revoked one is INACTIVE unless Okta says otherwise above. " +
          "Run pulumi up again to finish revoking it.",
      });
    }
  }
  return { ...inputs, revokedAt: new Date().toISOString() };
}

/** The provider's implementation; in state, the resources refer to it (see providerByReference.ts). */
export class RevocationProvider implements pulumi.dynamic.ResourceProvider<
  RevocationInputs,
  RevocationOutputs
> {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  async diff(
    _id: pulumi.ID,
    olds: RevocationOutputs,
    news: RevocationInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const changed = (["appId", "secretId", "generation"] as const).filter((k) => olds[k] !== news[k]);
    return { changes: changed.length > 0, replaces: [] };
  }

  async create(inputs: RevocationInputs): Promise<pulumi.dynamic.CreateResult<RevocationOutputs>> {
    return { id: `${inputs.appId}-revocation`, outs: await revoke(getOktaApi(), inputs) };
  }

  async update(
    _id: pulumi.ID,
    _olds: RevocationOutputs,
    news: RevocationInputs,
  ): Promise<pulumi.dynamic.UpdateResult<RevocationOutputs>> {
    return { outs: await revoke(getOktaApi(), news) };
  }
}

const provider = providerByReference(__filename, "RevocationProvider");

export interface RevocationArgs {
  readonly appId: pulumi.Input<string>;
  readonly secretId: pulumi.Input<string>;
  readonly generation: pulumi.Input<number>;
}

/** Deletes a revoked (leaked, already deactivated) client secret in the run that replaced it. */
export class Revocation extends pulumi.dynamic.Resource {
  declare public readonly revokedAt: pulumi.Output<string>;

  constructor(name: string, args: RevocationArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, revokedAt: undefined }, opts, "okta-rotation", "Revocation");
  }
}
