import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
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
