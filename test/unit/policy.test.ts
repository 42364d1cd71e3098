// The policy pack's pure helpers: what a rotation is made of, which credential is current, and each policy's verdict.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { unknownCheckingProxy } from "@pulumi/policy";
import {
  CLIENT_SECRET,
  JSON_WEB_KEY,
  KEY_ROTATION,
  REVOCATION,
  SECRET_ROTATION,
  TOKEN_EXCHANGE_GATE,
  APP_AUTH_METHOD,
  APPS_CONFIG_KEY,
  GENERATION_CONVENTION,
  currentCredentials,
  known,
  rotationsOf,
  type StackResource,
} from "../../policy/resources";
import { ageInDays, credentialAgeViolation, credentialAgeViolations } from "../../policy/credentialAge";
import { authMethodViolations, isRequired } from "../../policy/authMethod";
import { overlapViolations } from "../../policy/minOverlap";
import { missingPolicySdk, testedPolicySdkVersion } from "../../policy/sdk";
import { GENERATIONS_KEY, KEY_GENERATIONS_KEY } from "../../components/generations";
import { PACKAGE_CONFIG_NAMESPACE } from "../../components/settings";

// @pulumi/policy's markers of a string and a number that a preview does not know yet.
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421";
const DAY_MS = 86_400_000;
const NOW = Date.parse("2026-12-01T12:00:00.000Z");
const daysBefore = (days: number) => new Date(NOW - days * DAY_MS).toISOString();

/** A stack resource as @pulumi/policy hands it over: props behind the proxy that throws on unknown values. */
function res(
  type: string,
  name: string,
  props: Record<string, unknown>,
  parent?: { type: string; name: string },
): StackResource {
  return {
    type,
    name,
    urn: `urn:${type}::${name}`,
    props: unknownCheckingProxy(props) as Record<string, unknown>,
    ...(parent ? { parent: { ...parent, urn: `urn:${parent.type}::${parent.name}` } } : {}),
  };
}

interface SecretStackOptions {
  app?: string;
  appId?: string;
  generation: number;
  rollback?: boolean;
  /** The previous slot exists (generation ≥ 2, or an adopted secret). */
  previous?: boolean;
  holderCreated?: string;
  previousCreated?: string;
  minOverlapSeconds?: number;
  revoke?: boolean;
  /** The slots carry their record under `slot` (state written before `__slot`, which no pack is handed). */
  slotRecord?: boolean;
}

/**
 * The resources a SecretRotation declares, as a stack policy sees them: the engine hands a pack no `__` property,
 * so the slots' `__slot` record is not there (unless `slotRecord`, as state written before the prefix has it).
 */
function secretStack(o: SecretStackOptions): StackResource[] {
  const app = o.app ?? "billing";
  const appId = o.appId ?? "0oaBilling";
  const parent = { type: SECRET_ROTATION, name: app };
  const slot = o.slotRecord ? { slot: { app, generation: o.generation, rollback: o.rollback ?? false } } : {};
  const holderGen = o.rollback ? o.generation - 1 : o.generation;
  const retiredGen = o.rollback ? o.generation : o.generation - 1;
  const slotName = (g: number) => `${app}-slot-${g % 2 === 0 ? "a" : "b"}`;
  const out = [
    res(SECRET_ROTATION, app, {}),
    res(
      CLIENT_SECRET,
      slotName(holderGen),
      {
        appId,
        generation: holderGen,
        status: "ACTIVE",
        ...slot,
        secretId: `ocs${holderGen}`,
        created: o.holderCreated ?? UNKNOWN_STRING,
      },
      parent,
    ),
    res(
      TOKEN_EXCHANGE_GATE,
      `${app}-gate`,
      { appId, minOverlapSeconds: o.previous && !o.revoke ? (o.minOverlapSeconds ?? 0) : 0 },
      parent,
    ),
  ];
  if (o.previous) {
    out.push(
      res(
        CLIENT_SECRET,
        slotName(retiredGen),
        {
          appId,
          generation: retiredGen,
          status: "INACTIVE",
          ...slot,
          secretId: `ocs${retiredGen}`,
          ...(o.previousCreated ? { created: o.previousCreated } : {}),
        },
        parent,
      ),
    );
  }
  if (o.revoke) out.push(res(REVOCATION, `${app}-revocation`, { appId }, parent));
  return out;
}

