// `KeyRotationStart`: the first resource of a KeyRotation, made once at its first run and kept for its life. It
// writes nothing. Its check, while it is not in state yet, looks at the app's keys in Okta before the rotation's
// first write: a rotation that starts on an app already holding keys would register its own next to them and
// leave them ACTIVE for good, with nobody holding them — which is what a rename without formerNames does (the old
// name's ACTIVE key is released, the new name starts from nothing). So such a start is refused, naming the keys
// and the fixes, unless the rotation says to keep them (`keepExistingKeys`: keys registered by hand or by another
// tool, or by this stack under a version without this resource). Once in state it is never looked at again: a
// slot made anew later (the first key bump, a key deleted out of band) is no start.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configureConnection, getOktaApi } from "./connection";
import type { OktaApi } from "./oktaApi";
import type { OktaJsonWebKey } from "./oktaObjects";
import { readBeforeFirstWrite } from "./preflight";
import { providerByReference } from "./providerByReference";
import { isUnknown } from "./providerValues";
import { checkInputs, sameValue } from "./validation";

/** The schema of a KeyRotationStart's inputs (a function, so that the provider serializes without it). */
export function keyRotationStartInputsSchema() {
  return z.object({
    appId: z
      .string({ error: "appId must be a string (the Okta app id, 0oa…)" })
      .trim()
      .min(1, "appId must not be empty (the Okta app id, 0oa…)"),
    /** The rotation's name, for messages. */
    rotation: z.string().min(1),
    /** Keys the app already has at the start are left as they are (the rotation's key is registered next to them). */
    keepExistingKeys: z.boolean().optional(),
  });
}

/** A KeyRotationStart's inputs: the app, the rotation's name and whether keys already there are kept. */
export type KeyRotationStartInputs = z.infer<ReturnType<typeof keyRotationStartInputsSchema>>;

/** A KeyRotationStart's outputs: its inputs, and when the rotation started. */
export interface KeyRotationStartOutputs extends KeyRotationStartInputs {
  readonly startedAt: string;
}

function keyLine(k: Pick<OktaJsonWebKey, "id" | "kid" | "status">): string {
  return `${k.id} (kid ${k.kid ?? "?"}, ${k.status})`;
}

/**
 * Why KeyRotation `rotation` cannot start on app `appId` holding `keys`, or undefined: it starts on an app with no
 * key, unless it keeps the ones there. Pure.
 */
export function keyStartProblem(
  rotation: string,
  appId: string,
  keys: readonly Pick<OktaJsonWebKey, "id" | "kid" | "status">[],
  keepExistingKeys = false,
): string | undefined {
  if (keys.length === 0 || keepExistingKeys) return undefined;
  const active = keys.filter((k) => k.status === "ACTIVE").length;
  return (
    `KeyRotation '${rotation}': app '${rotation}' (${appId}) already has ${keys.length === 1 ? "a key" : `${keys.length} keys`} ` +
    `that this rotation did not register (${keys.map(keyLine).join("; ")}), and a rotation starts on an app with ` +
    `none: its own key would be registered next to ${keys.length === 1 ? "it" : "them"}` +
    `${active > 0 ? `, and ${active === 1 ? "the ACTIVE one would stay" : `${active} ACTIVE ones would stay`} ACTIVE with nobody holding ${active === 1 ? "it" : "them"}` : ""}. ` +
    `If you renamed app '${rotation}' in the stack config (or the component), put the old name in its formerNames, ` +
    `so the stack keeps the keys it made. If the keys were registered by hand, by another tool, or by this stack ` +
    `under okta-credential-rotation 0.1.0 (which kept no record of a rotation's start), set ` +
    `privateKeyJwt.keepExistingKeys: true (keepExistingKeys on the component): the rotation registers its key next to ` +
    `them and leaves them as they are; deactivate them once no client signs with them. If another stack manages ` +
    `this app's keys, keep the app in one stack only. Nothing was changed.`
  );
}

/** {@link keyStartProblem}, reading the app's keys (one call). */
export async function appKeyStartProblem(
  api: OktaApi,
  rotation: string,
  appId: string,
  keepExistingKeys = false,
): Promise<string | undefined> {
  if (keepExistingKeys) return undefined;
  const read = await readBeforeFirstWrite(() => api.listKeys(appId), appId, {
    resource: `KeyRotation '${rotation}'`,
    label: `KeyRotation '${rotation}': app '${rotation}'`,
    step: "reading the app's keys before the rotation's first write",
  });
  return "problem" in read ? read.problem : keyStartProblem(rotation, appId, read.found, keepExistingKeys);
}

/** The provider's implementation; in state, the resources refer to it (see providerByReference.ts). */
export class KeyRotationStartProvider implements pulumi.dynamic.ResourceProvider<
  KeyRotationStartInputs,
  KeyRotationStartOutputs
> {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  /**
   * Validates the inputs and, at the rotation's start (not in state yet, or a new app), looks at the app's keys:
   * in a preview, and again in the `up` before the create. An app id not known yet (an app the same program
   * creates, in a preview) is looked at in the `up`.
   */
  async check(
    olds: Record<string, unknown> | undefined,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<KeyRotationStartInputs>> {
    const result = checkInputs<KeyRotationStartInputs>(keyRotationStartInputsSchema, news);
    if ((result.failures?.length ?? 0) > 0) return result;
    const inputs = result.inputs as KeyRotationStartInputs;
    const started = olds?.appId !== undefined && sameValue(olds.appId, inputs.appId);
    if (started || isUnknown(inputs.appId)) return result;
    const reason = await appKeyStartProblem(
      getOktaApi(),
      inputs.rotation,
      inputs.appId,
      inputs.keepExistingKeys,
    );
    return reason ? { inputs, failures: [{ property: "appId", reason }] } : result;
  }

  /** Only another app makes a new start: the name and keepExistingKeys matter at the start alone. */
  async diff(
    _id: pulumi.ID,
    olds: KeyRotationStartOutputs,
    news: KeyRotationStartInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces = sameValue(olds.appId, news.appId) ? [] : ["appId"];
    return { changes: replaces.length > 0, replaces };
  }

  async create(
    inputs: KeyRotationStartInputs,
  ): Promise<pulumi.dynamic.CreateResult<KeyRotationStartOutputs>> {
    return {
      id: `${inputs.appId}-key-rotation-start`,
      outs: { ...inputs, startedAt: new Date().toISOString() },
    };
  }
}

const provider = providerByReference(__filename, "KeyRotationStartProvider");

/** Arguments of {@link KeyRotationStart}. */
export interface KeyRotationStartArgs {
  readonly appId: pulumi.Input<string>;
  readonly rotation: pulumi.Input<string>;
  readonly keepExistingKeys?: pulumi.Input<boolean>;
}

/** The start of a KeyRotation: refuses to start on an app that already has keys (see the provider's check). */
export class KeyRotationStart extends pulumi.dynamic.Resource {
  declare public readonly startedAt: pulumi.Output<string>;

  constructor(name: string, args: KeyRotationStartArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, startedAt: undefined }, opts, "okta-rotation", "KeyRotationStart");
  }
}
