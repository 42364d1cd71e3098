// The decision preview.yml acts on: which pull requests are previewed by the base branch's code with only their
// stack config (config-only), and which run their own code, after a maintainer's approval. Cases are generated:
// file lists, config files and the changes made to them.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import {
  classifyPullRequest,
  credentialDestinationChanges,
  DEFAULT_TOKEN_URL,
  MAX_LISTED_FILES,
  parseStackConfig,
  stackConfigFile,
  type ChangedFile,
} from "../../scripts/review/classify-pr";

const PROJECT = "okta-credential-rotation";
const APPS = `${PROJECT}:apps`;

const stackName = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const tokenUrl = fc
  .tuple(
    fc.constantFrom("https://example.okta.com", "https://login.example.com", "https://attacker.example"),
    fc.constantFrom("default", "aus1rotation"),
  )
  .map(([origin, server]) => `${origin}/oauth2/${server}/v1/token`);
const deployment = fc.record(
  {
    namespace: fc.constantFrom("default", "billing", "shop"),
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
  },
  { requiredKeys: ["name"] },
);
const app = fc.record(
  {
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
    appId: fc.stringMatching(/^0oa[A-Za-z0-9]{17}$/),
    generation: fc.integer({ min: 1, max: 1000 }),
    maxCredentialAgeDays: fc.integer({ min: 1, max: 365 }),
    vault: fc.record({ mount: fc.constant("secret"), path: fc.stringMatching(/^[a-z]{1,8}\/okta$/) }),
    deployments: fc.array(deployment, { maxLength: 3 }),
    gates: fc.record(
      {
        tokenExchange: fc.boolean(),
        tokenUrl,
        scope: fc.constant("rotation.check"),
        minOverlapSeconds: fc.integer({ min: 0, max: 900 }),
      },
      { requiredKeys: [] },
    ),
    privateKeyJwt: fc.record({ enabled: fc.boolean(), keyGeneration: fc.integer({ min: 1, max: 9 }) }),
  },
  { requiredKeys: ["name", "appId", "generation"] },
);
const apps = fc.uniqueArray(app, { minLength: 1, maxLength: 4, selector: (a) => a.name });
/** The apps value as a YAML list or as the JSON text `pulumi config set` writes. */
const appsValue = fc
  .tuple(apps, fc.boolean())
  .map(([a, asJson]) =>
    asJson ? JSON.stringify(JSON.parse(JSON.stringify(a))) : JSON.parse(JSON.stringify(a)),
  );
/** Other config keys a stack file may hold. */
const otherKey = fc.oneof(
  fc.constantFrom(
    "okta:orgName",
    "okta:baseUrl",
    "okta:httpProxy",
    "okta:clientId",
    "vault:address",
    "kubernetes:context",
    "kubernetes:kubeconfig",
    `${PROJECT}:oktaOrgUrl`,
    "pulumi:disable-default-providers",
  ),
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[a-zA-Z]{1,12}$/))
    .map(([ns, k]) => `${ns}:${k}`),
);
const plainValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.boolean(),
  fc.record({ secure: fc.base64String({ minLength: 4, maxLength: 24 }) }),
);
const otherConfig = fc.dictionary(otherKey, plainValue, { maxKeys: 4 }).map((d) => {
  const copy = { ...d };
  delete copy[APPS];
  return copy;
});
const topLevel = fc.dictionary(
  fc.constantFrom("secretsprovider", "encryptedkey", "environment"),
  fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 })),
  { maxKeys: 2 },
);

function configText(top: Record<string, unknown>, config: Record<string, unknown>): string {
  return stringify({ ...top, config });
}

/** A pull request that changes the stack's config file in place and nothing else. */
function onlyConfig(stack: string): ChangedFile[] {
  return [{ filename: stackConfigFile(stack), status: "modified" }];
}

