import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
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
  runDue,
  sharedBumps,
  type CredentialReader,
} from "../../due";

type LayoutOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

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

describe("--write on YAML as people write it", () => {
  // A stack config file in any of the layouts YAML allows: line endings, compact or indented sequences, a folded
  // scalar and comments around, privateKeyJwt as a flow or block mapping, with or without keyGeneration.
  const layout = fc.record({
    eol: fc.constantFrom("\n", "\r\n"),
    compact: fc.boolean(),
    folded: fc.boolean(),
    flowKeys: fc.boolean(),
    keyGeneration: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
    generation: fc.integer({ min: 1, max: 99 }),
    comment: fc.boolean(),
  });
  function file(l: LayoutOf<typeof layout>): string {
    const dash = l.compact ? "  - " : "    - ";
    const body = l.compact ? "    " : "      ";
    const lines = [
      "config:",
      "  other:note: >-",
      "    a folded scalar",
      "    over two lines",
      `  ${KEY}:`,
      `${dash}name: billing${l.comment ? " # the first app" : ""}`,
      `${body}appId: 0oa1`,
      `${body}generation: ${l.generation}${l.comment ? "   # bump to rotate" : ""}`,
      `${dash}name: keys`,
      `${body}appId: 0oa2`,
      `${body}generation: 4`,
      ...(l.flowKeys
        ? [
            `${body}privateKeyJwt: { enabled: true${l.keyGeneration ? `, keyGeneration: ${l.keyGeneration}` : ""} }`,
          ]
        : [
            `${body}privateKeyJwt:`,
            `${body}  enabled: true`,
            ...(l.keyGeneration ? [`${body}  keyGeneration: ${l.keyGeneration}`] : []),
          ]),
      `${body}vault: { mount: secret, path: keys }`,
    ];
    if (!l.folded) lines.splice(1, 3);
    return lines.join(l.eol) + l.eol;
  }

  it("changes the two numbers and nothing else, whatever the layout", () => {
    fc.assert(
      fc.property(layout, (l) => {
        const text = file(l);
        const from = l.keyGeneration ?? 1;
        const out = applyBumps(
          text,
          KEY,
          [
            { index: 0, field: "generation", from: l.generation },
            { index: 1, field: "privateKeyJwt.keyGeneration", from },
          ],
          "f",
        );
        const read = readStackConfig(out, NS, "f").apps as AppConfigInput[];
        expect(read[0]!.generation).toBe(l.generation + 1);
        expect(read[1]!.privateKeyJwt?.keyGeneration).toBe(from + 1);
        expect(read[1]!.generation).toBe(4);
        // The file as a person would have edited it: the two numbers, and every other character as it was.
        const body = l.compact ? "    " : "      ";
        let expected = text.replace(`generation: ${l.generation}`, `generation: ${l.generation + 1}`);
        if (l.keyGeneration !== undefined) {
          expected = expected.replace(`keyGeneration: ${from}`, `keyGeneration: ${from + 1}`);
        } else if (l.flowKeys) {
          expected = expected.replace("{ enabled: true }", `{ enabled: true, keyGeneration: 2 }`);
        } else {
          expected = expected.replace(
            `${body}  enabled: true${l.eol}`,
            `${body}  enabled: true${l.eol}${body}  keyGeneration: 2${l.eol}`,
          );
        }
        expect(out).toBe(expected);
      }),
    );
  });

  it("refuses a bump shared through an anchor, an alias or a merge key, naming both apps, and writes nothing", () => {
    const shared = [
      "config:",
      `  ${KEY}:`,
      "    - name: one",
      "      appId: 0oa1",
      "      generation: &gen 3",
      "    - name: two",
      "      appId: 0oa2",
      "      generation: *gen",
      "    - &base",
      "      name: three",
      "      appId: 0oa3",
      "      generation: 2",
      "    - <<: { generation: 5 }",
      "      name: four",
      "      appId: 0oa4",
      "",
    ].join("\n");
    const names = ["one", "two", "three", "four"];
    const bumps = [
      { index: 0, field: "generation" as const, from: 3 },
      { index: 1, field: "generation" as const, from: 3 },
      { index: 2, field: "generation" as const, from: 2 },
      { index: 3, field: "generation" as const, from: 5 },
    ];
    const reasons = sharedBumps(shared, KEY, bumps, names, "f");
    expect(reasons.get(0)).toMatch(
      new RegExp(
        `^${KEY}\\[0\\]\\.generation: the value carries the YAML anchor &gen \\(line 5\\), which app 'two' repeat by an alias: a bump here would bump them too\\.`,
      ),
    );
    expect(reasons.get(1)).toMatch(
      new RegExp(
        `^${KEY}\\[1\\]\\.generation: the value is given by the YAML alias \\*gen \\(line 8\\).*replace \\*gen by its value`,
      ),
    );
    // An anchor nothing repeats is not shared.
    expect(reasons.has(2)).toBe(false);
    expect(reasons.get(3)).toMatch(
      /generation comes from a YAML merge key \(<<:, line 13\).*Set generation on this app itself/,
    );
    expect(() => applyBumps(shared, KEY, [bumps[0]!], "f", names)).toThrow(
      /anchor &gen.*nothing was written$/,
    );
    expect(applyBumps(shared, KEY, [bumps[2]!], "f", names)).toBe(
      shared.replace("generation: 2", "generation: 3"),
    );
  });
});

describe("runDue --write with an anchor shared by two apps", () => {
  it("bumps the app that is due alone, refuses the shared one by name (exit 4), and says so in the table", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "due-anchor-"));
    const text = [
      "config:",
      `  ${KEY}:`,
      "    - name: due-shared",
      "      appId: 0oa1",
      "      generation: &g 3",
      "      maxCredentialAgeDays: 30",
      "    - name: rolled-back",
      "      appId: 0oa2",
      "      generation: *g",
      "      rollback: true",
      "    - name: due-alone",
      "      appId: 0oa3",
      "      generation: 7",
      "      maxCredentialAgeDays: 30",
      "",
    ].join("\r\n");
    const file = path.join(dir, "Pulumi.prod.yaml");
    fs.writeFileSync(file, text);
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    const reader = {
      listSecrets: async () => [{ id: "ocs1", status: "ACTIVE", created: old }],
      listKeys: async () => [],
    } as unknown as CredentialReader;
    let stdout = "";
    const code = await runDue(["--config-file", file, "--write"], {
      cwd: dir,
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      reader,
    });
    expect(code).toBe(EXIT.refused);
    expect(fs.readFileSync(file, "utf8")).toBe(text.replace("generation: 7", "generation: 8"));
    expect(stdout).toMatch(
      /refused: .*apps\[0\]\.generation: the value carries the YAML anchor &g .* app 'rolled-back'/,
    );
    expect(stdout).toMatch(/bumped in .*: due-alone\n$/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
