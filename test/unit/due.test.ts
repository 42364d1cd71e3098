import { describe, expect, it } from "vitest";
import { parseAppsConfig, type AppConfigInput } from "../../components/config";
import {
  EXIT,
  ageInDays,
  appsToBump,
  applyBumps,
  configSource,
  currentCredential,
  dueRow,
  exitCodeOf,
  formatTable,
  parseArgs,
  readStackConfig,
} from "../../due";

const NS = "okta-credential-rotation";
const KEY = `${NS}:apps`;
const DAY = 86_400_000;
const NOW = Date.parse("2026-06-30T12:00:00.000Z");
const daysAgo = (d: number) => new Date(NOW - d * DAY).toISOString();
const app = (extra: Partial<AppConfigInput> = {}) =>
  parseAppsConfig(
    [{ name: "billing", appId: "0oa1", generation: 3, maxCredentialAgeDays: 90, ...extra }],
    NS,
  )[0]!;

describe("currentCredential", () => {
  it("is the ACTIVE credential created last, with the count of ACTIVE ones", () => {
    expect(
      currentCredential([
        { id: "ocsOld", status: "ACTIVE", created: daysAgo(100) },
        { id: "ocsNew", status: "ACTIVE", created: daysAgo(2) },
        { id: "ocsNewest", status: "INACTIVE", created: daysAgo(1) },
      ]),
    ).toEqual({ id: "ocsNew", created: daysAgo(2), active: 2 });
    expect(currentCredential([{ id: "ocsA", status: "INACTIVE", created: daysAgo(1) }])).toBeUndefined();
  });
});

describe("ageInDays", () => {
  it("counts whole days, rounded down", () => {
    expect(ageInDays(new Date(NOW - 90 * DAY + 1000).toISOString(), NOW)).toBe(89);
    expect(ageInDays(daysAgo(90), NOW)).toBe(90);
    expect(ageInDays(daysAgo(-1), NOW)).toBe(0);
    expect(() => ageInDays("yesterday", NOW)).toThrow(/not a timestamp/);
  });
});

describe("dueRow", () => {
  const listing = (
    created: string,
    more: { id: string; status: "ACTIVE" | "INACTIVE"; created: string }[] = [],
  ) => ({
    credentials: [{ id: "ocsCur", status: "ACTIVE" as const, created }, ...more],
  });

  it("is due at maxCredentialAgeDays, not a day before", () => {
    expect(dueRow(app(), listing(daysAgo(90)), NOW)).toEqual({
      app: "billing",
      kind: "clientSecret",
      field: "generation",
      generation: 3,
      maxAgeDays: 90,
      credentialId: "ocsCur",
      created: daysAgo(90),
      ageDays: 90,
      due: true,
    });
    expect(dueRow(app(), listing(daysAgo(89.5)), NOW).due).toBe(false);
  });

  it("never makes an app without maxCredentialAgeDays due", () => {
    const row = dueRow(app({ maxCredentialAgeDays: undefined }), listing(daysAgo(4000)), NOW);
    expect(row.due).toBe(false);
    expect(row.ageDays).toBe(4000);
    expect(row.maxAgeDays).toBeUndefined();
  });

  it("ages the current key of a private_key_jwt app and bumps its keyGeneration", () => {
    const row = dueRow(
      app({ privateKeyJwt: { enabled: true, keyGeneration: 4 } }),
      listing(daysAgo(91)),
      NOW,
    );
    expect(row).toMatchObject({
      kind: "privateKey",
      field: "privateKeyJwt.keyGeneration",
      generation: 4,
      due: true,
    });
  });

  it("refuses a due app in an unfinished state, naming it and what to do", () => {
    expect(dueRow(app({ rollback: true }), listing(daysAgo(100)), NOW).refused).toMatch(
      /^app 'billing' is rolled back \(rollback: true\): a bump from a rollback is refused\. Remove rollback/,
    );
    expect(dueRow(app({ revoke: true }), listing(daysAgo(100)), NOW).refused).toMatch(/revoke: true/);
    expect(
      dueRow(app({ privateKeyJwt: { enabled: true, rollback: true } }), listing(daysAgo(100)), NOW).refused,
    ).toMatch(/privateKeyJwt\.rollback: true/);
    const twoActive = listing(daysAgo(100), [{ id: "ocsB", status: "ACTIVE", created: daysAgo(101) }]);
    expect(dueRow(app(), twoActive, NOW).refused).toMatch(
      /has 2 ACTIVE secrets in Okta: a rotation has not finished/,
    );
    // A refusal is about bumping: an app that is not due is not refused.
    expect(dueRow(app({ rollback: true }), listing(daysAgo(1)), NOW).refused).toBeUndefined();
  });

  it("reports an app without an ACTIVE credential, or whose listing failed, as an error", () => {
    expect(dueRow(app(), { credentials: [] }, NOW).error).toMatch(
      /app 'billing' \(0oa1\) has no ACTIVE client secret in Okta/,
    );
    expect(dueRow(app(), { error: "HTTP 403" }, NOW)).toMatchObject({ due: false, error: "HTTP 403" });
  });
});

