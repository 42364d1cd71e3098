// Emergency revoke under the real engine: `revoke: true` with a bump rotates without the minimum overlap and
// deletes the leaked secret in the same run, after Okta was seen refusing it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { createStack, setApps, stepCollector, type EngineStack } from "./harness";

describe("emergency revoke (real engine)", () => {
  let okta: OktaLocal;
  let s: EngineStack;
  let appId: string;
  const app = (generation: number, extra: Record<string, unknown> = {}) => ({
    name: "leaky",
    appId,
    generation,
    gates: { tokenExchange: true, scope: ROTATION_SCOPE, minOverlapSeconds: 900 },
    ...extra,
  });

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [{ label: "leaky", secrets: 0 }],
      rateLimits: { apps: 10_000, app: 10_000 },
    });
    appId = okta.apps[0].id;
    s = await createStack(`test-revoke-${process.pid}`, {
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_API_TOKEN: okta.apiToken,
    });
    await setApps(s.stack, [app(1)]);
    expect((await s.stack.up()).summary.result).toBe("succeeded");
  }, 300_000);

  afterAll(async () => {
    await s?.dispose();
    await okta?.close();
  });

  it("the preview names it: a Revocation of the leaked secret is created", async () => {
    await setApps(s.stack, [app(2, { revoke: true })]);
    const { steps, onEvent } = stepCollector();
    const preview = await s.stack.preview({ onEvent, diff: true });
    expect(steps.filter((x) => x.name === "leaky-revocation").map((x) => x.op)).toEqual(["create"]);
    expect(preview.stdout).toMatch(/\+ pulumi-nodejs:dynamic\/okta-rotation:Revocation: \(create\)/);
  }, 300_000);

  it("rotates without the 900 s overlap, proves the leaked secret refused, and deletes it in the same run", async () => {
    const [leaked] = okta.listSecrets(appId);
    const started = Date.now();
    const up = await s.stack.up();
    const seconds = (Date.now() - started) / 1000;
    expect(up.summary.result).toBe("succeeded");
    expect(seconds).toBeLessThan(900);
    const left = okta.listSecrets(appId);
    expect(left.map((x) => x.id)).not.toContain(leaked!.id);
    expect(left.map((x) => x.status)).toEqual(["ACTIVE"]);
    const previous = (
      up.outputs.rotations.value as Record<string, { previous: { refusedAt: string; revokedAt: string } }>
    ).leaky.previous;
    expect(Date.parse(previous.revokedAt)).toBeGreaterThanOrEqual(Date.parse(previous.refusedAt));
    // Okta's log: deactivated, then deleted, both after the new secret was created.
    const log = okta.requestLog.filter((e) => e.path.includes(leaked!.id) && e.method !== "GET");
    expect(log.map((e) => `${e.method} ${e.status}`)).toEqual(["POST 200", "DELETE 204"]);
  }, 300_000);

  it("the next bump, with revoke removed, replaces the revoked slot (already gone) as usual", async () => {
    await setApps(s.stack, [app(3, { gates: { tokenExchange: true, scope: ROTATION_SCOPE } })]);
    const up = await s.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(
      okta
        .listSecrets(appId)
        .map((x) => x.status)
        .sort(),
    ).toEqual(["ACTIVE", "INACTIVE"]);
  }, 300_000);
});
