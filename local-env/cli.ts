// `npm run local-env`: starts the local Okta, Vault and the cluster on loopback, prints how to reach them (as
// shell `export` lines on stdout, progress on stderr), and stops them all on Ctrl-C or SIGTERM, removing what
// they kept on disk (the cluster's certificates and keys, etcd's data).
//
//   npm run -s local-env > /tmp/local-env.sh &      # then, once it says ready:
//   . /tmp/local-env.sh && kubectl get pods         # (kubectl: KUBE_WITH_KUBECTL=1 scripts/install-kube.sh)

import * as fs from "node:fs";
import * as path from "node:path";
import { startLocalEnv } from ".";
import { kubeBinDirs } from "./cluster";
import { exportLines, rateLimitSummary, userPath } from "./cliOutput";
import { DEFAULT_RATE_LIMITS } from "./okta";
import { oktaPluginPath } from "./okta-plugin";
import { vaultPluginPath } from "./vault-plugin";

async function main(): Promise<void> {
  const started = Date.now();
  const rateLimits = DEFAULT_RATE_LIMITS;
  const env = await startLocalEnv({
    okta: { apps: [{ label: "demo-service" }], rateLimits },
    log: (line) => process.stderr.write(`local-env: ${line}\n`),
  });
  const app = env.okta.apps[0]!;
  const secret = env.okta.listSecrets(app.id)[0];
  // kubectl, where install-kube.sh built it, after the stand-in plugins; npm's script directories left out.
  const kube = kubeBinDirs().kube;
  const kubectl = fs.existsSync(path.join(kube, "kubectl")) ? [kube] : [];
  const plugins = [oktaPluginPath(), vaultPluginPath()].filter((p): p is string => p !== undefined);
  process.stdout.write(
    exportLines({
      ...env.env,
      // The seeded app, ready to rotate: `appId` and, at onboarding, `adoptSecretId` in the stack config.
      OKTA_APP_ID: app.id,
      ...(secret !== undefined ? { OKTA_APP_SECRET_ID: secret.id } : {}),
      PATH: userPath(process.env.PATH ?? "", [...plugins, ...kubectl]),
    }),
  );
  process.stderr.write(
    `local-env: ${rateLimitSummary(rateLimits)}\n` +
      `local-env: ready in ${((Date.now() - started) / 1000).toFixed(1)} s; app ${app.id} (OKTA_APP_ID)` +
      `${secret !== undefined ? `, its secret ${secret.id} (OKTA_APP_SECRET_ID)` : ""}` +
      `${env.vaultStandIn ? "; Vault resources through the stand-in plugin" : ""}` +
      `${env.oktaStandIn ? "; okta.app.OAuth through the stand-in plugin" : ""}` +
      `${kubectl.length === 0 ? "; no kubectl (KUBE_WITH_KUBECTL=1 bash scripts/install-kube.sh builds it)" : ""}. ` +
      `Ctrl-C or SIGTERM stops everything and removes its files.\n`,
  );
  // Every server is stopped, and the cluster's directory removed, on Ctrl-C or kill (local-env/processes.ts,
  // cluster.ts); until then this keeps running.
  setInterval(() => undefined, 60_000);
}

main().catch((err) => {
  process.stderr.write(`local-env: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
