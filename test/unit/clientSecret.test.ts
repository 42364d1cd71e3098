import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClientSecretProvider, diffClientSecret, secretSummary, unsafeReplacement } from "../../dynamic";
import { readBackInputs, secretToAdopt } from "../../dynamic/clientSecret";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const provider = new ClientSecretProvider();
const OWN = "an-own-value-of-32-characters!!!";

async function failures(news: Record<string, unknown>) {
  return (await provider.check({}, news)).failures ?? [];
}

describe("ClientSecret check (no Okta call)", () => {
  it("accepts minimal inputs and defaults status to ACTIVE", async () => {
    const r = await provider.check({}, { appId: "0oa1" });
    expect(r.failures).toBeUndefined();
    expect(r.inputs).toEqual({ appId: "0oa1", status: "ACTIVE" });
  });

  it("keeps every input it diffs on", async () => {
    const r = await provider.check({}, { appId: "0oa1", status: "INACTIVE", value: OWN, generation: 3 });
    expect(r.inputs).toMatchObject({ appId: "0oa1", status: "INACTIVE", generation: 3 });
    expect(r.inputs?.value === OWN).toBe(true);
  });

  it.each([
    { name: "an empty appId", news: { appId: "" }, property: "appId", reason: /must not be empty/ },
    { name: "a numeric appId", news: { appId: 42 }, property: "appId", reason: /must be a string/ },
    { name: "a missing appId", news: {}, property: "appId", reason: /appId/ },
    {
      name: "an unknown status",
      news: { appId: "0oa1", status: "DISABLED" },
      property: "status",
      reason: /"ACTIVE" or "INACTIVE"/,
    },
    {
      name: "a value under 14 characters",
      news: { appId: "0oa1", value: "short" },
      property: "value",
      reason: /at least 14/,
    },
    {
      name: "a value over 100 characters",
      news: { appId: "0oa1", value: "x".repeat(101) },
      property: "value",
      reason: /at most 100/,
    },
    {
      name: "a non-ASCII value",
      news: { appId: "0oa1", value: "non-ascii-välue-here" },
      property: "value",
      reason: /printable ASCII/,
    },
    {
      name: "a value with a control character",
      news: { appId: "0oa1", value: "tab\tinside-a-long-value" },
      property: "value",
      reason: /printable ASCII/,
    },
    {
      name: "an empty adoptSecretId",
      news: { appId: "0oa1", adoptSecretId: "" },
      property: "adoptSecretId",
      reason: /must not be empty/,
    },
    {
      name: "both value and adoptSecretId",
      news: { appId: "0oa1", value: OWN, adoptSecretId: "ocs1" },
      property: "value",
      reason: /either value .* or adoptSecretId/,
    },
    {
      name: "a fractional generation",
      news: { appId: "0oa1", generation: 1.5 },
      property: "generation",
      reason: /whole number/,
    },
    {
      name: "a negative generation",
      news: { appId: "0oa1", generation: -1 },
      property: "generation",
      reason: /negative/,
    },
    {
      name: "a string generation",
      news: { appId: "0oa1", generation: "2" },
      property: "generation",
      reason: /must be a number/,
    },
  ])("refuses $name (field $property)", async ({ news, property, reason }) => {
    const f = await failures(news);
    expect(f.map((x) => x.property)).toContain(property);
    expect(f.find((x) => x.property === property)!.reason).toMatch(reason);
  });

  it("never echoes the value in a failure", async () => {
    const bad = "ünïcode-secret-material-0123456789";
    const f = await failures({ appId: "0oa1", value: bad });
    expect(f.length).toBeGreaterThan(0);
    expect(JSON.stringify(f).includes(bad)).toBe(false);
  });

  it("lets unknown (preview) inputs through", async () => {
    const r = await provider.check({}, { appId: UNKNOWN, generation: UNKNOWN, status: "ACTIVE" });
    expect(r.failures).toBeUndefined();
    expect(r.inputs).toMatchObject({ appId: UNKNOWN, generation: UNKNOWN });
  });
});

