import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";

export {
  PROJECT,
  REPO_ROOT,
  createStack,
  pulumiCommand,
  setApps,
  type EngineStack,
} from "../../local-env/stack";

export interface StepSeen {
  op: string;
  urn: string;
  name: string;
  type: string;
  diffs: string[];
  replaceKeys: string[];
}

/** Collects the resource steps of an operation from the engine's events. */
export function stepCollector(): { steps: StepSeen[]; onEvent: (e: EngineEvent) => void } {
  const steps: StepSeen[] = [];
  return {
    steps,
    onEvent(e: EngineEvent) {
      const m = e.resourcePreEvent?.metadata;
      if (!m) return;
      steps.push({
        op: m.op,
        urn: m.urn,
        name: m.urn.split("::").pop() ?? m.urn,
        type: m.type,
        diffs: m.diffs ?? [],
        replaceKeys: m.keys ?? [],
      });
    },
  };
}

/**
 * Removes the file backend's empty metadata sidecars (`<file>.attrs`) and returns their paths. The backend (gocloud's
 * fileblob) writes a checkpoint to a temporary file and renames it, but rewrites the checkpoint's `.attrs` sidecar in
 * place (create, then write): a `pulumi up` killed between the two leaves it empty, and every later command fails
 * with "failed to load checkpoint: EOF". The sidecar holds only the file's content type and checksum, written again
 * at the next save; a checkpoint without one reads as it is. This is the step docs/operations.md gives for it.
 */
export function removeEmptyBackendSidecars(backendDir: string): string[] {
  const removed: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(".attrs") && fs.statSync(p).size === 0) {
        fs.rmSync(p);
        removed.push(p);
      }
    }
  };
  walk(backendDir);
  return removed;
}

/** Reads every stack state file of the backend as text (for secret leak checks). */
export function readBackendState(backendDir: string): string {
  let text = "";
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(".json")) text += fs.readFileSync(p, "utf8");
    }
  };
  walk(backendDir);
  return text;
}
