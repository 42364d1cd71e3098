// Changing the stack safely, under the real engine against the local Okta: every ordinary config change, and
// `destroy`, leaves each app a working credential that its consumers hold, never more than two secrets, and a
// refusal that names the key, the app and the fix before anything is written to Okta. The Automation API runs
// `pulumi up` with --skip-preview, so each refusal below happens without a preview before it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { createStack, setApps, stepCollector, type EngineStack } from "./harness";

/** Okta management writes in the request log since `from` (POST, PUT, DELETE of /api/v1). */
function writesSince(okta: OktaLocal, from: number): string[] {
  return okta.requestLog
    .slice(from)
    .filter((e) => e.path.startsWith("/api/v1/") && e.method !== "GET")
    .map((e) => `${e.method} ${e.path} ${e.status}`);
}

/** The app's secrets as [id, status], sorted by id. */
function secrets(okta: OktaLocal, appId: string): [string, string][] {
  return okta
    .listSecrets(appId)
    .map((x) => [x.id, x.status] as [string, string])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** What a failed Automation API command printed on stderr: where the CLI reports an error, once. */
async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    const result = (err as { commandResult?: { stderr?: string } }).commandResult;
    return result?.stderr ?? String(err);
  }
  throw new Error("expected the command to fail");
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("changing the stack safely (real engine, --skip-preview)", () => {
  let okta: OktaLocal;
  let s: EngineStack;
  let one: string; // an app that had a secret before the stack (adopted)
  let two: string; // an app with no secret before the stack
  let seeded: string;

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [{ label: "safe-one" }, { label: "safe-two", secrets: 0 }],
      rateLimits: { apps: 10_000, app: 10_000 },
    });
    one = okta.apps[0].id;
    two = okta.apps[1].id;
    seeded = okta.listSecrets(one)[0].id;
    s = await createStack(`test-safe-${process.pid}`, {
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_API_TOKEN: okta.apiToken,
    });
  }, 300_000);

  afterAll(async () => {
    await s?.dispose();
    await okta?.close();
  });

  const appOne = (generation: number, extra: Record<string, unknown> = {}) => ({
    name: "one",
    appId: one,
    generation,
    adoptSecretId: seeded,
    ...extra,
  });
  const appTwo = (extra: Record<string, unknown> = {}) => ({
    name: "two",
    appId: two,
    generation: 1,
    ...extra,
  });

  /** A refused `up`: nothing written to Okta, the secrets as they were, the reason said once. */
  async function refused(apps: unknown[], reason: RegExp, said: string): Promise<string> {
    await setApps(s.stack, apps);
    const before = [secrets(okta, one), secrets(okta, two)];
    const from = okta.requestLog.length;
    const text = await failure(s.stack.up({ color: "never" }));
    expect(text).toMatch(reason);
    // Pulumi shows an error in the progress and once in its Diagnostics: the reason is said there once.
    expect(occurrences(text.slice(text.indexOf("Diagnostics:")), said), text).toBe(1);
    expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
    expect(writesSince(okta, from)).toEqual([]);
    expect([secrets(okta, one), secrets(okta, two)]).toEqual(before);
    return text;
  }

  it("onboards both apps: the adopted secret retired INACTIVE, each app one ACTIVE secret", async () => {
    await setApps(s.stack, [appOne(1), appTwo()]);
    const up = await s.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(okta.listSecrets(one).find((x) => x.id === seeded)?.status).toBe("INACTIVE");
    expect(okta.listSecrets(one).filter((x) => x.status === "ACTIVE")).toHaveLength(1);
    expect(okta.listSecrets(two).map((x) => x.status)).toEqual(["ACTIVE"]);
  }, 300_000);

  it("a bump to 2 rotates; going back down to 1 is refused before any Okta write", async () => {
    await setApps(s.stack, [appOne(2), appTwo()]);
    expect((await s.stack.up()).summary.result).toBe("succeeded");
    await refused(
      [appOne(1), appTwo()],
      /app 'one': generation went down from 2 to 1\. .*keep 2 and set rollback: true\. Nothing was changed\./,
      "went down from 2 to 1",
    );
  }, 300_000);

  it("a skipped generation is refused before any Okta write, with the value to set", async () => {
    await refused(
      [appOne(4), appTwo()],
      /app 'one': generation 4 would replace the secret of generation 2, but the rotation to 3 has not finished.*Set generation to 3/,
      "would replace the secret of generation 2",
    );
    await refused(
      [appOne(5), appTwo()],
      /app 'one': generation jumped from 2 to 5\. .*set generation to 3/,
      "jumped from 2 to 5",
    );
  }, 300_000);

  it("a bump straight from a rollback is refused; leaving the rollback first works", async () => {
    await setApps(s.stack, [appOne(2, { rollback: true }), appTwo()]);
    expect((await s.stack.up()).summary.result).toBe("succeeded");
    await refused(
      [appOne(3), appTwo()],
      /app 'one': the last run rolled back to generation 1.*First remove rollback at generation 2/,
      "the last run rolled back",
    );
    await setApps(s.stack, [appOne(2), appTwo()]);
    expect((await s.stack.up()).summary.result).toBe("succeeded");
    expect(
      okta
        .listSecrets(one)
        .map((x) => x.status)
        .sort(),
    ).toEqual(["ACTIVE", "INACTIVE"]);
  }, 300_000);

  it("a config error lists every problem, one line each, with no stack trace and no colour codes", async () => {
    const text = await refusedConfig([appOne(0), { name: "two", appId: ` ${one}`, generation: 1.5 }]);
    expect(text).toContain("Invalid stack config (nothing was changed):");
    expect(text).toMatch(/apps\[0\]\.generation \(app 'one'\): must be a whole number ≥ 1 \(you gave 0\)/);
    expect(text).toMatch(/apps\[1\]\.generation \(app 'two'\): must be a whole number/);
    expect(text).toMatch(
      /apps\[1\]\.appId \(app 'two'\): same appId as app 'one'.*once the spaces around it are trimmed/,
    );
    expect(text).not.toContain("\u001b[");
  }, 300_000);

  async function refusedConfig(apps: unknown[]): Promise<string> {
    await setApps(s.stack, apps);
    const from = okta.requestLog.length;
    const text = await failure(s.stack.up({ color: "never" }));
    expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(writesSince(okta, from)).toEqual([]);
    return text;
  }

  it("a rename with formerNames keeps every resource: no Okta write, nothing created, replaced or deleted", async () => {
    await setApps(s.stack, [appOne(2), appTwo()]);
    expect((await s.stack.up()).summary.result).toBe("succeeded");
    const before = secrets(okta, two);
    await setApps(s.stack, [appOne(2), { ...appTwo(), name: "two-renamed", formerNames: ["two"] }]);
    const { steps, onEvent } = stepCollector();
    const from = okta.requestLog.length;
    const up = await s.stack.up({ onEvent });
    expect(up.summary.result).toBe("succeeded");
    // The slots record the app's new name (an update that calls no Okta API); nothing else changes.
    expect(
      steps.filter((x) => !["same", "read", "update"].includes(x.op)).map((x) => `${x.op} ${x.name}`),
    ).toEqual([]);
    expect(writesSince(okta, from)).toEqual([]);
    expect(secrets(okta, two)).toEqual(before);
    expect(Object.keys(up.outputs.rotations.value as object).sort()).toEqual(["one", "two-renamed"]);
  }, 300_000);

  it("removing an app releases its ACTIVE secret: it stays ACTIVE in Okta, and the preview says so", async () => {
    const active = okta.listSecrets(two).find((x) => x.status === "ACTIVE")!;
    await setApps(s.stack, [appOne(2)]);
    const preview = await s.stack.preview({ color: "never" });
    // The engine shows a retained resource's delete as `delete[retain]`: nothing is done to it.
    expect(preview.stdout).toMatch(
      /two-renamed-slot-b[^\n]*delete\[retain\]|delete\[retain\][^\n]*two-renamed-slot-b/,
    );
    const up = await s.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(secrets(okta, two)).toEqual([[active.id, "ACTIVE"]]);
  }, 300_000);

  it("destroy releases what consumers hold: each app keeps its ACTIVE secret", async () => {
    const active = okta.listSecrets(one).find((x) => x.status === "ACTIVE")!;
    const destroy = await s.stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(secrets(okta, one)).toEqual([[active.id, "ACTIVE"]]);
  }, 300_000);
});

