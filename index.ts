import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEY, parseAppsConfig, SecretRotation } from "./components";

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
