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

/** Every file of the file backend, by path. */
function backendFiles(backendDir: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(backendDir);
  return files;
}

/**
 * Removes the file backend's empty metadata sidecars (`<file>.attrs`) and returns their paths. The backend (gocloud's
 * fileblob) writes a checkpoint to a temporary file and renames it, but rewrites the checkpoint's `.attrs` sidecar in
 * place (create, then write): a `pulumi up` killed between the two leaves it empty, and every later command fails
 * with "failed to load checkpoint: EOF". The sidecar holds only the file's content type and checksum, written again
 * at the next save; a checkpoint without one reads as it is. This is the step docs/operations.md gives for it.
 */
export function removeEmptyBackendSidecars(backendDir: string): string[] {
  const empty = backendFiles(backendDir).filter((p) => p.endsWith(".attrs") && fs.statSync(p).size === 0);
  for (const p of empty) fs.rmSync(p);
  return empty;
}

/** Reads every stack state file of the backend as text (for secret leak checks). */
export function readBackendState(backendDir: string): string {
  return backendFiles(backendDir)
    .filter((p) => p.endsWith(".json"))
    .map((p) => fs.readFileSync(p, "utf8"))
    .join("");
}
