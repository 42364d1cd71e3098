// The audit record under the real engine: after three rotations, `rotations.<app>.audit` names the secret Okta
// holds ACTIVE with Okta's creation time, the previous one with the time Okta deactivated it, the secret deleted to
// free the slot with the time of that DELETE, and the gates; and `okta-rotation-due --stack … --json` reads it.
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../components";
import { runDue } from "../../due";
import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { createStack, pulumiCommand, REPO_ROOT, setApps, type EngineStack } from "./harness";

interface OktaSecret {
  id: string;
  status: "ACTIVE" | "INACTIVE";
  created: string;
  lastUpdated: string;
}

describe("audit record (real engine)", () => {
  let okta: OktaLocal;
  let s: EngineStack;
  let appId: string;
  const stackName = `test-audit-${process.pid}`;
  const audits: AuditRecord[] = [];
  const app = (generation: number) => ({
    name: "audited",
    appId,
    generation,
    maxCredentialAgeDays: 30,
    gates: { tokenExchange: true, scope: ROTATION_SCOPE },
  });

  /** Okta's own answer: the management API's list of the app's secrets. */
  const oktaSecrets = async (): Promise<OktaSecret[]> =>
    (await (
      await fetch(`${okta.orgUrl}/api/v1/apps/${appId}/credentials/secrets`, {
        headers: { Authorization: `SSWS ${okta.apiToken}` },
      })
    ).json()) as OktaSecret[];

  const rotateTo = async (generation: number): Promise<AuditRecord> => {
    await setApps(s.stack, [app(generation)]);
    const up = await s.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const audit = (up.outputs.rotations!.value as Record<string, { audit: AuditRecord }>).audited!.audit;
    audits.push(audit);
    return audit;
  };

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [{ label: "audited", secrets: 0 }],
      rateLimits: { apps: 10_000, app: 10_000 },
    });
    appId = okta.apps[0]!.id;
    s = await createStack(stackName, { OKTA_ORG_URL: okta.orgUrl, OKTA_API_TOKEN: okta.apiToken });
    for (const g of [1, 2, 3]) await rotateTo(g);
  }, 600_000);

  afterAll(async () => {
    await s?.dispose();
    await okta?.close();
  });

  it("generation 3: the ACTIVE secret and the INACTIVE one as Okta has them, with Okta's times", async () => {
    const audit = audits[2]!;
    const secrets = await oktaSecrets();
    const active = secrets.find((x) => x.status === "ACTIVE")!;
    const inactive = secrets.find((x) => x.status === "INACTIVE")!;
    expect(secrets).toHaveLength(2);
    expect(audit).toMatchObject({
      app: "audited",
      generation: 3,
      kind: "clientSecret",
      credential: { id: active.id, created: active.created },
      previous: { id: inactive.id, generation: 2, deactivatedAt: inactive.lastUpdated },
      rollouts: [],
    });
    // The previous secret is generation 2's, the one generation 2's record delivered.
    expect(audit.previous!.id).toBe(audits[1]!.credential.id);
    // No Vault or Deployment in this stack: nothing recorded for them.
    expect(audit.vault).toBeUndefined();
  });

  it("generation 3 deleted generation 1's secret: its id, and the time Okta answered the DELETE", async () => {
    const audit = audits[2]!;
    const first = audits[0]!.credential.id;
    expect(audit.deleted?.id).toBe(first);
    expect((await oktaSecrets()).map((x) => x.id)).not.toContain(first);
    const [del] = okta.requestLog.filter(
      (e) => e.method === "DELETE" && e.path.endsWith(`/secrets/${first}`),
    );
    expect(del?.status).toBe(204);
    const deletedAt = Date.parse(audit.deleted!.deletedAt);
    expect(deletedAt).toBeGreaterThanOrEqual(del!.time);
    // Before the new secret was created (Okta's times carry whole seconds).
    expect(deletedAt).toBeLessThan(Date.parse(audit.credential.created) + 1000);
  });

  it("each gate's result and time, in the order of the rotation", async () => {
    const audit = audits[2]!;
    expect(audit.gates.map((g) => [g.gate, g.result])).toEqual([
      ["tokenExchange", "token issued"],
      ["refusal", "invalid_client"],
    ]);
    const [exchange, refusal] = audit.gates.map((g) => Date.parse(g.at));
    expect(exchange).toBeGreaterThanOrEqual(Date.parse(audit.credential.created));
    expect(refusal).toBeGreaterThanOrEqual(Date.parse(audit.previous!.deactivatedAt!));
    expect(refusal).toBeGreaterThanOrEqual(exchange!);
    // Generation 1 retired nothing: one gate, no previous, nothing deleted.
    expect(audits[0]!.gates.map((g) => g.gate)).toEqual(["tokenExchange"]);
    expect(audits[0]!.previous).toBeUndefined();
    expect(audits[0]!.deleted).toBeUndefined();
  });

  it("okta-rotation-due --stack --json shows each app's audit record from the stack's outputs", async () => {
    const cli = await pulumiCommand();
    const env = s.stack.workspace.envVars;
    const saved = { ...process.env };
    Object.assign(process.env, env, {
      PATH: `${path.dirname(cli.command)}${path.delimiter}${process.env.PATH ?? ""}`,
    });
    try {
      let out = "";
      const code = await runDue(["--stack", stackName, "--json"], {
        cwd: REPO_ROOT,
        stdout: (t) => (out += t),
        stderr: (t) => (out += t),
      });
      const report = JSON.parse(out) as { apps: { app: string; due: boolean; audit: unknown }[] };
      expect(code).toBe(0);
      expect(report.apps).toEqual([
        expect.objectContaining({
          app: "audited",
          due: false,
          credentialId: audits[2]!.credential.id,
          audit: audits[2],
        }),
      ]);
      expect(report).not.toHaveProperty("auditRecords");
    } finally {
      process.env = saved;
    }
  }, 120_000);
});
