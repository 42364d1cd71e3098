import * as path from "path";
import { Config as DynamicConfig } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import { describe, expect, it } from "vitest";
import { loadProvider, providerByReference } from "../../dynamic/providerByReference";

const ROOT = path.resolve(__dirname, "../..");
// What the dynamic provider host passes to configure.
const config = { config: new DynamicConfig({}, "okta-credential-rotation") };

describe("providerByReference", () => {
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

  it("calls the implementation loaded from the file", async () => {
    const gate = providerByReference(path.join(ROOT, "dynamic/tokenExchangeGate.ts"), "gateProvider");
    await gate.configure!(config);
    const olds = { appId: "0oa1", secretId: "ocs1", generation: 1 };
    await expect(gate.diff!("id", olds, { ...olds, generation: 2 })).resolves.toEqual({
      changes: true,
      replaces: [],
    });
  });

  it("says which file it could not load, from where, and what to do", async () => {
    const missing = providerByReference(path.join(ROOT, "dynamic/gone.ts"), "GoneProvider");
    await expect(missing.configure!(config)).rejects.toThrow(
      /cannot load the dynamic provider dynamic\/gone\.ts#GoneProvider in .+: Error: Cannot find module .*Run pulumi in the project directory/,
    );
  });

  it("says when the file no longer exports the provider", () => {
    expect(() => loadProvider("dynamic/tokenExchangeGate.ts#renamedProvider")).toThrow(
      /dynamic\/tokenExchangeGate\.ts in .+ exports no renamedProvider/,
    );
  });
});
