// `okta-rotation-due` against the local Okta, whose clock is set back to make credentials old, and a stack config
// file committed in a git repository: an old secret (and an old key) is due, a fresh one is not, and `--write`
// bumps exactly the due apps' generations in the committed file.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDue } from "../../due";
import { outOfBand, startOkta, type OktaLocal } from "./helpers";

const DAY = 86_400_000;
const OLD_DAYS = 100;
const REPO_ROOT = path.resolve(__dirname, "../..");

describe("okta-rotation-due (local Okta, git repository)", () => {
  let okta: OktaLocal;
  let repo: string;
  let clockOffset = -OLD_DAYS * DAY;
  let ids: { old: string; fresh: string; keys: string };
  const file = () => path.join(repo, "Pulumi.prod.yaml");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=ci", "-c", "user.email=ci@example.com", ...args], {
      cwd: repo,
      encoding: "utf8",
    });

  const run = async (...argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await runDue(argv, {
      cwd: repo,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    // Apps made while the local Okta's clock is 100 days back hold secrets (and keys) created then.
    okta = await startOkta({
      apps: [{ label: "old" }, { label: "keys", tokenEndpointAuthMethod: "private_key_jwt", secrets: 0 }],
      now: () => Date.now() + clockOffset,
    });
    const { publicKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    expect(
      await outOfBand(okta, "POST", `/api/v1/apps/${okta.apps[1]!.id}/credentials/jwks`, {
        ...jwk,
        status: "ACTIVE",
      }),
    ).toBe(201);
    clockOffset = 0;
    const fresh = okta.addApp({ label: "fresh" });
    ids = { old: okta.apps[0]!.id, keys: okta.apps[1]!.id, fresh: fresh.id };

    repo = fs.mkdtempSync(path.join(os.tmpdir(), "okta-rotation-due-"));
    fs.writeFileSync(path.join(repo, "Pulumi.yaml"), "name: okta-credential-rotation\nruntime: nodejs\n");
    fs.writeFileSync(
      file(),
      [
        "# Production: bump generation to rotate.",
        "config:",
        `  okta-credential-rotation:oktaOrgUrl: ${okta.orgUrl}`,
        "  okta-credential-rotation:apps:",
        "    - name: old # rotated by the schedule",
        `      appId: ${ids.old}`,
        "      generation: 1",
        "      maxCredentialAgeDays: 90",
        "    - name: fresh",
        `      appId: ${ids.fresh}`,
        "      generation: 5",
        "      maxCredentialAgeDays: 90",
        "    - name: keys",
        `      appId: ${ids.keys}`,
        "      generation: 2",
        "      maxCredentialAgeDays: 30",
        "      privateKeyJwt: { enabled: true, keyGeneration: 3 }",
        "    - name: gone # not an app of this org",
        `      appId: ${okta.apps[0]!.id}-other`,
        "      generation: 1",
        "",
      ].join("\n"),
    );
    // The org URL comes from the file; the token from the environment, as in CI.
    delete process.env.OKTA_ORG_URL;
    git("init", "-q");
    git("add", ".");
    git("commit", "-q", "-m", "stack config");
  }, 60_000);

  afterAll(async () => {
    await okta?.close();
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
  });

  it("an app whose listing fails is an error: exit 1, nothing written", async () => {
    const r = await run("--stack", "prod", "--write");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^error: Okta refused to list the credentials of app 'gone' .*HTTP 404/m);
    expect(git("status", "--porcelain")).toBe("");
    // Without it, the rest of the test.
    const text = fs.readFileSync(file(), "utf8");
    fs.writeFileSync(file(), text.slice(0, text.indexOf("    - name: gone")));
    git("commit", "-q", "-am", "drop the unknown app");
  });

  it("prints the table: the old secret and the old key are due, the fresh secret is not; exit 3", async () => {
    okta.clearLog();
    const r = await run("--stack", "prod");
    expect(r.code).toBe(3);
    // Read-only: one list call per app, nothing written to Okta.
    expect(
      okta.requestLog.map((e) => `${e.method} ${e.path.replace(/^\/api\/v1\/apps\/[^/]+/, "…")}`),
    ).toEqual(["GET …/credentials/secrets", "GET …/credentials/secrets", "GET …/credentials/jwks"]);
    const secrets = (id: string) => okta.listSecrets(id);
    const [oldSecret] = secrets(ids.old);
    const [freshSecret] = secrets(ids.fresh);
    const [key] = okta.listKeys(ids.keys);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^APP\s+CREDENTIAL\s+CREATED\s+AGE \(DAYS\)\s+MAX\s+DUE$/);
    const cells = lines.slice(1).map((l) => l.split(/\s{2,}/));
    expect(cells).toEqual([
      ["old", oldSecret!.id, oldSecret!.created, String(OLD_DAYS), "90", "due"],
      ["fresh", freshSecret!.id, freshSecret!.created, "0", "90", "no"],
      ["keys", key!.id, expect.any(String), String(OLD_DAYS), "30", "due"],
    ]);
    expect(git("status", "--porcelain")).toBe("");
  });

  it("--as-of measures the ages at another date: what will be due then", async () => {
    const [freshSecret] = okta.listSecrets(ids.fresh);
    const created = Date.parse(freshSecret!.created!);
    const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    // 89 whole days after the fresh secret's day: not yet; 91: due (max 90).
    const before = await run("--stack", "prod", "--json", "--as-of", dayOf(created + 89 * DAY));
    const after = await run("--stack", "prod", "--json", "--as-of", dayOf(created + 92 * DAY));
    const fresh = (r: { stdout: string }) =>
      (JSON.parse(r.stdout) as { apps: { app: string; ageDays: number; due: boolean }[] }).apps.find(
        (a) => a.app === "fresh",
      );
    expect(fresh(before)).toMatchObject({ due: false });
    expect(fresh(before)!.ageDays).toBeLessThan(90);
    expect(fresh(after)).toMatchObject({ due: true });
    expect(fresh(after)!.ageDays).toBeGreaterThanOrEqual(90);
    expect(git("status", "--porcelain")).toBe("");
  });

  it("--json says the same, with Okta's ids and creation times, and that the audit records were not read", async () => {
    const r = await run("--config-file", file(), "--json");
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as {
      apps: { app: string; credentialId: string; created: string; ageDays: number; due: boolean }[];
      due: string[];
      written: string[];
      exitCode: number;
      auditRecords: string;
    };
    // Okta's own answer for the key: `created` is not in the local Okta's key view.
    const listed = (await (
      await fetch(`${okta.orgUrl}/api/v1/apps/${ids.keys}/credentials/jwks`, {
        headers: { Authorization: `SSWS ${okta.apiToken}` },
      })
    ).json()) as { keys: { id: string; created: string }[] };
    expect(report.apps.find((a) => a.app === "keys")).toMatchObject({
      credentialId: listed.keys[0]!.id,
      created: listed.keys[0]!.created,
      ageDays: OLD_DAYS,
      due: true,
    });
    expect(report.due).toEqual(["old", "keys"]);
    expect(report.written).toEqual([]);
    expect(report.exitCode).toBe(3);
    expect(report.auditRecords).toMatch(/^not read: give --stack/);
  });

  it("the okta-rotation-due bin (what npx runs) with --write bumps exactly the due apps' generations in the committed file; exit 0", async () => {
    // Run as a separate process, as `npx okta-rotation-due` does (the local Okta answers from this one).
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [path.join(REPO_ROOT, "dist/due/bin.js"), "--stack", "prod", "--write"],
        { cwd: repo, env: process.env, encoding: "utf8" },
        (_err, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
      );
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^old\s.*due, bumped \(generation 1 → 2\)$/m);
    expect(r.stdout).toMatch(/^keys\s.*due, bumped \(privateKeyJwt\.keyGeneration 3 → 4\)$/m);
    const diff = git("diff", "-U0", "--no-color")
      .split("\n")
      .filter((l) => /^[-+] /.test(l));
    expect(diff).toEqual([
      "-      generation: 1",
      "+      generation: 2",
      "-      privateKeyJwt: { enabled: true, keyGeneration: 3 }",
      "+      privateKeyJwt: { enabled: true, keyGeneration: 4 }",
    ]);
    // The generation of 'fresh' and every comment are as committed.
    expect(fs.readFileSync(file(), "utf8")).toMatch(/generation: 5\n/);
    expect(fs.readFileSync(file(), "utf8")).toMatch(/^# Production: bump generation to rotate\.$/m);
  });

  it("refuses a due app that is rolled back, bumps the others, exits 4", async () => {
    git("checkout", "-q", "--", ".");
    fs.writeFileSync(
      file(),
      fs
        .readFileSync(file(), "utf8")
        .replace("      generation: 1\n", "      generation: 2\n      rollback: true\n"),
    );
    const r = await run("--stack", "prod", "--write");
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^refused: app 'old' is rolled back \(rollback: true\)/m);
    const text = fs.readFileSync(file(), "utf8");
    expect(text).toMatch(
      /name: old # rotated by the schedule\n.*\n      generation: 2\n      rollback: true/,
    );
    expect(text).toMatch(/keyGeneration: 4/);
  });
});
