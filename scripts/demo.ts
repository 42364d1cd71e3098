/**
 * `npm run demo`: a rotation under the real Pulumi engine against the embedded local Okta, while a fleet of
 * simulated clients exchanges tokens. Prints a timeline of each step and the count of failed exchanges.
 *
 * Vault and Kubernetes are not part of the demo (their Pulumi providers are not bundled): the demo plays the
 * rollout itself, moving its clients onto each new secret as soon as Okta has it, while the rotation's
 * minimum-overlap gate keeps the previous secret ACTIVE. Only after the gate is the previous secret retired.
 */
import { ROTATION_SCOPE, startOktaLocal } from "../local-env/okta";
import { Fleet, type Credential } from "../test/drill/fleet";
import { rotateUnderEngine } from "../test/drill/engineRotation";

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
  const start = Date.now();

  // The clients start with the app's current secret, as read from wherever the app keeps it.
  let current = okta.listSecrets(app.id)[0];
  const credential = (): Credential => ({
    kind: "secret",
    clientId: app.clientId,
    clientSecret: current.clientSecret,
    label: current.id,
  });
  const fleet = new Fleet({
    size: PODS,
    ratePerSecond: RATE,
    // Apps get machine tokens at a custom authorization server: the seeded `default` one and its scope.
    tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
    scope: ROTATION_SCOPE,
    read: credential,
  });
  fleet.start();
  note(`${PODS} clients exchanging ~${RATE} tokens/s with secret ${current.id}`);

  let logged = 0;
  const drainLog = () => {
    for (; logged < okta.requestLog.length; logged++) {
      const e = okta.requestLog[logged];
      const what = describeRequest(e.method, e.path, e.status);
      if (what) events.push({ time: e.time, what });
    }
  };

  await rotateUnderEngine({
    okta,
    appId: app.id,
    adoptSecretId: current.id,
    generations: [1, 2],
    minOverlapSeconds: OVERLAP_SECONDS,
    // The rollout: the clients restart onto the new secret one by one.
    deliver: async (secret) => {
      current = secret;
      note(`rollout: clients restart onto ${secret.id}`);
      await fleet.rollout(20);
      note(`rollout done: all clients hold ${secret.id}`);
    },
    note,
    stackName: `demo-${process.pid}`,
  });
  const stats = await fleet.stop();
  drainLog();

  console.log("Timeline (seconds since start):");
  for (const e of events.sort((a, b) => a.time - b.time)) {
    console.log(`  ${((e.time - start) / 1000).toFixed(1).padStart(6)}  ${e.what}`);
  }
  const secrets = okta.listSecrets(app.id).map((s) => `${s.id} ${s.status}`);
  console.log(`Secrets on the app now: ${secrets.join(", ")}`);
  console.log(`Token exchanges: ${stats.exchanges}, failed: ${stats.failedExchanges}`);
  await okta.close();
  if (stats.failedExchanges > 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
