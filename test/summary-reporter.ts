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

/** Ends the run with one plain line, `Tests: N passed, N failed, N skipped`, for tools that read it. */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    count(files, totals);
    // Let the default reporter print its summary first.
    setImmediate(() =>
      process.stdout.write(
        `\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
      ),
    );
  }
}
