import * as pulumi from "@pulumi/pulumi";

export interface RotationGuardInputs {
  appName: string;
  appId: string;
  generation: number;
  rollback: boolean;
}

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
        `that running pods hold.`,
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

/** Outputs: the inputs, plus when the current generation (or rollback) was first applied. */
export interface RotationGuardOutputs extends RotationGuardInputs {
  /**
   * ISO time at which this generation's run started (kept while generation and rollback stay the same, so an
   * interrupted run and the run that finishes it share it). A secret created after it can only be this
   * rotation's: the holder slot recognises one whose create answer was lost to a kill.
   */
  startedAt: string;
}

const guardProvider: pulumi.dynamic.ResourceProvider = {
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
    return { id: `${inputs.appId}-rotation`, outs: { ...inputs, startedAt: new Date().toISOString() } };
  },
  async update(_id: string, olds: Partial<RotationGuardOutputs>, news: RotationGuardInputs) {
    const same = olds.generation === news.generation && olds.rollback === news.rollback;
    const startedAt = same && olds.startedAt ? olds.startedAt : new Date().toISOString();
    return { outs: { ...news, startedAt } };
  },
};

export interface RotationGuardArgs {
  readonly appName: pulumi.Input<string>;
  readonly appId: pulumi.Input<string>;
  readonly generation: pulumi.Input<number>;
  readonly rollback: pulumi.Input<boolean>;
}

/**
 * Remembers the generation last applied to an app and refuses, in `check` (before any write, in preview
 * too), a config change that would delete a credential in use: a generation that goes down, skips one,
 * or moves on from a rollback without returning first. It makes no Okta call.
 */
export class RotationGuard extends pulumi.dynamic.Resource {
  declare public readonly generation: pulumi.Output<number>;
  declare public readonly rollback: pulumi.Output<boolean>;
  declare public readonly startedAt: pulumi.Output<string>;

  constructor(name: string, args: RotationGuardArgs, opts?: pulumi.CustomResourceOptions) {
    super(guardProvider, name, { ...args, startedAt: undefined }, opts, "okta-rotation", "RotationGuard");
  }
}
