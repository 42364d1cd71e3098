import * as pulumi from "@pulumi/pulumi";
import type { RotationGuardInputs } from "./rotationGuard";
import { providerByReference } from "./providerByReference";

/** A refused generation change: the input and why. */
export interface GuardFailure {
  property: string;
  reason: string;
}

/**
 * Compares a new rotation config with the one last applied and returns what is unsafe about the change.
 * Pure: the rules every bump must follow so that the secret consumers hold is never deleted.
 */
export function guardTransition(
  olds: Partial<RotationGuardInputs> | undefined,
  news: RotationGuardInputs,
): GuardFailure[] {
  const failures: GuardFailure[] = [];
  const app = `app '${news.appName}' (${news.appId})`;
  if (!Number.isInteger(news.generation) || news.generation < 1) {
    failures.push({ property: "generation", reason: `${app}: generation must be a whole number ≥ 1` });
    return failures;
  }
  const before = olds?.generation;
  if (before === undefined || olds?.appId !== news.appId) return failures;
  const g = news.generation;
  if (g < before) {
    failures.push({
      property: "generation",
      reason:
        `${app}: generation went down from ${before} to ${g}. Generations only go up; ` +
        `to go back to the previous secret, keep generation ${before} and set rollback: true.`,
    });
  } else if (g > before + 1) {
    failures.push({
      property: "generation",
      reason:
        `${app}: generation jumped from ${before} to ${g}. Bump one generation at a time (${before + 1}): ` +
        `each rotation replaces the secret two generations back, and skipping one would delete the secret ` +
        `that running pods hold. If the rotation to ${before + 1} was interrupted, run pulumi up at ` +
        `generation ${before + 1} to finish it first.`,
    });
  } else if (g === before + 1 && olds?.rollback) {
    failures.push({
      property: "generation",
      reason:
        `${app}: the last run rolled back to generation ${before - 1}, whose slot generation ${g} would replace. ` +
        `First remove rollback at generation ${before} (pods go back to it), then bump to ${g}.`,
    });
  }
  if (news.rollback && g !== before) {
    failures.push({
      property: "rollback",
      reason: `${app}: a rollback keeps the generation; set generation back to ${before}, or remove rollback.`,
    });
  }
  return failures;
}

/** The provider's implementation; in state, the resources refer to it (see providerByReference.ts). */
export const recordProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Partial<RotationGuardInputs>, news: RotationGuardInputs) {
    return { inputs: news, failures: guardTransition(olds, news) };
  },
  async diff(_id: string, olds: RotationGuardInputs, news: RotationGuardInputs) {
    const changed = (["appName", "appId", "generation", "rollback"] as const).filter(
      (k) => olds[k] !== news[k],
    );
    return { changes: changed.length > 0, replaces: changed.includes("appId") ? ["appId"] : [] };
  },
  async create(inputs: RotationGuardInputs) {
    return { id: `${inputs.appId}-rotation-record`, outs: inputs };
  },
  async update(_id: string, _olds: RotationGuardInputs, news: RotationGuardInputs) {
    return { outs: news };
  },
};

const recordProviderReference = providerByReference(__filename, "recordProvider");

/** Arguments of {@link RotationRecord}: the same fields as the guard's inputs. */
export type RotationRecordArgs = {
  readonly [K in keyof RotationGuardInputs]: pulumi.Input<RotationGuardInputs[K]>;
};

/**
 * The last resource of an app's rotation: it is updated only once every step of a generation is done, so its
 * state is the last *finished* generation. Its `check` compares the config with that (in `pulumi preview`, and so
 * before `pulumi up` writes anything) and refuses a change that would delete a credential in use: a generation
 * that goes down, skips one — including a bump while the previous rotation is unfinished — or moves on from a
 * rollback without returning first. Going back to finish an interrupted rotation is always allowed.
 */
export class RotationRecord extends pulumi.dynamic.Resource {
  declare public readonly generation: pulumi.Output<number>;
  declare public readonly rollback: pulumi.Output<boolean>;

  constructor(name: string, args: RotationRecordArgs, opts?: pulumi.CustomResourceOptions) {
    super(recordProviderReference, name, { ...args }, opts, "okta-rotation", "RotationRecord");
  }
}
