// A killed `pulumi up` in the kill drills takes its resource plugins with it: the CLI starts each in a process group
// of its own, so the group kill alone left them running. `descendants` finds them before the kill.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { descendants } from "../engine/cli";

/** Running: in /proc and not a zombie (an orphan's zombie waits for init, which may not reap it here). */
const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

let started: number[] = [];
afterEach(() => {
  for (const pid of started) if (alive(pid)) process.kill(pid, "SIGKILL");
  started = [];
});

describe("descendants", () => {
  it.runIf(process.platform === "linux")(
    "finds a grandchild in a process group of its own, as the CLI's plugins are",
    async () => {
      // bash → setsid → sleep: the sleep leads a new session and group, like a plugin the CLI starts.
      const child = spawn("bash", ["-c", "setsid sleep 60 & echo $!; wait"], {
        detached: true,
        stdio: ["ignore", "pipe", "ignore"],
      });
      const grandchild = await new Promise<number>((resolve) =>
        child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      started = [child.pid!, grandchild];
      const found = descendants(child.pid!);
      expect(found).toContain(grandchild);
      // The group kill misses it; killing what descendants found does not.
      process.kill(-child.pid!, "SIGKILL");
      await new Promise((r) => setTimeout(r, 100));
      expect(alive(grandchild)).toBe(true);
      for (const pid of found) process.kill(pid, "SIGKILL");
      await new Promise((r) => setTimeout(r, 100));
      expect(alive(grandchild)).toBe(false);
    },
  );

  it("finds nothing below a process without children", () => {
    expect(descendants(process.pid).filter((p) => p === process.pid)).toEqual([]);
  });
});
