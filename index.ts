// The stack program: one rotation per app in stack config. It uses this package by its name, as a program
// that installs it does: Node resolves the name inside the package to the compiled dist/ (npm install builds
// it), and the type checker to the sources (tsconfig.json "paths").
import * as pulumi from "@pulumi/pulumi";
import {
  CONFIG_KEY,
  ConfigError,
  formatConfigProblems,
  KeyRotation,
  parseAppsConfig,
  SecretRotation,
  PACKAGE_CONFIG_NAMESPACE,
  skipUnprintedPromiseStacks,
  stackOrgUrl,
  type AppConfig,
} from "okta-credential-rotation";
import { defaultTokenUrl } from "okta-credential-rotation/dynamic";

/**
 * The org URL, for the token endpoint the gates call: `okta-credential-rotation:oktaOrgUrl`, or @pulumi/okta's keys
 * (as the package's providers read them). A malformed one fails the program with one message.
 */
function orgUrl(): string | undefined {
  try {
    return stackOrgUrl();
  } catch (err) {
    throw new pulumi.RunError((err as Error).message);
  }
}

// The SDK's own promise stacks are formatted only when PULUMI_DEBUG_PROMISE_LEAKS will print them
// (components/promiseStacks.ts): a large stack's preview spent a third of the program's time on them.
skipUnprintedPromiseStacks();

const org = orgUrl();

/**
 * The validated apps. A config error fails the program as a `pulumi.RunError`, which the Node language host
 * prints as its message alone — every problem, one per line, without a stack trace or colour codes — before
 * any resource is registered.
 */
function loadApps(): AppConfig[] {
  try {
    return parseAppsConfig(new pulumi.Config().getObject<unknown>(CONFIG_KEY), pulumi.getProject(), {
      orgUrl: org,
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const apps = loadApps();

/**
 * The pod census reads the cluster the stack's Kubernetes provider uses: `kubernetes:kubeconfig` (contents or a
 * path) when set, else KUBECONFIG or ~/.kube/config, and `kubernetes:context` when set, else the kubeconfig's
 * current context — as the provider does.
 */
const kubernetesConfig = new pulumi.Config("kubernetes");
const kubeconfig = kubernetesConfig.getSecret("kubeconfig");
const kubeContext = kubernetesConfig.get("context");
function podCensus(app: AppConfig) {
  return {
    enabled: app.gates.podCensus,
    timeoutSeconds: app.gates.podCensusTimeoutSeconds,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    ...(kubeContext !== undefined ? { context: kubeContext } : {}),
  };
}

/**
 * Deployments listed by more than one app (a service that uses two Okta clients): each app's patch of them writes
 * annotation keys of its own (`<app>.okta-rotation/…`), so that the patches never conflict.
 */
const appsByDeployment = new Map<string, Set<string>>();
for (const app of apps) {
  for (const d of app.deployments) {
    const key = `${d.namespace}/${d.name}`;
    appsByDeployment.set(key, (appsByDeployment.get(key) ?? new Set()).add(app.name));
  }
}
function deploymentsOf(app: AppConfig) {
  return app.deployments.map((d) => ({
    ...d,
    shared: (appsByDeployment.get(`${d.namespace}/${d.name}`)?.size ?? 0) > 1,
  }));
}

/** One app's rotation, and what the stack outputs of it. */
function rotate(app: AppConfig): unknown {
  // Default: the org's `default` custom authorization server, where Okta gives apps machine tokens; the org
  // server (/oauth2/v1/token) refuses client secrets and custom scopes (docs/configuration.md#connecting-to-okta).
  const tokenUrl = app.gates.tokenUrl ?? (org ? defaultTokenUrl(org) : undefined);
  const pkj = app.privateKeyJwt;
  if (pkj?.enabled) {
    if (tokenUrl === undefined) {
      // parseAppsConfig has refused this already (it was given the org URL); kept for the type checker.
      throw new pulumi.RunError(
        formatConfigProblems([
          `${pulumi.getProject()}:${CONFIG_KEY} (app '${app.name}'): privateKeyJwt needs the token endpoint: ` +
            `set gates.tokenUrl, or the org URL (${PACKAGE_CONFIG_NAMESPACE}:oktaOrgUrl, or okta:orgName)`,
        ]),
      );
    }
    // Same name as the SecretRotation it replaces: KeyRotation aliases it, so the Vault entry and the
    // Deployment patches are updated in place; the secret slots are retired by KeyRotation.
    const keys = new KeyRotation(app.name, {
      appId: app.appId,
      clientId: app.clientId,
      keyGeneration: pkj.keyGeneration,
      algorithm: pkj.algorithm,
      rollback: pkj.rollback,
      tokenUrl,
      scope: app.gates.scope,
      minOverlapSeconds: app.gates.minOverlapSeconds,
      vault: app.vault,
      deployments: deploymentsOf(app),
      podCensus: podCensus(app),
      formerNames: app.formerNames,
      ...(pkj.keepExistingKeys ? { keepExistingKeys: true } : {}),
    });
    return {
      current: keys.current,
      previous: keys.previous,
      authMethod: keys.authMethod,
      retiredSecrets: keys.retiredSecrets,
      unusableSecrets: keys.unusableSecrets,
      audit: keys.audit,
    };
  }
  const rotation = new SecretRotation(app.name, {
    appId: app.appId,
    clientId: app.clientId,
    generation: app.generation,
    adoptSecretId: app.adoptSecretId,
    rollback: app.rollback,
    revoke: app.revoke,
    vault: app.vault,
    deployments: deploymentsOf(app),
    podCensus: podCensus(app),
    gates: { ...app.gates, tokenUrl },
    formerNames: app.formerNames,
  });
  return {
    current: rotation.current,
    previous: rotation.previous,
    audit: rotation.audit,
  };
}

/**
 * The program: one rotation per app; the stack output `rotations` holds what each reports.
 *
 * In a preview, each app's resources are sent to the engine before the next app is built: the engine checks and
 * diffs them (one resource at a time) and starts the providers' process while the program builds the rest, instead
 * of after the last app. A preview writes nothing, so an app refused later in the loop costs nothing. In an update
 * every app is built before any of its resources is sent, as the engine writes as soon as it has one.
 */
async function main(): Promise<{ rotations: Record<string, unknown> }> {
  const rotations: Record<string, unknown> = {};
  const preview = pulumi.runtime.isDryRun();
  for (const app of apps) {
    rotations[app.name] = rotate(app);
    if (preview) await new Promise((resolve) => setImmediate(resolve));
  }
  return { rotations };
}

export = main;
