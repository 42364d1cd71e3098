import { formatBench, runBench } from "./bench";
import { formatFaultDrill, runFaultDrill } from "./faultDrill";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function positive(name: string, fallback: number): number {
  const raw = flag(name);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const result = await runBench({
    apps: positive("apps", 100),
    rateLimits: { apps: positive("rate", 100), windowSeconds: positive("window", 10) },
    // The same rotation again at Okta's own paid-org limit, side by side. Skip with --no-okta-limit.
    oktaLimit: process.argv.includes("--no-okta-limit") ? false : { apps: 100, windowSeconds: 60 },
    // Again at one token's share of that limit (50%, Okta's default), paced by the client. Skip with --no-token-share.
    tokenShare: process.argv.includes("--no-token-share") ? false : 0.5,
    tokenShareLimit: { apps: 100, windowSeconds: 60 },
    // As many apps again in K stacks rotated at once (--split 1: not run).
    split: positive("split", 4),
    // Rounds of no-change previews (empty program, 1 app, the large stack) for the two preview ratios.
    previewRounds: positive("preview-rounds", 4),
    log: json ? undefined : (line) => console.error(`… ${line}`),
  });
  // The fault drill (a test too): SIGKILL at each step boundary, then Okta faults. Skip with --no-drill.
  const drill = process.argv.includes("--no-drill")
    ? undefined
    : await runFaultDrill({
        everyVariant: true,
        log: json ? undefined : (line) => console.error(`… ${line}`),
      });
  if (json) {
    console.log(JSON.stringify({ ...result, ...(drill ? { drill } : {}) }));
    return;
  }
  for (const line of formatBench(result)) console.log(line);
  if (drill) for (const line of formatFaultDrill(drill)) console.log(line);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