/** The resources a KeyRotation declares: two key slots, the auth method, optionally the rollback secret. */
function keyStack(o: {
  app?: string;
  keyGeneration: number;
  holderCreated?: string;
  rollback?: boolean;
  secretCreated?: string;
}): StackResource[] {
  const app = o.app ?? "orders";
  const appId = "0oaOrders";
  const parent = { type: KEY_ROTATION, name: app };
  const g = o.keyGeneration;
  const out = [
    res(KEY_ROTATION, app, {}),
    res(
      JSON_WEB_KEY,
      `${app}-jwk-${g % 2 === 0 ? "a" : "b"}`,
      {
        appId,
        generation: g,
        status: "ACTIVE",
        keyId: `pks${g}`,
        created: o.holderCreated ?? UNKNOWN_STRING,
      },
      parent,
    ),
    res(
      APP_AUTH_METHOD,
      `${app}-auth-method`,
      { appId, tokenEndpointAuthMethod: o.rollback ? "client_secret_basic" : "private_key_jwt" },
      parent,
    ),
  ];
  if (g >= 2) {
    out.push(
      res(
        JSON_WEB_KEY,
        `${app}-jwk-${g % 2 === 0 ? "b" : "a"}`,
        { appId, generation: g - 1, status: "INACTIVE", keyId: `pks${g - 1}`, created: daysBefore(400) },
        parent,
      ),
    );
  }
  if (o.rollback) {
    out.push(
      res(
        CLIENT_SECRET,
        `${app}-rollback-secret`,
        { appId, status: "ACTIVE", secretId: "ocsBack", created: o.secretCreated ?? UNKNOWN_STRING },
        parent,
      ),
    );
  }
  return out;
}

