// Ordinary edits a team makes over its first weeks, under the real engine against the local Okta: each either
// does what the team means, or is refused before any write with the key, the app and the fix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { createStack, setApps, stepCollector, type EngineStack } from "./harness";

function writesSince(okta: OktaLocal, from: number): string[] {
  return okta.requestLog
    .slice(from)
    .filter((e) => e.path.startsWith("/api/v1/") && e.method !== "GET")
    .map((e) => `${e.method} ${e.path} ${e.status}`);
}

function secrets(okta: OktaLocal, appId: string): [string, string][] {
  return okta
    .listSecrets(appId)
    .map((x) => [x.id, x.status] as [string, string])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    const result = (err as { commandResult?: { stderr?: string } }).commandResult;
    return result?.stderr ?? String(err);
  }
  throw new Error("expected the command to fail");
}

describe("a rename without formerNames, then with them (real engine)", () => {
  let okta: OktaLocal;
  let s: EngineStack;
  let appId: string;

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [{ label: "rename", secrets: 0 }],
      rateLimits: { apps: 10_000, app: 10_000 },
    });
    appId = okta.apps[0].id;
    s = await createStack(`test-rename-${process.pid}`, {
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_API_TOKEN: okta.apiToken,
    });
  }, 300_000);
  afterAll(async () => {
    await s?.dispose();
    await okta?.close();
  });

  it("is refused before any Okta write; adding formerNames then renames with no Okta write and creates nothing", async () => {
    await setApps(s.stack, [{ name: "old", appId, generation: 1 }]);
    expect((await s.stack.up()).summary.result).toBe("succeeded");
    await setApps(s.stack, [{ name: "old", appId, generation: 2 }]);
    expect((await s.stack.up()).summary.result).toBe("succeeded");
    const before = secrets(okta, appId);

    await setApps(s.stack, [{ name: "new", appId, generation: 2 }]);
    const from = okta.requestLog.length;
    const text = await failure(s.stack.up({ color: "never" }));
    expect(text).toMatch(
      /SecretRotation 'new': app \w+ already has an ACTIVE secret .*If you renamed app 'new' in the stack config \(or the component\), put the old name in its formerNames/,
    );
    expect(writesSince(okta, from)).toEqual([]);
    expect(secrets(okta, appId)).toEqual(before);

    // What the error says to do works, whatever the failed run left in state.
    await setApps(s.stack, [{ name: "new", appId, generation: 2, formerNames: ["old"] }]);
    const { steps, onEvent } = stepCollector();
    const from2 = okta.requestLog.length;
    const up = await s.stack.up({ onEvent, color: "never" });
    expect(up.summary.result).toBe("succeeded");
    expect(writesSince(okta, from2)).toEqual([]);
    expect(secrets(okta, appId)).toEqual(before);
    const created = steps.filter(
      (x) => x.op === "create" || x.op === "replace" || x.op === "create-replacement",
    );
    expect(created.map((x) => x.name)).toEqual([]);
    expect(Object.keys(up.outputs.rotations.value as object)).toEqual(["new"]);

    // And the renamed app rotates as before.
    await setApps(s.stack, [{ name: "new", appId, generation: 3, formerNames: ["old"] }]);
    expect((await s.stack.up()).summary.result).toBe("succeeded");
    const after = secrets(okta, appId);
    expect(after.map((x) => x[1]).sort()).toEqual(["ACTIVE", "INACTIVE"]);
    expect(after.find((x) => x[0] === before.find((b) => b[1] === "ACTIVE")![0])?.[1]).toBe("INACTIVE");
  }, 900_000);

  it("the same former name on two apps is a config error naming the key, both apps and the fix", async () => {
    await setApps(s.stack, [
      { name: "new", appId, generation: 3, formerNames: ["old"] },
      { name: "other", appId: "0oaOther", generation: 1, formerNames: ["old"] },
    ]);
    const from = okta.requestLog.length;
    const text = await failure(s.stack.up({ color: "never" }));
    expect(text).toMatch(
      /apps\[1\]\.formerNames \(app 'other'\): 'old' is also a former name of app 'new' \(okta-credential-rotation:apps\[0\]\.formerNames\).*remove it from the other/,
    );
    expect(text).not.toMatch(/Duplicate resource alias/);
    expect(writesSince(okta, from)).toEqual([]);
  }, 300_000);
});
