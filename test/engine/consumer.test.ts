// examples/consumer-ts as a team uses it: a Pulumi program of its own that installs this package from the
// tarball `npm pack` makes, defines its app with @pulumi/okta (`okta.app.OAuth`) and adds a rotation beside it.
// Under the real engine against the local Okta, with the CLI as a user runs it: the first `pulumi preview` (the app
// does not exist yet), `pulumi up`, a bump's `pulumi preview --diff`, `pulumi up`; then the same state is refreshed and rotated
// again from the program moved to another path, and destroyed. State must name the providers by package, nothing
// of either path, and stay small. The `okta` resource plugin is the local environment's stand-in
// (local-env/okta-plugin/) where the official one is not installed.
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_AUTH_SERVER_ID, ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { api } from "../../local-env/okta/test-helpers";
import { consumerCliEnv, installPackedExample } from "./consumerProgram";
import { REPO_ROOT, pulumiCommand } from "./harness";

const EXAMPLE_JS = path.join(REPO_ROOT, "examples", "consumer-js");
const STACK = `consumer-${process.pid}`;
const TSC = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** `tsc` of the repository run in `cwd`: exit status and output. */
function tsc(cwd: string, args: string[]): { status: number; out: string } {
  try {
    return { status: 0, out: run(process.execPath, [TSC, ...args], cwd) };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, out: `${e.stdout}${e.stderr}` };
  }
}

/**
 * What a new org's `default` authorization server has: an access policy for all clients whose rule allows
 * client_credentials for any scope (Okta's "Default Policy" and "Default Policy Rule"). The local Okta seeds a
 * policy that names its seeded apps only; this one admits the app the example creates.
 */
async function admitAllClients(okta: OktaLocal): Promise<void> {
  const base = `/api/v1/authorizationServers/${DEFAULT_AUTH_SERVER_ID}/policies`;
  const policy = await api(okta, "POST", base, {
    body: {
      type: "OAUTH_AUTHORIZATION_POLICY",
      name: "Default Policy",
      description: "Default policy description",
      status: "ACTIVE",
      conditions: { clients: { include: ["ALL_CLIENTS"] } },
    },
  });
  expect(policy.status).toBe(201);
  const rule = await api(okta, "POST", `${base}/${String(policy.json.id)}/rules`, {
    body: {
      type: "RESOURCE_ACCESS",
      name: "Default Policy Rule",
      conditions: {
        people: { groups: { include: ["EVERYONE"] } },
        grantTypes: { include: ["client_credentials"] },
        scopes: { include: ["*"] },
      },
    },
  });
  expect(rule.status).toBe(201);
}

/** Pulumi's placeholder for a value not known in a preview (UnknownStringValue): never to reach Okta or a message. */
const UNKNOWN_PLACEHOLDER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Where examples/consumer-ts keeps its rotation's generation (and okta-rotation-due bumps it). */
const GENERATION_KEY = "okta-credential-rotation:generations.billing";