describe("known", () => {
  it("gives a known value, and undefined for a value the preview does not know or that is absent", () => {
    const props = unknownCheckingProxy({ a: "x", b: UNKNOWN_STRING }) as Record<string, unknown>;
    expect(known(props, "a")).toBe("x");
    expect(() => props.b).toThrow(/can't be known during preview/);
    expect(known(props, "b")).toBeUndefined();
    expect(known(props, "c")).toBeUndefined();
  });
});

describe("rotationsOf", () => {
  it("groups each rotation's resources under its component, named after the app", () => {
    const rotations = rotationsOf([
      ...secretStack({ generation: 2, previous: true, revoke: true }),
      ...keyStack({ keyGeneration: 1 }),
      res("pulumi:pulumi:Stack", "proj-dev", {}),
      // A ClientSecret outside any rotation is not one of a rotation's credentials.
      res(CLIENT_SECRET, "loose", { appId: "0oaLoose", generation: 1, status: "ACTIVE" }),
    ]);
    expect(rotations.map((r) => [r.kind, r.app, r.appIds])).toEqual([
      ["secret", "billing", ["0oaBilling"]],
      ["key", "orders", ["0oaOrders"]],
    ]);
    const [billing, orders] = rotations;
    expect(billing!.credentials.map((c) => c.generation)).toEqual([2, 1]);
    expect(billing!.revoking).toBe(true);
    expect(billing!.gates).toHaveLength(1);
    expect(orders!.authMethods.map((a) => a.method)).toEqual(["private_key_jwt"]);
    expect(orders!.revoking).toBe(false);
  });

  it("leaves out what the preview does not know", () => {
    const [billing] = rotationsOf(secretStack({ generation: 1 }));
    expect(billing!.credentials[0]!.created).toBeUndefined();
    expect(billing!.credentials[0]!.id).toBe("ocs1");
  });
});

describe("currentCredentials", () => {
  const gens = (rs: StackResource[]) =>
    currentCredentials(rotationsOf(rs)[0]!).map((c) => [c.kind, c.generation ?? c.id]);

  it("a SecretRotation: the slot of the current generation", () => {
    expect(gens(secretStack({ generation: 3, previous: true }))).toEqual([["client secret", 3]]);
  });

  it("a SecretRotation under rollback: the slot of the previous generation, reactivated", () => {
    expect(gens(secretStack({ generation: 3, previous: true, rollback: true }))).toEqual([
      ["client secret", 2],
    ]);
  });

  it("the same from the slots' record, in state written before it was kept under `__slot`", () => {
    expect(gens(secretStack({ generation: 3, previous: true, slotRecord: true }))).toEqual([
      ["client secret", 3],
    ]);
    expect(gens(secretStack({ generation: 3, previous: true, rollback: true, slotRecord: true }))).toEqual([
      ["client secret", 2],
    ]);
  });

  it("a KeyRotation: the key of the highest generation", () => {
    expect(gens(keyStack({ keyGeneration: 4 }))).toEqual([["key", 4]]);
  });

  it("a KeyRotation switched back to a client secret: that secret", () => {
    expect(gens(keyStack({ keyGeneration: 2, rollback: true }))).toEqual([["client secret", "ocsBack"]]);
  });
});

describe("credential-max-age", () => {
  const maxAgeDays = 90;

  it("counts whole days", () => {
    expect(ageInDays(daysBefore(maxAgeDays + 0.5), NOW)).toBe(maxAgeDays);
    expect(ageInDays("not a date", NOW)).toBeUndefined();
  });

  it("a current secret older than maxAgeDays: names the app, the secret, its age and what to do", () => {
    const age = maxAgeDays + 12;
    const rotations = rotationsOf(
      secretStack({ generation: 2, previous: true, holderCreated: daysBefore(age) }),
    );
    const violations = credentialAgeViolations(rotations, { maxAgeDays }, NOW);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.urn).toBe(`urn:${CLIENT_SECRET}::billing-slot-a`);
    expect(violations[0]!.message).toBe(
      `SecretRotation 'billing' (app 0oaBilling): its current client secret ocs2 (generation 2) was created ` +
        `${daysBefore(age)}, ${age} days ago — older than maxAgeDays (${maxAgeDays}). Rotate it: bump generation ` +
        `of SecretRotation 'billing' (where okta-credential-rotation:apps declares it: generation of app ` +
        `'billing') by one and run pulumi up.`,
    );
  });

  it("only the current credential counts: an old previous secret is no violation", () => {
    const rotations = rotationsOf(
      secretStack({
        generation: 2,
        previous: true,
        holderCreated: daysBefore(1),
        previousCreated: daysBefore(maxAgeDays * 3),
      }),
    );
    expect(credentialAgeViolations(rotations, { maxAgeDays }, NOW)).toEqual([]);
  });

  it("exactly maxAgeDays old is allowed; a moment more is not", () => {
    const rotation = { app: "billing", kind: "secret" as const, appIds: [] };
    const cred = { kind: "client secret" as const, urn: "u", created: daysBefore(maxAgeDays) };
    expect(credentialAgeViolation(rotation, cred, maxAgeDays, NOW)).toBeUndefined();
    expect(credentialAgeViolation(rotation, cred, maxAgeDays, NOW + 1000)).toBeDefined();
  });

  it("a credential whose creation time the preview does not know (being made in this run) is not judged", () => {
    const rotations = rotationsOf(secretStack({ generation: 2, previous: true }));
    expect(credentialAgeViolations(rotations, { maxAgeDays }, NOW)).toEqual([]);
  });

  it("an old current key says to bump privateKeyJwt.keyGeneration", () => {
    const rotations = rotationsOf(keyStack({ keyGeneration: 2, holderCreated: daysBefore(maxAgeDays + 1) }));
    const [v] = credentialAgeViolations(rotations, { maxAgeDays }, NOW);
    expect(v!.message).toContain("KeyRotation 'orders' (app 0oaOrders): its current key pks2 (generation 2)");
    expect(v!.message).toContain(
      "bump keyGeneration of KeyRotation 'orders' (where okta-credential-rotation:apps declares it: " +
        "privateKeyJwt.keyGeneration of app 'orders') by one",
    );
  });

  it("an old client secret a KeyRotation switched back to says to bump keyGeneration too", () => {
    const rotations = rotationsOf(
      keyStack({ keyGeneration: 2, rollback: true, secretCreated: daysBefore(maxAgeDays + 1) }),
    );
    const [v] = credentialAgeViolations(rotations, { maxAgeDays }, NOW);
    expect(v!.urn).toBe(`urn:${CLIENT_SECRET}::orders-rollback-secret`);
    expect(v!.message).toContain("KeyRotation 'orders' (app 0oaOrders): its current client secret ocsBack");
    expect(v!.message).toContain("bump keyGeneration of KeyRotation 'orders'");
  });
});

