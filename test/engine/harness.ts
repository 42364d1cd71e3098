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
