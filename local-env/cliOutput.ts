// What `npm run -s local-env` prints: shell `export` lines on stdout, and a summary on stderr. Pure.

import * as path from "node:path";
import type { RateLimits } from "./okta";
import { tokenLimit } from "./okta/limits";

/**
 * A PATH for the user's shell: `prepend` first, then `current` without the directories `npm run` puts in front of a
 * script's PATH (every `node_modules/.bin` and npm's own `node-gyp-bin`), which mean nothing outside npm and would
 * shadow the user's tools; each directory once.
 */
export function userPath(
  current: string,
  prepend: readonly string[] = [],
  delimiter = path.delimiter,
): string {
  const npmScriptDir = (dir: string) =>
    /(^|[\\/])node_modules[\\/]\.bin[\\/]?$/.test(dir) || /[\\/]node-gyp-bin[\\/]?$/.test(dir);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of [...prepend, ...current.split(delimiter)]) {
    if (dir === "" || npmScriptDir(dir) || seen.has(dir)) continue;
    seen.add(dir);
    out.push(dir);
  }
  return out.join(delimiter);
}

/** `export NAME='value'` lines, single-quoted for any POSIX shell. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, "'\\''")}'\n`)
    .join("");
}

/** The local Okta's rate limits in words, as the summary line says them. */
export function rateLimitSummary(limits: RateLimits): string {
  const share = Math.round(limits.tokenShare * 100);
  return (
    `Okta rate limits: /api/v1/apps* ${limits.apps} and /api/v1/apps/{id} ${limits.app} requests per ` +
    `${limits.windowSeconds} s, one token at most ${share}% of each (${tokenLimit(limits, "apps")} and ` +
    `${tokenLimit(limits, "app")}); beyond, 429 with X-Rate-Limit-Reset`
  );
}
