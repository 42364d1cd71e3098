// examples/consumer-ts as a user installs it, for the engine tests that run it (consumer, consumerPolicy,
// review): the package packed as npm publishes it, the example's files copied, and `npm install` of the tarball
// and the example's peers, at the versions this repository tests; and the CLI's environment for it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { oktaPluginPath } from "../../local-env/okta-plugin";
import { REPO_ROOT, pulumiCommand } from "./harness";

export const CONSUMER_EXAMPLE = path.join(REPO_ROOT, "examples", "consumer-ts");

/** The version of a package installed in this repository (the one its tests run). */
export function installedVersion(pkg: string): string {
  const manifest = path.join(REPO_ROOT, "node_modules", pkg, "package.json");
  return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version.replace(/^v/, "");
}

/**
 * Packs this package into `work` (test/globalSetup.ts built dist/ from the current sources), copies the example's
 * program into `dir`, and installs there the tarball and `peers` at this repository's versions, as the example's
 * README says. Returns the tarball's path.
 */
export function installPackedExample(work: string, dir: string, peers: readonly string[]): string {
  const run = (args: string[], cwd: string) =>
    execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const packed = JSON.parse(
    run(["pack", "--json", "--ignore-scripts", "--pack-destination", work], REPO_ROOT),
  ) as { filename: string }[];
  const tarball = path.join(work, packed[0]!.filename);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ["index.ts", "Pulumi.yaml", "package.json", "tsconfig.json"])
    fs.copyFileSync(path.join(CONSUMER_EXAMPLE, f), path.join(dir, f));
  run(
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      tarball,
      ...peers.map((p) => `${p}@${installedVersion(p)}`),
    ],
    dir,
  );
  return tarball;
}

/** PATH for the CLI: its own directory, then the local environment's okta plugin where it stands in. */
export async function consumerPath(): Promise<string> {
  const okPlugin = oktaPluginPath();
  return [
    path.dirname((await pulumiCommand()).command),
    ...(okPlugin ? [okPlugin] : []),
    process.env.PATH ?? "",
  ].join(path.delimiter);
}

/** The CLI's environment for a file backend in `backendDir` with a passphrase, on {@link consumerPath}. */
export async function consumerCliEnv(
  backendDir: string,
  passphrase: string,
): Promise<Record<string, string>> {
  return {
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    PATH: await consumerPath(),
  };
}