describe("private-key-jwt-required", () => {
  it("names apps by stack config name or by Okta app id", () => {
    const rotation = { app: "billing", appIds: ["0oaBilling"] };
    expect(isRequired(rotation, ["billing"])).toBe(true);
    expect(isRequired(rotation, [" 0oaBilling "])).toBe(true);
    expect(isRequired(rotation, ["orders", "0oaOther"])).toBe(false);
    expect(isRequired(rotation, [])).toBe(false);
  });

  it("a SecretRotation of a required app is a violation on the component; of another app, none", () => {
    const [billing] = rotationsOf(secretStack({ generation: 1 }));
    const violations = authMethodViolations(billing!, ["billing"]);
    expect(violations.map((v) => v.urn)).toEqual([`urn:${SECRET_ROTATION}::billing`]);
    expect(violations[0]!.message).toBe(
      "SecretRotation 'billing' (app 0oaBilling) must authenticate with private_key_jwt (this policy's apps name " +
        "it), but it rotates a client secret. Declare a KeyRotation named 'billing' in its place " +
        "(docs/concepts.md#private_key_jwt; where okta-credential-rotation:apps declares it: set privateKeyJwt: " +
        "{ enabled: true } on app 'billing'), or remove it from this policy's apps.",
    );
    expect(authMethodViolations(billing!, ["orders"])).toEqual([]);
  });

  it("a KeyRotation is what the policy asks for, unless it switches the app back to a client secret", () => {
    const [migrated] = rotationsOf(keyStack({ keyGeneration: 1 }));
    expect(authMethodViolations(migrated!, ["orders"])).toEqual([]);
    const [back] = rotationsOf(keyStack({ keyGeneration: 1, rollback: true }));
    const violations = authMethodViolations(back!, ["0oaOrders"]);
    expect(violations.map((v) => v.urn)).toEqual([`urn:${APP_AUTH_METHOD}::orders-auth-method`]);
    expect(violations[0]!.message).toBe(
      "KeyRotation 'orders' (app 0oaOrders) must authenticate with private_key_jwt (this policy's apps name it), " +
        "but it switches the app to client_secret_basic. Remove rollback of KeyRotation 'orders' (where " +
        "okta-credential-rotation:apps declares it: privateKeyJwt.rollback of app 'orders'), or remove it from " +
        "this policy's apps.",
    );
  });
});

