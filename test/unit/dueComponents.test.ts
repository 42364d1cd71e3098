// okta-rotation-due for a program that uses the components: its rotations read from a `pulumi stack export`, the
// convention's stack config entries (okta-credential-rotation:generations / keyGenerations) found and bumped in
// place, and everything else in the file kept byte for byte.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { resolveGeneration } from "../../components/generations";
import {
  applyGenerationBumps,
  readComponentStackConfig,
  sharedGenerationBumps,
  StackConfigFileError,
} from "../../due/configFile";
import { dueRow } from "../../due/due";
import { componentTargets, rotationsOfState } from "../../due/stackState";

const NS = "okta-credential-rotation";
const STACK = "urn:pulumi:prod::team::";

/** A `pulumi stack export` of a program with one SecretRotation and one KeyRotation. */
function exported(opts: { source?: string; maxAge?: number; revoke?: boolean; rollback?: boolean } = {}) {
  const sr = `${STACK}okta-rotation:index:SecretRotation::billing`;
  const kr = `${STACK}okta-rotation:index:KeyRotation::payments`;
  const cs = (name: string, generation: number) => ({
    urn: `${STACK}okta-rotation:index:SecretRotation$pulumi-nodejs:dynamic/okta-rotation:ClientSecret::${name}`,
    type: "pulumi-nodejs:dynamic/okta-rotation:ClientSecret",
    parent: sr,
    inputs: { appId: "0oaBILL", __slot: { generation: 3, rollback: opts.rollback ?? false } },
    outputs: {
      appId: "0oaBILL",
      generation,
      clientSecret: {
        "4dabf18193072939515e22adc298c5d0": "1b47061264138c4ac30d75fd1eb44270",
        ciphertext: "x",
      },
    },
  });
  return {
    version: 3,
    deployment: {
      manifest: {},
      resources: [
        { urn: `${STACK}pulumi:pulumi:Stack::team-prod`, type: "pulumi:pulumi:Stack" },
        {
          urn: sr,
          type: "okta-rotation:index:SecretRotation",
          outputs: {
            audit: { app: "billing", generation: 3, kind: "clientSecret" },
            generationSource: opts.source ?? "stackConfig",
            ...(opts.maxAge !== undefined ? { maxCredentialAgeDays: opts.maxAge } : {}),
          },
        },
        cs("billing-slot-a", 2),
        cs("billing-slot-b", 3),
        ...(opts.revoke
          ? [
              {
                urn: `${STACK}x::billing-revocation`,
                type: "pulumi-nodejs:dynamic/okta-rotation:Revocation",
                parent: sr,
              },
            ]
          : []),
        {
          urn: kr,
          type: "okta-rotation:index:KeyRotation",
          outputs: {
            audit: { app: "payments", generation: 1, kind: "privateKey" },
            generationSource: "stackConfig",
            authMethod: "private_key_jwt",
            maxCredentialAgeDays: 30,
          },
        },
        {
          urn: `${STACK}x::payments-jwk-b`,
          type: "pulumi-nodejs:dynamic/okta-rotation:JsonWebKey",
          parent: kr,
          inputs: { appId: "0oaPAY" },
        },
      ],
    },
  };
}

describe("the rotations a stack's state reports", () => {
  it("finds each rotation's app, generation, where it keeps it, and what a bump must not touch", () => {
    const [billing, payments] = rotationsOfState(exported({ maxAge: 90 }));
    expect(billing).toEqual({
      component: "SecretRotation",
      name: "billing",
      appId: "0oaBILL",
      generation: 3,
      generationSource: "stackConfig",
      maxCredentialAgeDays: 90,
      rollback: false,
      keyRollback: false,
      revoke: false,
      audit: { app: "billing", generation: 3, kind: "clientSecret" },
    });
    expect(payments).toMatchObject({
      component: "KeyRotation",
      name: "payments",
      appId: "0oaPAY",
      generation: 1,
      keyRollback: false,
    });
    expect(rotationsOfState(exported({ revoke: true }))[0]!.revoke).toBe(true);
    expect(rotationsOfState(exported({ rollback: true }))[0]!.rollback).toBe(true);
    // Nothing secret is carried: the encrypted value stays where it is.
    expect(JSON.stringify(rotationsOfState(exported()))).not.toContain("ciphertext");
    expect(() => rotationsOfState({ nope: 1 })).toThrow(/not a `pulumi stack export`/);
  });

  it("bumps only an entry the rotation reads and the file holds at the stack's generation", () => {
    const rotations = rotationsOfState(exported());
    const ok = componentTargets(
      rotations,
      { generations: { billing: 3 }, keyGenerations: { payments: 1 } },
      NS,
      90,
    );
    expect(ok.map((t) => ("target" in t ? [t.target.field, t.target.notWritable] : t.error))).toEqual([
      [`${NS}:generations.billing`, undefined],
      [`${NS}:keyGenerations.payments`, undefined],
    ]);
    // The rotation's own maxCredentialAgeDays wins over --max-age-days.
    expect(ok.map((t) => ("target" in t ? t.target.maxCredentialAgeDays : 0))).toEqual([90, 30]);

    const ahead = componentTargets(rotations, { generations: { billing: 4 } }, NS, undefined);
    expect("target" in ahead[0]! && ahead[0].target.notWritable).toMatch(
      /generations\.billing = 4, but the stack's last pulumi up reached 3: a change is not applied yet/,
    );
    const fromProgram = componentTargets(rotationsOfState(exported({ source: "argument" })), {}, NS, 90);
    expect("target" in fromProgram[0]! && fromProgram[0].target.notWritable).toMatch(
      /SecretRotation 'billing' takes its generation from the program .* leave generation out and keep it in okta-credential-rotation:generations\.billing/,
    );
  });

  it("a due rotation that cannot be written is refused, naming why; one that can is bumped", () => {
    const now = Date.parse("2027-06-01T00:00:00Z");
    const listing = {
      credentials: [{ id: "ocs3", status: "ACTIVE" as const, created: "2027-01-01T00:00:00Z" }],
    };
    const [billing] = componentTargets(rotationsOfState(exported({ source: "argument" })), {}, NS, 90);
    const refused = dueRow("target" in billing! ? billing.target : (undefined as never), listing, now);
    expect(refused).toMatchObject({ due: true, ageDays: 151 });
    expect(refused.refused).toMatch(/takes its generation from the program/);
    const [ok] = componentTargets(rotationsOfState(exported()), { generations: { billing: 3 } }, NS, 90);
    const row = dueRow("target" in ok! ? ok.target : (undefined as never), listing, now);
    expect(row).toMatchObject({ due: true, field: `${NS}:generations.billing`, generation: 3 });
    expect(row.refused).toBeUndefined();
  });
});

