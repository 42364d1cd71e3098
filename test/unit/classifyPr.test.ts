// The decision preview.yml acts on: which pull requests are previewed by the base branch's code with only their
// stack config (config-only), and which run their own code, after a maintainer's approval. Cases are generated:
// file lists, config files and the changes made to them.
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import {
  classifyPullRequest,
  MAX_LISTED_FILES,
  parseStackConfig,
  stackConfigFile,
  type ChangedFile,
} from "../../scripts/review/classify-pr";

const PROJECT = "okta-credential-rotation";
const APPS = `${PROJECT}:apps`;

const stackName = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const app = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
  appId: fc.stringMatching(/^0oa[A-Za-z0-9]{17}$/),
  generation: fc.integer({ min: 1, max: 1000 }),
  maxCredentialAgeDays: fc.option(fc.integer({ min: 1, max: 365 }), { nil: undefined }),
  vault: fc.option(
    fc.record({ mount: fc.constant("secret"), path: fc.stringMatching(/^[a-z]{1,8}\/okta$/) }),
    {
      nil: undefined,
    },
  ),
});
const apps = fc.array(app, { minLength: 1, maxLength: 4 });
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
  it("is config-only when the only change is the apps value of the stack's config file", () => {
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
          expect(result).toEqual({ mode: "config", reasons: [] });
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
