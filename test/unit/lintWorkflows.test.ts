// `npm run lint:workflows` checks the workflows' `run:` scripts with the pinned ShellCheck: a shell mistake in a
// step fails it, naming the ShellCheck rule, and the repository's own workflows pass. Runs actionlint with `go run`
// and scripts/install-shellcheck.sh (both cached after their first run, as in .ci/run before the tests).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");

function lint(...files: string[]) {
  const r = spawnSync("bash", ["scripts/lint-workflows.sh", ...files], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function workflow(run: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lint-workflows-"));
  const file = path.join(dir, "step.yml");
  const body = run
    .split("\n")
    .map((l) => `          ${l}`)
    .join("\n");
  fs.writeFileSync(
    file,
    `name: step\non: push\npermissions: {}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n${body}\n`,
  );
  return file;
}

describe("npm run lint:workflows", { timeout: 300_000 }, () => {
  it("fails on a shell mistake in a run: script, naming the ShellCheck rule", () => {
    const cases: [string, string][] = [
      ["files=$(ls *.json)\nif [ $files = x ]; then echo yes; fi", "SC2086"],
      ['cd "$DIR"\nif [ -f x ] then echo y; fi', "SC1010"],
      ['for f in $(cat list); do echo "$f"; done', "SC2013"],
    ];
    for (const [run, rule] of cases) {
      const r = lint(workflow(run));
      expect(r.status, r.out).not.toBe(0);
      expect(r.out).toContain(rule);
      expect(r.out).toContain("[shellcheck]");
    }
  });

  it("passes the same step written correctly, and the repository's workflows", () => {
    const good = lint(workflow('for f in ./*.json; do\n  if [ "$f" = x ]; then echo yes; fi\ndone'));
    expect(good.status, good.out).toBe(0);
    const repo = lint();
    expect(repo.status, repo.out).toBe(0);
  });
});
