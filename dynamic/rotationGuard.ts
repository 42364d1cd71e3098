import * as pulumi from "@pulumi/pulumi";
import { providerByReference } from "./providerByReference";

/** What the guard of an app's generation records: the app, its generation and whether it is rolled back. */
export interface RotationGuardInputs {
  appName: string;
  appId: string;
  generation: number;
  rollback: boolean;
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

/** The provider's implementation; in state, the resources refer to it (see providerByReference.ts). */
export const guardProvider: pulumi.dynamic.ResourceProvider = {
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

const guardProviderReference = providerByReference(__filename, "guardProvider");

/** Arguments of {@link RotationGuard}. */
export interface RotationGuardArgs {
  readonly appName: pulumi.Input<string>;
  readonly appId: pulumi.Input<string>;
  readonly generation: pulumi.Input<number>;
  readonly rollback: pulumi.Input<boolean>;
}

/**
 * The start of an app's rotation: the first resource of the chain. It records when the current generation was
 * first applied (`startedAt`), which lets the new slot recognise a secret whose create answer a killed run lost.
 * The rules on config changes live in RotationRecord, at the end of the chain. It makes no Okta call.
 */
export class RotationGuard extends pulumi.dynamic.Resource {
  declare public readonly generation: pulumi.Output<number>;
  declare public readonly rollback: pulumi.Output<boolean>;
  declare public readonly startedAt: pulumi.Output<string>;

  constructor(name: string, args: RotationGuardArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      guardProviderReference,
      name,
      { ...args, startedAt: undefined },
      opts,
      "okta-rotation",
      "RotationGuard",
    );
  }
}
