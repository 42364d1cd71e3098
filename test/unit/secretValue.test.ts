import { describe, expect, it } from "vitest";
import { SecretValueProvider, newSecretValue } from "../../dynamic/secretValue";

const provider = new SecretValueProvider();

describe("SecretValue", () => {
  it("makes values Okta accepts as a client secret: 64 printable ASCII characters, never twice the same", () => {
    const a = newSecretValue();
    expect(a).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(newSecretValue()).not.toBe(a);
  });

  it("records the onboarding generation, and keeps it while each new generation gets a new value", async () => {
    const created = await provider.create({ appId: "0oa1", generation: 3 });
    const outs = created.outs!;
    expect(outs).toMatchObject({ generation: 3, onboardedGeneration: 3 });
    expect(await provider.diff(created.id, outs, { appId: "0oa1", generation: 4 })).toEqual({
      changes: true,
      replaces: [],
    });
    const bumped = (await provider.update(created.id, outs, { appId: "0oa1", generation: 4 })).outs!;
    expect(bumped).toMatchObject({ generation: 4, onboardedGeneration: 3 });
    expect(bumped.value).not.toBe(outs.value);
    const same = (await provider.update(created.id, bumped, { appId: "0oa1", generation: 4 })).outs!;
    expect(same.value).toBe(bumped.value);
    expect((await provider.diff(created.id, bumped, { appId: "0oa2", generation: 4 })).replaces).toEqual([
      "appId",
    ]);
  });
});
