import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { clientSecretInputsSchema } from "../../dynamic/clientSecret";
import { UNKNOWN } from "../../dynamic/providerValues";
import { secretValueInputsSchema } from "../../dynamic/secretValue";
import { checkInputs, schemaOf } from "../../dynamic/validation";

describe("schemaOf", () => {
  it("builds a schema once per builder and process, and gives a schema itself back", () => {
    let built = 0;
    const builder = () => {
      built++;
      return z.object({ n: z.number() });
    };
    const first = schemaOf(builder);
    for (let i = 0; i < 5; i++) expect(schemaOf(builder)).toBe(first);
    expect(built).toBe(1);
    const other = () => z.object({ n: z.number() });
    expect(schemaOf(other)).not.toBe(first);
    const schema = z.string();
    expect(schemaOf(schema)).toBe(schema);
  });

  // What a provider's check sees: its inputs, some of them wrong, some not known yet (preview).
  const value = fc.oneof(
    fc.constant(UNKNOWN),
    fc.string({ maxLength: 120 }),
    fc.integer({ min: -2, max: 5 }),
    fc.boolean(),
    fc.constant(undefined),
  );
  const inputs = fc.record(
    {
      appId: value,
      status: fc.oneof(value, fc.constantFrom("ACTIVE", "INACTIVE")),
      value: value,
      adoptSecretId: value,
      generation: value,
      replaceOnlyInactive: value,
      rotation: value,
      slot: fc.oneof(
        value,
        fc.record({ app: value, generation: value, rollback: value }, { requiredKeys: ["app"] }),
      ),
    },
    { requiredKeys: [] },
  );

  it("checks inputs exactly as a schema built for the call does", () => {
    fc.assert(
      fc.property(inputs, (news) => {
        for (const builder of [clientSecretInputsSchema, secretValueInputsSchema]) {
          expect(checkInputs(builder, news)).toEqual(checkInputs(builder(), news));
        }
      }),
    );
  });
});
