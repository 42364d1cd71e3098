import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hideInputs, revealInputs, wrapHiddenInputs } from "../../dynamic/hiddenInputs";
import { clientSecretHiddenInputs } from "../../dynamic/clientSecret";

const key = fc.stringMatching(/^[a-z][A-Za-z]{0,10}$/);
const props = fc.dictionary(key, fc.jsonValue(), { maxKeys: 8 });

describe("hidden inputs", () => {
  it("hides exactly the keys asked for under the `__` prefix, and reveals them back", () => {
    fc.assert(
      fc.property(props, fc.array(key, { maxLength: 4 }), (p, keys) => {
        const hidden = hideInputs(p, keys);
        for (const k of keys) expect(Object.keys(hidden)).not.toContain(k);
        for (const k of Object.keys(p)) {
          if (keys.includes(k)) expect(hidden[`__${k}`]).toEqual(p[k]);
          else expect(hidden[k]).toEqual(p[k]);
        }
        expect(revealInputs(hidden)).toEqual(p);
      }),
    );
  });

  it("reads state written before the prefix (plain names) as it is, and never touches __provider", () => {
    fc.assert(
      fc.property(props, (p) => {
        expect(revealInputs(p)).toEqual(p);
        expect(revealInputs({ ...p, __provider: "x" })).toEqual({ ...p, __provider: "x" });
      }),
    );
  });

  it("gives a provider plain names and puts what it returns back under the prefix", async () => {
    const seen: unknown[] = [];
    const provider = {
      hiddenInputs: (p: Record<string, unknown>) => clientSecretHiddenInputs(p),
      async check(olds: unknown, news: Record<string, unknown>) {
        seen.push(["check", olds, news]);
        return { inputs: news };
      },
      async diff(_id: string, olds: unknown, news: unknown) {
        seen.push(["diff", olds, news]);
        return { changes: true };
      },
      async create(inputs: Record<string, unknown>) {
        seen.push(["create", inputs]);
        return { id: "ocs1", outs: { ...inputs, secretId: "ocs1" } };
      },
      async read(id: string, p: Record<string, unknown>) {
        return { id, props: p };
      },
    };
    const w = wrapHiddenInputs(provider, ["check", "diff", "create", "read", "update", "delete"]);
    expect(Object.keys(w).sort()).toEqual(["check", "create", "diff", "read"]);
    const wire = { appId: "0oa1", generation: 2, __slot: { app: "a", generation: 2 }, __value: "v" };
    const checked = (await w.check!(undefined, wire)) as { inputs: Record<string, unknown> };
    expect(seen[0]).toEqual([
      "check",
      undefined,
      { appId: "0oa1", generation: 2, slot: wire.__slot, value: "v" },
    ]);
    expect(checked.inputs).toEqual(wire);
    const created = (await w.create!(wire)) as { outs: Record<string, unknown> };
    expect(created.outs).toEqual({ ...wire, secretId: "ocs1" });
    // Old state with plain names: the provider sees it as it is; what it writes back is hidden.
    const read = (await w.read!("ocs1", { appId: "0oa1", slot: { app: "a" }, value: "v" })) as {
      props: Record<string, unknown>;
    };
    expect(read.props).toEqual({ appId: "0oa1", __slot: { app: "a" }, __value: "v" });
    await w.diff!("ocs1", created.outs, wire);
    expect(seen[2]).toEqual([
      "diff",
      { appId: "0oa1", generation: 2, slot: wire.__slot, value: "v", secretId: "ocs1" },
      { appId: "0oa1", generation: 2, slot: wire.__slot, value: "v" },
    ]);
  });

  it("hides a standalone ClientSecret's value and adoptSecretId nowhere: there, they replace the secret", () => {
    expect(clientSecretHiddenInputs({ appId: "0oa1", value: "v" })).not.toContain("value");
    expect(clientSecretHiddenInputs({ appId: "0oa1", slot: {} })).toEqual(
      expect.arrayContaining([
        "slot",
        "value",
        "adoptSecretId",
        "replaceOnlyInactive",
        "onboardedGeneration",
      ]),
    );
  });
});
