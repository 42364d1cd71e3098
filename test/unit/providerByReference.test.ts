import * as path from "path";
import { describe, expect, it } from "vitest";
import { loadProvider, providerByReference } from "../../dynamic/providerByReference";
import { gateProvider } from "../../dynamic/tokenExchangeGate";
import { ClientSecretProvider } from "../../dynamic/clientSecret";

const ROOT = path.resolve(__dirname, "../..");

describe("providerByReference", () => {
  it("offers exactly the methods of the implementation (a missing diff or update changes the engine's behaviour)", () => {
    const cs = providerByReference(
      path.join(ROOT, "dynamic/clientSecret.ts"),
      "ClientSecretProvider",
      new ClientSecretProvider(),
    );
    expect(Object.keys(cs).sort()).toEqual([
      "check",
      "configure",
      "create",
      "delete",
      "diff",
      "read",
      "update",
    ]);
    const gate = providerByReference(
      path.join(ROOT, "dynamic/tokenExchangeGate.ts"),
      "gateProvider",
      gateProvider,
    );
    expect(Object.keys(gate).sort()).toEqual(["create", "diff", "update"]);
  });

  it("calls through to the implementation loaded from the file", async () => {
    const gate = providerByReference(
      path.join(ROOT, "dynamic/tokenExchangeGate.ts"),
      "gateProvider",
      gateProvider,
    );
    const olds = { appId: "0oa1", secretId: "ocs1", generation: 1 };
    await expect(gate.diff!("id", olds, { ...olds, generation: 2 })).resolves.toEqual({
      changes: true,
      replaces: [],
    });
  });

  it("says which file it could not load, from where, and what to do", async () => {
    const missing = providerByReference(path.join(ROOT, "dynamic/gone.ts"), "GoneProvider", gateProvider);
    await expect(missing.diff!("id", {}, {})).rejects.toThrow(
      /cannot load the dynamic provider GoneProvider from dynamic\/gone\.ts \(in .+\): Cannot find module .*Run pulumi from the project directory/,
    );
  });

  it("says when the file no longer exports the provider", () => {
    expect(() => loadProvider("dynamic/tokenExchangeGate.ts", "renamedProvider")).toThrow(
      /dynamic\/tokenExchangeGate\.ts \(in .+\) exports no renamedProvider/,
    );
  });
});
