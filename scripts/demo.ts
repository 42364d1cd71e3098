/**
 * `npm run demo`: a rotation under the real Pulumi engine against the embedded local Okta, while a fleet of
 * simulated clients exchanges tokens. Prints a timeline of each step and the count of failed exchanges.
 *
 * Vault and Kubernetes are not part of the demo (their Pulumi providers are not bundled): the demo plays the
 * rollout itself, moving its clients onto each new secret as soon as Okta has it, while the rotation's
 * minimum-overlap gate keeps the previous secret ACTIVE. Only after the gate is the previous secret retired.
 */
import { startOktaLocal } from "../okta-local";
import { Fleet, type Credential } from "../test/drill/fleet";
import { createStack, setApps } from "../test/engine/harness";

const PODS = 20;
const RATE = 100;
const OVERLAP_SECONDS = 3;

interface Event {
  time: number;
  what: string;
}

function describeRequest(method: string, path: string, status: number): string | undefined {
  const m = /^\/api\/v1\/apps\/[^/]+\/credentials\/secrets(?:\/([^/]+))?(?:\/lifecycle\/(\w+))?$/.exec(path);
  if (!m || method === "GET") return undefined;
  const [, id, action] = m;
  if (method === "POST" && !id) {
    return status === 201 ? "Okta: new client secret created" : `Okta: secret creation answered ${status}`;
  }
  if (action) return `Okta: secret ${id} ${action}d (${status})`;
  if (method === "DELETE") return `Okta: secret ${id} deleted (${status})`;
  return undefined;
}

async function main(): Promise<void> {
  const okta = await startOktaLocal({ apps: [{ label: "demo-service" }] });
  const app = okta.apps[0];
  const events: Event[] = [];
  const note = (what: string) => events.push({ time: Date.now(), what });
  const stack = await createStack(`demo-${process.pid}`, {
    OKTA_ORG_URL: okta.orgUrl,
    OKTA_API_TOKEN: okta.apiToken,
  });
  const start = Date.now();

  // The clients start with the app's current secret, as read from wherever the app keeps it.
  let current = okta.listSecrets(app.id)[0];
  const adopted = current.id;
  const credential = (): Credential => ({
    kind: "secret",
    clientId: app.clientId,
    clientSecret: current.clientSecret,
    label: current.id,
  });
  const fleet = new Fleet({
    size: PODS,
    ratePerSecond: RATE,
    tokenUrl: `${okta.orgUrl}/oauth2/v1/token`,
    read: credential,
  });
  fleet.start();
  note(`${PODS} clients exchanging ~${RATE} tokens/s with secret ${current.id}`);

  // The rollout: whenever a new ACTIVE secret appears, the clients restart onto it one by one.
  let rolling = Promise.resolve();
  const watcher = setInterval(() => {
    const newest = okta
      .listSecrets(app.id)
      .filter((s) => s.status === "ACTIVE" && s.id !== current.id && s.created > current.created)
      .pop();
    if (!newest) return;
    current = newest;
    rolling = rolling.then(async () => {
      note(`rollout: clients restart onto ${newest.id}`);
      await fleet.rollout(20);
      note(`rollout done: all clients hold ${newest.id}`);
    });
  }, 20);

  let logged = 0;
  const drainLog = () => {
    for (; logged < okta.requestLog.length; logged++) {
      const e = okta.requestLog[logged];
      const what = describeRequest(e.method, e.path, e.status);
      if (what) events.push({ time: e.time, what });
    }
  };

  try {
    for (const generation of [1, 2]) {
      await setApps(stack.stack, [
        {
          name: "demo",
          appId: app.id,
          generation,
          adoptSecretId: adopted,
          gates: { tokenExchange: true, minOverlapSeconds: OVERLAP_SECONDS },
        },
      ]);
      note(`pulumi up: generation ${generation}`);
      const up = await stack.stack.up();
      drainLog();
      note(
        `pulumi up: generation ${generation} ${up.summary.result} (${JSON.stringify(up.summary.resourceChanges)})`,
      );
      await rolling;
    }
  } finally {
    clearInterval(watcher);
  }
  const stats = await fleet.stop();
  drainLog();

  console.log("Timeline (seconds since start):");
  for (const e of events.sort((a, b) => a.time - b.time)) {
    console.log(`  ${((e.time - start) / 1000).toFixed(1).padStart(6)}  ${e.what}`);
  }
  const secrets = okta.listSecrets(app.id).map((s) => `${s.id} ${s.status}`);
  console.log(`Secrets on the app now: ${secrets.join(", ")}`);
  console.log(`Token exchanges: ${stats.exchanges}, failed: ${stats.failedExchanges}`);
  await stack.dispose();
  await okta.close();
  if (stats.failedExchanges > 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