describe("classifyPullRequest", () => {
  it("is config-only or destination, never code, when the only change is the apps value", () => {
    fc.assert(
      fc.property(
        stackName,
        topLevel,
        otherConfig,
        appsValue,
        appsValue,
        (stack, top, other, before, after) => {
          const result = classifyPullRequest({
            stack,
            project: PROJECT,
            files: onlyConfig(stack),
            baseConfig: configText(top, { ...other, [APPS]: before }),
            prConfig: { type: "file", text: configText(top, { [APPS]: after, ...other }) },
          });
          const destinations = credentialDestinationChanges(before, after, APPS);
          expect(result).toEqual({
            mode: destinations.length > 0 ? "destination" : "config",
            reasons: [],
            destinations,
          });
        },
      ),
    );
  });

  it("needs approval for any other file in the list, wherever it is", () => {
    const otherFile = fc.oneof(
      fc.constantFrom(
        "index.ts",
        "dynamic/clientSecret.ts",
        "components/secretRotation.ts",
        "package.json",
        "package-lock.json",
        ".github/workflows/preview.yml",
        "scripts/review/classify-pr.ts",
        "Pulumi.yaml",
        ".npmrc",
        "node_modules/okta-credential-rotation/dist/index.js",
      ),
      fc.stringMatching(/^[A-Za-z0-9_./-]{1,40}$/),
    );
    fc.assert(
      fc.property(
        stackName,
        fc.array(otherFile, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        appsValue,
        appsValue,
        (stack, others, withConfig, before, after) => {
          const extra = others.filter((f) => f !== stackConfigFile(stack));
          fc.pre(extra.length > 0);
          const files: ChangedFile[] = [
            ...(withConfig ? onlyConfig(stack) : []),
            ...extra.map((filename) => ({ filename, status: "modified" })),
          ];
          const result = classifyPullRequest({
            stack,
            project: PROJECT,
            files,
            baseConfig: configText({}, { [APPS]: before }),
            prConfig: { type: "file", text: configText({}, { [APPS]: after }) },
          });
          expect(result.mode).toBe("code");
          for (const f of extra) expect(result.reasons.join("\n")).toContain(`changes ${f}`);
        },
      ),
    );
  });

  it("needs approval when the config file adds, changes or removes anything but the apps value", () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), key: otherKey, value: plainValue }),
      fc.record({ kind: fc.constant("change" as const), value: plainValue }),
      fc.record({ kind: fc.constant("remove" as const) }),
      fc.record({
        kind: fc.constant("top" as const),
        key: fc.constantFrom("secretsprovider", "encryptedkey", "environment", "imports"),
        value: fc.string({ minLength: 1, maxLength: 10 }),
      }),
    );
    fc.assert(
      fc.property(stackName, otherConfig, appsValue, appsValue, edit, (stack, other, before, after, e) => {
        const base = { ...other, [APPS]: before };
        const pr: Record<string, unknown> = { ...other, [APPS]: after };
        const top: Record<string, unknown> = {};
        const keys = Object.keys(other);
        if (e.kind === "add") {
          fc.pre(!(e.key in other));
          pr[e.key] = e.value;
        } else if (e.kind === "change") {
          fc.pre(keys.length > 0 && JSON.stringify(other[keys[0]!]) !== JSON.stringify(e.value));
          pr[keys[0]!] = e.value;
        } else if (e.kind === "remove") {
          fc.pre(keys.length > 0);
          delete pr[keys[0]!];
        } else {
          top[e.key] = e.value;
        }
        const result = classifyPullRequest({
          stack,
          project: PROJECT,
          files: onlyConfig(stack),
          baseConfig: configText({}, base),
          prConfig: { type: "file", text: configText(top, pr) },
        });
        expect(result.mode).toBe("code");
        expect(result.reasons.length).toBeGreaterThan(0);
      }),
    );
  });

  it("needs approval when the config file is added, removed, renamed, copied or not a regular file", () => {
    fc.assert(
      fc.property(
        stackName,
        fc.constantFrom("added", "removed", "renamed", "copied", "changed"),
        appsValue,
        (stack, status, value) => {
          const text = configText({}, { [APPS]: value });
          const result = classifyPullRequest({
            stack,
            project: PROJECT,
            files: [
              {
                filename: stackConfigFile(stack),
                status,
                ...(status === "renamed" ? { previous_filename: "Pulumi.other.yaml" } : {}),
              },
            ],
            baseConfig: text,
            prConfig: { type: "file", text },
          });
          expect(result.mode).toBe("code");
        },
      ),
    );
    fc.assert(
      fc.property(stackName, fc.constantFrom("symlink", "submodule", "dir"), (stack, type) => {
        const text = configText({}, { [APPS]: "[]" });
        const r = classifyPullRequest({
          stack,
          project: PROJECT,
          files: onlyConfig(stack),
          baseConfig: text,
          prConfig: { type, text: "/etc/passwd" },
        });
        expect(r).toEqual({
          mode: "code",
          reasons: [`${stackConfigFile(stack)} is a ${type} in the pull request, not a file`],
          destinations: [],
        });
      }),
    );
  });

  it("needs approval for another stack's config, an empty or a cut-off file list", () => {
    fc.assert(
      fc.property(stackName, stackName, (stack, other) => {
        fc.pre(stack !== other);
        const text = configText({}, { [APPS]: "[]" });
        const input = { stack, project: PROJECT, baseConfig: text, prConfig: { type: "file", text } };
        expect(classifyPullRequest({ ...input, files: onlyConfig(other) }).mode).toBe("code");
        expect(classifyPullRequest({ ...input, files: [] }).mode).toBe("code");
        const many = Array.from({ length: MAX_LISTED_FILES }, () => onlyConfig(stack)[0]!);
        expect(classifyPullRequest({ ...input, files: many }).mode).toBe("code");
      }),
    );
  });

  it("needs approval for a secure apps value, YAML anchors, aliases, tags or duplicate keys", () => {
    const stack = "prod";
    const base = configText({}, { [APPS]: "[]" });
    const cases = [
      `config:\n  ${APPS}:\n    secure: AAABAHh5eg==\n`,
      `config:\n  ${APPS}: &a\n    - name: x\n  okta:orgName: *a\n`,
      `config:\n  ${APPS}: !!str "[]"\n`,
      `config:\n  ${APPS}: "[]"\n  ${APPS}: "[1]"\n`,
      `config: [1, 2]\n`,
      `- not a mapping\n`,
    ];
    for (const text of cases) {
      const r = classifyPullRequest({
        stack,
        project: PROJECT,
        files: onlyConfig(stack),
        baseConfig: base,
        prConfig: { type: "file", text },
      });
      expect(r.mode, text).toBe("code");
    }
    expect("problem" in parseStackConfig(`config:\n  ${APPS}: "[]"\n`, "f")).toBe(false);
  });

  it("is the same decision whatever the order of the listed files", () => {
    fc.assert(
      fc.property(
        stackName,
        fc.array(fc.stringMatching(/^[a-z/.]{1,12}$/), { maxLength: 4 }),
        fc.integer({ min: 0, max: 100 }),
        (stack, paths, seed) => {
          const files = [
            ...onlyConfig(stack),
            ...paths.map((filename) => ({ filename, status: "modified" })),
          ];
          const shuffled = [...files].sort(
            (a, b) => ((a.filename.length * seed) % 7) - ((b.filename.length * seed) % 7),
          );
          const text = configText({}, { [APPS]: "[]" });
          const input = { stack, project: PROJECT, baseConfig: text, prConfig: { type: "file", text } };
          expect(classifyPullRequest({ ...input, files: shuffled }).mode).toBe(
            classifyPullRequest({ ...input, files }).mode,
          );
        },
      ),
    );
  });
});

