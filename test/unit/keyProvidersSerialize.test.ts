import { execFileSync } from "child_process";
import * as path from "path";
import { describe, expect, it } from "vitest";

// Component tests stub Pulumi's closure serializer (test/component/mocks.ts); this runs the real one, in a
// tsx child process, on the providers of the private_key_jwt resources.
describe("private_key_jwt providers under Pulumi's closure serializer", () => {
  it("serialize without credentials and work when loaded like the dynamic provider host does", () => {
    const sentinel = "sentinel-api-token-that-must-not-be-captured";
    const out = execFileSync(
      process.execPath,
      [require.resolve("tsx/cli"), path.join(__dirname, "fixtures", "serializeKeyProviders.ts")],
      {
        cwd: path.join(__dirname, "..", ".."),
        env: { ...process.env, OKTA_API_TOKEN: sentinel },
        encoding: "utf8",
      },
    );
    const report = JSON.parse(out) as Record<string, Record<string, unknown>>;
    expect(Object.keys(report)).toEqual([
      "KeyPairProvider",
      "AssertionGateProvider",
      "SecretHandoverProvider",
    ]);
    for (const entry of Object.values(report)) expect(entry.containsSentinel).toBe(false);
    expect(report.KeyPairProvider.methods).toEqual(["check", "diff", "create", "read", "update"]);
    expect(report.KeyPairProvider.check).toMatchObject({
      failures: [{ property: "modulusLength", reason: expect.stringContaining("2048") }],
    });
    expect(report.KeyPairProvider.kidLength).toBe(43);
    expect(report.KeyPairProvider.diff).toEqual({ changes: true, replaces: ["generation"] });
    expect(report.AssertionGateProvider.diff).toEqual({ changes: true, replaces: [] });
    expect(report.SecretHandoverProvider.check).toMatchObject({ failures: [{ property: "mode" }] });
    expect(report.SecretHandoverProvider.generatedLength).toBe(64);
  }, 60_000);
});
