// The policy pack under the real engine: `pulumi preview` of this project's program with the pack, on one stack that
// passes every policy and on one stack per policy that breaks it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandError, type PolicyEvent } from "@pulumi/pulumi/automation";
import { ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { REPO_ROOT, createStack, setApps, type EngineStack } from "./harness";
import { CREDENTIAL_MAX_AGE } from "../../policy/credentialAge";
import { PRIVATE_KEY_JWT_REQUIRED } from "../../policy/authMethod";
import { ROTATION_MIN_OVERLAP } from "../../policy/minOverlap";

// The pack started as a binary analyzer plugin (policy/analyzer): the Node.js language host installed here is built
// from sdk/v3 v3.68.0, which cannot run a policy pack folder itself (docs/operations.md#policy-pack).
const POLICY_PACK = path.join(REPO_ROOT, "policy", "analyzer");

const MAX_AGE_DAYS = 90;
const MIN_OVERLAP_SECONDS = 600;
const DAY_MS = 86_400_000;

interface PolicyRun {
  /** The preview finished (no mandatory violation). */
  ok: boolean;
  violations: PolicyEvent[];
  output: string;
}

describe("policy pack (real engine)", () => {
  let okta: OktaLocal;
  /** How far the local Okta's clock runs behind: credentials it creates meanwhile are that old. */
  let clockOffsetMs = 0;
  let configDir: string;
  let config: string;
  let advisoryConfig: string;
  const stacks: EngineStack[] = [];
  const appId = (label: string) => okta.apps.find((a) => a.label === label)!.id;

  const stack = async (name: string, apps: unknown[]) => {
    const s = await createStack(`test-policy-${name}-${process.pid}`, {
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_API_TOKEN: okta.apiToken,
    });
    stacks.push(s);
    await setApps(s.stack, apps);
    return s;
  };

  const preview = async (s: EngineStack, configFile = config): Promise<PolicyRun> => {
    const violations: PolicyEvent[] = [];
    const out: string[] = [];
    const options = {
      policyPacks: [POLICY_PACK],
      policyPackConfigs: [configFile],
      onOutput: (o: string) => out.push(o),
      onEvent: (e: { policyEvent?: PolicyEvent }) => {
        if (e.policyEvent) violations.push(e.policyEvent);
      },
    };
    try {
      await s.stack.preview(options);
      return { ok: true, violations, output: out.join("") };
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      return { ok: false, violations, output: out.join("") + String(err) };
    }
  };

  /** No secret value of any app appears in what the preview printed. */
  const expectNoSecretIn = (run: PolicyRun) => {
    for (const a of okta.apps) {
      for (const s of okta.listSecrets(a.id)) expect(run.output).not.toContain(s.clientSecret);
    }
  };

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [
        { label: "fresh", secrets: 0 },
        { label: "steady", secrets: 0 },
        { label: "leaky", secrets: 0 },
        { label: "keyed" },
        { label: "aged", secrets: 0 },
        { label: "legacy", secrets: 0 },
        { label: "short" },
      ],
      rateLimits: { apps: 10_000, app: 10_000 },
      now: () => Date.now() - clockOffsetMs,
    });
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), "okta-rotation-policy-"));
    const policies = {
      [CREDENTIAL_MAX_AGE]: { maxAgeDays: MAX_AGE_DAYS },
      [PRIVATE_KEY_JWT_REQUIRED]: { apps: ["keyed", appId("legacy")] },
      [ROTATION_MIN_OVERLAP]: { minOverlapSeconds: MIN_OVERLAP_SECONDS },
    };
    config = path.join(configDir, "policy-config.json");
    fs.writeFileSync(config, JSON.stringify(policies));
    advisoryConfig = path.join(configDir, "policy-config-advisory.json");
    fs.writeFileSync(
      advisoryConfig,
      JSON.stringify({
        ...policies,
        [ROTATION_MIN_OVERLAP]: { ...policies[ROTATION_MIN_OVERLAP], enforcementLevel: "advisory" },
      }),
    );
  }, 120_000);

  afterAll(async () => {
    for (const s of stacks) await s.dispose();
    await okta?.close();
    if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
  });

  it("a stack that keeps every policy previews with no violation", async () => {
    const base = {
      fresh: { name: "fresh", appId: appId("fresh"), generation: 1 },
      steady: { name: "steady", appId: appId("steady"), generation: 1 },
      leaky: { name: "leaky", appId: appId("leaky"), generation: 1 },
      // Required by the policy, and migrated: a KeyRotation.
      keyed: {
        name: "keyed",
        appId: appId("keyed"),
        generation: 1,
        gates: { scope: ROTATION_SCOPE },
        privateKeyJwt: { enabled: true },
      },
    };
    const s = await stack("pass", Object.values(base));
    expect((await s.stack.up()).summary.result).toBe("succeeded");
    // The preview judges: fresh and keyed unchanged (their credentials' ages known), steady rotating with the
    // minimum overlap, leaky revoking (no overlap, on purpose).
    await setApps(s.stack, [
      base.fresh,
      { ...base.steady, generation: 2, gates: { minOverlapSeconds: MIN_OVERLAP_SECONDS } },
      { ...base.leaky, generation: 2, revoke: true },
      base.keyed,
    ]);
    const run = await preview(s);
    expect(run.violations).toEqual([]);
    expect(run.ok).toBe(true);
    expectNoSecretIn(run);

    // The same preview under a stricter config: the policies did look at these apps. Leaky's overlap of 0 is still
    // no violation (a revoke), steady's is now too short, and fresh is now required to use private_key_jwt.
    const stricter = path.join(configDir, "policy-config-stricter.json");
    fs.writeFileSync(
      stricter,
      JSON.stringify({
        [CREDENTIAL_MAX_AGE]: { maxAgeDays: MAX_AGE_DAYS },
        [PRIVATE_KEY_JWT_REQUIRED]: { apps: ["keyed", "fresh"] },
        [ROTATION_MIN_OVERLAP]: { minOverlapSeconds: MIN_OVERLAP_SECONDS + 1 },
      }),
    );
    const strict = await preview(s, stricter);
    expect(strict.ok).toBe(false);
    expect(strict.violations.map((v) => [v.policyName, v.resourceUrn?.split("::").pop()]).sort()).toEqual([
      [PRIVATE_KEY_JWT_REQUIRED, "fresh"],
      [ROTATION_MIN_OVERLAP, "steady-gate"],
    ]);
  }, 600_000);

  it(`${CREDENTIAL_MAX_AGE}: a current secret older than maxAgeDays fails the preview, naming the app and its age`, async () => {
    const ageDays = MAX_AGE_DAYS + 10;
    const s = await stack("age", [{ name: "aged", appId: appId("aged"), generation: 1 }]);
    clockOffsetMs = ageDays * DAY_MS;
    try {
      expect((await s.stack.up()).summary.result).toBe("succeeded");
    } finally {
      clockOffsetMs = 0;
    }
    const run = await preview(s);
    expect(run.ok).toBe(false);
    expect(run.violations.map((v) => [v.policyName, v.enforcementLevel])).toEqual([
      [CREDENTIAL_MAX_AGE, "mandatory"],
    ]);
    const [secret] = okta.listSecrets(appId("aged"));
    expect(run.violations[0]!.message).toContain(
      `SecretRotation 'aged' (app ${appId("aged")}): its current client secret ${secret!.id}`,
    );
    expect(run.violations[0]!.message).toContain(`${ageDays} days ago`);
    expect(run.violations[0]!.resourceUrn).toMatch(/ClientSecret::aged-slot-b$/);
    expectNoSecretIn(run);
  }, 600_000);

  it(`${PRIVATE_KEY_JWT_REQUIRED}: a SecretRotation of an app the policy names fails the preview`, async () => {
    const s = await stack("auth", [{ name: "legacy", appId: appId("legacy"), generation: 1 }]);
    const run = await preview(s);
    expect(run.ok).toBe(false);
    expect(run.violations.map((v) => [v.policyName, v.enforcementLevel])).toEqual([
      [PRIVATE_KEY_JWT_REQUIRED, "mandatory"],
    ]);
    expect(run.violations[0]!.message).toContain(
      `SecretRotation 'legacy' (app ${appId("legacy")}) must authenticate with`,
    );
    expect(run.violations[0]!.resourceUrn).toMatch(/SecretRotation::legacy$/);
  }, 600_000);

  it(`${ROTATION_MIN_OVERLAP}: an overlap below the minimum fails the preview, or warns when the config says advisory`, async () => {
    const [adopted] = okta.listSecrets(appId("short"));
    const overlap = MIN_OVERLAP_SECONDS - 1;
    const s = await stack("overlap", [
      {
        name: "short",
        appId: appId("short"),
        generation: 1,
        adoptSecretId: adopted!.id,
        gates: { minOverlapSeconds: overlap },
      },
    ]);
    const run = await preview(s);
    expect(run.ok).toBe(false);
    expect(run.violations.map((v) => [v.policyName, v.enforcementLevel])).toEqual([
      [ROTATION_MIN_OVERLAP, "mandatory"],
    ]);
    expect(run.violations[0]!.message).toContain(
      `SecretRotation 'short' (app ${appId("short")}): the previous secret stays ACTIVE`,
    );
    expect(run.violations[0]!.message).toContain(`for ${overlap} s`);
    expect(run.violations[0]!.resourceUrn).toMatch(/TokenExchangeGate::short-gate$/);

    const advisory = await preview(s, advisoryConfig);
    expect(advisory.ok).toBe(true);
    expect(advisory.violations.map((v) => v.policyName)).toEqual([ROTATION_MIN_OVERLAP]);
    expect(advisory.violations[0]!.enforcementLevel).not.toBe("mandatory");
  }, 600_000);
});
