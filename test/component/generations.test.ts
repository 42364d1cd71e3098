// A component program may keep its generations in the stack config by convention
// (`okta-credential-rotation:generations` / `:keyGenerations`, by rotation name), where okta-rotation-due bumps
// them: a component given no generation reads its entry; both or neither is one argument error.
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, recordChildren, resourceErrorMessage, valueOf, type ChildOptions } from "./mocks";

installMocks();

let components: typeof import("../../components");
beforeAll(async () => {
  components = await import("../../components");
});
beforeEach(() => components.resetVaultPathClaims());
afterEach(() => pulumi.runtime.setAllConfig({}));

const argumentError = resourceErrorMessage;

const secretRotation = (name: string, args: Partial<import("../../components").SecretRotationArgs>) => {
  const children: ChildOptions[] = [];
  new components.SecretRotation(
    name,
    { appId: "0oa1", adoptSecretId: "ocs0", ...args },
    { transformations: [recordChildren(children)] },
  );
  return children;
};

const keyRotation = (name: string, args: Partial<import("../../components").KeyRotationArgs>) => {
  const children: ChildOptions[] = [];
  new components.KeyRotation(
    name,
    { appId: "0oa1", tokenUrl: "https://example.okta.com/oauth2/default/v1/token", ...args },
    { transformations: [recordChildren(children)] },
  );
  return children;
};

const setGenerations = (key: "generations" | "keyGenerations", map: unknown) =>
  pulumi.runtime.setConfig(`okta-credential-rotation:${key}`, JSON.stringify(map));

describe("a rotation's generation from the stack config", () => {
  it("a SecretRotation without generation takes its own entry, and its children carry it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.dictionary(fc.constantFrom("other", "billing-2", "x"), fc.integer({ min: 0, max: 9 })),
        async (generation, others) => {
          components.resetVaultPathClaims();
          setGenerations("generations", { ...others, billing: generation });
          const children = secretRotation("billing", {});
          const value = children.find((c) => c.name === "billing-value")!;
          expect(await valueOf(pulumi.output(value.props.generation as pulumi.Input<number>))).toBe(
            generation,
          );
        },
      ),
      { numRuns: 15 },
    );
  });

  it("a KeyRotation without keyGeneration takes its entry of keyGenerations", async () => {
    setGenerations("keyGenerations", { payments: 3 });
    const children = keyRotation("payments", {});
    // Key generation 3 is held, 2 is the one it retires: one key pair each.
    const pairs = children.filter((c) => /^payments-key-[ab]$/.test(c.name));
    const generations = await Promise.all(
      pairs.map((p) => valueOf(pulumi.output(p.props.generation as pulumi.Input<number>))),
    );
    expect(generations.sort()).toEqual([2, 3]);
  });

  it("refuses both, neither, or a map that is not names to whole numbers: one message naming the key and the fix", () => {
    setGenerations("generations", { billing: 2 });
    const both = argumentError(() => secretRotation("billing", { generation: 2 }));
    expect(both).toContain("SecretRotation 'billing': generation is given (2)");
    expect(both).toContain("okta-credential-rotation:generations.billing (2)");
    expect(both).toContain("leave generation out");

    const neither = argumentError(() => secretRotation("ledger", {}));
    expect(neither).toContain("SecretRotation 'ledger': generation is not given");
    expect(neither).toContain("pulumi config set --path 'okta-credential-rotation:generations.ledger' 1");

    setGenerations("keyGenerations", { payments: "two" });
    const bad = argumentError(() => keyRotation("payments", {}));
    expect(bad).toContain(
      "KeyRotation 'payments': keyGeneration cannot be read from okta-credential-rotation:keyGenerations",
    );
  });

  it("refuses a maxCredentialAgeDays that is not a whole number of days ≥ 1", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true, noNaN: true })), (days) => {
        components.resetVaultPathClaims();
        const message = argumentError(() =>
          secretRotation("aged", { generation: 1, maxCredentialAgeDays: days }),
        );
        expect(message).toContain("SecretRotation 'aged': maxCredentialAgeDays is");
      }),
      { numRuns: 20 },
    );
  });
});