// Where a credential goes after the merge: a config-only change that adds a destination is `destination`; one that
// only bumps, tunes or removes is `config`. Cases: generated apps, then generated edits of each kind.
describe("credential destinations", () => {
  type App = Record<string, unknown> & { name: string; appId: string };
  const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const decide = (stack: string, before: unknown, after: unknown) =>
    classifyPullRequest({
      stack,
      project: PROJECT,
      files: onlyConfig(stack),
      baseConfig: configText({}, { [APPS]: before }),
      prConfig: { type: "file", text: configText({}, { [APPS]: after }) },
    });
  const gatesOf = (a: App) => (a.gates ?? {}) as Record<string, unknown>;
  const presents = (a: App) =>
    gatesOf(a).tokenExchange === true ||
    (a.privateKeyJwt as { enabled?: boolean } | undefined)?.enabled === true;
  /** The token endpoint a gate of `a` presents a credential at, or undefined. */
  const endpoint = (a: App) =>
    presents(a) ? ((gatesOf(a).tokenUrl as string | undefined) ?? DEFAULT_TOKEN_URL) : undefined;

  /** Edits that send no credential anywhere new. */
  const harmless = fc.oneof(
    fc.constant("bump" as const),
    fc.constant("age" as const),
    fc.constant("overlap" as const),
    fc.constant("key-bump" as const),
    fc.constant("drop-deployment" as const),
    fc.constant("drop-gate" as const),
    fc.constant("drop-app" as const),
    fc.constant("reorder" as const),
    fc.constant("rename" as const),
    fc.constant("trim-spaces" as const),
  );
  function applyHarmless(list: App[], i: number, kind: string): App[] {
    const out = clone(list);
    const a = out[i % out.length]!;
    switch (kind) {
      case "bump":
        a.generation = (a.generation as number) + 1;
        break;
      case "age":
        a.maxCredentialAgeDays = 30;
        break;
      case "overlap":
        a.gates = { ...gatesOf(a), minOverlapSeconds: 900 };
        break;
      case "key-bump":
        if (a.privateKeyJwt !== undefined)
          a.privateKeyJwt = { ...(a.privateKeyJwt as object), keyGeneration: 10 };
        break;
      case "drop-deployment":
        a.deployments = ((a.deployments as unknown[] | undefined) ?? []).slice(1);
        break;
      case "drop-gate":
        a.gates = { ...gatesOf(a), tokenExchange: false };
        if (a.privateKeyJwt !== undefined)
          a.privateKeyJwt = { ...(a.privateKeyJwt as object), enabled: false };
        break;
      case "drop-app":
        if (out.length > 1) out.splice(i % out.length, 1);
        break;
      case "reorder":
        out.reverse();
        break;
      case "rename": {
        const name = `${a.name}-renamed`;
        if (!out.some((o) => o.name === name)) {
          a.formerNames = [...((a.formerNames as string[] | undefined) ?? []), a.name];
          a.name = name;
        }
        break;
      }
      case "trim-spaces":
        a.appId = ` ${a.appId} `;
        break;
    }
    return out;
  }

  it("is config-only for edits that send no credential anywhere new", () => {
    fc.assert(
      fc.property(
        stackName,
        apps,
        fc.array(fc.tuple(fc.nat(), harmless), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (stack, before, edits, asJson) => {
          const after = edits.reduce((l, [i, k]) => applyHarmless(l, i, k), before as App[]);
          const r = decide(stack, before, asJson ? JSON.stringify(after) : after);
          expect(r).toEqual({ mode: "config", reasons: [], destinations: [] });
        },
      ),
    );
  });

  /** Edits that send an app's credential somewhere new, with the text the line must name. */
  const harmful = fc.oneof(
    fc.record({ kind: fc.constant("appId" as const), value: fc.stringMatching(/^0oaNEW[A-Za-z0-9]{14}$/) }),
    fc.record({ kind: fc.constant("tokenUrl" as const), value: tokenUrl }),
    fc.record({ kind: fc.constant("unset-tokenUrl" as const) }),
    fc.record({ kind: fc.constant("enable-gate" as const), value: tokenUrl }),
    fc.record({ kind: fc.constant("enable-pkj" as const), value: tokenUrl }),
    fc.record({ kind: fc.constant("vault" as const), value: fc.stringMatching(/^[a-z]{1,8}\/elsewhere$/) }),
    fc.record({ kind: fc.constant("deployment" as const), value: fc.stringMatching(/^new-[a-z]{1,6}$/) }),
    fc.record({ kind: fc.constant("new-app" as const), value: fc.stringMatching(/^0oaNEW[A-Za-z0-9]{14}$/) }),
  );

  it("names every edit that sends a credential somewhere new, and makes it a destination change", () => {
    fc.assert(
      fc.property(stackName, apps, fc.nat(), harmful, (stack, before, i, e) => {
        const after = clone(before) as App[];
        const a = after[i % after.length]!;
        const was = (before as App[])[i % before.length]!;
        let names: string;
        switch (e.kind) {
          case "appId":
            a.appId = e.value;
            names = e.value;
            break;
          case "tokenUrl":
          case "enable-gate":
          case "enable-pkj":
            a.gates = { ...gatesOf(a), tokenUrl: e.value };
            if (e.kind === "enable-gate") a.gates = { ...gatesOf(a), tokenExchange: true };
            if (e.kind === "enable-pkj") a.privateKeyJwt = { enabled: true };
            names = e.value;
            break;
          case "unset-tokenUrl": {
            const gates: Record<string, unknown> = { ...gatesOf(a), tokenExchange: true };
            delete gates.tokenUrl;
            a.gates = gates;
            names = DEFAULT_TOKEN_URL;
            break;
          }
          case "vault":
            a.vault = { mount: "secret", path: e.value };
            names = `secret/${e.value}`;
            break;
          case "deployment":
            a.deployments = [...((a.deployments as unknown[] | undefined) ?? []), { name: e.value }];
            names = `default/${e.value}`;
            break;
          case "new-app":
            after.push({ name: "brand-new-app", appId: e.value, generation: 1 });
            fc.pre(!(before as App[]).some((b) => b.name === "brand-new-app"));
            names = e.value;
            break;
        }
        // An edit that leaves the destination as it was is not one (same URL drawn, gate already on…).
        const same =
          (e.kind === "appId" && was.appId === e.value) ||
          (["tokenUrl", "enable-gate", "enable-pkj", "unset-tokenUrl"].includes(e.kind) &&
            endpoint(a) === endpoint(was)) ||
          (e.kind === "vault" && JSON.stringify(was.vault) === JSON.stringify(a.vault)) ||
          (e.kind === "deployment" &&
            ((was.deployments as { namespace?: string; name: string }[] | undefined) ?? []).some(
              (d) => (d.namespace ?? "default") === "default" && d.name === (e as { value: string }).value,
            ));
        const r = decide(stack, before, after);
        if (same || (e.kind === "tokenUrl" && !presents(a))) {
          expect(r).toEqual({ mode: "config", reasons: [], destinations: [] });
          return;
        }
        expect(r.mode).toBe("destination");
        expect(r.reasons).toEqual([]);
        const line = r.destinations.find((l) => l.includes(JSON.stringify(names)));
        expect(line, `${e.kind}: ${r.destinations.join("\n")}`).toBeDefined();
        expect(line).toContain(e.kind === "new-app" ? '"brand-new-app"' : JSON.stringify(a.name));
      }),
    );
  });

  it("still lists the destinations of a pull request that changes code", () => {
    fc.assert(
      fc.property(stackName, apps, tokenUrl, (stack, before, url) => {
        const after = clone(before) as App[];
        after[0]!.gates = { tokenExchange: true, tokenUrl: url, scope: "rotation.check" };
        const r = classifyPullRequest({
          stack,
          project: PROJECT,
          files: [...onlyConfig(stack), { filename: "index.ts", status: "modified" }],
          baseConfig: configText({}, { [APPS]: before }),
          prConfig: { type: "file", text: configText({}, { [APPS]: after }) },
        });
        expect(r.mode).toBe("code");
        expect(r.destinations).toEqual(credentialDestinationChanges(before, after, APPS));
      }),
    );
  });

  it("counts an apps value it cannot read as a change, and quotes values so a comment cannot be broken", () => {
    expect(credentialDestinationChanges("[]", "not json", APPS)).toEqual([
      `${APPS} of the pull request cannot be read as a list of named apps: every destination may change`,
    ]);
    expect(credentialDestinationChanges("[{}]", "[]", APPS)[0]).toContain(
      "of the base branch cannot be read",
    );
    expect(
      credentialDestinationChanges(
        [],
        [
          { name: "a", appId: "x" },
          { name: "a", appId: "x" },
        ],
        APPS,
      ),
    ).toEqual([
      'app "a" is new: its credential goes to Okta app "x"',
      'app "a" is listed twice: every destination may change',
    ]);
    const [line] = credentialDestinationChanges(
      [{ name: "a", appId: "x", gates: { tokenExchange: true } }],
      [{ name: "a", appId: "x", gates: { tokenExchange: true, tokenUrl: "https://e/```\n# hi" } }],
      APPS,
    );
    expect(line).not.toContain("`");
    expect(line).not.toContain("\n");
  });

  it("--destinations-only compares two files as deploy.yml gives them: none before counts every destination", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "classify-"));
    const file = (name: string, apps: unknown) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, configText({}, { [APPS]: apps }));
      return p;
    };
    const gates = { tokenExchange: true, scope: "rotation.check" };
    const before = file("before.yaml", [{ name: "billing", appId: "0oa1", generation: 1, gates }]);
    const bumped = file("bumped.yaml", [{ name: "billing", appId: "0oa1", generation: 2, gates }]);
    const moved = file("moved.yaml", [
      { name: "billing", appId: "0oa1", generation: 2, gates: { ...gates, tokenUrl: "https://x.example/t" } },
    ]);
    const run = (base: string, config: string) =>
      JSON.parse(
        execFileSync(
          "npx",
          [
            "tsx",
            "scripts/review/classify-pr.ts",
            "--destinations-only",
            "--stack",
            "prod",
            "--project",
            PROJECT,
          ].concat(["--base-config", base, "--config", config]),
          { cwd: path.resolve(__dirname, "../.."), encoding: "utf8" },
        ),
      ) as { destinations: string[] };
    expect(run(before, bumped)).toEqual({ destinations: [] });
    expect(run(before, moved).destinations).toEqual([
      expect.stringContaining("token endpoint \"the org's default authorization server"),
    ]);
    expect(run(before, moved).destinations[0]).toContain('"https://x.example/t"');
    expect(run(path.join(dir, "none.yaml"), bumped).destinations).toEqual([
      expect.stringMatching(/^app "billing" is new: its credential goes to Okta app "0oa1"; token endpoint/),
    ]);
    expect(run(before, path.join(dir, "none.yaml"))).toEqual({ destinations: [] });
  });
});