describe("rotation-min-overlap", () => {
  const minimum = 900;
  const verdict = (o: SecretStackOptions) => overlapViolations(rotationsOf(secretStack(o))[0]!, minimum);

  it("a rotation whose overlap is shorter than the minimum is a violation on its gate", () => {
    const violations = verdict({ generation: 2, previous: true, minOverlapSeconds: minimum - 1 });
    expect(violations.map((v) => v.urn)).toEqual([`urn:${TOKEN_EXCHANGE_GATE}::billing-gate`]);
    expect(violations[0]!.message).toBe(
      `SecretRotation 'billing' (app 0oaBilling): the previous secret stays ACTIVE next to the new one for ` +
        `${minimum - 1} s, less than this policy's minOverlapSeconds (${minimum}) — clients that have not picked ` +
        `up the new secret yet would fail. Set gates.minOverlapSeconds of SecretRotation 'billing' (where ` +
        `okta-credential-rotation:apps declares it: gates.minOverlapSeconds of app 'billing') to at least ` +
        `${minimum}; for a leaked secret, rotate with revoke: true instead.`,
    );
  });

  it("the minimum itself, or more, is no violation", () => {
    expect(verdict({ generation: 2, previous: true, minOverlapSeconds: minimum })).toEqual([]);
    expect(verdict({ generation: 2, previous: true, minOverlapSeconds: minimum * 2 })).toEqual([]);
  });

  it("a revoke (a Revocation is declared) is exempt: its overlap is 0 on purpose", () => {
    expect(verdict({ generation: 2, previous: true, revoke: true })).toEqual([]);
  });

  it("a rotation without a previous secret is exempt: nothing overlaps", () => {
    expect(verdict({ generation: 1 })).toEqual([]);
  });

  it("a gate whose overlap the preview does not know is not judged", () => {
    const rs = secretStack({ generation: 2, previous: true }).map((r) =>
      r.type === TOKEN_EXCHANGE_GATE
        ? res(TOKEN_EXCHANGE_GATE, r.name, { minOverlapSeconds: UNKNOWN_NUMBER }, r.parent)
        : r,
    );
    expect(overlapViolations(rotationsOf(rs)[0]!, minimum)).toEqual([]);
  });
});

describe("every message, for both kinds of program", () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);

  it("names the component (type and name), the argument to change and the app's field in the stack config", () => {
    fc.assert(
      fc.property(
        fc.record({
          app: name,
          generation: fc.integer({ min: 2, max: 50 }),
          rollback: fc.boolean(),
          minOverlapSeconds: fc.integer({ min: 0, max: 899 }),
          age: fc.integer({ min: 91, max: 2000 }),
          key: fc.boolean(),
        }),
        (o) => {
          const rs = o.key
            ? keyStack({
                app: o.app,
                keyGeneration: o.generation,
                holderCreated: daysBefore(o.age),
                rollback: o.rollback,
                secretCreated: daysBefore(o.age),
              })
            : secretStack({
                app: o.app,
                generation: o.generation,
                rollback: o.rollback,
                previous: true,
                holderCreated: daysBefore(o.age),
                minOverlapSeconds: o.minOverlapSeconds,
              });
          const [rotation] = rotationsOf(rs);
          const component = `${o.key ? "KeyRotation" : "SecretRotation"} '${o.app}'`;
          const violations = [
            ...credentialAgeViolations([rotation!], { maxAgeDays: 90 }, NOW).map((v) => ({
              ...v,
              argument: o.key ? "keyGeneration" : "generation",
              field: o.key ? "privateKeyJwt.keyGeneration" : "generation",
            })),
            ...overlapViolations(rotation!, 900).map((v) => ({
              ...v,
              argument: "gates.minOverlapSeconds",
              field: "gates.minOverlapSeconds",
            })),
            ...authMethodViolations(rotation!, [o.app]).map((v) => ({
              ...v,
              argument: o.key ? "rollback" : "KeyRotation",
              field: o.key ? "privateKeyJwt.rollback" : "privateKeyJwt: { enabled: true }",
            })),
          ];
          // Each policy finds its violation: an old holder, a short overlap, a required app.
          expect(violations.length).toBe(o.key ? (o.rollback ? 2 : 1) : 3);
          for (const v of violations) {
            expect(v.message.startsWith(`${component} (app `)).toBe(true);
            expect(v.message).toContain(`${v.argument} `);
            expect(v.message).toContain(`where ${APPS_CONFIG_KEY} declares it: `);
            expect(v.message).toContain(`${v.field}`);
            expect(v.message).toContain(`app '${o.app}'`);
            expect(v.message).not.toContain("\n");
          }
        },
      ),
    );
  });
});

