import { describe, expect, it } from "vitest";
import { generatedSecretInputsSchema, generatedSecretOf } from "../../dynamic/generatedSecret";
import { checkInputs } from "../../dynamic/validation";

describe("generatedSecretOf", () => {
  const active = { id: "ocs1", status: "ACTIVE" as const, created: "2026-12-01T00:00:00.000Z" };

  it("takes the app's only secret when it is ACTIVE", () => {
    expect(generatedSecretOf("billing", "0oa1", [active])).toEqual({ secret: active });
  });

  it.each([
    ["no secret", [], /has no client secret.*\(or remove both if it has none\)/],
    [
      "one INACTIVE secret",
      [{ id: "ocs1", status: "INACTIVE" as const }],
      /has one secret, INACTIVE \(ocs1 INACTIVE\)/,
    ],
    [
      "two secrets",
      [active, { id: "ocs2", status: "ACTIVE" as const }],
      /has 2 secrets \(ocs1 ACTIVE created 2026-12-01T00:00:00.000Z; ocs2 ACTIVE\)/,
    ],
  ])("refuses an app with %s, saying what to set instead", (_what, secrets, message) => {
    const found = generatedSecretOf("billing", "0oa1", secrets);
    expect("problem" in found && found.problem).toMatch(message);
    expect("problem" in found && found.problem).toMatch(
      /^app 'billing': adoptGeneratedSecret .* app 0oa1 .*Nothing was changed\.$/,
    );
  });
});

describe("GeneratedSecret inputs", () => {
  it("trims the app id and names a missing one", () => {
    expect(checkInputs(generatedSecretInputsSchema(), { appId: " 0oa1 ", app: "billing" }).inputs).toEqual({
      appId: "0oa1",
      app: "billing",
    });
    const failures = checkInputs(generatedSecretInputsSchema(), { appId: "", app: "billing" }).failures ?? [];
    expect(failures.map((f) => f.property)).toEqual(["appId"]);
  });
});
