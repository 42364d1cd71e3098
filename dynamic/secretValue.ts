// `SecretValue`: the value of a rotation's next client secret, made in a step of its own before Okta is called.
//
// The secret is then created in Okta as a bring-your-own value. A run killed between Okta's answer and the
// engine recording it leaves a secret whose id the stack never learnt; the value, though, is already in the
// stack's state (as a Pulumi secret), so the next run finds that secret by its `secret_hash` and adopts it
// instead of creating a third one — no clock, and never a secret this rotation did not make.
// A change of `generation` makes a new value (an update: the resource keeps the generation the app was onboarded
// at, which tells the slots whether a secret to adopt is still to be checked). A change of `appId` replaces it.
// Before the rotation's first write it looks up what that write needs (preflight.ts): one Okta read at onboarding
// without adoption, and the Deployments at each new generation.

import { randomBytes } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configureConnection, getOktaApi } from "./connection";
import { operationError } from "./oktaErrors";
import { appOnboardingProblem, missingDeploymentsProblem, type Adoption } from "./preflight";
import { isUnknown } from "./providerValues";
import { checkInputs, sameValue } from "./validation";
import { providerByReference } from "./providerByReference";
import { slotTransitionProblem } from "./slotTransition";

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
    /** The rotation's name, for messages; with it, the preflight lookups run (preflight.ts). */
    rotation: z.string().min(1).optional(),
    /** The rotation is rolled back (`rollback: true`); set only then. */
    rollback: z.boolean().optional(),
    /** How the rotation takes over the app's secret at onboarding. */
    adoption: z.enum(["none", "adoptSecretId", "adoptGeneratedSecret"]).optional(),
    /** The Deployments the rotation rolls, looked up before the first write (with the pod census on). */
    deployments: z.array(z.object({ namespace: z.string().min(1), name: z.string().min(1) })).optional(),
    /** The cluster, as the pod census reads it (a secret input; never in outputs). */
    kubeconfig: z.string().optional(),
    context: z.string().optional(),
  });
}

/** A SecretValue's inputs: the rotation it makes the value for, and what it looks up before the first write. */
export type SecretValueInputs = z.infer<ReturnType<typeof secretValueInputsSchema>>;

