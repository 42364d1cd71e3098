// What a rotation looks up before its first write, where the program's own config check cannot: whether the app
// is in the Okta org and free for the rotation, and whether the Deployments it rolls exist. Run by SecretValue —
// the first resource of a rotation, which writes nothing — in its `check` (preview, where the values are known)
// and again in its create/update (the `up`, before the new secret is created).

import { kubeconfigText, kubeGet, kubeTarget } from "./kubeApi";
import type { OktaApi } from "./oktaApi";
import { OktaApiError, describeFailure, isNotFound } from "./oktaErrors";
import type { OktaClientSecret } from "./oktaObjects";
import { secretSummary } from "./clientSecret";

/** How a rotation takes over the app's current secret at onboarding. */
export type Adoption = "none" | "adoptSecretId" | "adoptGeneratedSecret";

/**
 * Why a rotation that adopts no secret cannot start on an app with these secrets at `generation`, or undefined. An
 * ACTIVE secret is one its clients may use: without adoption the rotation's own secret would be a second one, the
 * next generation a third — which Okta refuses — and the app's own secret would never be retired. An INACTIVE one
 * takes the room of the next generation as well. An app with no secret starts at generation 1: at a later
 * generation the plan's retired slot (generation − 1) would create a second secret that no client ever held, only
 * to keep it INACTIVE as a rollback target that was never rolled out. Pure.
 */
export function onboardingProblem(
  rotation: string,
  appId: string,
  secrets: readonly Pick<OktaClientSecret, "id" | "status" | "created">[],
  generation = 1,
): string | undefined {
  if (secrets.length === 0) {
    if (generation < 2) return undefined;
    return (
      `SecretRotation '${rotation}': generation is ${generation} at the rotation's first run, and app ${appId} has ` +
      `no secret to adopt: besides the secret of generation ${generation}, the rotation would create one for ` +
      `generation ${generation - 1} that no client ever held, only to keep it INACTIVE as a rollback target. Set ` +
      `generation to 1 for app '${rotation}' (a new app gets one secret; bump from there to rotate). Nothing was changed.`
    );
  }
  const list = secrets.map(secretSummary).join("; ");
  const active = secrets.filter((s) => s.status === "ACTIVE");
  if (active.length > 0) {
    return (
      `SecretRotation '${rotation}': app ${appId} already has ${active.length === 1 ? "an ACTIVE secret" : `${active.length} ACTIVE secrets`} ` +
      `(${list}) and the rotation adopts none, so its own secret would be one more, and the next generation would ` +
      `find no room (Okta allows two). Set adoptSecretId to the secret the app's clients use now (it is retired ` +
      `once the rotation's own is delivered), or adoptGeneratedSecret: true for an app this program creates. ` +
      `If you renamed app '${rotation}' in the stack config (or the component), put the old name in its formerNames ` +
      `instead, so the stack keeps the app's secrets. Nothing was changed.`
    );
  }
  return (
    `SecretRotation '${rotation}': app ${appId} has INACTIVE secrets (${list}) that would take the room of the ` +
    `rotation's next generation (Okta allows two secrets). No client can use them: delete them (Okta Admin ` +
    `Console, or DELETE /api/v1/apps/${appId}/credentials/secrets/<id>), then run again. Nothing was changed.`
  );
}

/**
 * What a rotation reads of its app before its first write: `read`'s answer, or — the app not in this Okta org — the
 * problem to report, beginning with `label`. Any other failure throws, naming `resource` and `step`.
 */
export async function readBeforeFirstWrite<T>(
  read: () => Promise<T>,
  appId: string,
  names: { readonly resource: string; readonly label: string; readonly step: string },
): Promise<{ found: T } | { problem: string }> {
  try {
    return { found: await read() };
  } catch (err) {
    if (isNotFound(err)) {
      return {
        problem:
          `${names.label}: appId ${appId} is not an app of this Okta org. Set appId to the app's id (0oa…, in the ` +
          `Admin Console's address of the app), and check that the org URL is the app's org. Nothing was changed.`,
      };
    }
    throw new OktaApiError({
      resource: names.resource,
      action: "check",
      step: names.step,
      failure: describeFailure(err),
      hint: "check the Okta connection and the token's permissions (okta.apps.read), then run again.",
    });
  }
}

/** The onboarding problem of a rotation that adopts no secret, reading the app's secrets (one call). */
export async function appOnboardingProblem(
  api: OktaApi,
  rotation: string,
  appId: string,
  generation = 1,
): Promise<string | undefined> {
  const resource = `SecretRotation '${rotation}'`;
  const read = await readBeforeFirstWrite(() => api.listSecrets(appId), appId, {
    resource,
    label: resource,
    step: "reading the app's secrets before the first write",
  });
  return "problem" in read ? read.problem : onboardingProblem(rotation, appId, read.found, generation);
}

/** The Deployments a rotation rolls, to look up before its first write, and the cluster to look in. */
export interface DeploymentLookup {
  readonly rotation: string;
  readonly deployments: readonly { readonly namespace: string; readonly name: string }[];
  /** The cluster as the pod census reads it. */
  readonly kubeconfig?: string;
  readonly context?: string;
}

/**
 * The Deployments of the rotation that do not exist, as a message, or undefined. `strict`: a cluster that cannot be
 * reached (or no kubeconfig) is a problem too — the rollout would fail after Okta and Vault moved on; otherwise (a
 * preview) it is not judged.
 */
export async function missingDeploymentsProblem(
  lookup: DeploymentLookup,
  strict: boolean,
  timeoutMs = 10_000,
): Promise<string | undefined> {
  if (lookup.deployments.length === 0) return undefined;
  const where = `SecretRotation '${lookup.rotation}'`;
  let target;
  try {
    target = kubeTarget(kubeconfigText(lookup.kubeconfig), process.cwd(), lookup.context);
  } catch (err) {
    if (!strict) return undefined;
    return (
      `${where}: deployments cannot be looked up before the first write: ${(err as Error).message}. Give the pod ` +
      `census the cluster (podCensus.kubeconfig and podCensus.context, as the Kubernetes provider's), or turn it ` +
      `off with podCensus.enabled: false. Nothing was changed.`
    );
  }
  const missing: string[] = [];
  for (const [i, d] of lookup.deployments.entries()) {
    const path =
      `/apis/apps/v1/namespaces/${encodeURIComponent(d.namespace)}/deployments/` + encodeURIComponent(d.name);
    try {
      await kubeGet(target, path, timeoutMs);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) {
        missing.push(`deployments[${i}] ${d.namespace}/${d.name}`);
        continue;
      }
      if (!strict) return undefined;
      return (
        `${where}: deployments[${i}] ${d.namespace}/${d.name} cannot be looked up before the first write ` +
        `(${target.server}: ${(err as Error).message}). Check that the cluster is reachable and that the ` +
        `credentials may get deployments, then run again. Nothing was changed.`
      );
    }
  }
  if (missing.length === 0) return undefined;
  return (
    `${where}: ${missing.join(", ")} ${missing.length === 1 ? "does" : "do"} not exist in the cluster at ` +
    `${target.server}. Fix the namespace and name, create the Deployment first (or make the rotation depend on ` +
    `it), or remove it from deployments. Nothing was changed.`
  );
}
