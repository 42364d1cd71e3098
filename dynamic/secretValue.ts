// `SecretValue`: the value of a rotation's next client secret, made in a step of its own before Okta is called.
//
// The secret is then created in Okta as a bring-your-own value. A run killed between Okta's answer and the
// engine recording it leaves a secret whose id the stack never learnt; the value, though, is already in the
// stack's state (as a Pulumi secret), so the next run finds that secret by its `secret_hash` and adopts it
// instead of creating a third one — no clock, and never a secret this rotation did not make.
// A change of `generation` makes a new value (an update: the resource keeps the generation the app was onboarded
// at, which tells the slots whether a secret to adopt is still to be checked). A change of `appId` replaces it.
// No Okta call.

import { randomBytes } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { checkInputs, sameValue } from "./validation";
import { providerByReference } from "./providerByReference";

export function secretValueInputsSchema() {
  return z.object({
    appId: z
      .string({ error: "appId must be a string (the Okta app id, 0oa…)" })
      .trim()
      .min(1, "appId must not be empty (the Okta app id, 0oa…)"),
    generation: z
      .number({ error: "generation must be a number" })
      .int("generation must be a whole number")
      .nonnegative("generation must not be negative"),
  });
}

export type SecretValueInputs = z.infer<ReturnType<typeof secretValueInputsSchema>>;

export interface SecretValueOutputs extends SecretValueInputs {
  /** 64 characters of base64url: within Okta's 14–100 printable ASCII, and ≥ 32 for client_secret_jwt. */
  readonly value: string;
  /** The generation at which this rotation was first applied (its onboarding). */
  readonly onboardedGeneration: number;
}

/** A new client secret value: 48 random bytes, base64url. */
export function newSecretValue(): string {
  return randomBytes(48).toString("base64url");
}

/** The provider's implementation; in state, the resources refer to it (see providerByReference.ts). */
export class SecretValueProvider implements pulumi.dynamic.ResourceProvider<
  SecretValueInputs,
  SecretValueOutputs
> {
  async check(
    _olds: unknown,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<SecretValueInputs>> {
    return checkInputs<SecretValueInputs>(secretValueInputsSchema(), news);
  }

  async diff(
    _id: pulumi.ID,
    olds: SecretValueOutputs,
    news: SecretValueInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces = sameValue(olds.appId, news.appId) ? [] : ["appId"];
    return { changes: replaces.length > 0 || !sameValue(olds.generation, news.generation), replaces };
  }

  async create(inputs: SecretValueInputs): Promise<pulumi.dynamic.CreateResult<SecretValueOutputs>> {
    return {
      id: `${inputs.appId}-secret-value`,
      outs: { ...inputs, value: newSecretValue(), onboardedGeneration: inputs.generation },
    };
  }

  async update(
    _id: pulumi.ID,
    olds: SecretValueOutputs,
    news: SecretValueInputs,
  ): Promise<pulumi.dynamic.UpdateResult<SecretValueOutputs>> {
    return {
      outs: {
        ...news,
        value: olds.generation === news.generation ? olds.value : newSecretValue(),
        onboardedGeneration: olds.onboardedGeneration ?? olds.generation,
      },
    };
  }
}

const provider = providerByReference(__filename, "SecretValueProvider");

/** Arguments of {@link SecretValue}. */
export interface SecretValueArgs {
  readonly appId: pulumi.Input<string>;
  /** The generation the value is for: a change makes a new value. */
  readonly generation: pulumi.Input<number>;
}

/** A generated client secret value (a Pulumi secret), kept in state until the generation changes. */
export class SecretValue extends pulumi.dynamic.Resource {
  declare public readonly generation: pulumi.Output<number>;
  /** The value (a Pulumi secret). */
  declare public readonly value: pulumi.Output<string>;
  /** The generation at which this rotation was first applied. */
  declare public readonly onboardedGeneration: pulumi.Output<number>;

  constructor(name: string, args: SecretValueArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, value: undefined, onboardedGeneration: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["value"] }),
      "okta-rotation",
      "SecretValue",
    );
  }
}
