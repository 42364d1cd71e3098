import type { Reporter } from "vitest/reporters";
import type { RunnerTask, RunnerTestFile } from "vitest";

function count(
  tasks: ReadonlyArray<RunnerTask>,
  into: { passed: number; failed: number; skipped: number },
): void {
  for (const t of tasks) {
    if (t.type === "suite") {
      count(t.tasks, into);
      if (t.tasks.length === 0 && t.result?.state === "fail") into.failed++;
    } else if (t.result?.state === "pass") into.passed++;
    else if (t.result?.state === "fail") into.failed++;
    else into.skipped++;
  }
}

/** Each test file's time, slowest first, as lines `  123.4 s  test/engine/x.test.ts`. */
export function fileTimes(files: ReadonlyArray<RunnerTestFile>, root: string): string[] {
  return files
    .map((f) => ({
      name: f.filepath.startsWith(root) ? f.filepath.slice(root.length + 1) : f.filepath,
      ms: f.result?.duration ?? 0,
    }))
    .sort((a, b) => b.ms - a.ms)
    .map((f) => `${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.name}`);
}

/**
 * Ends the run with each test file's time, slowest first (so the slow ones are seen), then one plain line,
 * `Tests: N passed, N failed, N skipped`, for tools that read it.
 */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    count(files, totals);
    const times = fileTimes(files, process.cwd());
    // Let the default reporter print its summary first.
    setImmediate(() =>
      process.stdout.write(
        `\nTime per test file, slowest first:\n${times.join("\n")}\n` +
          `\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
      ),
    );
  }
}