describe("exit code and table", () => {
  const rows = [
    dueRow(
      app({ name: "old" }),
      { credentials: [{ id: "ocsOld", status: "ACTIVE", created: daysAgo(120) }] },
      NOW,
    ),
    dueRow(
      app({ name: "fresh", appId: "0oa2" }),
      { credentials: [{ id: "ocsFresh", status: "ACTIVE", created: daysAgo(3) }] },
      NOW,
    ),
  ];

  it("is 0 when nothing is due, 3 when something is due without --write, 0 once written", () => {
    expect(exitCodeOf(rows.slice(1), false)).toBe(EXIT.ok);
    expect(exitCodeOf(rows, false)).toBe(EXIT.due);
    expect(exitCodeOf(rows, true)).toBe(EXIT.ok);
    expect(EXIT.due).toBe(3);
    const refused = [
      ...rows,
      dueRow(
        app({ name: "rb", appId: "0oa3", rollback: true }),
        { credentials: [{ id: "ocsR", status: "ACTIVE", created: daysAgo(200) }] },
        NOW,
      ),
    ];
    expect(exitCodeOf(refused, true)).toBe(EXIT.refused);
    expect(appsToBump(refused).map((r) => r.app)).toEqual(["old"]);
    expect(
      exitCodeOf([...rows, dueRow(app({ name: "x", appId: "0oa4" }), { error: "boom" }, NOW)], false),
    ).toBe(EXIT.error);
  });

  it("prints app, credential id, created, age, max and due", () => {
    expect(formatTable(rows, false).split("\n")).toEqual([
      "APP    CREDENTIAL  CREATED                   AGE (DAYS)  MAX  DUE",
      `old    ocsOld      ${daysAgo(120)}  120         90   due`,
      `fresh  ocsFresh    ${daysAgo(3)}  3           90   no`,
    ]);
    expect(formatTable(rows, true).split("\n")[1]).toMatch(/due, bumped \(generation 3 → 4\)$/);
  });
});

describe("parseArgs", () => {
  it("takes --stack or --config-file, --json and --write", () => {
    expect(parseArgs(["--stack", "prod", "--json"])).toEqual({ stack: "prod", json: true, write: false });
    expect(parseArgs(["--config-file=x.yaml", "--write"])).toEqual({
      configFile: "x.yaml",
      json: false,
      write: true,
    });
    expect(parseArgs(["--stack", "a", "--config-file", "b"])).toEqual({
      usage: "give --stack or --config-file, not both",
    });
    expect(parseArgs([])).toEqual({ usage: "give --stack <name> or --config-file <path>" });
    expect(parseArgs(["--stack"])).toEqual({ usage: "--stack needs a value" });
    expect(parseArgs(["--stack", "a", "--force"])).toEqual({ usage: "unknown option --force" });
  });

  it("takes --as-of as a date (UTC midnight) or an ISO time, and refuses anything else", () => {
    expect(parseArgs(["--stack", "a", "--as-of", "2027-01-31"])).toEqual({
      stack: "a",
      json: false,
      write: false,
      asOfMs: Date.UTC(2027, 0, 31),
    });
    expect(parseArgs(["--stack", "a", "--as-of=2027-01-31T12:00:00Z"])).toMatchObject({
      asOfMs: Date.UTC(2027, 0, 31, 12),
    });
    for (const bad of ["tomorrow", "31/01/2027", "2027-13-45"])
      expect(parseArgs(["--stack", "a", "--as-of", bad])).toEqual({
        usage: `--as-of needs a date, e.g. 2027-01-31 (got ${bad})`,
      });
  });
});

