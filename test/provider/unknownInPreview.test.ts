// Pulumi's placeholder for a value not known yet (a preview of an app created in the same program) is never sent
// to Okta by a provider's check or diff, and never reported as a wrong value; once the value is known, the same
// check refuses what it must, before anything is written.
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ClientSecretProvider,
  GeneratedSecretProvider,
  exchangeTargetFailures,
  type ClientSecretOutputs,
  type GeneratedSecretOutputs,
} from "../../dynamic";
import { AssertionGateProvider } from "../../dynamic/assertionGate";
import { UNKNOWN, isUnknown } from "../../dynamic/providerValues";
import { startOkta, type OktaLocal } from "./helpers";

const OWN = "own-secret-value-with-32-chars!!";
let okta: OktaLocal;

beforeAll(async () => {
  okta = await startOkta({ apps: [] });
});
afterAll(async () => okta?.close());
beforeEach(() => okta.clearLog());

/** Each of `keys` of `known`, or the placeholder, as fast-check picks. */
function someUnknown<T extends Record<string, unknown>>(known: T, keys: readonly (keyof T)[]) {
  return fc
    .subarray([...keys], { minLength: 1 })
    .map((unknownKeys) =>
      Object.fromEntries(
        Object.entries(known).map(([k, v]) => [k, unknownKeys.includes(k as keyof T) ? UNKNOWN : v]),
      ),
    );
}

describe("isUnknown", () => {
  it("finds the placeholder at any depth, and nothing else", () => {
    const json = fc.jsonValue().filter((v) => !JSON.stringify(v).includes(UNKNOWN));
    fc.assert(fc.property(json, (v) => !isUnknown(v)));
    fc.assert(
      fc.property(json, fc.array(fc.oneof(fc.string(), fc.nat()), { maxLength: 3 }), (v, where) => {
        let nested: unknown = UNKNOWN;
        for (const step of where.reverse())
          nested = typeof step === "number" ? [...Array<unknown>(step % 3), nested] : { [step]: nested };
        return isUnknown(nested) && isUnknown({ v, nested }) && isUnknown([v, nested]);
      }),
    );
  });
});

describe("ClientSecret check at onboarding: the app or the secret to adopt not known yet", () => {
  const provider = new ClientSecretProvider();

  it("sends nothing to Okta and refuses nothing while appId or adopting is unknown", async () => {
    const app = okta.addApp({ secrets: 1 });
    const known = { appId: app.id, adopting: app.secrets[0]!.id };
    await fc.assert(
      fc.asyncProperty(someUnknown(known, ["appId", "adopting"]), async (v) => {
        okta.clearLog();
        const r = await provider.check(
          {},
          {
            appId: v.appId,
            generation: 1,
            value: OWN,
            slot: { app: "billing", generation: 1, rollback: false, adopting: v.adopting },
          },
        );
        expect(r.failures).toBeUndefined();
        expect(okta.requestLog).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });

  it("refuses, once known, an app that is not in the org and a secret that is not the app's", async () => {
    const app = okta.addApp({ secrets: 1 });
    const news = (appId: string, adopting: string) => ({
      appId,
      generation: 1,
      value: OWN,
      slot: { app: "billing", generation: 1, rollback: false, adopting },
    });
    const none = await provider.check({}, news("0oaNotInThisOrg", app.secrets[0]!.id));
    expect(none.failures?.[0]?.reason).toMatch(/there is no app 0oaNotInThisOrg in this Okta org/);
    const other = await provider.check({}, news(app.id, "ocsNotThisAppsSecret"));
    expect(other.failures?.[0]?.reason).toMatch(/adoptSecretId ocsNotThisAppsSecret is not a secret of app/);
    expect((await provider.check({}, news(app.id, app.secrets[0]!.id))).failures).toBeUndefined();
  });

  it("diffs an unknown appId as a replacement without calling Okta", async () => {
    const olds = {
      appId: "0oaOld",
      status: "ACTIVE",
      secretId: "ocs1",
      secretHash: "h",
      generation: 1,
    } as ClientSecretOutputs;
    okta.clearLog();
    const d = await provider.diff("ocs1", olds, { appId: UNKNOWN, status: "ACTIVE", generation: 1 });
    expect(d).toEqual({ changes: true, replaces: ["appId"] });
    expect(okta.requestLog).toEqual([]);
  });
});

describe("GeneratedSecret: nothing is read before the app exists", () => {
  const provider = new GeneratedSecretProvider();

  it("checks and diffs an unknown appId without calling Okta", async () => {
    const c = await provider.check({}, { appId: UNKNOWN, app: "billing" });
    expect(c.failures).toBeUndefined();
    const olds = { appId: "0oaOld", app: "billing", secretId: "ocs1" } as GeneratedSecretOutputs;
    expect(await provider.diff("ocs1", olds, { appId: UNKNOWN, app: "billing" })).toEqual({
      changes: true,
      replaces: ["appId"],
    });
    expect(okta.requestLog).toEqual([]);
  });
});

describe("gates: an unknown token URL or scope is not judged", () => {
  const orgServer = "https://acme.okta.com/oauth2/v1/token";

  it("TokenExchangeGate", () => {
    const known = { exchange: true, tokenUrl: orgServer, scope: "rotation.check" };
    // Control: known, the org server is refused for a secret.
    expect(exchangeTargetFailures(known)).toHaveLength(1);
    fc.assert(
      fc.property(someUnknown(known, ["tokenUrl", "scope"]), (v) => exchangeTargetFailures(v).length === 0),
    );
  });

  it("AssertionGate", async () => {
    const gate = new AssertionGateProvider();
    const known = {
      appId: "0oa1",
      clientId: "0oa1",
      kid: "k1",
      generation: 1,
      privateJwk: { kty: "EC", d: "private" },
      tokenUrl: orgServer,
      scope: "rotation.check",
      exchange: "always",
      minOverlapSeconds: 0,
    };
    expect((await gate.check({}, known)).failures?.[0]?.reason).toMatch(/custom scopes are refused there/);
    await fc.assert(
      fc.asyncProperty(someUnknown(known, ["tokenUrl", "scope"]), async (v) => {
        const r = await gate.check({}, v);
        expect(r.failures ?? []).toEqual([]);
      }),
    );
  });
});
