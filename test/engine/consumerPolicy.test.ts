// The policy pack as a team runs it on its own program: examples/consumer-ts installed from the tarball `npm pack`
// makes, with @pulumi/policy beside it, and `pulumi preview --policy-pack` of the pack the package installed, with
// the real CLI against the local Okta. The program declares `new SecretRotation("billing", …)` and has no
// okta-credential-rotation:apps: each violation must name the component and its argument.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { consumerCliEnv, installPackedExample, installedVersion } from "./consumerProgram";
import { pulumiCommand } from "./harness";
import { CREDENTIAL_MAX_AGE } from "../../policy/credentialAge";
import { ROTATION_MIN_OVERLAP } from "../../policy/minOverlap";
import { PRIVATE_KEY_JWT_REQUIRED } from "../../policy/authMethod";

/** Where examples/consumer-ts keeps its rotation's generation. */
const GENERATION_KEY = "okta-credential-rotation:generations.billing";
const STACK = `consumer-policy-${process.pid}`;
const DAY_MS = 86_400_000;
const AGE_DAYS = 100;

describe("the shipped policy pack on a program that declares the components itself", () => {
  let okta: OktaLocal;
  /** How far the local Okta's clock runs behind: a credential it creates meanwhile is that old. */
  let clockOffsetMs = 0;
  let work: string;
  let program: string;
  /** The pack as the package installed it, started as a binary analyzer (docs/operations.md#policy-pack). */
  let pack: string;
  let envVars: Record<string, string>;
  const configs: Record<string, string> = {};

  /** The `pulumi` CLI in the program's directory, as a user runs it: exit code and output (stdout, stderr). */
  async function pulumiCli(args: string[]): Promise<{ code: number | null; out: string }> {
    const command = (await pulumiCommand()).command;
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args, "--stack", STACK, "--non-interactive", "--color", "never"], {
        cwd: program,
        env: { ...process.env, ...envVars },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, out }));
    });
  }

  const previewWith = (config: string, ...more: string[]) =>
    pulumiCli(["preview", "--policy-pack", pack, "--policy-pack-config", configs[config]!, ...more]);

  /** No secret value of the app appears in what the CLI printed. */
  const expectNoSecretIn = (out: string) => {
    for (const s of okta.listSecrets(okta.apps[0]!.id)) expect(out).not.toContain(s.clientSecret);
  };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "okta-rotation-consumer-policy-"));
    program = path.join(work, "consumer");
    // The program's dependencies, the tarball, and the pack's framework (an optional peer of the package), at the
    // versions this repository tests.
    installPackedExample(work, program, ["@pulumi/pulumi", "@pulumi/policy"]);
    pack = path.join(program, "node_modules", "okta-credential-rotation", "dist", "policy", "analyzer");

    for (const [name, c] of Object.entries({
      // The example sets no overlap (0 s): its rotations, the adoption's included, pass only without a minimum.
      lenient: { maxAgeDays: 365, minOverlapSeconds: 0 },
      age: { maxAgeDays: 90, minOverlapSeconds: 0 },
      overlap: { maxAgeDays: 365, minOverlapSeconds: 600 },
    })) {
      configs[name] = path.join(work, `policy-${name}.json`);
      fs.writeFileSync(
        configs[name],
        JSON.stringify({
          [CREDENTIAL_MAX_AGE]: { maxAgeDays: c.maxAgeDays },
          [ROTATION_MIN_OVERLAP]: { minOverlapSeconds: c.minOverlapSeconds },
          [PRIVATE_KEY_JWT_REQUIRED]: { apps: [] },
        }),
      );
    }

    okta = await startOktaLocal({
      apps: [{ label: "billing-app" }],
      rateLimits: { apps: 10_000, app: 10_000 },
      now: () => Date.now() - clockOffsetMs,
    });
    const backendDir = path.join(work, "state");
    fs.mkdirSync(backendDir);
    envVars = {
      ...(await consumerCliEnv(backendDir, "consumer-policy-test-passphrase")),
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_API_TOKEN: okta.apiToken,
    };
  }, 600_000);

  afterAll(async () => {
    await okta?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("installs the pack as a policy pack folder, with its launcher executable", () => {
    const dir = path.dirname(pack);
    for (const f of ["PulumiPolicy.yaml", "package.json", "index.js"])
      expect(fs.existsSync(path.join(dir, f))).toBe(true);
    expect(fs.statSync(pack).mode & 0o111).toBe(0o111);
  });

  it("passes a fresh credential, fails an old one and a short overlap, naming SecretRotation 'billing' and its argument", async () => {
    const app = okta.apps[0]!;
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: STACK, workDir: program },
      { envVars, pulumiCommand: await pulumiCommand() },
    );
    await stack.setAllConfig({
      appId: { value: app.id },
      adoptSecretId: { value: okta.listSecrets(app.id)[0]!.id },
    });
    // Where the example keeps its generation (okta-rotation-due bumps it there).
    await stack.setConfig(GENERATION_KEY, { value: "1" }, true);
    // Generation 1, made while the local Okta's clock runs AGE_DAYS behind: its `created` is that old.
    clockOffsetMs = AGE_DAYS * DAY_MS;
    try {
      const up = await pulumiCli(["up", "--yes"]);
      expect(up.code, up.out).toBe(0);
    } finally {
      clockOffsetMs = 0;
    }
    const current = (await stack.outputs()).currentSecretId!.value as string;

    // Within a year: no violation, and the pack did run.
    const pass = await previewWith("lenient");
    expect(pass.code, pass.out).toBe(0);
    expect(pass.out).toMatch(/okta-credential-rotation@v?0\.1\.0/);
    expect(pass.out).not.toMatch(/violation/i);

    // Within 90 days: the current secret is too old. One mandatory violation, in the words of this program.
    const old = await previewWith("age");
    expect(old.code, old.out).not.toBe(0);
    expect(old.out).toContain(CREDENTIAL_MAX_AGE);
    expect(old.out).toContain(
      `SecretRotation 'billing' (app ${app.id}): its current client secret ${current} (generation 1) was created `,
    );
    expect(old.out).toContain(
      `${AGE_DAYS} days ago — older than maxAgeDays (90). Rotate it: bump generation of `,
    );
    // The example keeps its generation in stack config: the message names that key, not an apps list.
    expect(old.out).toContain(
      `SecretRotation 'billing' (kept in stack config as ${GENERATION_KEY}: pulumi config set --path ` +
        `'${GENERATION_KEY}' <n>) by one`,
    );
    expect(old.out).not.toContain("okta-credential-rotation:apps");
    expect(old.out).not.toContain(ROTATION_MIN_OVERLAP);
    expectNoSecretIn(old.out);

    // The bump the message asks for, with the example's overlap (none set: 0 s) against a minimum of 600 s.
    await stack.setConfig(GENERATION_KEY, { value: "2" }, true);
    const short = await previewWith("overlap");
    expect(short.code, short.out).not.toBe(0);
    expect(short.out).toContain(ROTATION_MIN_OVERLAP);
    expect(short.out).toContain(
      `SecretRotation 'billing' (app ${app.id}): the previous secret stays ACTIVE next to the new one for 0 s, ` +
        `less than this policy's minOverlapSeconds (600)`,
    );
    expect(short.out).toContain("Set gates.minOverlapSeconds of SecretRotation 'billing' (where ");
    // The new secret is made by this run: its age is not judged.
    expect(short.out).not.toContain(CREDENTIAL_MAX_AGE);
    expectNoSecretIn(short.out);
    // What the user sees: the CLI's policy report of both previews.
    const report = (out: string) => out.slice(out.indexOf("Policies:"), out.indexOf("Resources:"));
    console.log(`pulumi preview --policy-pack (maxAgeDays 90):\n${report(old.out)}`);
    console.log(`pulumi preview --policy-pack (minOverlapSeconds 600):\n${report(short.out)}`);

    // A mandatory violation stops `pulumi up` before any write.
    const before = okta.listSecrets(app.id).map((s) => [s.id, s.status]);
    const refused = await pulumiCli([
      "up",
      "--yes",
      "--policy-pack",
      pack,
      "--policy-pack-config",
      configs.overlap!,
    ]);
    expect(refused.code, refused.out).not.toBe(0);
    expect(refused.out).toContain(ROTATION_MIN_OVERLAP);
    expect(okta.listSecrets(app.id).map((s) => [s.id, s.status])).toEqual(before);

    // With no minimum overlap, the same bump passes.
    const lenient = await previewWith("lenient");
    expect(lenient.code, lenient.out).toBe(0);
    expect(lenient.out).not.toMatch(/violation/i);
  }, 1_200_000);

  it("without @pulumi/policy in the program, says what to install", async () => {
    const sdk = path.join(program, "node_modules", "@pulumi", "policy");
    const aside = path.join(work, "policy-aside");
    fs.renameSync(sdk, aside);
    try {
      const missing = await previewWith("lenient");
      expect(missing.code).not.toBe(0);
      console.log(`pulumi preview --policy-pack without @pulumi/policy:\n${missing.out}`);
      expect(missing.out).toContain(
        `run npm install --save-dev @pulumi/policy@${installedVersion("@pulumi/policy")} in the program`,
      );
    } finally {
      fs.renameSync(aside, sdk);
    }
  }, 300_000);
});