describe("onboarding and two stacks on one app (real engine)", () => {
  let okta: OktaLocal;
  let first: EngineStack;
  let second: EngineStack;
  let third: EngineStack;
  let shared: string;
  let late: string;
  let fresh: string;

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [{ label: "shared", secrets: 0 }, { label: "late" }, { label: "fresh", secrets: 0 }],
      rateLimits: { apps: 10_000, app: 10_000 },
    });
    shared = okta.apps[0].id;
    late = okta.apps[1].id;
    fresh = okta.apps[2].id;
    const env = { OKTA_ORG_URL: okta.orgUrl, OKTA_API_TOKEN: okta.apiToken };
    first = await createStack(`test-safe-first-${process.pid}`, env);
    second = await createStack(`test-safe-second-${process.pid}`, env);
    third = await createStack(`test-safe-third-${process.pid}`, env);
  }, 300_000);

  afterAll(async () => {
    await first?.dispose();
    await second?.dispose();
    await third?.dispose();
    await okta?.close();
  });

  it("a new app without a secret, first applied at generation 3, is refused before any write; at 1 it gets one secret", async () => {
    // At 3 the plan's retired slot (generation 2) would create a second secret that no client ever held.
    await setApps(third.stack, [{ name: "fresh", appId: fresh, generation: 3 }]);
    const from = okta.requestLog.length;
    const text = await failure(third.stack.up({ color: "never" }));
    expect(text).toContain(
      `SecretRotation 'fresh': generation is 3 at the rotation's first run, and app ${fresh} has no secret to adopt`,
    );
    expect(text).toContain("Set generation to 1 for app 'fresh'");
    expect(occurrences(text.slice(text.indexOf("Diagnostics:")), "at the rotation's first run"), text).toBe(
      1,
    );
    expect(writesSince(okta, from)).toEqual([]);
    expect(okta.listSecrets(fresh)).toEqual([]);

    // What the refusal says to do: one secret, one create.
    await setApps(third.stack, [{ name: "fresh", appId: fresh, generation: 1 }]);
    const from1 = okta.requestLog.length;
    expect((await third.stack.up()).summary.result).toBe("succeeded");
    expect(secrets(okta, fresh).map((x) => x[1])).toEqual(["ACTIVE"]);
    expect(writesSince(okta, from1)).toEqual([`POST /api/v1/apps/${fresh}/credentials/secrets 201`]);

    // And the ordinary bump to 2 — a slot the stack never had — rotates as before.
    await setApps(third.stack, [{ name: "fresh", appId: fresh, generation: 2 }]);
    expect((await third.stack.up()).summary.result).toBe("succeeded");
    expect(
      secrets(okta, fresh)
        .map((x) => x[1])
        .sort(),
    ).toEqual(["ACTIVE", "INACTIVE"]);
  }, 900_000);

  it("refuses an adoptSecretId that is not the app's, or INACTIVE, before anything is written", async () => {
    const existing = okta.listSecrets(late)[0]!.id;
    await setApps(first.stack, [
      { name: "late", appId: late, generation: 3, adoptSecretId: "ocsNotThere1234567" },
    ]);
    const from = okta.requestLog.length;
    const text = await failure(first.stack.up({ color: "never" }));
    expect(text).toMatch(
      new RegExp(
        `adoptSecretId ocsNotThere1234567 is not a secret of app ${late} \\(its secrets: ${existing} ACTIVE`,
      ),
    );
    expect(writesSince(okta, from)).toEqual([]);
  }, 300_000);

  it("onboards an app that has a secret at generation 3: the adopted secret plays generation 2", async () => {
    const existing = okta.listSecrets(late)[0]!.id;
    await setApps(first.stack, [{ name: "late", appId: late, generation: 3, adoptSecretId: existing }]);
    const up = await first.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const list = okta.listSecrets(late);
    expect(list.find((x) => x.id === existing)?.status).toBe("INACTIVE");
    expect(list.filter((x) => x.status === "ACTIVE")).toHaveLength(1);
    const rotations = up.outputs.rotations.value as Record<string, { current: { generation: number } }>;
    expect(rotations.late.current.generation).toBe(3);
  }, 300_000);

  it("two stacks on one app never take each other's secrets: the second one, adopting none, is refused before it writes", async () => {
    await setApps(first.stack, [{ name: "shared", appId: shared, generation: 1 }]);
    expect((await first.stack.up()).summary.result).toBe("succeeded");
    const held = secrets(okta, shared);
    expect(held.map((x) => x[1])).toEqual(["ACTIVE"]);

    // The second stack would add a secret of its own and leave no room for either stack's next generation.
    await setApps(second.stack, [{ name: "shared", appId: shared, generation: 1 }]);
    for (const run of [
      () => second.stack.preview({ color: "never" }),
      () => second.stack.up({ color: "never" }),
    ]) {
      const text = await failure(run());
      expect(text).toContain(
        `SecretRotation 'shared': app ${shared} already has an ACTIVE secret (${held[0]![0]} ACTIVE`,
      );
      expect(text).toMatch(/Set adoptSecretId to the secret the app's clients use now/);
      // Pulumi shows an error in the progress and once in its Diagnostics: the reason is said there once.
      const said = "already has an ACTIVE secret";
      expect(occurrences(text.slice(text.indexOf("Diagnostics:")), said), text).toBe(1);
      expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
      expect(secrets(okta, shared)).toEqual(held);
    }

    // The first stack rotates on as before.
    await setApps(first.stack, [{ name: "shared", appId: shared, generation: 2 }]);
    expect((await first.stack.up()).summary.result).toBe("succeeded");
    expect(
      secrets(okta, shared)
        .map((x) => x[1])
        .sort(),
    ).toEqual(["ACTIVE", "INACTIVE"]);
  }, 300_000);
});
