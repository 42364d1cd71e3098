import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { createStack, readBackendState, setApps, stepCollector, type EngineStack } from "./harness";

/** Okta management writes in the request log since `from`. */
function writesSince(okta: OktaLocal, from: number): string[] {
  return okta.requestLog
    .slice(from)
    .filter((e) => e.path.startsWith("/api/v1/") && e.method !== "GET")
    .map((e) => `${e.method} ${e.path}`);
}

describe("the program under the real Pulumi engine", () => {
  let okta: OktaLocal;
  let s: EngineStack;
  let appId: string;
  let seededId: string;
  const outputText: string[] = [];
  /** Every secret value the app has had during the test. */
  const values = new Set<string>();
  const remember = () => okta.listSecrets(appId).forEach((x) => values.add(x.clientSecret));

  const app = (generation: number) => ({
    name: "svc",
    appId,
    generation,
    adoptSecretId: seededId,
    // The default token endpoint (the org's `default` server) with the scope the local Okta seeds there.
    gates: { tokenExchange: true, scope: ROTATION_SCOPE },
  });

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [{ label: "engine-svc" }],
      rateLimits: { apps: 10_000, app: 10_000 },
    });
    appId = okta.apps[0].id;
    seededId = okta.listSecrets(appId)[0].id;
    remember();
    s = await createStack(`test-lifecycle-${process.pid}`, {
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_API_TOKEN: okta.apiToken,
    });
  }, 300_000);

  afterEach(() => remember());

  afterAll(async () => {
    await s?.dispose();
    await okta?.close();
  });

  it("generation 1 adopts the seeded secret, creates a new one and retires the adopted one", async () => {
    await setApps(s.stack, [app(1)]);
    const up = await s.stack.up({ onOutput: (o) => outputText.push(o) });
    expect(up.summary.result).toBe("succeeded");
    const secrets = okta.listSecrets(appId);
    expect(secrets).toHaveLength(2);
    const seeded = secrets.find((x) => x.id === seededId)!;
    expect(seeded.status).toBe("INACTIVE");
    const current = secrets.find((x) => x.id !== seededId)!;
    expect(current.status).toBe("ACTIVE");
    const rotations = up.outputs.rotations.value as Record<
      string,
      { current: { secretId: string; generation: number } }
    >;
    expect(rotations.svc.current).toMatchObject({ secretId: current.id, generation: 1 });
  }, 300_000);

  it("previews a bump as: replace slot a, gate re-run, slot b ACTIVE → INACTIVE — with no secret value", async () => {
    await setApps(s.stack, [app(2)]);
    const { steps, onEvent } = stepCollector();
    const preview = await s.stack.preview({ diff: true, onEvent, onOutput: (o) => outputText.push(o) });
    const opsOf = (name: string) => steps.filter((x) => x.name === name).map((x) => x.op);
    // Slot a: the INACTIVE generation 0 is deleted before generation 2 is created in its place.
    expect(opsOf("svc-slot-a")).toEqual(["delete-replaced", "replace", "create-replacement"]);
    expect(opsOf("svc-slot-b")).toEqual(["update"]);
    expect(opsOf("svc-gate")).toEqual(["update"]);
    // The new generation's value is made first, before Okta is called.
    expect(opsOf("svc-value")).toEqual(["update"]);
    // The diff reads as the runbook: slot a gets generation 2, slot b goes ACTIVE → INACTIVE.
    expect(preview.stdout).toMatch(/svc-slot-a\]\n(?:.*\n)*?\s+~ generation\s*: 0 => 2/);
    expect(preview.stdout).toMatch(/svc-slot-b\]\n(?:.*\n)*?\s+~ status\s*: "ACTIVE" => "INACTIVE"/);
    expect(steps.find((x) => x.name === "svc-slot-a" && x.op === "replace")!.replaceKeys).toContain(
      "generation",
    );
    expect(preview.changeSummary.replace).toBe(1);
    for (const v of values) expect(preview.stdout.includes(v)).toBe(false);
  }, 300_000);

  it("the bump keeps ≤ 2 secrets and ≥ 1 ACTIVE throughout, and ends with gen 2 ACTIVE, gen 1 INACTIVE", async () => {
    let max = 0;
    let minActive = Infinity;
    const poll = setInterval(() => {
      const list = okta.listSecrets(appId);
      list.forEach((x) => values.add(x.clientSecret));
      max = Math.max(max, list.length);
      minActive = Math.min(minActive, list.filter((x) => x.status === "ACTIVE").length);
    }, 2);
    const before = okta.listSecrets(appId);
    const gen1 = before.find((x) => x.id !== seededId)!;
    try {
      const up = await s.stack.up({ onOutput: (o) => outputText.push(o) });
      expect(up.summary.result).toBe("succeeded");
      // Two-sided proof: after the deactivation, Okta refused the generation-1 secret.
      const rotations = up.outputs.rotations.value as Record<string, { previous: { refusedAt?: string } }>;
      expect(Date.parse(rotations.svc.previous.refusedAt ?? "")).toBeGreaterThan(Date.parse(gen1.created));
    } finally {
      clearInterval(poll);
    }
    expect(max).toBe(2);
    expect(minActive).toBeGreaterThanOrEqual(1);
    const after = okta.listSecrets(appId);
    expect(after.map((x) => x.id)).not.toContain(seededId);
    expect(after.find((x) => x.id === gen1.id)?.status).toBe("INACTIVE");
    expect(after.filter((x) => x.status === "ACTIVE")).toHaveLength(1);
  }, 300_000);

  it("an unchanged up is a no-op with zero Okta writes", async () => {
    const from = okta.requestLog.length;
    const up = await s.stack.up({ onOutput: (o) => outputText.push(o) });
    expect(up.summary.resourceChanges).not.toHaveProperty("update");
    expect(up.summary.resourceChanges).not.toHaveProperty("replace");
    expect(writesSince(okta, from)).toEqual([]);
  }, 300_000);

  it("refuses a secret proof at the org server before any write, in preview and in an up without one", async () => {
    const org = `${okta.orgUrl}/oauth2/v1/token`;
    await setApps(s.stack, [
      { ...app(3), gates: { tokenExchange: true, scope: ROTATION_SCOPE, tokenUrl: org } },
    ]);
    const from = okta.requestLog.length;
    const before = okta.listSecrets(appId).map((x) => `${x.id} ${x.status}`);
    const refusal =
      /gates\.tokenUrl \(app 'svc'\): .* is the org authorization server.*must use the private_key_jwt token_endpoint_auth_method.*set gates\.tokenUrl to a custom authorization server's token endpoint, e\.g\. http:\/\/127\.0\.0\.1:\d+\/oauth2\/default\/v1\/token/;
    await expect(s.stack.preview({ onOutput: (o) => outputText.push(o) })).rejects.toThrow(refusal);
    // The Automation API's up runs no preview first, as `pulumi up --skip-preview`.
    await expect(s.stack.up({ onOutput: (o) => outputText.push(o) })).rejects.toThrow(refusal);
    expect(writesSince(okta, from)).toEqual([]);
    expect(okta.listSecrets(appId).map((x) => `${x.id} ${x.status}`)).toEqual(before);
    await setApps(s.stack, [app(2)]);
  }, 300_000);

  it("refuses, in preview, a bump while a rotation is unfinished, and finishes it when asked", async () => {
    // Generation 3 stops at its gate (a token endpoint that does not exist): the new secret is ACTIVE, the
    // previous one still ACTIVE too — an interrupted rotation.
    await setApps(s.stack, [
      {
        ...app(3),
        gates: { tokenExchange: true, scope: ROTATION_SCOPE, tokenUrl: `${okta.orgUrl}/oauth2/nope/v1/x` },
      },
    ]);
    await expect(s.stack.up({ onOutput: (o) => outputText.push(o) })).rejects.toThrow(/Token exchange gate/);
    expect(okta.listSecrets(appId).map((x) => x.status)).toEqual(["ACTIVE", "ACTIVE"]);

    // Bumping on to 4 would delete the generation-2 secret clients may still hold: refused before any write.
    const from = okta.requestLog.length;
    await setApps(s.stack, [app(4)]);
    await expect(s.stack.preview({ onOutput: (o) => outputText.push(o) })).rejects.toThrow(
      /generation 4 would replace the secret of generation 2, but the rotation to 3 has not finished/,
    );
    expect(writesSince(okta, from)).toEqual([]);

    // Back at 3, the next up finishes: one ACTIVE, one INACTIVE.
    await setApps(s.stack, [app(3)]);
    const up = await s.stack.up({ onOutput: (o) => outputText.push(o) });
    expect(up.summary.result).toBe("succeeded");
    expect(
      okta
        .listSecrets(appId)
        .map((x) => x.status)
        .sort(),
    ).toEqual(["ACTIVE", "INACTIVE"]);
  }, 600_000);

  it("refresh notices a secret deleted out of band", async () => {
    const inactive = okta.listSecrets(appId).find((x) => x.status === "INACTIVE")!;
    const res = await fetch(`${okta.orgUrl}/api/v1/apps/${appId}/credentials/secrets/${inactive.id}`, {
      method: "DELETE",
      headers: { authorization: `SSWS ${okta.apiToken}` },
    });
    expect(res.status).toBe(204);
    const refresh = await s.stack.refresh({ onOutput: (o) => outputText.push(o) });
    expect(refresh.summary.resourceChanges?.delete).toBe(1);
    const state = await s.stack.exportStack();
    const ids = (state.deployment.resources as { id?: string }[]).map((r) => r.id);
    expect(ids).not.toContain(inactive.id);
  }, 300_000);

  it("keeps every secret value, private key member and credential out of the state file", async () => {
    const state = readBackendState(s.backendDir);
    expect(state.length).toBeGreaterThan(1000);
    expect(values.size).toBe(4);
    for (const v of values) expect(state.includes(v)).toBe(false);
    expect(state.includes(okta.apiToken)).toBe(false);
    expect(/"d"\s*:/.test(state)).toBe(false);
    expect(state).toContain("4dabf18193072939515e22adb298388d"); // Pulumi's secret signature: values are encrypted
  }, 300_000);

  it("stores each dynamic provider by reference: under 1 KB per resource, not its implementation", async () => {
    const state = await s.stack.exportStack();
    const dynamicResources = (
      state.deployment.resources as { type: string; inputs?: Record<string, unknown> }[]
    ).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
    expect(dynamicResources.map((r) => r.type)).toContain("pulumi-nodejs:dynamic/okta-rotation:ClientSecret");
    for (const r of dynamicResources) {
      const provider = String(r.inputs?.__provider);
      expect(provider).toMatch(/specifier: "okta-credential-rotation\/dynamic\/\w+", name: "\w+"/);
      expect(provider.length).toBeLessThan(1_000);
      expect(provider).not.toContain("okta-sdk-nodejs");
    }
  }, 300_000);

  it("destroy removes what the stack created and leaves the app its last ACTIVE secret", async () => {
    const active = okta.listSecrets(appId).find((x) => x.status === "ACTIVE")!;
    const destroy = await s.stack.destroy({ onOutput: (o) => outputText.push(o) });
    expect(destroy.summary.result).toBe("succeeded");
    const left = okta.listSecrets(appId);
    expect(left.map((x) => [x.id, x.status])).toEqual([[active.id, "ACTIVE"]]);
  }, 300_000);

  it("never printed a secret value", () => {
    const text = outputText.join("");
    expect(text.length).toBeGreaterThan(0);
    expect(values.size).toBe(4);
    for (const v of values) expect(text.includes(v)).toBe(false);
  });
});
