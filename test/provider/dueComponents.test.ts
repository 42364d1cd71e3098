// `okta-rotation-due` on the stack of a program that uses the components, against the local Okta (its clock set
// back to make a secret old): the rotations come from the stack's state (here a `pulumi stack export` given to the
// command), the ages from Okta, and `--write` bumps the convention's entries in the stack config file, refusing a
// rotation whose generation the program passes itself.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDue } from "../../due";
import { startOkta, type OktaLocal } from "./helpers";

const DAY = 86_400_000;
const STACK = "urn:pulumi:prod::team::";

/** A state with one SecretRotation per app: `source` is where each keeps its generation. */
function exportOf(rotations: { name: string; appId: string; generation: number; source: string }[]) {
  return {
    version: 3,
    deployment: {
      resources: rotations.flatMap((r) => {
        const urn = `${STACK}okta-rotation:index:SecretRotation::${r.name}`;
        return [
          {
            urn,
            type: "okta-rotation:index:SecretRotation",
            outputs: {
              audit: { app: r.name, generation: r.generation, kind: "clientSecret" },
              generationSource: r.source,
              maxCredentialAgeDays: 90,
            },
          },
          {
            urn: `${urn}-slot-a`,
            type: "pulumi-nodejs:dynamic/okta-rotation:ClientSecret",
            parent: urn,
            inputs: { appId: r.appId, __slot: { generation: r.generation, rollback: false } },
          },
        ];
      }),
    },
  };
}

describe("okta-rotation-due on a component program's stack (local Okta)", () => {
  let okta: OktaLocal;
  let dir: string;
  let clockOffset = -100 * DAY;
  let state: unknown;
  const file = () => path.join(dir, "Pulumi.prod.yaml");

  const run = async (...argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await runDue(argv, {
      cwd: dir,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      exportStack: () => Promise.resolve({ json: state }),
    });
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    okta = await startOkta({
      apps: [{ label: "billing" }, { label: "ledger" }],
      now: () => Date.now() + clockOffset,
    });
    clockOffset = 0;
    const fresh = okta.addApp({ label: "fresh" });
    state = exportOf([
      { name: "billing", appId: okta.apps[0]!.id, generation: 4, source: "stackConfig" },
      { name: "ledger", appId: okta.apps[1]!.id, generation: 2, source: "argument" },
      { name: "fresh", appId: fresh.id, generation: 1, source: "stackConfig" },
    ]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "okta-rotation-due-components-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: team\nruntime: nodejs\n");
    fs.writeFileSync(
      file(),
      [
        "config:",
        `  okta-credential-rotation:oktaOrgUrl: ${okta.orgUrl}`,
        "  okta-credential-rotation:generations:",
        "    billing: 4 # rotated by the schedule",
        "    fresh: 1",
        "  team:label: billing",
        "",
      ].join("\n"),
    );
  }, 60_000);

  afterAll(async () => {
    await okta?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reports each rotation of the state with its age; --write bumps the entry it reads and refuses the one it cannot", async () => {
    const before = fs.readFileSync(file(), "utf8");
    const report = await run("--stack", "prod");
    expect(report.code, report.stderr).toBe(3);
    const cells = report.stdout
      .trimEnd()
      .split("\n")
      .slice(1, 4)
      .map((l) => l.split(/\s{2,}/));
    expect(cells.map((c) => [c[0], c[3], c[4], c[5]])).toEqual([
      ["billing", "100", "90", "due"],
      ["ledger", "100", "90", "due, refused"],
      ["fresh", "0", "90", "no"],
    ]);
    expect(report.stdout).toMatch(/refused: SecretRotation 'ledger' takes its generation from the program/);
    expect(fs.readFileSync(file(), "utf8")).toBe(before);

    const write = await run("--stack", "prod", "--write");
    expect(write.code, write.stderr).toBe(4);
    expect(write.stdout).toContain("due, bumped (okta-credential-rotation:generations.billing 4 → 5)");
    expect(write.stdout).toMatch(/ledger .* due, refused/);
    expect(fs.readFileSync(file(), "utf8")).toBe(before.replace("billing: 4 #", "billing: 5 #"));

    // Bumped, not applied yet: the next run does not bump it again.
    const again = await run("--stack", "prod", "--write", "--json");
    const billing = (
      JSON.parse(again.stdout) as { apps: { app: string; refused?: string; audit: unknown }[] }
    ).apps[0]!;
    expect(billing.refused).toMatch(/generations\.billing = 5, but the stack's last pulumi up reached 4/);
    expect(billing.audit).toEqual({ app: "billing", generation: 4, kind: "clientSecret" });
    expect(fs.readFileSync(file(), "utf8")).toBe(before.replace("billing: 4 #", "billing: 5 #"));
    for (const a of okta.apps)
      for (const s of okta.listSecrets(a.id))
        expect(report.stdout + write.stdout + again.stdout).not.toContain(s.clientSecret);
  });

  it("a component program's stack needs --stack, and --max-age-days is only for it", async () => {
    const noStack = await run("--config-file", file());
    expect(noStack.code).toBe(1);
    expect(noStack.stderr).toMatch(
      /has no team:apps list, so the stack runs a program that uses the components: give --stack/,
    );
    const listed = path.join(dir, "Pulumi.listed.yaml");
    fs.writeFileSync(listed, "config:\n  team:apps:\n    - { name: a, appId: 0oa1, generation: 1 }\n");
    const wrongFlag = await run("--config-file", listed, "--max-age-days", "30");
    expect(wrongFlag.code).toBe(1);
    expect(wrongFlag.stderr).toMatch(/--max-age-days is for a program that uses the components/);
    state = { version: 3, deployment: { resources: [] } };
    const empty = await run("--stack", "prod");
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/stack 'prod' has no SecretRotation or KeyRotation in its state/);
  });
});