describe("stack config file", () => {
  const yamlFile = [
    "# the production stack",
    "config:",
    "  okta:orgName: example # the org",
    `  ${NS}:oktaOrgUrl: https://example.okta.com`,
    "  okta:apiToken:",
    "    secure: v1:abc",
    `  ${KEY}:`,
    "    - name: billing # first",
    "      appId: 0oa1",
    "      generation: 3 # bump to rotate",
    "      maxCredentialAgeDays: 90",
    "    - name: keys",
    "      appId: 0oa2",
    "      generation: 2",
    "      privateKeyJwt: { enabled: true }",
    "",
  ].join("\n");

  it("reads the apps and the plain-text settings; a key without namespace is the project's", () => {
    const read = readStackConfig(yamlFile, NS, "Pulumi.prod.yaml");
    expect(read.appsKey).toBe(KEY);
    expect(parseAppsConfig(read.apps, NS).map((a) => a.name)).toEqual(["billing", "keys"]);
    const source = configSource(read.settings, NS);
    expect(source.get("oktaOrgUrl")).toBe("https://example.okta.com");
    expect(source.get("okta:orgName")).toBe("example");
    expect(source.get("okta:apiToken")).toBeUndefined();
  });

  it("bumps exactly the fields asked, keeping comments and every other line", () => {
    const out = applyBumps(
      yamlFile,
      KEY,
      [
        { index: 0, field: "generation", from: 3 },
        { index: 1, field: "privateKeyJwt.keyGeneration", from: 1 },
      ],
      "f",
    );
    const before = yamlFile.split("\n");
    const after = out.split("\n");
    expect(after.length).toBe(before.length);
    const changed = after.map((l, i) => [before[i], l]).filter(([b, a]) => b !== a);
    expect(changed).toEqual([
      ["      generation: 3 # bump to rotate", "      generation: 4 # bump to rotate"],
      ["      privateKeyJwt: { enabled: true }", "      privateKeyJwt: { enabled: true, keyGeneration: 2 }"],
    ]);
  });

  it("bumps a JSON text as Pulumi and the Automation API write it, and keeps the rest", () => {
    const apps = [
      { name: "a", appId: "0oa1", generation: 1 },
      { name: "b", appId: "0oa2", generation: 7 },
    ];
    const text = `config:\n  other:key: kept\n  ${KEY}: '${JSON.stringify(apps)}'\n`;
    const out = applyBumps(text, KEY, [{ index: 1, field: "generation", from: 7 }], "f");
    const read = readStackConfig(out, NS, "f");
    expect(read.apps).toEqual([apps[0], { ...apps[1], generation: 8 }]);
    expect(read.settings["other:key"]).toBe("kept");
  });

  it("refuses a bump from a value the file no longer holds, and a file without the apps", () => {
    expect(() => applyBumps(yamlFile, KEY, [{ index: 0, field: "generation", from: 2 }], "f")).toThrow(
      /f: okta-credential-rotation:apps\[0\]\.generation is 3, not 2 as read; nothing was written/,
    );
    expect(() => readStackConfig("config:\n  a:b: c\n", NS, "Pulumi.x.yaml")).toThrow(
      /Pulumi\.x\.yaml has no okta-credential-rotation:apps/,
    );
  });
});