interface StateResource {
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

describe("a program that installs the packed package", () => {
  let okta: OktaLocal;
  let work: string;
  let first: string;
  let moved: string;
  let envVars: Record<string, string>;

  async function stackAt(dir: string, stackName = STACK): Promise<Stack> {
    return LocalWorkspace.createOrSelectStack(
      { stackName, workDir: dir },
      { envVars, pulumiCommand: await pulumiCommand() },
    );
  }

  /** `command` run in `dir` with the test's environment: exit code and output (stdout, stderr). */
  function runIn(
    dir: string,
    command: string,
    args: string[],
  ): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: dir,
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

  /** The `pulumi` CLI in `dir` on the test's stack, as a user runs it. */
  async function pulumiCli(dir: string, args: string[]): Promise<{ code: number | null; out: string }> {
    const stack = args.includes("--stack") ? [] : ["--stack", STACK];
    const command = (await pulumiCommand()).command;
    return runIn(dir, command, [...args, ...stack, "--non-interactive", "--color", "never"]);
  }

  /** The okta-rotation-due bin the package installed, run in `dir` as a schedule runs it. */
  function dueCli(dir: string, args: string[]): Promise<{ code: number | null; out: string }> {
    return runIn(dir, path.join(dir, "node_modules", ".bin", "okta-rotation-due"), args);
  }

  async function dynamicResources(stack: Stack): Promise<StateResource[]> {
    const state = (await stack.exportStack()).deployment as { resources?: StateResource[] };
    return (state.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
  }

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "okta-rotation-consumer-"));
    first = path.join(work, "first", "consumer");
    moved = path.join(work, "second", "elsewhere", "consumer");
    // As the example's README says, with the tarball's path here and the engine's SDK version pinned.
    installPackedExample(work, first, ["@pulumi/pulumi"]);

    okta = await startOktaLocal({ apps: [{ label: "consumer-js" }] });
    await admitAllClients(okta);
    const backendDir = path.join(work, "state");
    fs.mkdirSync(backendDir);
    envVars = {
      ...(await consumerCliEnv(backendDir, "consumer-test-passphrase")),
      // This package's resources find the org by OKTA_ORG_URL; @pulumi/okta's plugin by its own variables, where
      // `http_proxy` replaces the org URL (terraform-provider-okta, okta/api/idaas.go).
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_ORG_NAME: "local",
      OKTA_HTTP_PROXY: okta.orgUrl,
      OKTA_API_TOKEN: okta.apiToken,
    };
  }, 600_000);

  afterAll(async () => {
    await okta?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("installs without tsx, and the package's types check a consumer's code", () => {
    expect(fs.existsSync(path.join(first, "node_modules", "tsx"))).toBe(false);
    expect(fs.existsSync(path.join(first, "node_modules", "okta-credential-rotation", "dist"))).toBe(true);
    // The example as it is: Pulumi's TypeScript template tsconfig (moduleResolution "node"), with esModuleInterop,
    // which zod's types (the config schema's) need, and skipLibCheck: the package's declarations name the types of
    // its optional peers (@pulumi/vault, @pulumi/kubernetes), which this program does not install.
    expect(tsc(first, ["--noEmit", "-p", "."])).toEqual({ status: 0, out: "" });
    // Types, not `any`: a wrong argument is refused, and every entry point resolves.
    fs.writeFileSync(
      path.join(first, "wrong.ts"),
      [
        'import { SecretRotation } from "okta-credential-rotation";',
        'import { ClientSecret } from "okta-credential-rotation/dynamic";',
        'import { TokenExchangeGate } from "okta-credential-rotation/dynamic/tokenExchangeGate";',
        'import { createTokenClient } from "okta-credential-rotation/client";',
        'new SecretRotation("x", { appId: "0oa1", generation: "2" });',
        "export { ClientSecret, TokenExchangeGate, createTokenClient };",
        "",
      ].join("\n"),
    );
    const wrong = tsc(first, [
      "--noEmit",
      "--strict",
      "--target",
      "es2020",
      "--module",
      "commonjs",
      "--moduleResolution",
      "node",
      "--esModuleInterop",
      "--skipLibCheck",
      "--types",
      "node",
      "wrong.ts",
    ]);
    fs.rmSync(path.join(first, "wrong.ts"));
    expect(wrong.status).not.toBe(0);
    const errors = wrong.out.split("\n").filter((l) => /error TS\d+/.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /wrong\.ts\(5,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  }, 300_000);

  it("creates the app with okta.app.OAuth, rotates it, refreshes and rotates again from another path, with the providers named by package", async () => {
    let stack = await stackAt(first);
    await stack.setAllConfig({
      label: { value: "consumer-billing" },
      tokenUrl: { value: `${okta.orgUrl}/oauth2/default/v1/token` },
      scope: { value: ROTATION_SCOPE },
    });
    // Where the example keeps its generation: `pulumi config set --path …generations.billing 1`.
    await stack.setConfig(GENERATION_KEY, { value: "1" }, true);

    // As a user does, with the CLI: the first preview (the app not created yet: its id is unknown), then up.
    const preview1 = await pulumiCli(first, ["preview"]);
    expect(preview1.code, preview1.out).toBe(0);
    expect(preview1.out).not.toContain(UNKNOWN_PLACEHOLDER);
    for (const step of [
      "okta:app:OAuth billing",
      "okta-rotation:index:SecretRotation billing",
      "pulumi-nodejs:dynamic/okta-rotation:GeneratedSecret billing-generated",
      "pulumi-nodejs:dynamic/okta-rotation:ClientSecret billing-slot-b",
      "pulumi-nodejs:dynamic/okta-rotation:ClientSecret billing-slot-a",
    ])
      expect(preview1.out).toContain(`+  ${step} create`);
    expect(okta.apps.filter((a) => a.label === "consumer-billing")).toEqual([]);
    const cliUp1 = await pulumiCli(first, ["up", "--yes"]);
    expect(cliUp1.code, cliUp1.out).toBe(0);
    const up1 = { outputs: await stack.outputs() };
    const appId = up1.outputs.appId!.value as string;
    const app = await api(okta, "GET", `/api/v1/apps/${appId}`);
    expect(app.json).toMatchObject({
      label: "consumer-billing",
      status: "ACTIVE",
      signOnMode: "OPENID_CONNECT",
    });
    // The secret Okta generated with the app is generation 0: INACTIVE once generation 1 is delivered.
    const gen1 = up1.outputs.currentSecretId!.value as string;
    const secrets1 = okta.listSecrets(appId).map((s) => [s.id, s.status]);
    expect(secrets1).toHaveLength(2);
    expect(secrets1).toContainEqual([gen1, "ACTIVE"]);
    const generatedId = secrets1.find(([id]) => id !== gen1)![0]!;
    expect(secrets1).toContainEqual([generatedId, "INACTIVE"]);
    // The app's state holds no secret (omitSecret): not even encrypted.
    const appState = (
      (await stack.exportStack()).deployment as { resources: StateResource[] }
    ).resources.find((r) => r.type === "okta:app/oAuth:OAuth")!;
    expect(appState.outputs?.clientSecret ?? "").toBe("");
    expect(JSON.stringify(appState)).not.toContain("ciphertext");

    const resources = await dynamicResources(stack);
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) {
      const stored = [r.inputs?.__provider, r.outputs?.__provider] as string[];
      for (const text of stored) {
        expect(text).toMatch(/require\("okta-credential-rotation\/dynamic\/[A-Za-z]+"\)/);
        expect(text).not.toContain(work);
        expect(text).not.toContain(REPO_ROOT);
        expect(text).not.toContain("tsx");
        expect(text).not.toContain("okta-sdk-nodejs");
      }
    }
    const perResource = resources.map(
      (r) => String(r.inputs!.__provider).length + String(r.outputs!.__provider).length,
    );
    console.log(
      `state: ${resources.length} dynamic resources, provider text per resource (inputs + outputs) ` +
        `${Math.min(...perResource)}-${Math.max(...perResource)} bytes`,
    );
    // A reference, not an implementation: every resource stores the same few lines, which differ only in the
    // module and the export they name.
    const templates = new Set(
      resources.map((r) =>
        String(r.inputs!.__provider)
          .replace(/require\("okta-credential-rotation\/dynamic\/[A-Za-z]+"\)/g, "require(M)")
          .replace(/name: "[A-Za-z]+"/, "name: N"),
      ),
    );
    expect(templates.size).toBe(1);

    // A bump, reviewed as in a pull request: the diff names the slot replaced and the one retired.
    await stack.setConfig(GENERATION_KEY, { value: "2" }, true);
    const preview2 = await pulumiCli(first, ["preview", "--diff"]);
    expect(preview2.code, preview2.out).toBe(0);
    expect(preview2.out).not.toContain(UNKNOWN_PLACEHOLDER);
    const step = (kind: "replace" | "update", name: string, from: string, to: string) =>
      new RegExp(
        `${kind === "replace" ? "\\+-" : "~ "}pulumi-nodejs:dynamic/okta-rotation:ClientSecret: \\(${kind}\\)\\n` +
          `\\s+\\[id=\\w+\\]\\n\\s+\\[urn=\\S+::${name}\\]\\n(?:.*\\n)*?` +
          `\\s+~ status\\s+: "${from}" => "${to}"`,
      );
    // Slot a (generation 0, the adopted secret, INACTIVE) is replaced by generation 2; slot b is retired.
    expect(preview2.out).toMatch(step("replace", "billing-slot-a", "INACTIVE", "ACTIVE"));
    expect(preview2.out).toMatch(step("update", "billing-slot-b", "ACTIVE", "INACTIVE"));
    expect(preview2.out).toMatch(/~ generation\s*: 0 => 2/);
    expect(preview2.out).toMatch(/\+-1 to replace/);
    expect(okta.listSecrets(appId)).toHaveLength(2);
    const cliUp2 = await pulumiCli(first, ["up", "--yes"]);
    expect(cliUp2.code, cliUp2.out).toBe(0);
    const up2 = { outputs: await stack.outputs() };
    const gen2 = up2.outputs.currentSecretId!.value as string;
    expect(okta.listSecrets(appId).map((s) => [s.id, s.status])).toEqual(
      expect.arrayContaining([
        [gen1, "INACTIVE"],
        [gen2, "ACTIVE"],
      ]),
    );
    expect(okta.listSecrets(appId).map((s) => s.id)).not.toContain(generatedId);

    // The same program and stack, at another path: the first one is gone.
    fs.mkdirSync(path.dirname(moved), { recursive: true });
    fs.renameSync(first, moved);
    stack = await stackAt(moved);
    const refresh = await stack.refresh();
    expect(refresh.summary.result).toBe("succeeded");
    expect(Object.keys(refresh.summary.resourceChanges ?? {})).toEqual(["same"]);

    // The schedule's bump: okta-rotation-due, installed with the package, reads the rotation from the stack's state
    // and the secret's age from Okta, and bumps the generation where the program keeps it.
    const configFile = path.join(moved, `Pulumi.${STACK}.yaml`);
    const before = fs.readFileSync(configFile, "utf8");
    const fresh = await dueCli(moved, ["--stack", STACK]);
    expect(fresh.code, fresh.out).toBe(0);
    expect(fresh.out).toMatch(new RegExp(`billing\\s+${gen2}\\s+\\S+\\s+0\\s+90\\s+no`));
    const asOf = new Date(Date.now() + 100 * 86_400_000).toISOString().slice(0, 10);
    const bumped = await dueCli(moved, ["--stack", STACK, "--as-of", asOf, "--write"]);
    expect(bumped.code, bumped.out).toBe(0);
    expect(bumped.out).toContain(`due, bumped (${GENERATION_KEY} 2 → 3)`);
    expect(bumped.out).toContain(`bumped in ${configFile}: billing`);
    const after = fs.readFileSync(configFile, "utf8");
    expect(after).not.toBe(before);
    expect(after.replace(/\d+/g, "#")).toBe(before.replace(/\d+/g, "#"));
    expect((await stack.getConfig(GENERATION_KEY, true)).value).toBe("3");
    for (const s of okta.listSecrets(appId)) expect(bumped.out + fresh.out).not.toContain(s.clientSecret);
    const up3 = await stack.up();
    expect(up3.summary.result).toBe("succeeded");
    const gen3 = up3.outputs.currentSecretId!.value as string;
    expect(up3.outputs.currentGeneration!.value).toBe(3);
    expect(
      okta
        .listSecrets(appId)
        .map((s) => [s.id, s.status])
        .sort(),
    ).toEqual(
      [
        [gen2, "INACTIVE"],
        [gen3, "ACTIVE"],
      ].sort(),
    );

    const down = await stack.destroy();
    expect(down.summary.result).toBe("succeeded");
    expect(await dynamicResources(stack)).toEqual([]);
    // The app was the program's: destroy deactivates and deletes it, as @pulumi/okta does.
    expect((await api(okta, "GET", `/api/v1/apps/${appId}`)).status).toBe(404);
    await stack.workspace.removeStack(STACK);
  }, 1_200_000);

  it("runs the JavaScript example with the same package, compiled code only", async () => {
    const js = path.join(work, "consumer-js");
    fs.mkdirSync(js);
    for (const f of ["index.js", "Pulumi.yaml", "package.json"])
      fs.copyFileSync(path.join(EXAMPLE_JS, f), path.join(js, f));
    // The TypeScript example's installation (it has the same dependencies), wherever it is now.
    const installed = [moved, first].find((d) => fs.existsSync(path.join(d, "node_modules")))!;
    fs.symlinkSync(path.join(installed, "node_modules"), path.join(js, "node_modules"), "dir");
    const app = okta.apps[0]!.id;
    const stack = await stackAt(js, `${STACK}-js`);
    await stack.setAllConfig({
      appId: { value: app },
      generation: { value: "1" },
      adoptSecretId: { value: okta.listSecrets(app)[0]!.id },
      tokenUrl: { value: `${okta.orgUrl}/oauth2/default/v1/token` },
    });
    // A wrong argument of a component, as the user sees it: one error line naming the rotation, the argument and
    // the fix, no stack trace, and nothing written.
    const secretsBefore = okta.listSecrets(app);
    const refused = await pulumiCli(js, ["preview", "--stack", `${STACK}-js`]);
    expect(refused.code).not.toBe(0);
    // Pulumi shows the error in the progress and once in its Diagnostics.
    const said = (text: string) => text.split("\n").filter((l) => l.includes("SecretRotation 'billing'"));
    expect(said(refused.out).length, refused.out).toBeGreaterThan(0);
    for (const line of said(refused.out))
      expect(line).toMatch(
        /error: SecretRotation 'billing': gates\.scope is required with gates\.tokenExchange/,
      );
    expect(said(refused.out.slice(refused.out.indexOf("Diagnostics:"))), refused.out).toHaveLength(1);
    expect(refused.out).not.toMatch(/^\s+at /m);
    expect(refused.out).not.toContain("unhandled exception");
    expect(okta.listSecrets(app)).toEqual(secretsBefore);
    await stack.setConfig("scope", { value: ROTATION_SCOPE });
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    const current = up.outputs.currentSecretId!.value as string;
    expect(okta.listSecrets(app).find((s) => s.status === "ACTIVE")?.id).toBe(current);
    for (const r of await dynamicResources(stack))
      expect(String(r.inputs!.__provider)).toMatch(
        /require\("okta-credential-rotation\/dynamic\/[A-Za-z]+"\)/,
      );
    expect((await stack.destroy()).summary.result).toBe("succeeded");
    await stack.workspace.removeStack(`${STACK}-js`);
  }, 600_000);
});
