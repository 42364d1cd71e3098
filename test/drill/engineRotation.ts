import { ROTATION_SCOPE, type OktaLocal, type SecretView } from "../../local-env/okta";
import { createStack, setApps } from "../engine/harness";

export interface EngineRotationOptions {
  okta: OktaLocal;
  appId: string;
  /** The secret the app uses before generation 1: adopted as generation 0. */
  adoptSecretId: string;
  /** Generations to apply, one `pulumi up` each (e.g. [1, 2, 3]). */
  generations: number[];
  /** The rotation's minimum-overlap gate: how long the previous secret stays ACTIVE after the new one exists. */
  minOverlapSeconds: number;
  /**
   * Delivery of a new secret (the Vault write and the rollout, played by the caller). It runs as soon as Okta
   * holds the new ACTIVE secret; the previous one stays ACTIVE until it is done, as the rollout await and the
   * pod census keep it in a cluster.
   */
  deliver: (secret: SecretView) => Promise<void>;
  /** Called around each `pulumi up`. */
  note?: (what: string) => void;
  /** Extra app config for a generation (e.g. `{ revoke: true }`). */
  configFor?: (generation: number) => Record<string, unknown>;
  /** Called with the start and end time of each generation's `pulumi up`. */
  timed?: (generation: number, startedMs: number, endedMs: number) => void;
  stackName: string;
}

/**
 * Rotates an app by running this project's program under the real Pulumi engine, one `pulumi up` per
 * generation, while delivering each new secret the moment Okta has it.
 */
export async function rotateUnderEngine(o: EngineRotationOptions): Promise<void> {
  const stack = await createStack(o.stackName, {
    OKTA_ORG_URL: o.okta.orgUrl,
    OKTA_API_TOKEN: o.okta.apiToken,
  });
  const known = new Set(o.okta.listSecrets(o.appId).map((s) => s.id));
  let delivering = Promise.resolve();
  let failure: unknown;
  const watcher = setInterval(() => {
    for (const s of o.okta.listSecrets(o.appId)) {
      if (known.has(s.id) || s.status !== "ACTIVE") continue;
      known.add(s.id);
      delivering = delivering.then(() => o.deliver(s)).catch((err) => void (failure = err));
      // In a cluster the program awaits the rollout and the pod census before it deactivates the previous secret;
      // here the rollout is played beside the engine, so Okta holds any other secret's deactivation of this app
      // until that delivery is done (the secret's own deactivation is never held).
      o.okta.holdWhile(
        {
          method: "POST",
          path: `^/api/v1/apps/${o.appId}/credentials/secrets/(?!${s.id}/)[^/]+/lifecycle/deactivate$`,
        },
        delivering,
      );
    }
  }, 5);
  try {
    for (const generation of o.generations) {
      await setApps(stack.stack, [
        {
          name: "drill",
          appId: o.appId,
          generation,
          adoptSecretId: o.adoptSecretId,
          // The default token endpoint is the org's `default` server; the local Okta seeds its scope.
          gates: { tokenExchange: true, scope: ROTATION_SCOPE, minOverlapSeconds: o.minOverlapSeconds },
          ...o.configFor?.(generation),
        },
      ]);
      o.note?.(`pulumi up: generation ${generation}`);
      const startedMs = Date.now();
      const up = await stack.stack.up();
      o.timed?.(generation, startedMs, Date.now());
      o.note?.(
        `pulumi up: generation ${generation} ${up.summary.result} (${JSON.stringify(up.summary.resourceChanges)})`,
      );
      await delivering;
      if (failure) throw failure;
    }
  } finally {
    clearInterval(watcher);
    await stack.dispose();
  }
}