describe("diffClientSecret", () => {
  const olds = {
    appId: "0oa1",
    status: "ACTIVE",
    generation: 2,
    secretId: "ocs1",
    secretHash: "h",
    clientSecret: "generated-value",
  };

  it("is a no-op when nothing changed (outputs against the same inputs)", () => {
    expect(diffClientSecret(olds, { appId: "0oa1", status: "ACTIVE", generation: 2 })).toEqual({
      changes: false,
      replaces: [],
    });
  });

  it("treats absent status as ACTIVE on both sides", () => {
    expect(diffClientSecret({ ...olds, status: undefined }, { appId: "0oa1", generation: 2 }).changes).toBe(
      false,
    );
  });

  it("updates (no replace) on a status change", () => {
    expect(diffClientSecret(olds, { appId: "0oa1", status: "INACTIVE", generation: 2 })).toEqual({
      changes: true,
      replaces: [],
    });
  });

  it.each([
    ["appId", { appId: "0oa2" }],
    ["generation", { generation: 4 }],
    ["value", { value: OWN }],
    ["adoptSecretId", { adoptSecretId: "ocs9" }],
  ])("replaces on %s", (key, change) => {
    expect(diffClientSecret(olds, { appId: "0oa1", status: "ACTIVE", generation: 2, ...change })).toEqual({
      changes: true,
      replaces: [key],
    });
  });

  it("replaces when removing an input that was set, and when a value is unknown in preview", () => {
    expect(
      diffClientSecret({ ...olds, adoptSecretId: "ocs1" }, { appId: "0oa1", generation: 2 }).replaces,
    ).toEqual(["adoptSecretId"]);
    expect(diffClientSecret(olds, { appId: "0oa1", generation: UNKNOWN }).replaces).toEqual(["generation"]);
  });

  it("reports several replacing keys together", () => {
    expect(diffClientSecret(olds, { appId: "0oa2", generation: 3, status: "INACTIVE" })).toEqual({
      changes: true,
      replaces: ["appId", "generation"],
    });
  });

  it("returns no deleteBeforeReplace (left to the resource option)", async () => {
    const d = await provider.diff("ocs1", olds as never, { appId: "0oa1", status: "ACTIVE", generation: 3 });
    expect(d).toEqual({ changes: true, replaces: ["generation"] });
    expect("deleteBeforeReplace" in d).toBe(false);
  });
});

describe("secretSummary", () => {
  it("shows id, status and created, never a value", () => {
    const s = {
      id: "ocs1",
      status: "ACTIVE" as const,
      created: "2026-01-01T00:00:00.000Z",
      client_secret: "v",
    };
    expect(secretSummary(s)).toBe("ocs1 ACTIVE created 2026-01-01T00:00:00.000Z");
  });
});

describe("unsafeReplacement", () => {
  const olds = { appId: "0oa1", status: "ACTIVE", generation: 3 };
  it("refuses to replace a still-ACTIVE secret when asked to, naming it and saying how to finish", () => {
    const reason = unsafeReplacement(
      "ocs1",
      olds,
      { appId: "0oa1", generation: 5, replaceOnlyInactive: true },
      ["generation"],
    );
    expect(reason).toMatch(
      /^ClientSecret ocs1 of app 0oa1 \(generation 3\) would be deleted and replaced for generation 5/,
    );
    expect(reason).toMatch(/still ACTIVE.*Set generation back to the previous value and run pulumi up/s);
  });
  it("allows the replacement of an INACTIVE secret, a plain update, and resources that did not ask", () => {
    const news = { appId: "0oa1", generation: 5, replaceOnlyInactive: true };
    expect(unsafeReplacement("ocs1", { ...olds, status: "INACTIVE" }, news, ["generation"])).toBeUndefined();
    expect(unsafeReplacement("ocs1", olds, { ...news, generation: 3 }, [])).toBeUndefined();
    expect(unsafeReplacement("ocs1", olds, { appId: "0oa1", generation: 5 }, ["generation"])).toBeUndefined();
  });
});

describe("readBackInputs", () => {
  it("stands for the inputs Okta's state says, and never carries a slot's value", () => {
    const outs = {
      appId: "0oa1",
      status: "INACTIVE" as const,
      value: "a-value-made-before-the-create-0123",
      generation: 3,
      replaceOnlyInactive: true,
      slot: { app: "svc", generation: 3, rollback: false },
      secretId: "ocs1",
      secretHash: "h",
      clientSecret: "a-value-made-before-the-create-0123",
    };
    expect(readBackInputs(outs)).toEqual({
      appId: "0oa1",
      status: "INACTIVE",
      generation: 3,
      replaceOnlyInactive: true,
      slot: outs.slot,
    });
    const { slot: _slot, ...standalone } = outs;
    expect(readBackInputs(standalone)).toMatchObject({ value: outs.value, status: "INACTIVE" });
  });
});

describe("secretToAdopt", () => {
  const slot = (generation: number) => ({ app: "billing", generation, rollback: false });

  it("a slot adopts only when made at onboarding; made again at a later generation it makes its own", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), (onboarded, later) => {
        const at = (generation: number) =>
          secretToAdopt({ adoptSecretId: "ocsOld", onboardedGeneration: onboarded, slot: slot(generation) });
        expect(at(onboarded)).toBe("ocsOld");
        expect(at(onboarded + 1 + later)).toBeUndefined();
      }),
    );
    // While the onboarding generation is not recorded yet (the first run), and outside a slot, it adopts.
    expect(secretToAdopt({ adoptSecretId: "ocsOld", slot: slot(3) })).toBe("ocsOld");
    expect(secretToAdopt({ adoptSecretId: "ocsOld" })).toBe("ocsOld");
    expect(secretToAdopt({ slot: slot(3), onboardedGeneration: 3 })).toBeUndefined();
  });
});
