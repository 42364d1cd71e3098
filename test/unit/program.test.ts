import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { installMocks, registered } from "../component/mocks";

const NS = "okta-credential-rotation";

describe("the program with an invalid stack config", () => {
  it("fails with a pulumi.RunError listing every problem, before any resource is registered", async () => {
    installMocks();
    for (const v of ["OKTA_ORG_URL", "OKTA_ORG_NAME", "OKTA_BASE_URL"]) delete process.env[v];
    pulumi.runtime.setAllConfig({
      [`${NS}:apps`]: JSON.stringify([
        { name: "one", appId: "0oa1", generation: 0 },
        { name: "two", appId: " 0oa1", generation: 1, privateKeyJwt: { enabled: true } },
      ]),
    });
    const err: unknown = await import("../../index").then(
      () => undefined,
      (e: unknown) => e,
    );
    // RunError: the Node language host logs its message alone (cmd/run/run.js), no stack, no util.inspect.
    expect(pulumi.RunError.isInstance(err)).toBe(true);
    expect((err as Error).name).toBe("Error");
    expect(Object.keys(err as object)).toEqual(["__pulumiRunError"]);
    expect((err as Error).message.split("\n")).toEqual([
      "Invalid stack config (nothing was changed):",
      `  - ${NS}:apps[0].generation (app 'one'): must be a whole number ≥ 1 (you gave 0); set it to 1 for a new ` +
        `app, or to the generation the app is at`,
      `  - ${NS}:apps[1].appId (app 'two'): same appId as app 'one' (${NS}:apps[0].appId), once the spaces ` +
        `around it are trimmed; give each app its own appId (each entry rotates one Okta app)`,
      `  - ${NS}:apps[1].gates.tokenUrl (app 'two'): privateKeyJwt needs the token endpoint and no org URL is ` +
        `set; set gates.tokenUrl, or the org URL (${NS}:oktaOrgUrl, or okta:orgName)`,
    ]);
    expect(registered).toEqual([]);
  });
});

/** Resolves once no RPC of the program is in flight (the runtime's own wait before it disconnects). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

describe("the program with a valid stack config", () => {
  const apps = ["billing", "orders", "search"].map((name, i) => ({
    name,
    appId: `0oa${i}`,
    generation: 1,
    adoptSecretId: `ocs-adopted-${i}`,
  }));

  /**
   * Runs the program, as `pulumi preview` or `pulumi up` does. `events`: when each app's rotation was built and
   * when the engine (the mocks) received each resource, in order.
   */
  async function run(preview: boolean): Promise<{ outputs: unknown; events: string[] }> {
    vi.resetModules();
    registered.length = 0;
    installMocks(preview);
    process.env.OKTA_ORG_URL = "https://example.okta.com";
    pulumi.runtime.setAllConfig({ [`${NS}:apps`]: JSON.stringify(apps) });
    const events: string[] = [];
    const push = registered.push.bind(registered);
    registered.push = (...r) => {
      for (const x of r) events.push(`sent ${x.name}`);
      return push(...r);
    };
    vi.doMock("okta-credential-rotation", async (importOriginal) => {
      const original = await importOriginal<typeof import("okta-credential-rotation")>();
      class SecretRotation extends original.SecretRotation {
        constructor(...args: ConstructorParameters<typeof original.SecretRotation>) {
          super(...args);
          events.push(`built ${args[0]}`);
        }
      }
      return { ...original, SecretRotation };
    });
    const program = (await import("../../index")) as unknown as { default?: () => Promise<unknown> };
    const main = (typeof program === "function" ? program : program.default)!;
    const outputs = await main();
    // Every registration has reached the mocks, and nothing is left for the next run's mocks.
    await waitForRPCs();
    vi.doUnmock("okta-credential-rotation");
    return { outputs, events };
  }

  it("registers one rotation per app and outputs it, the same in a preview and in an update", async () => {
    const up = await run(false);
    const upNames = registered.map((r) => `${r.type} ${r.name}`).sort();
    const preview = await run(true);
    expect(registered.map((r) => `${r.type} ${r.name}`).sort()).toEqual(upNames);
    for (const app of apps) expect(upNames).toContain(`okta-rotation:index:SecretRotation ${app.name}`);
    for (const outputs of [up.outputs, preview.outputs])
      expect(Object.keys((outputs as { rotations: object }).rotations)).toEqual(apps.map((a) => a.name));
  });

  it("in an update builds every app before sending any resource; in a preview sends each app's while building the next", async () => {
    const up = (await run(false)).events;
    const built = up.filter((e) => e.startsWith("built "));
    expect(built).toHaveLength(apps.length);
    expect(up.findIndex((e) => e.startsWith("sent "))).toBeGreaterThan(up.indexOf(built.at(-1)!));
    const preview = (await run(true)).events;
    const last = apps.at(-1)!.name;
    expect(preview.indexOf(`sent ${apps[0]!.name}`)).toBeGreaterThanOrEqual(0);
    expect(preview.indexOf(`sent ${apps[0]!.name}`)).toBeLessThan(preview.indexOf(`built ${last}`));
  });
});
