// The stacks of this project's program that the demo, the drills and the tests run under the real Pulumi
// engine: a file backend in a temp dir, a passphrase secrets provider, the CLI scripts/install-pulumi.sh installs.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";

export const REPO_ROOT = path.resolve(__dirname, "..");
export const PROJECT = "okta-credential-rotation";

/** The Pulumi CLI installed by scripts/install-pulumi.sh, in the version of the @pulumi/pulumi package. */
export async function pulumiCommand(): Promise<PulumiCommand> {
  const version: string = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
  ).version;
  const root = path.join(os.homedir(), ".pulumi", "versions", version);
  if (!fs.existsSync(path.join(root, "bin", "pulumi"))) {
    throw new Error(
      `No Pulumi CLI in ${root}/bin: run 'bash scripts/install-pulumi.sh' first (npm test does).`,
    );
  }
  return PulumiCommand.get({ root });
}

export interface EngineStack {
  stack: Stack;
  backendDir: string;
  /** Removes the stack, its config file and its backend. */
  dispose(): Promise<void>;
}

/**
 * A stack of this project's own program (or of the program in `workDir`), with a file backend in a temp dir and
 * a passphrase secrets provider, run with `env` (e.g. the Okta at `env.OKTA_ORG_URL`). The CLI's directory goes
 * first on PATH, before `env.PATH` if given.
 */
export async function createStack(
  name: string,
  env: Record<string, string>,
  workDir: string = REPO_ROOT,
): Promise<EngineStack> {
  const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "okta-rotation-state-"));
  const pulumiCmd = await pulumiCommand();
  const binDir = path.dirname(pulumiCmd.command);
  const envVars: Record<string, string> = {
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    ...env,
    PATH: `${binDir}${path.delimiter}${env.PATH ?? process.env.PATH ?? ""}`,
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: name, workDir },
    { envVars, pulumiCommand: pulumiCmd },
  );
  return {
    stack,
    backendDir,
    async dispose() {
      try {
        await stack.workspace.removeStack(name, { force: true });
      } catch {
        // Already gone.
      }
      fs.rmSync(path.join(workDir, `Pulumi.${name}.yaml`), { force: true });
      fs.rmSync(backendDir, { recursive: true, force: true });
    },
  };
}

/** Sets the `apps` config of this project. */
export async function setApps(stack: Stack, apps: unknown[]): Promise<void> {
  await stack.setConfig(`${PROJECT}:apps`, { value: JSON.stringify(apps) });
}
