import * as path from "path";
import { Config as DynamicConfig } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import { describe, expect, it } from "vitest";
import {
  install,
  isInstalled,
  loadProvider,
  moduleSpecifier,
  packageOf,
  providerByReference,
} from "../../dynamic/providerByReference";

const ROOT = path.resolve(__dirname, "../..");
// What the dynamic provider host passes to configure.
const config = { config: new DynamicConfig({}, "okta-credential-rotation") };

describe("moduleSpecifier", () => {
  it("names a module by its package export, from the sources or the build alike", () => {
    expect(moduleSpecifier("okta-credential-rotation", "dynamic/clientSecret.ts")).toBe(
      "okta-credential-rotation/dynamic/clientSecret",
    );
    expect(moduleSpecifier("okta-credential-rotation", path.join("dist", "dynamic", "clientSecret.js"))).toBe(
      "okta-credential-rotation/dynamic/clientSecret",
    );
    expect(moduleSpecifier("@acme/rotation", "dist/dynamic/keyPair.d.ts")).toBe(
      "@acme/rotation/dynamic/keyPair",
    );
  });
});

describe("isInstalled", () => {
  it("is true only for a file under a node_modules folder", () => {
    expect(isInstalled("/srv/app/node_modules/okta-credential-rotation/dist/dynamic/clientSecret.js")).toBe(
      true,
    );
    expect(isInstalled("C:\\app\\node_modules\\okta-credential-rotation\\dist\\dynamic\\keyPair.js")).toBe(
      true,
    );
    expect(isInstalled(path.join(ROOT, "dist/dynamic/clientSecret.js"))).toBe(false);
    expect(isInstalled("/srv/my_node_modules_notes/dynamic/clientSecret.js")).toBe(false);
  });
});

describe("packageOf", () => {
  it("finds the package a file belongs to", () => {
    expect(packageOf(path.join(ROOT, "dynamic/clientSecret.ts"))).toEqual({
      name: "okta-credential-rotation",
      root: ROOT,
    });
  });
});

describe("install", () => {
  const implementation = {
    Full: class {
      configured: unknown;
      async configure(req: unknown) {
        this.configured = req;
      }
      async check() {
        return { inputs: {} };
      }
      async create() {
        return { id: "made-by-full", outs: {} };
      }
      async delete() {}
    },
    bare: { create: async () => ({ id: "made-by-bare", outs: {} }) },
  };

  it("gives the stand-in exactly the implementation's methods, bound to one instance per process", async () => {
    const a: Record<string, unknown> = {};
    const b: Record<string, unknown> = {};
    await install(a, implementation, "Full", config);
    await install(b, implementation, "Full", config);
    expect(Object.keys(a).sort()).toEqual(["check", "create", "delete"]);
    await expect((a.create as () => Promise<{ id: string }>)()).resolves.toMatchObject({
      id: "made-by-full",
    });
    const instance = loadProvider(implementation, "Full") as unknown as { configured: unknown };
    expect(instance.configured).toBe(config);
    const bare: Record<string, unknown> = {};
    await install(bare, implementation, "bare", config);
    expect(Object.keys(bare)).toEqual(["create"]);
  });

  it("says which export is missing and what to install", async () => {
    await expect(
      install({}, implementation, "Renamed", config, "okta-credential-rotation/dynamic/x"),
    ).rejects.toThrow(
      /the dynamic provider Renamed is not exported by okta-credential-rotation\/dynamic\/x: install the version of okta-credential-rotation that has it/,
    );
  });
});

// From a checkout (here: the tests), the stand-in loads the implementation by its package export from the
// project directory: Node resolves the package's own name to its compiled dist/ (test/globalSetup.ts builds it).
describe("providerByReference in a checkout", () => {
  it("has only configure until the host configures it; then exactly the implementation's methods", async () => {
    const cs = providerByReference(path.join(ROOT, "dynamic/clientSecret.ts"), "ClientSecretProvider");
    expect(Object.keys(cs)).toEqual(["configure"]);
    await cs.configure!(config);
    expect(Object.keys(cs).sort()).toEqual([
      "check",
      "configure",
      "create",
      "delete",
      "diff",
      "read",
      "update",
    ]);
    // A provider object without read or delete: the engine must see them missing, as it would without the stand-in.
    const gate = providerByReference(path.join(ROOT, "dynamic/tokenExchangeGate.ts"), "gateProvider");
    await gate.configure!(config);
    expect(Object.keys(gate).sort()).toEqual(["check", "configure", "create", "diff", "update"]);
  });

  it("calls the implementation loaded from the package", async () => {
    const gate = providerByReference(path.join(ROOT, "dynamic/tokenExchangeGate.ts"), "gateProvider");
    await gate.configure!(config);
    const olds = { appId: "0oa1", secretId: "ocs1", generation: 1 };
    await expect(gate.diff!("id", olds, { ...olds, generation: 2 })).resolves.toEqual({
      changes: true,
      replaces: [],
    });
  });

  it("says which module it could not load, from where, and what to do", async () => {
    const missing = providerByReference(path.join(ROOT, "dynamic/gone.ts"), "GoneProvider");
    await expect(missing.configure!(config)).rejects.toThrow(
      /cannot load the dynamic provider okta-credential-rotation\/dynamic\/gone#GoneProvider from .+: Error: Cannot find module .*Run pulumi in the project directory/,
    );
  });

  it("says when the module no longer exports the provider", async () => {
    const renamed = providerByReference(path.join(ROOT, "dynamic/tokenExchangeGate.ts"), "renamedProvider");
    await expect(renamed.configure!(config)).rejects.toThrow(
      /renamedProvider is not exported by okta-credential-rotation\/dynamic\/tokenExchangeGate/,
    );
  });
});
