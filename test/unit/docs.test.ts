// The documentation holds together: every relative link and anchor in README.md and docs/*.md leads somewhere,
// the README's set-up block holds the two set-up commands (and they are scripts of the package), and every page
// and anchor of docs/ that the code cites (`docs/configuration.md#stack-config`, in error messages above all)
// exists.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");

/** A Markdown file without its fenced code blocks, and its inline code without brackets: no links in code. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
    .replace(/`[^`\n]*`/g, (code) => code.replace(/[[\]()]/g, ""));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (not `-` or `_`), each space a dash. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a Markdown file's headings, with GitHub's -1, -2 … for repeated ones. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const m of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = headingSlug(m[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

interface Link {
  readonly file: string;
  readonly text: string;
  readonly target: string;
}

/** The inline links of a Markdown file, outside code. */
function links(file: string): Link[] {
  const text = prose(fs.readFileSync(file, "utf8"));
  return [...text.matchAll(/(?<!!)\[((?:[^\][]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => ({ file, text: m[1]!, target: m[2]! }),
  );
}

const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target);

/** Why a relative link does not resolve, or undefined when it does. */
function brokenLink(link: Link): string | undefined {
  const where = `${path.relative(ROOT, link.file)}: [${link.text}](${link.target})`;
  const [rawPath, anchor] = link.target.split("#", 2) as [string, string | undefined];
  const target = rawPath === "" ? link.file : path.resolve(path.dirname(link.file), decodeURI(rawPath));
  if (!fs.existsSync(target)) return `${where}: ${path.relative(ROOT, target)} does not exist`;
  if (anchor === undefined || anchor === "") return undefined;
  if (!target.endsWith(".md")) return `${where}: an anchor into a file that is not Markdown`;
  if (!anchors(fs.readFileSync(target, "utf8")).has(decodeURIComponent(anchor))) {
    return `${where}: ${path.relative(ROOT, target)} has no heading with the anchor #${anchor}`;
  }
  return undefined;
}

function checkedFiles(root: string): string[] {
  const docs = path.join(root, "docs");
  return [
    path.join(root, "README.md"),
    ...fs
      .readdirSync(docs)
      .filter((f) => f.endsWith(".md"))
      .map((f) => path.join(docs, f)),
  ];
}

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("the documentation's links", () => {
  const files = checkedFiles(ROOT);
  const all = files.flatMap(links);
  const relative = all.filter((l) => isRelative(l.target));

  it("covers the README and the docs/ pages", () => {
    for (const page of ["concepts", "configuration", "operations", "troubleshooting", "local-environment"]) {
      expect(files).toContain(path.join(ROOT, "docs", `${page}.md`));
    }
    // The README's table of contents links into every page of docs/.
    const fromReadme = links(path.join(ROOT, "README.md")).map((l) => l.target.split("#")[0]);
    for (const f of files.filter((f) => f.includes(`${path.sep}docs${path.sep}`))) {
      expect(fromReadme).toContain(`docs/${path.basename(f)}`);
    }
  });

  it("every relative link and anchor resolves", () => {
    expect(relative.length).toBeGreaterThan(50);
    expect(relative.map(brokenLink).filter((b) => b !== undefined)).toEqual([]);
  });

  it("the checker finds a missing file, a missing anchor and a repeated heading's anchor", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-links-"));
    try {
      fs.mkdirSync(path.join(dir, "docs"));
      fs.writeFileSync(
        path.join(dir, "README.md"),
        "# T\n\n## When `pulumi up` is interrupted\n\n## Step\n\n## Step\n\n[a](docs/a.md#ok) [b](docs/none.md) " +
          "[c](docs/a.md#nope) [d](#when-pulumi-up-is-interrupted) [e](#step-1) [f](#step-2) `[g](docs/x.md)`\n" +
          "```\n[h](docs/y.md)\n```\n",
      );
      fs.writeFileSync(path.join(dir, "docs", "a.md"), "# A\n\n## OK\n");
      const found = links(path.join(dir, "README.md"));
      expect(found.map((l) => l.text)).toEqual(["a", "b", "c", "d", "e", "f"]);
      expect(found.map((l) => brokenLink(l) !== undefined)).toEqual([false, true, true, false, false, true]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("anchors follow GitHub's rules", () => {
    expect(headingSlug("`okta.app.OAuth` in the local environment")).toBe(
      "oktaappoauth-in-the-local-environment",
    );
    expect(headingSlug("Drills: zero failed exchanges, measured")).toBe(
      "drills-zero-failed-exchanges-measured",
    );
    expect(headingSlug("private_key_jwt")).toBe("private_key_jwt");
    expect(headingSlug("What stays @pulumi/okta's")).toBe("what-stays-pulumioktas");
  });
});

describe("the README's set-up", () => {
  const setUp = /^## Set-up\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? "";
  const block = /```sh\n([\s\S]*?)```/.exec(setUp)?.[1] ?? "";
  const commands = block
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter((l) => l !== "");

  it("holds the two set-up commands", () => {
    expect(commands).toEqual(["npm install && npm run demo", "npm test"]);
  });

  it("names scripts the package has", () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.demo).toBeDefined();
    expect(scripts.test).toBeDefined();
  });
});

/** The repository's TypeScript files outside node_modules, dist and the generated docs, relative to `root`. */
function sourceFiles(root: string, dir = ""): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory())
      return ["node_modules", "dist", "bin", "coverage", ".git", "api"].includes(e.name)
        ? []
        : sourceFiles(root, rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

/** Each `docs/<page>.md#<anchor>` a source file cites, and why it does not resolve (undefined when it does). */
function docsCitations(root: string): { file: string; cited: string; broken?: string }[] {
  return sourceFiles(root).flatMap((file) =>
    [...fs.readFileSync(path.join(root, file), "utf8").matchAll(/\bdocs\/([\w-]+\.md)#([\w-]+)/g)].map(
      (m) => {
        const page = path.join(root, "docs", m[1]!);
        const broken = !fs.existsSync(page)
          ? `docs/${m[1]} does not exist`
          : anchors(fs.readFileSync(page, "utf8")).has(m[2]!)
            ? undefined
            : `docs/${m[1]} has no heading with the anchor #${m[2]}`;
        return { file, cited: m[0], ...(broken !== undefined ? { broken } : {}) };
      },
    ),
  );
}

describe("docs/ pages and anchors the code cites", () => {
  // This file's own citations are its checkers' fixtures, of pages in a temporary directory.
  const cited = docsCitations(ROOT).filter((c) => c.file !== path.join("test", "unit", "docs.test.ts"));

  it("each exists", () => {
    // The messages of the package, its program and okta-rotation-due cite them; so do comments and tests.
    for (const dir of ["components", "dynamic", "due", "policy"])
      expect(cited.filter((c) => c.file.startsWith(`${dir}${path.sep}`)).length, dir).toBeGreaterThan(0);
    expect(cited.filter((c) => c.broken !== undefined)).toEqual([]);
  });

  it("the package cites no README section: the README is short, the details are in docs/", () => {
    const dirs = ["components", "dynamic", "client", "due", "policy"];
    const files = [
      "index.ts",
      ...sourceFiles(ROOT).filter((f) => dirs.some((d) => f.startsWith(`${d}${path.sep}`))),
    ];
    const readmeCitations = files.flatMap((f) =>
      [...fs.readFileSync(path.join(ROOT, f), "utf8").matchAll(/README "[^"]+"|README: [\w.]+/g)].map(
        (m) => `${f}: ${m[0]}`,
      ),
    );
    expect(readmeCitations).toEqual([]);
  });

  it("the checker finds a missing page and a missing anchor, and takes GitHub's anchors", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-cited-"));
    try {
      fs.mkdirSync(path.join(dir, "docs"));
      fs.mkdirSync(path.join(dir, "src"));
      fs.mkdirSync(path.join(dir, "node_modules"));
      fs.writeFileSync(path.join(dir, "docs", "a.md"), "# A\n\n## Stack config\n\n## private_key_jwt\n");
      fs.writeFileSync(
        path.join(dir, "src", "m.ts"),
        "throw new Error(`see docs/a.md#stack-config, docs/a.md#private_key_jwt`);\n" +
          "// docs/a.md#nope (docs/b.md#stack-config).\n",
      );
      fs.writeFileSync(path.join(dir, "node_modules", "x.ts"), "// docs/a.md#ignored\n");
      expect(docsCitations(dir).map((c) => [c.cited, c.broken !== undefined])).toEqual([
        ["docs/a.md#stack-config", false],
        ["docs/a.md#private_key_jwt", false],
        ["docs/a.md#nope", true],
        ["docs/b.md#stack-config", true],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