/** A SecretValue's outputs: its inputs without the kubeconfig, and the value made (a secret). */
export interface SecretValueOutputs extends Omit<SecretValueInputs, "kubeconfig"> {
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
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  /**
   * Validates the inputs, and looks up what the rotation's first write needs (preflight.ts): at onboarding without
   * adoption, that the app is in the org and holds no secret (and, holding none, starts at generation 1); at
   * onboarding and at each new generation, that the Deployments exist (a cluster that cannot be reached is not
   * judged here). Values not known yet (an app created in the same program, in a preview) are looked up when known,
   * before the create.
   */
  async check(
    olds: Record<string, unknown> | undefined,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<SecretValueInputs>> {
    const result = checkInputs<SecretValueInputs>(secretValueInputsSchema, news);
    if ((result.failures?.length ?? 0) > 0) return result;
    const inputs = result.inputs as SecretValueInputs;
    const before = olds ?? {};
    if (inputs.rotation === undefined) return result;
    const onboarding = before.appId === undefined || !sameValue(before.appId, inputs.appId);
    // A new generation is judged here by the slots' own rules (slotTransition.ts: it only goes up, one at a time, and
    // not straight from a rollback), before this resource records it: a generation the slots would refuse must not
    // be recorded here, or setting it back would be refused in turn. The slots judge the same, but only while they
    // are in state; one a refresh dropped (its secret deleted in Okta) would let the other slot's ACTIVE secret,
    // which pods hold, be released by a generation that goes down.
    const last = before.generation;
    if (!onboarding && typeof last === "number" && inputs.generation !== last) {
      const context = (generation: number, rollback: unknown) => ({
        app: inputs.rotation!,
        generation,
        rollback: rollback === true,
      });
      const why = slotTransitionProblem(
        context(last, before.rollback),
        context(inputs.generation, inputs.rollback),
      );
      if (why) {
        return { inputs, failures: [{ property: "generation", reason: `${why} Nothing was changed.` }] };
      }
    }
    if (onboarding && (inputs.adoption ?? "none") === "none" && !isUnknown(inputs.appId)) {
      const reason = await appOnboardingProblem(
        getOktaApi(),
        inputs.rotation,
        inputs.appId,
        inputs.generation,
      );
      if (reason) return { inputs, failures: [{ property: "appId", reason }] };
    }
    const deployments = await deploymentsProblem(before, inputs, false);
    if (deployments) return { inputs, failures: [{ property: "deployments", reason: deployments }] };
    return result;
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
    const problem = await deploymentsProblem({}, inputs, true);
    if (problem) throw operationError(problem);
    const { kubeconfig: _omit, ...rest } = inputs;
    return {
      id: `${inputs.appId}-secret-value`,
      outs: { ...rest, value: newSecretValue(), onboardedGeneration: inputs.generation },
    };
  }

  async update(
    _id: pulumi.ID,
    olds: SecretValueOutputs,
    news: SecretValueInputs,
  ): Promise<pulumi.dynamic.UpdateResult<SecretValueOutputs>> {
    const problem = await deploymentsProblem(olds as unknown as Record<string, unknown>, news, true);
    if (problem) throw operationError(problem);
    const { kubeconfig: _omit, ...rest } = news;
    return {
      outs: {
        ...rest,
        value: olds.generation === news.generation ? olds.value : newSecretValue(),
        onboardedGeneration: olds.onboardedGeneration ?? olds.generation,
      },
    };
  }
}

/**
 * The Deployments that are not there, at onboarding and at a new generation (when the rotation is about to write),
 * or undefined. Values not known yet are not looked up. `strict`: see missingDeploymentsProblem.
 */
async function deploymentsProblem(
  olds: Record<string, unknown>,
  news: SecretValueInputs,
  strict: boolean,
): Promise<string | undefined> {
  const deployments = news.deployments ?? [];
  if (news.rotation === undefined || deployments.length === 0 || isUnknown(deployments)) return undefined;
  if (isUnknown(news.kubeconfig) || isUnknown(news.context)) return undefined;
  const writes =
    olds.appId === undefined ||
    !sameValue(olds.generation, news.generation) ||
    !sameValue(olds.deployments, news.deployments);
  if (!writes) return undefined;
  return missingDeploymentsProblem(
    {
      rotation: news.rotation,
      deployments,
      ...(news.kubeconfig !== undefined ? { kubeconfig: news.kubeconfig } : {}),
      ...(news.context !== undefined ? { context: news.context } : {}),
    },
    strict,
  );
}

const provider = providerByReference(__filename, "SecretValueProvider");

/** Arguments of {@link SecretValue}. */
export interface SecretValueArgs {
  readonly appId: pulumi.Input<string>;
  /** The generation the value is for: a change makes a new value. */
  readonly generation: pulumi.Input<number>;
  /** The rotation's name: with it, what the first write needs is looked up first (see the provider's check). */
  readonly rotation?: pulumi.Input<string>;
  readonly adoption?: pulumi.Input<Adoption>;
  readonly deployments?: pulumi.Input<
    pulumi.Input<{ namespace: pulumi.Input<string>; name: pulumi.Input<string> }>[]
  >;
  readonly kubeconfig?: pulumi.Input<string>;
  readonly context?: pulumi.Input<string>;
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
      {
        ...args,
        ...(args.kubeconfig !== undefined ? { kubeconfig: pulumi.secret(args.kubeconfig) } : {}),
        value: undefined,
        onboardedGeneration: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["value"] }),
      "okta-rotation",
      "SecretValue",
    );
  }
}
