import { inspect } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import fc from "fast-check";
import {
  CONFIG_ERROR_HEADING,
  ConfigError,
  FIELD_RULES,
  appConfigSchema,
  formatConfigProblems,
  parseAppsConfig,
  type ConfigContext,
} from "../../components/config";

const NS = "okta-credential-rotation";

function problems(raw: unknown, context?: ConfigContext): readonly string[] {
  try {
    parseAppsConfig(raw, NS, context);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

/** What zod says in its own words: none of it may reach the user. */
const ZOD_WORDS =
  /Invalid input|expected (?:number|string|boolean|object|array|int|nonoptional)|Too (?:small|big)|Invalid option|Unrecognized key|Invalid URL|>=|<=|received|set it to a /;

const app = (extra: Record<string, unknown> = {}) => ({
  name: "billing",
  appId: "0oa1",
  generation: 1,
  ...extra,
});

describe("parseAppsConfig", () => {
  it("fills in defaults", () => {
    const [parsed] = parseAppsConfig([{ name: "billing", appId: "0oa1", generation: 1 }], NS);
    expect(parsed).toEqual({
      name: "billing",
      formerNames: [],
      appId: "0oa1",
      generation: 1,
      rollback: false,
      revoke: false,
      deployments: [],
      gates: { tokenExchange: false, minOverlapSeconds: 0, podCensus: true, podCensusTimeoutSeconds: 600 },
    });
  });

  it("takes maxCredentialAgeDays as a whole number of days and names the field and the app otherwise", () => {
    expect(parseAppsConfig([app({ maxCredentialAgeDays: 90 })], NS)[0]!.maxCredentialAgeDays).toBe(90);
    expect(problems([app({ maxCredentialAgeDays: 0 })])).toEqual([
      `${NS}:apps[0].maxCredentialAgeDays (app 'billing'): must be a whole number of days ≥ 1 (you gave 0); ` +
        `set it to the age at which the current credential should be rotated (e.g. 90), or remove maxCredentialAgeDays`,
    ]);
    expect(problems([app({ maxCredentialAgeDays: "90" })])[0]).toMatch(
      /maxCredentialAgeDays \(app 'billing'\): must be a whole number of days ≥ 1 \(you gave "90" as text: write it without quotes, maxCredentialAgeDays: 90\)/,
    );
  });

  it("refuses revoke with rollback, or on a private_key_jwt app", () => {
    expect(problems([{ name: "a", appId: "0oa1", generation: 3, revoke: true, rollback: true }])).toEqual([
      `${NS}:apps[0].revoke (app 'a'): a revoke deletes the previous secret, so there is nothing to roll back to; ` +
        `remove rollback, or remove revoke`,
    ]);
    expect(
      problems([
        { name: "a", appId: "0oa1", generation: 3, revoke: true, privateKeyJwt: { enabled: true } },
      ])[0],
    ).toMatch(/apps\[0\]\.revoke \(app 'a'\): revoke applies to client secrets/);
  });

  it("takes former names for a rename, and refuses one that is in use as a name", () => {
    const [renamed] = parseAppsConfig(
      [{ name: "billing", formerNames: ["payments"], appId: "0oa1", generation: 2 }],
      NS,
    );
    expect(renamed!.formerNames).toEqual(["payments"]);
    const lines = problems([
      { name: "billing", formerNames: ["shop"], appId: "0oa1", generation: 2 },
      { name: "shop", appId: "0oa2", generation: 1 },
    ]);
    expect(lines).toEqual([
      `${NS}:apps[0].formerNames (app 'billing'): 'shop' is the name of app 'shop' (${NS}:apps[1].name); ` +
        `a former name must not be in use: remove it from formerNames, or rename the other app`,
    ]);
  });

  it("says how to start when the key is missing, not a list, or an empty list", () => {
    expect(problems(undefined)[0]).toMatch(/^okta-credential-rotation:apps is not set: add a list of apps/);
    expect(problems({ name: "billing" })).toEqual([
      `${NS}:apps: must be a list of apps (you gave a mapping); write each app as a list item (see ` +
        `docs/configuration.md#stack-config), e.g. pulumi config set --path 'apps[0].appId' 0oa…`,
    ]);
    expect(problems([])[0]).toMatch(
      /^okta-credential-rotation:apps: must be a list of at least one app \(it is an empty list\); add an app/,
    );
  });

  it("refuses two apps with one Vault path, naming both", () => {
    const vault = { mount: "secret", path: "apps/shared" };
    const [p] = problems([
      { name: "one", appId: "0oa1", generation: 1, vault },
      { name: "two", appId: "0oa2", generation: 1, vault },
    ]);
    expect(p).toBe(
      `${NS}:apps[1].vault (app 'two'): same Vault path as app 'one' (${NS}:apps[0].vault); give each app its own Vault path`,
    );
  });

  it("refuses duplicate names and app ids", () => {
    const ps = problems([
      { name: "one", appId: "0oa1", generation: 1 },
      { name: "one", appId: "0oa1", generation: 1 },
    ]);
    expect(ps).toHaveLength(2);
    expect(ps[0]).toMatch(/apps\[1\]\.name .*same name as app 'one'/);
    expect(ps[1]).toMatch(/apps\[1\]\.appId .*same appId/);
  });

  it("refuses a rollback at generation 1 with nothing adopted", () => {
    expect(problems([{ name: "b", appId: "0oa1", generation: 1, rollback: true }])[0]).toMatch(
      /apps\[0\]\.rollback \(app 'b'\): generation 1 has no previous secret to go back to; remove rollback/,
    );
  });

  it("fills in private_key_jwt defaults and refuses a rollback without enabled", () => {
    const [parsed] = parseAppsConfig(
      [{ name: "b", appId: "0oa1", generation: 1, privateKeyJwt: { enabled: true } }],
      NS,
    );
    expect(parsed.privateKeyJwt).toEqual({
      enabled: true,
      algorithm: "RS256",
      keyGeneration: 1,
      rollback: false,
      keepExistingKeys: false,
    });
    expect(
      problems([{ name: "b", appId: "0oa1", generation: 1, privateKeyJwt: { rollback: true } }])[0],
    ).toMatch(/apps\[0\]\.privateKeyJwt\.rollback \(app 'b'\): .*needs enabled: true/);
  });
});

describe("ids are trimmed before they are compared", () => {
  it("trims appId, clientId, adoptSecretId and the Vault mount, path and key", () => {
    const [parsed] = parseAppsConfig(
      [
        app({
          appId: " 0oa1 ",
          clientId: "\t0oaC ",
          adoptSecretId: " ocs1",
          vault: { mount: " secret ", path: " apps/billing ", key: " my_secret " },
          deployments: [{ namespace: " billing ", name: " billing-api " }],
        }),
      ],
      NS,
    );
    expect(parsed).toMatchObject({
      appId: "0oa1",
      clientId: "0oaC",
      adoptSecretId: "ocs1",
      vault: { mount: "secret", path: "apps/billing", key: "my_secret" },
      deployments: [{ namespace: "billing", name: "billing-api" }],
    });
  });

  it("reports X and ' X' as the same appId, and the same for adoptSecretId and the Vault path", () => {
    expect(
      problems([
        {
          name: "one",
          appId: "X",
          generation: 1,
          adoptSecretId: "ocs1",
          vault: { mount: "secret", path: "a" },
        },
        {
          name: "two",
          appId: " X",
          generation: 1,
          adoptSecretId: "ocs1 ",
          vault: { mount: "secret ", path: " a" },
        },
      ]),
    ).toEqual([
      `${NS}:apps[1].appId (app 'two'): same appId as app 'one' (${NS}:apps[0].appId), once the spaces around ` +
        `it are trimmed; give each app its own appId (each entry rotates one Okta app)`,
      `${NS}:apps[1].adoptSecretId (app 'two'): same adoptSecretId as app 'one' (${NS}:apps[0].adoptSecretId), ` +
        `once the spaces around it are trimmed; a secret belongs to one app: check the secret id on each app ` +
        `(Okta admin console → the app → General)`,
      `${NS}:apps[1].vault (app 'two'): same Vault path as app 'one' (${NS}:apps[0].vault); give each app its own Vault path`,
    ]);
  });

  it("refuses a client id that another app has, explicit or by default", () => {
    expect(
      problems([
        { name: "one", appId: "0oaA", generation: 1 },
        { name: "two", appId: "0oaB", clientId: " 0oaA", generation: 1 },
      ]),
    ).toEqual([
      `${NS}:apps[1].clientId (app 'two'): same client id as app 'one' (${NS}:apps[0].appId), once the spaces ` +
        `around it are trimmed; each Okta app has its own client id: check this app's clientId`,
    ]);
  });

  it("refuses an id that is empty once trimmed, saying so", () => {
    const ps = problems([app({ appId: "   ", clientId: "", adoptSecretId: " \t" })]);
    expect(ps).toEqual([
      `${NS}:apps[0].appId (app 'billing'): must be the Okta app id, e.g. 0oa1b2c3d4e5f6g7h8i9 (it is only ` +
        `spaces); copy it from the app in the Okta admin console (Applications → the app → General)`,
      `${NS}:apps[0].clientId (app 'billing'): must be the app's OAuth client id (it is empty); set it, or ` +
        `remove clientId to use appId (Okta's default)`,
      `${NS}:apps[0].adoptSecretId (app 'billing'): must be the id of the client secret the app uses now ` +
        `(ocs…) (it is only spaces); set it, or remove adoptSecretId`,
    ]);
    expect(problems([app({ vault: { mount: " ", path: "a" } })])[0]).toMatch(
      /^okta-credential-rotation:apps\[0\]\.vault\.mount \(app 'billing'\): must be the KV v2 mount, e\.g\. secret \(it is only spaces\)/,
    );
  });
});

describe("every problem at once", () => {
  it("reports a duplicate appId together with the other apps' field errors, grouped by app", () => {
    const ps = problems([
      { name: "one", appId: "0oa1", generation: 0 },
      { name: "two", appId: "0oa1", generation: 1, generaton: 2 },
      { name: "one", appId: "0oa3", generation: 1, rollback: "yes" },
    ]);
    expect(ps).toEqual([
      `${NS}:apps[0].generation (app 'one'): must be a whole number ≥ 1 (you gave 0); set it to 1 for a new ` +
        `app, or to the generation the app is at`,
      `${NS}:apps[1].generaton (app 'two'): not a field of an app; rename it to generation`,
      `${NS}:apps[1].appId (app 'two'): same appId as app 'one' (${NS}:apps[0].appId); give each app its own ` +
        `appId (each entry rotates one Okta app)`,
      `${NS}:apps[2].rollback (app 'one'): must be true or false (you gave "yes"); true goes back to the ` +
        `previous secret; remove rollback otherwise`,
      `${NS}:apps[2].name (app 'one'): same name as app 'one' (${NS}:apps[0].name); give each app its own name`,
    ]);
  });

  it("runs the rollback and privateKeyJwt checks on an app that has other errors", () => {
    const ps = problems([app({ rollback: true, gates: { minOverlapSeconds: -1 } })]);
    expect(ps).toHaveLength(2);
    expect(ps[0]).toMatch(/gates\.minOverlapSeconds .*\(you gave -1\)/);
    expect(ps[1]).toMatch(/apps\[0\]\.rollback .*no previous secret/);
  });

  it("reports an app that is not a mapping next to the others' problems", () => {
    const ps = problems(["billing", { name: "b", appId: "0oa1" }]);
    expect(ps).toEqual([
      `${NS}:apps[0] (unnamed app): must be an app: a mapping with at least name, appId and generation (you ` +
        `gave "billing"); write it as in docs/configuration.md#stack-config`,
      `${NS}:apps[1].generation (app 'b'): must be a whole number ≥ 1 (it is missing); set it to 1 for a new ` +
        `app, or to the generation the app is at`,
    ]);
  });
});

describe("plain words for every value", () => {
  const line = (extra: Record<string, unknown>) => {
    const ps = problems([app(extra)]);
    expect(ps).toHaveLength(1);
    return ps[0];
  };

  it("generation: a whole number ≥ 1, with what was given and what to set", () => {
    expect(line({ generation: 0 })).toBe(
      `${NS}:apps[0].generation (app 'billing'): must be a whole number ≥ 1 (you gave 0); set it to 1 for a ` +
        `new app, or to the generation the app is at`,
    );
    expect(line({ generation: 1.5 })).toMatch(/: must be a whole number ≥ 1 \(you gave 1\.5\); set it to 1/);
    expect(line({ generation: "2" })).toBe(
      `${NS}:apps[0].generation (app 'billing'): must be a whole number ≥ 1 (you gave "2" as text: write it ` +
        `without quotes, generation: 2); set it to 1 for a new app, or to the generation the app is at`,
    );
    expect(line({ generation: null })).toMatch(
      /generation .*: must be a whole number ≥ 1 \(it has no value\)/,
    );
  });

  it("keyGeneration and minOverlapSeconds: the same, with their own range and fix", () => {
    expect(line({ privateKeyJwt: { keyGeneration: 0 } })).toBe(
      `${NS}:apps[0].privateKeyJwt.keyGeneration (app 'billing'): must be a whole number ≥ 1 (you gave 0); set ` +
        `it to 1 for the migration, or to the key generation the app is at; bump it by one to rotate the key`,
    );
    expect(line({ privateKeyJwt: { keyGeneration: "3" } })).toMatch(
      /\(you gave "3" as text: write it without quotes, keyGeneration: 3\)/,
    );
    expect(line({ gates: { minOverlapSeconds: 90_000 } })).toBe(
      `${NS}:apps[0].gates.minOverlapSeconds (app 'billing'): must be a whole number of seconds, 0–86400 (you ` +
        `gave 90000); set it to 900 (the runbook's safe value), or 0 for no wait`,
    );
    expect(line({ gates: { minOverlapSeconds: 0.5 } })).toMatch(
      /whole number of seconds, 0–86400 \(you gave 0\.5\)/,
    );
    expect(line({ gates: { minOverlapSeconds: "900" } })).toMatch(
      /\(you gave "900" as text: write it without quotes, minOverlapSeconds: 900\)/,
    );
  });

  it("booleans: true or false, and a quoted one is told to lose its quotes", () => {
    expect(line({ rollback: "true" })).toMatch(
      /apps\[0\]\.rollback \(app 'billing'\): must be true or false \(you gave "true" as text: write it without quotes, rollback: true\)/,
    );
    expect(line({ gates: { tokenExchange: 1 } })).toMatch(
      /gates\.tokenExchange .*: must be true or false \(you gave 1\)/,
    );
    expect(line({ privateKeyJwt: { enabled: "yes" } })).toMatch(
      /privateKeyJwt\.enabled .*: must be true or false \(you gave "yes"\); true migrates the app to private_key_jwt/,
    );
  });

  it("enums, URLs and names: the allowed values and an example", () => {
    expect(line({ privateKeyJwt: { enabled: true, algorithm: "HS256" } })).toBe(
      `${NS}:apps[0].privateKeyJwt.algorithm (app 'billing'): must be RS256 or ES256 (you gave "HS256"); RS256 ` +
        `is the most compatible, ES256 the smallest; remove algorithm for RS256`,
    );
    expect(line({ gates: { tokenUrl: "ftp://example.okta.com/token" } })).toMatch(
      /gates\.tokenUrl .*: must be the full http\(s\) URL of the token endpoint, e\.g\. https:\/\/example\.okta\.com\/oauth2\/default\/v1\/token \(you gave "ftp:\/\/example\.okta\.com\/token"\); fix it, or remove tokenUrl/,
    );
    expect(line({ gates: { tokenUrl: "not a url" } })).toMatch(/\(you gave "not a url"\)/);
    expect(line({ name: "Billing API" })).toBe(
      `${NS}:apps[0].name (app 'Billing API'): must be 1–63 lowercase letters, digits and dashes, starting ` +
        `with a letter or digit (you gave "Billing API"); e.g. billing-api; resource names and stack outputs ` +
        `derive from it, so keep it once chosen`,
    );
    expect(line({ appId: 12345 })).toMatch(
      /appId .*\(you gave the number 12345: write it in quotes, appId: "12345"\)/,
    );
  });

  it("a Vault path with slashes at the ends, and a Vault key the entry already uses", () => {
    expect(line({ vault: { mount: "s", path: "/x/y/" } })).toBe(
      `${NS}:apps[0].vault.path (app 'billing'): must be a path inside the mount without '/' at either end, ` +
        `e.g. apps/billing-api (you gave "/x/y/"); write it as x/y`,
    );
    expect(line({ vault: { mount: "s", path: "x", key: "client_id" } })).toMatch(
      /vault\.key .*: must be a key of its own in the entry: not client_id, .* or key_generation \(you gave "client_id"\); choose another key, or remove key to use client_secret/,
    );
  });

  it("unknown fields: the likely field, or where it belongs, or the fields there are", () => {
    expect(line({ generaton: 2 })).toBe(
      `${NS}:apps[0].generaton (app 'billing'): not a field of an app; rename it to generation`,
    );
    expect(line({ client_id: "x" })).toMatch(
      /apps\[0\]\.client_id .*: not a field of an app; rename it to clientId$/,
    );
    expect(line({ keyGeneration: 2 })).toMatch(
      /apps\[0\]\.keyGeneration .*: not a field of an app; it belongs under privateKeyJwt: move it to privateKeyJwt\.keyGeneration$/,
    );
    expect(line({ gates: { tokenexchange: true } })).toMatch(
      /gates\.tokenexchange .*: not a field of gates; rename it to tokenExchange$/,
    );
    expect(line({ deployments: [{ name: "d", color: "blue" }] })).toBe(
      `${NS}:apps[0].deployments[0].color (app 'billing'): not a field of a Deployment; remove it (fields ` +
        `here: namespace, name, skipAwait; see docs/configuration.md#stack-config)`,
    );
  });

  it("names an app without a name by its appId", () => {
    expect(problems([{ appId: "0oa9", generation: 1 }])[0]).toMatch(
      /^okta-credential-rotation:apps\[0\]\.name \(app with appId '0oa9'\): must be 1–63 lowercase letters.* \(it is missing\); e\.g\. billing-api/,
    );
  });

  it("has a rule for every field of the schema", () => {
    const paths = (schema: z.ZodType, prefix: string): string[] => {
      let s: z.ZodType = schema;
      while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
      if (s instanceof z.ZodArray) return [prefix, ...paths(s.element as z.ZodType, `${prefix}[]`)];
      if (s instanceof z.ZodObject) {
        return [
          prefix,
          ...Object.entries(s.shape).flatMap(([k, v]) =>
            paths(v as z.ZodType, prefix === "" ? k : `${prefix}.${k}`),
          ),
        ];
      }
      return [prefix];
    };
    expect(paths(appConfigSchema, "").sort()).toEqual(Object.keys(FIELD_RULES).sort());
  });

  it("never passes zod's own words on, whatever wrong value any field holds", () => {
    const base = () => ({
      name: "billing",
      formerNames: ["billing-old"],
      appId: "0oa1",
      generation: 1,
      vault: { mount: "secret", path: "apps/billing" },
      deployments: [{ name: "billing-api" }],
      gates: {},
      privateKeyJwt: {},
    });
    const wrong: unknown[] = [{ x: 1 }, [], "", "  ", "x", "1", "true", -1, 0, 1.5, 1e9, true, null];
    let refused = 0;
    for (const field of Object.keys(FIELD_RULES)) {
      const path = field.replace("[]", ".0").split(".").filter(Boolean);
      for (const value of [...wrong, undefined]) {
        const raw = base() as Record<string, unknown>;
        if (path.length === 0) {
          expect(problems([value]).every((p) => !ZOD_WORDS.test(p))).toBe(true);
          continue;
        }
        let parent: Record<string, unknown> = raw;
        for (const p of path.slice(0, -1)) parent = parent[p] as Record<string, unknown>;
        parent[path.at(-1)!] = value;
        let lines: readonly string[] = [];
        try {
          parseAppsConfig([raw], NS);
          continue;
        } catch (err) {
          lines = (err as ConfigError).problems;
        }
        refused++;
        for (const l of lines) {
          expect(l, `${field} = ${JSON.stringify(value)}`).not.toMatch(ZOD_WORDS);
          expect(l).toMatch(
            /^okta-credential-rotation:apps\[0\]\S* \((?:app '[^']*'|app with appId '0oa1')\): \S.*; \S/,
          );
        }
      }
    }
    expect(refused).toBeGreaterThan(200);
  });
});

describe("privateKeyJwt and the app-level fields", () => {
  it("accepts privateKeyJwt with enabled: false and no rollback (a migration not started)", () => {
    const [parsed] = parseAppsConfig([app({ privateKeyJwt: { enabled: false } })], NS);
    expect(parsed.privateKeyJwt).toEqual({
      enabled: false,
      algorithm: "RS256",
      keyGeneration: 1,
      rollback: false,
      keepExistingKeys: false,
    });
  });

  it("refuses an app-level rollback on an app that uses privateKeyJwt, saying which rollback to set", () => {
    expect(problems([app({ generation: 3, rollback: true, privateKeyJwt: { enabled: true } })])).toEqual([
      `${NS}:apps[0].rollback (app 'billing'): rollback applies to client secrets; this app uses privateKeyJwt: ` +
        `to go back to a client secret set privateKeyJwt.rollback: true (and remove rollback)`,
    ]);
  });

  it("keeps generation required with privateKeyJwt and takes any generation ≥ 1 without a word", () => {
    const [parsed] = parseAppsConfig([app({ generation: 7, privateKeyJwt: { enabled: true } })], NS);
    expect(parsed.generation).toBe(7);
    expect(problems([{ name: "b", appId: "0oa1", privateKeyJwt: { enabled: true } }])[0]).toMatch(
      /apps\[0\]\.generation .*\(it is missing\)/,
    );
  });

  it("with the org URL known: an app that needs the token endpoint and has none is refused", () => {
    const noOrg: ConfigContext = { orgUrl: undefined };
    expect(problems([app({ privateKeyJwt: { enabled: true } })], noOrg)).toEqual([
      `${NS}:apps[0].gates.tokenUrl (app 'billing'): privateKeyJwt needs the token endpoint and no org URL is ` +
        `set; set gates.tokenUrl, or the org URL (${NS}:oktaOrgUrl, or okta:orgName)`,
    ]);
    expect(problems([app({ gates: { tokenExchange: true, scope: "rotation.check" } })], noOrg)[0]).toMatch(
      /gates\.tokenUrl .*: gates\.tokenExchange needs the token endpoint/,
    );
    const withUrl = app({
      privateKeyJwt: { enabled: true },
      gates: { tokenUrl: "https://e.okta.com/oauth2/default/v1/token" },
    });
    expect(parseAppsConfig([withUrl], NS, noOrg)).toHaveLength(1);
    expect(
      parseAppsConfig([app({ privateKeyJwt: { enabled: true } })], NS, { orgUrl: "https://e.okta.com" }),
    ).toHaveLength(1);
  });
});

describe("ConfigError", () => {
  it("reads as a heading and one problem per line, in plain text", () => {
    const err = new ConfigError(["apps[0].generation: \u001b[31mred\u001b[0m", "two\nlines"]);
    expect(err.message).toBe(`${CONFIG_ERROR_HEADING}\n  - apps[0].generation: red\n  - two lines`);
    expect(err.message.split("\n")[0]).toBe("Invalid stack config (nothing was changed):");
    expect(err.problems).toEqual(["apps[0].generation: red", "two lines"]);
    expect(formatConfigProblems(["a", "b"])).toBe(`${CONFIG_ERROR_HEADING}\n  - a\n  - b`);
  });

  it("carries nothing util.inspect would print besides its message and stack", () => {
    const err = new ConfigError(["okta-credential-rotation:apps[0].generation (app 'b'): must be …"]);
    expect(Object.keys(err)).toEqual([]);
    expect(err.name).toBe("ConfigError");
    const shown = inspect(err, { colors: false });
    expect(shown).not.toContain("problems");
    expect(shown).not.toMatch(/\[\s*'/);
  });

  it("keeps escape codes from the config out of the message", () => {
    let err: unknown;
    try {
      parseAppsConfig([{ name: "\u001b[31mred", appId: "0oa1", generation: "\u001b[1m2" }], NS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it("becomes a pulumi.RunError with the same message: the language host prints that message alone", () => {
    const err = new ConfigError(problems([app({ generation: 0 }), app({ generation: 1 })]));
    const run = new pulumi.RunError(err.message);
    expect(pulumi.RunError.isInstance(run)).toBe(true);
    expect(run.message.split("\n")).toEqual([
      "Invalid stack config (nothing was changed):",
      expect.stringMatching(
        /^ {2}- okta-credential-rotation:apps\[0\]\.generation \(app 'billing'\): must be a whole number ≥ 1 \(you gave 0\)/,
      ),
      expect.stringMatching(
        /^ {2}- okta-credential-rotation:apps\[1\]\.name \(app 'billing'\): same name as app 'billing'/,
      ),
      expect.stringMatching(
        /^ {2}- okta-credential-rotation:apps\[1\]\.appId \(app 'billing'\): same appId as app 'billing'/,
      ),
    ]);
  });
});

describe("gates and Okta's authorization servers", () => {
  it("needs gates.scope with gates.tokenExchange, naming the key, the app and what to set", () => {
    expect(problems([app({ gates: { tokenExchange: true, minOverlapSeconds: 900 } })])).toEqual([
      `${NS}:apps[0].gates.scope (app 'billing'): gates.tokenExchange proves each new secret with a real ` +
        `client_credentials token exchange, and Okta grants one only for a scope defined on the authorization ` +
        `server; add a scope there with an access policy rule that admits this app, and set gates.scope to it, ` +
        `e.g. gates: { tokenExchange: true, scope: rotation.check } (docs/configuration.md#connecting-to-okta)`,
    ]);
    const [parsed] = parseAppsConfig([app({ gates: { tokenExchange: true, scope: "rotation.check" } })], NS);
    expect(parsed.gates).toMatchObject({ tokenExchange: true, scope: "rotation.check" });
    // Without the exchange, no scope is needed.
    expect(parseAppsConfig([app({ gates: { minOverlapSeconds: 900 } })], NS)).toHaveLength(1);
  });

  it("refuses openid and the other OIDC scopes with Okta's reason", () => {
    for (const scope of ["openid", "profile", "email", "address", "phone", "offline_access"]) {
      expect(problems([app({ gates: { tokenExchange: true, scope } })])).toEqual([
        `${NS}:apps[0].gates.scope (app 'billing'): ${scope} cannot be requested with client_credentials: Okta ` +
          `refuses it ("Cannot request 'openid' scopes using client credentials."); set gates.scope to a custom ` +
          `scope defined on the authorization server, e.g. rotation.check`,
      ]);
    }
    expect(problems([app({ gates: { scope: "rotation.check openid email" } })])).toEqual([
      expect.stringMatching(
        /gates\.scope \(app 'billing'\): openid, email cannot be requested with client_credentials/,
      ),
    ]);
  });

  it("refuses a proof at the org server before anything is registered, saying what to set instead", () => {
    const org = "https://example.okta.com/oauth2/v1/token";
    expect(
      problems([app({ gates: { tokenExchange: true, scope: "rotation.check", tokenUrl: org } })]),
    ).toEqual([
      `${NS}:apps[0].gates.tokenUrl (app 'billing'): ${org} is the org authorization server, which takes ` +
        `client_credentials only from service apps authenticating with private_key_jwt, for Okta scopes: a ` +
        `client secret is refused there (401 invalid_client: "Client Credentials requests to the Org ` +
        `Authorization Server must use the private_key_jwt token_endpoint_auth_method."); set gates.tokenUrl to ` +
        `a custom authorization server's token endpoint, e.g. https://example.okta.com/oauth2/default/v1/token, ` +
        `and a scope defined on that server, with an access policy rule that lets this app use ` +
        `client_credentials (docs/configuration.md#connecting-to-okta)`,
    ]);
    // private_key_jwt: refused there for custom scopes; a service app asking for Okta scopes keeps working.
    expect(
      problems([
        app({ privateKeyJwt: { enabled: true }, gates: { tokenUrl: org, scope: "rotation.check" } }),
      ]),
    ).toEqual([expect.stringContaining(`Custom scopes are not allowed for this request.`)]);
    expect(
      parseAppsConfig(
        [app({ privateKeyJwt: { enabled: true }, gates: { tokenUrl: org, scope: "okta.apps.read" } })],
        NS,
      ),
    ).toHaveLength(1);
    // Its rollback proves a client secret: refused there too.
    expect(
      problems([
        app({
          privateKeyJwt: { enabled: true, rollback: true },
          gates: { tokenUrl: org, scope: "okta.apps.read" },
        }),
      ]),
    ).toEqual([expect.stringContaining("a client secret is refused there")]);
    // No proof at the org server asked for: nothing to refuse.
    expect(parseAppsConfig([app({ gates: { tokenUrl: org, minOverlapSeconds: 60 } })], NS)).toHaveLength(1);
  });

  it("reports a missing scope on each app that needs one, with everything else at once", () => {
    const lines = problems([
      app({ gates: { tokenExchange: true, scope: "rotation.check" } }),
      { name: "two", appId: "0oa2", generation: 0, gates: { tokenExchange: true } },
    ]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/apps\[1\]\.generation \(app 'two'\)/);
    expect(lines[1]).toMatch(/apps\[1\]\.gates\.scope \(app 'two'\): gates\.tokenExchange proves/);
  });
});

describe("former names", () => {
  it("refuses a former name on two apps, naming the key, both apps and the fix, for any apps and names", () => {
    const pool = ["old-a", "old-b", "old-c"];
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        (formers) => {
          const apps = formers.map((formerNames, i) => ({
            name: `app-${i}`,
            appId: `0oa${i}`,
            generation: 1,
            formerNames,
          }));
          const claims = new Map<string, number[]>();
          formers.forEach((names, i) => names.forEach((n) => claims.set(n, [...(claims.get(n) ?? []), i])));
          const shared = [...claims].filter(([, owners]) => owners.length > 1);
          if (shared.length === 0) {
            expect(parseAppsConfig(apps, NS).map((a) => a.formerNames)).toEqual(formers);
            return;
          }
          const lines = problems(apps);
          for (const [former, owners] of shared) {
            for (const later of owners.slice(1)) {
              expect(lines).toContain(
                `${NS}:apps[${later}].formerNames (app 'app-${later}'): '${former}' is also a former name of ` +
                  `app 'app-${owners[0]}' (${NS}:apps[${owners[0]}].formerNames); the resources of the app once ` +
                  `called '${former}' can go to one app only: keep '${former}' in the formerNames of the app that ` +
                  `was renamed from it, and remove it from the other`,
              );
            }
          }
          expect(lines).toHaveLength(shared.reduce((n, [, o]) => n + o.length - 1, 0));
        },
      ),
    );
  });

  it("refuses a former name listed twice on one app", () => {
    expect(problems([app({ formerNames: ["old", "old"] })])).toEqual([
      `${NS}:apps[0].formerNames (app 'billing'): 'old' is listed twice; list each former name once`,
    ]);
  });
});