describe("a component that keeps its generation in stack config (generationSource)", () => {
  // The component records where its generation came from in its outputs, which the pack reads.
  const keptInConfig = (stack: StackResource[]) =>
    stack.map((r) =>
      r.type === SECRET_ROTATION || r.type === KEY_ROTATION
        ? res(r.type, r.name, { generationSource: "stackConfig" })
        : r,
    );

  it("the pack's copy of the convention's keys is the components'", () => {
    expect(GENERATION_CONVENTION.generation).toBe(`${PACKAGE_CONFIG_NAMESPACE}:${GENERATIONS_KEY}`);
    expect(GENERATION_CONVENTION.keyGeneration).toBe(`${PACKAGE_CONFIG_NAMESPACE}:${KEY_GENERATIONS_KEY}`);
  });

  it("an old credential's message names the stack config key to bump, not the apps list", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), fc.boolean(), (app, key) => {
        const stack = key
          ? keyStack({ app, keyGeneration: 3, holderCreated: daysBefore(200) })
          : secretStack({ app, generation: 3, previous: true, holderCreated: daysBefore(200) });
        const [rotation] = rotationsOf(keptInConfig(stack));
        expect(rotation!.generationSource).toBe("stackConfig");
        const [v] = credentialAgeViolations([rotation!], { maxAgeDays: 90 }, NOW);
        const entry = `${key ? GENERATION_CONVENTION.keyGeneration : GENERATION_CONVENTION.generation}.${app}`;
        expect(v!.message).toContain(
          `bump ${key ? "keyGeneration" : "generation"} of ${key ? "KeyRotation" : "SecretRotation"} '${app}' ` +
            `(kept in stack config as ${entry}: pulumi config set --path '${entry}' <n>) by one`,
        );
        expect(v!.message).not.toContain(APPS_CONFIG_KEY);
      }),
    );
  });

  it("a component given its generation as an argument keeps the message as before", () => {
    const stack = secretStack({ generation: 3, previous: true, holderCreated: daysBefore(200) }).map((r) =>
      r.type === SECRET_ROTATION ? res(r.type, r.name, { generationSource: "argument" }) : r,
    );
    const [v] = credentialAgeViolations(rotationsOf(stack), { maxAgeDays: 90 }, NOW);
    expect(v!.message).toContain(`where ${APPS_CONFIG_KEY} declares it: generation of app 'billing'`);
  });
});

describe("a missing @pulumi/policy", () => {
  const notFound = (id: string) => {
    throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
  };

  it("is named with the version the pack's package.json gives; a resolvable one is no message", () => {
    expect(testedPolicySdkVersion(`${__dirname}/../../policy`)).toMatch(/^\d+\.\d+\.\d+$/);
    expect(missingPolicySdk(notFound, "1.21.0")).toContain(
      "run npm install --save-dev @pulumi/policy@1.21.0",
    );
    expect(missingPolicySdk((id) => `/x/node_modules/${id}/index.js`, "1.21.0")).toBeUndefined();
  });

  it("any other failure to resolve is not hidden", () => {
    const broken = () => {
      throw Object.assign(new Error("EACCES"), { code: "EACCES" });
    };
    expect(() => missingPolicySdk(broken, "1.21.0")).toThrow("EACCES");
  });
});
