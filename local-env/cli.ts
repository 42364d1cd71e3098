// `npm run local-env`: starts the local Okta, Vault and the cluster on loopback, prints how to reach them (as
// shell `export` lines on stdout, progress on stderr), and stops them all on Ctrl-C.
//
//   npm run -s local-env > /tmp/local-env.sh &      # then, once it says ready:
//   . /tmp/local-env.sh && kubectl get pods         # (kubectl: in the directory install-kube.sh prints)

import { startLocalEnv } from ".";

async function main(): Promise<void> {
  const started = Date.now();
  const env = await startLocalEnv({
    okta: { apps: [{ label: "demo-service" }] },
    log: (line) => process.stderr.write(`local-env: ${line}\n`),
  });
  for (const [k, v] of Object.entries(env.env))
    process.stdout.write(`export ${k}='${v.replace(/'/g, "'\\''")}'\n`);
  process.stderr.write(
    `local-env: ready in ${((Date.now() - started) / 1000).toFixed(1)} s; app ${env.okta.apps[0]?.id}` +
      `${env.vaultStandIn ? "; Vault resources through the stand-in plugin" : ""}` +
      `${env.oktaStandIn ? "; okta.app.OAuth through the stand-in plugin" : ""}. Ctrl-C stops everything.\n`,
  );
  // Every server is stopped on Ctrl-C or kill (local-env/processes.ts); until then this keeps running.
  setInterval(() => undefined, 60_000);
}

main().catch((err) => {
  process.stderr.write(`local-env: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
