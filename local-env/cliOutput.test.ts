import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exportLines, rateLimitSummary, userPath } from "./cliOutput";
import { DEFAULT_RATE_LIMITS } from "./okta";

const segment = fc.stringMatching(/^[a-z0-9._-]{1,8}$/);
const dir = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`);
const npmDir = fc.oneof(
  dir.map((d) => `${d}/node_modules/.bin`),
  dir.map((d) => `${d}/node_modules/@npmcli/run-script/lib/node-gyp-bin`),
);

describe("userPath", () => {
  it("drops npm's script directories and repeats, keeps every other directory in order, after prepend", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(dir, npmDir), { maxLength: 8 }),
        fc.array(dir, { maxLength: 3 }),
        (entries, prepend) => {
          const out = userPath(entries.join(":"), prepend, ":")
            .split(":")
            .filter((d) => d !== "");
          const isNpm = (d: string) => d.endsWith("/node_modules/.bin") || d.endsWith("/node-gyp-bin");
          expect(out.filter(isNpm)).toEqual([]);
          expect(new Set(out).size).toBe(out.length);
          const expected = [...new Set([...prepend, ...entries.filter((d) => !isNpm(d))])];
          expect(out).toEqual(expected);
        },
      ),
    );
  });

  it("leaves a directory that only contains node_modules in its name", () => {
    expect(userPath("/opt/node_modules/.bin:/opt/node_modules/tool/bin:/usr/bin", [], ":")).toBe(
      "/opt/node_modules/tool/bin:/usr/bin",
    );
  });
});

describe("exportLines", () => {
  it("gives a POSIX shell back every value as it was, quotes included", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme-ascii", maxLength: 40 }).filter((v) => !v.includes("\0")),
        (value) => {
          const shown = execFileSync("sh", ["-c", `${exportLines({ X: value })}printf %s "$X"`], {
            encoding: "utf8",
          });
          expect(shown).toBe(value);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("rateLimitSummary", () => {
  it("names both buckets, the window and one token's share", () => {
    expect(rateLimitSummary(DEFAULT_RATE_LIMITS)).toBe(
      "Okta rate limits: /api/v1/apps* 100 and /api/v1/apps/{id} 500 requests per 60 s, one token at most 50% of " +
        "each (50 and 250); beyond, 429 with X-Rate-Limit-Reset",
    );
    expect(rateLimitSummary({ apps: 10, app: 3, windowSeconds: 10, tokenShare: 1 })).toMatch(
      /\/api\/v1\/apps\* 10 and \/api\/v1\/apps\/\{id\} 3 requests per 10 s, one token at most 100% of each \(10 and 3\)/,
    );
  });
});
