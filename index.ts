import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEY, ConfigError, KeyRotation, parseAppsConfig, SecretRotation } from "./components";

/** The org URL, for the token endpoint the gates call: explicit, or from @pulumi/okta's keys. */
function orgUrl(): string | undefined {
  const own = new pulumi.Config();
  const okta = new pulumi.Config("okta");
  const explicit = own.get("oktaOrgUrl") ?? process.env.OKTA_ORG_URL;
  if (explicit) return explicit.replace(/\/+$/, "");
  const org = okta.get("orgName") ?? process.env.OKTA_ORG_NAME;
  const base = okta.get("baseUrl") ?? process.env.OKTA_BASE_URL ?? "okta.com";
  return org ? `https://${org}.${base}` : undefined;
}

const config = new pulumi.Config();
const apps = parseAppsConfig(config.getObject<unknown>(CONFIG_KEY), pulumi.getProject());
const org = orgUrl();

export const rotations: Record<string, unknown> = {};
for (const app of apps) {
  const tokenUrl = app.gates.tokenUrl ?? (org ? `${org}/oauth2/v1/token` : undefined);
  const pkj = app.privateKeyJwt;
  if (pkj?.enabled) {
    if (tokenUrl === undefined) {
      throw new ConfigError([
        `${pulumi.getProject()}:${CONFIG_KEY} (app '${app.name}'): privateKeyJwt needs the token endpoint: set ` +
          `gates.tokenUrl, or the org URL (oktaOrgUrl / okta:orgName)`,
      ]);
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
      deployments: app.deployments,
    });
    rotations[app.name] = {
      current: keys.current,
      previous: keys.previous,
      authMethod: keys.authMethod,
      retiredSecrets: keys.retiredSecrets,
      unusableSecrets: keys.unusableSecrets,
    };
    continue;
  }
  const rotation = new SecretRotation(app.name, {
    appId: app.appId,
    clientId: app.clientId,
    generation: app.generation,
    adoptSecretId: app.adoptSecretId,
    rollback: app.rollback,
    vault: app.vault,
    deployments: app.deployments,
    gates: { ...app.gates, tokenUrl },
  });
  rotations[app.name] = {
    current: rotation.current,
    previous: rotation.previous,
  };
}
