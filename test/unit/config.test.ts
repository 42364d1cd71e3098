import { describe, expect, it } from "vitest";
import { ConfigError, parseAppsConfig } from "../../components/config";

const NS = "okta-credential-rotation";

function problems(raw: unknown): string[] {
  try {
    parseAppsConfig(raw, NS);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("parseAppsConfig", () => {
  it("fills in defaults", () => {
    const [app] = parseAppsConfig([{ name: "billing", appId: "0oa1", generation: 1 }], NS);
    expect(app).toEqual({
      name: "billing",
      appId: "0oa1",
      generation: 1,
      rollback: false,
      deployments: [],
      gates: { tokenExchange: false, minOverlapSeconds: 0 },
    });
  });

  it("says how to start when the key is missing", () => {
    expect(problems(undefined)[0]).toMatch(/^okta-credential-rotation:apps is not set: add a list of apps/);
  });

  it("names the key and the app of an unknown field, and says what to do", () => {
    const [p] = problems([{ name: "billing", appId: "0oa1", generation: 1, generaton: 2 }]);
    expect(p).toBe(
      `${NS}:apps[0] (app 'billing'): Unrecognized key: "generaton"; remove 'generaton' (known fields: see README "Stack config")`,
    );
  });

  it("refuses a generation below 1 or fractional, naming the field", () => {
    const [p] = problems([{ name: "billing", appId: "0oa1", generation: 0 }]);
    expect(p).toMatch(/^okta-credential-rotation:apps\[0\]\.generation \(app 'billing'\): /);
    expect(problems([{ name: "b", appId: "0oa1", generation: 1.5 }])[0]).toMatch(/apps\[0\]\.generation/);
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

  it("refuses a Vault path with slashes at the ends", () => {
    expect(
      problems([{ name: "b", appId: "0oa1", generation: 1, vault: { mount: "s", path: "/x/" } }])[0],
    ).toMatch(/apps\[0\]\.vault\.path .*without leading or trailing/);
  });

  it("fills in private_key_jwt defaults and refuses a rollback without enabled", () => {
    const [app] = parseAppsConfig(
      [{ name: "b", appId: "0oa1", generation: 1, privateKeyJwt: { enabled: true } }],
      NS,
    );
    expect(app.privateKeyJwt).toEqual({
      enabled: true,
      algorithm: "RS256",
      keyGeneration: 1,
      rollback: false,
    });
    expect(
      problems([{ name: "b", appId: "0oa1", generation: 1, privateKeyJwt: { rollback: true } }])[0],
    ).toMatch(/apps\[0\]\.privateKeyJwt\.rollback \(app 'b'\): .*needs enabled: true/);
    expect(
      problems([
        { name: "b", appId: "0oa1", generation: 1, privateKeyJwt: { enabled: true, algorithm: "HS256" } },
      ])[0],
    ).toMatch(/apps\[0\]\.privateKeyJwt\.algorithm \(app 'b'\)/);
  });
});
