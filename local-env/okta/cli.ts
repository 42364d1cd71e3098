import { parseArgs } from "node:util";
import { validateRule } from "./limits";
import { startOktaLocal } from "./server";
import type { FaultRule, SeedApp } from "./types";

const USAGE = `usage: okta-local [--port N] [--apps N] [--rate-limit-apps N] [--rate-limit-app N]
                  [--rate-limit-token-share 0.5]
                  [--fault '<json FaultRule>']... [--delete-secrets-on-private-key-jwt]
                  [--no-service-app-dpop] [--keep-key-ids-on-put]`;

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      apps: { type: "string" },
      "rate-limit-apps": { type: "string" },
      "rate-limit-app": { type: "string" },
      "rate-limit-token-share": { type: "string" },
      fault: { type: "string", multiple: true },
      "delete-secrets-on-private-key-jwt": { type: "boolean" },
      "no-service-app-dpop": { type: "boolean" },
      "keep-key-ids-on-put": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const appCount = integer("apps", values.apps, 1) ?? 1;
  const apps: SeedApp[] = Array.from({ length: appCount }, (_, i) => ({
    label: i === 0 ? "demo-service" : `demo-service-${i + 1}`,
  }));
  const faults: FaultRule[] = (values.fault ?? []).map((text) => {
    let rule: FaultRule;
    try {
      rule = JSON.parse(text) as FaultRule;
    } catch {
      throw new Error(`--fault must be a JSON FaultRule, got '${text}'`);
    }
    validateRule(rule);
    return rule;
  });
  const rateApps = integer("rate-limit-apps", values["rate-limit-apps"], 1);
  const rateApp = integer("rate-limit-app", values["rate-limit-app"], 1);
  const shareRaw = values["rate-limit-token-share"];
  const share = shareRaw === undefined ? undefined : Number(shareRaw);
  if (share !== undefined && !(share > 0 && share <= 1)) {
    throw new Error(`--rate-limit-token-share must be a number in (0, 1], got '${shareRaw}'`);
  }
  const okta = await startOktaLocal({
    port: integer("port", values.port, 0) ?? 0,
    apps,
    faults,
    rateLimits: {
      ...(rateApps ? { apps: rateApps } : {}),
      ...(rateApp ? { app: rateApp } : {}),
      ...(share !== undefined ? { tokenShare: share } : {}),
    },
    deleteSecretsOnPrivateKeyJwt: values["delete-secrets-on-private-key-jwt"] ?? false,
    serviceAppDpop: !(values["no-service-app-dpop"] ?? false),
    keepKeyIdsOnPut: values["keep-key-ids-on-put"] ?? false,
  });
  process.stdout.write(
    `${JSON.stringify({ orgUrl: okta.orgUrl, apiToken: okta.apiToken, apps: okta.apps })}\n`,
  );
  process.stderr.write(`okta-local listening on ${okta.orgUrl}\n`);

  let closing = false;
  const stop = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stderr.write(`okta-local: ${signal}, closing\n`);
    okta.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((e: unknown) => {
  process.stderr.write(`okta-local: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exit(2);
});