const names = fc.constantFrom("billing", "payments", "ledger", "a-b", "x1");

describe("okta-rotation-due --write on a component program's stack config", () => {
  it("raises exactly the due entries and keeps every other byte (block, flow and JSON forms, CRLF, comments)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(names, fc.integer({ min: 0, max: 99 })), {
          minLength: 1,
          maxLength: 4,
          selector: ([n]) => n,
        }),
        fc.constantFrom("block", "flow", "json"),
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        (entries, form, crlf, comments, pick) => {
          const eol = crlf ? "\r\n" : "\n";
          const map = Object.fromEntries(entries);
          const body =
            form === "block"
              ? entries.map(([n, g]) => `    ${n}: ${g}${comments ? ` # ${n}` : ""}`).join(eol)
              : form === "flow"
                ? `    { ${entries.map(([n, g]) => `${n}: ${g}`).join(", ")} }`
                : `    '${JSON.stringify(map)}'`;
          const text = [
            ...(comments ? ["# the team's stack"] : []),
            "config:",
            "  okta:orgName: dev-1",
            `  ${NS}:generations:`,
            body,
            "  team:region: eu # kept",
            "",
          ].join(eol);
          const due = entries.filter((_, i) => (pick >> i) & 1);
          const bumps = due.map(([name, from]) => ({ key: "generations" as const, name, from }));
          const out = applyGenerationBumps(text, bumps, "Pulumi.prod.yaml");
          // What the file says now: each due entry one up, every other one the same.
          const read = readComponentStackConfig(out, "f").generations;
          expect(read).toEqual(
            Object.fromEntries(entries.map(([n, g]) => [n, due.some(([d]) => d === n) ? g + 1 : g])),
          );
          expect(parse(out.replace(/\r\n/g, "\n")).config["team:region"]).toBe("eu");
          if (form !== "json") {
            // Only digits changed: remove every number and the two texts are the same.
            expect(out.replace(/\d+/g, "#")).toBe(text.replace(/\d+/g, "#"));
          }
          if (bumps.length === 0) expect(out).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses an entry shared through a YAML anchor, and a file that changed since it was read", () => {
    const text = ["config:", `  ${NS}:generations:`, "    billing: &g 3", "    ledger: *g", ""].join("\n");
    const shared = sharedGenerationBumps(
      text,
      [
        { key: "generations", name: "billing", from: 3 },
        { key: "generations", name: "ledger", from: 3 },
      ],
      "f",
    );
    expect(shared.get("generations.billing")).toMatch(/carries the YAML anchor &g .*\(remove the anchor\)/);
    expect(shared.get("generations.ledger")).toMatch(/given by the YAML alias \*g/);
    expect(() =>
      applyGenerationBumps(
        `config:\n  ${NS}:generations:\n    billing: 4\n`,
        [{ key: "generations", name: "billing", from: 3 }],
        "f",
      ),
    ).toThrow(StackConfigFileError);
  });
});

describe("a component's generation: its argument or its stack config entry, never both", () => {
  it("resolves every combination the same way", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
        fc.option(fc.dictionary(names, fc.integer({ min: 0, max: 9 })), { nil: undefined }),
        names,
        (given, map, name) => {
          const r = resolveGeneration(NS, "generations", name, given, map);
          const inMap = map !== undefined && Object.hasOwn(map, name);
          if (given !== undefined && inMap) expect(r).toMatchObject({ argument: "generation" });
          else if (given !== undefined) expect(r).toEqual({ generation: given, source: "argument" });
          else if (inMap) expect(r).toEqual({ generation: map[name], source: "stackConfig" });
          else expect("problem" in r && r.fix).toContain(`'${NS}:generations.${name}'`);
        },
      ),
    );
    expect(resolveGeneration(NS, "keyGenerations", "p", undefined, [1, 2])).toMatchObject({
      argument: "keyGeneration",
      problem: expect.stringMatching(/must map each rotation's name to a whole number/),
    });
  });
});
