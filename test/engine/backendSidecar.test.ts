// The file backend after a kill at the wrong moment: gocloud's fileblob, under Pulumi's file backend, renames a new
// checkpoint into place but rewrites its `.attrs` sidecar in place, so a `pulumi up` killed in between leaves the
// sidecar empty and every later command fails with "failed to load checkpoint: EOF". The recovery
// docs/operations.md gives removes the empty sidecar; the checkpoint then loads as it was.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCliStack, type CliStack } from "./cli";
import { PROJECT, removeEmptyBackendSidecars } from "./harness";

let stack: CliStack;

beforeAll(async () => {
  stack = await createCliStack(`sidecar-${process.pid}`, {});
}, 120_000);
afterAll(async () => {
  await stack?.dispose();
});

describe("an empty checkpoint sidecar in the file backend", () => {
  it("fails every command with 'failed to load checkpoint: EOF' until it is removed, and nothing else is lost", async () => {
    const checkpoint = path.join(stack.backendDir, ".pulumi", "stacks", PROJECT, `${stack.name}.json`);
    const sidecar = `${checkpoint}.attrs`;
    expect(fs.existsSync(sidecar)).toBe(true);
    const before = fs.readFileSync(checkpoint, "utf8");

    fs.writeFileSync(sidecar, "");
    const cancel = await stack.run(["cancel", "--yes"]);
    expect(cancel.code).not.toBe(0);
    expect(cancel.stderr + cancel.stdout).toContain("failed to load checkpoint: EOF");
    const exported = await stack.run(["stack", "export"]);
    expect(exported.stderr + exported.stdout).toContain("failed to load checkpoint: EOF");

    expect(removeEmptyBackendSidecars(stack.backendDir)).toEqual([sidecar]);
    expect(fs.readFileSync(checkpoint, "utf8")).toBe(before);
    expect((await stack.run(["cancel", "--yes"])).code).toBe(0);
    expect((await stack.exportState()).resources ?? []).toEqual([]);
    // Nothing else is taken for such a sidecar: a second look removes nothing.
    expect(removeEmptyBackendSidecars(stack.backendDir)).toEqual([]);
  }, 120_000);
});
