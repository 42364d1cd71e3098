// Pull-request review under the real CLI: what `pulumi preview --diff` of a bump shows a reviewer, the plan summary
// generated from `pulumi preview --json`, and drift made in the local Okta showing in `pulumi preview --refresh`.
// The bump is previewed on examples/consumer-ts installed from the packed package (as consumer.test.ts does); the
// auth method's drift on this project's own program with a private_key_jwt app.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_AUTH_SERVER_ID, ROTATION_SCOPE, startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { api } from "../../local-env/okta/test-helpers";
import { planSummary, type PreviewJson } from "../../scripts/review/plan-summary";
import { createCliStack, type CliResult, type CliStack } from "./cli";
import { consumerPath, installPackedExample } from "./consumerProgram";

/** Field names that are bookkeeping, not steps: none may show in a reviewer's diff. */
const INTERNAL = [
  "slot",
  "adopting",
  "onboardedGeneration",
  "replaceOnlyInactive",
  "adoptSecretId",
  "activeSince",
  "clientSecret",
  "value",
  "deleteAllVersions",
  "__",
];

function ok(what: string, r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  return r;
}

/** The property lines of a `--diff` text (`~ key: a => b`, `- key: …`, `+ key: …`), as `op key`. */
function fieldLines(diff: string): string[] {
  return diff
    .split("\n")
    .map((l) => /^\s+([-+~])\s*([A-Za-z_][\w.]*)\s*:/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
}

/** The lines of one resource's block in a `--diff` text: from its header to the next header. */
function block(diff: string, header: RegExp, name: string): string {
  const lines = diff.split("\n");
  const starts = lines.flatMap((l, i) => (/^\s*[-+~ ]*[+~-]?\s*[\w-]+:[\w/:-]+: \(/.test(l) ? [i] : []));
  for (const [n, i] of starts.entries()) {
    const end = starts[n + 1] ?? lines.length;
    const text = lines.slice(i, end).join("\n");
    if (header.test(lines[i]!) && text.includes(`::${name}]`)) return text;
  }
  throw new Error(`no block ${header} for ${name} in:\n${diff}`);
}

async function admitAllClients(okta: OktaLocal): Promise<void> {
  // As a new org's `default` server has (see consumer.test.ts): a policy for all clients, client_credentials, any scope.
  const base = `/api/v1/authorizationServers/${DEFAULT_AUTH_SERVER_ID}/policies`;
  const policy = await api(okta, "POST", base, {
    body: {
      type: "OAUTH_AUTHORIZATION_POLICY",
      name: "Default Policy",
      status: "ACTIVE",
      conditions: { clients: { include: ["ALL_CLIENTS"] } },
    },
  });
  expect(policy.status).toBe(201);
  const rule = await api(okta, "POST", `${base}/${String(policy.json.id)}/rules`, {
    body: {
      type: "RESOURCE_ACCESS",
      name: "Default Policy Rule",
      conditions: {
        people: { groups: { include: ["EVERYONE"] } },
        grantTypes: { include: ["client_credentials"] },
        scopes: { include: ["*"] },
      },
    },
  });
  expect(rule.status).toBe(201);
}

describe("a bump's review on examples/consumer-ts", () => {
  let okta: OktaLocal;
  let work: string;
  let stack: CliStack;
  let appId: string;
  const secretValues = () => okta.listSecrets(appId).map((s) => s.clientSecret);

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "okta-rotation-review-"));
    const dir = path.join(work, "consumer");
    installPackedExample(work, dir, ["@pulumi/pulumi"]);
    okta = await startOktaLocal({ apps: [] });
    await admitAllClients(okta);
    stack = await createCliStack(
      `review-${process.pid}`,
      {
        OKTA_ORG_URL: okta.orgUrl,
        OKTA_ORG_NAME: "local",
        OKTA_HTTP_PROXY: okta.orgUrl,
        OKTA_API_TOKEN: okta.apiToken,
        PATH: await consumerPath(),
      },
      { cwd: dir },
    );
    const config = (generation: number) =>
      fs.writeFileSync(
        path.join(dir, `Pulumi.${stack.name}.yaml`),
        [
          "config:",
          "  rotation-consumer:label: review-billing",
          // Where the example keeps its rotation's generation.
          "  okta-credential-rotation:generations:",
          `    billing: ${generation}`,
          `  rotation-consumer:tokenUrl: ${okta.orgUrl}/oauth2/default/v1/token`,
          `  rotation-consumer:scope: ${ROTATION_SCOPE}`,
          "",
        ].join("\n"),
      );
    setGeneration = config;
    config(1);
    ok("up (generation 1)", await stack.run(["up", "--yes", "--skip-preview"]));
    const out = ok("stack output", await stack.run(["stack", "output", "appId"]));
    appId = out.stdout.trim();
  }, 900_000);

  let setGeneration: (g: number) => void = () => undefined;

  afterAll(async () => {
    await stack?.dispose();
    await okta?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("shows the runbook's steps and no bookkeeping in `preview --diff`, and the plan summary from `--json`", async () => {
    const before = okta.listSecrets(appId);
    const gen1 = before.find((s) => s.status === "ACTIVE")!.id;
    const gen0 = before.find((s) => s.status === "INACTIVE")!.id;
    setGeneration(2);
    const diff = ok("preview --diff", await stack.run(["preview", "--diff"])).stdout;
    console.log(diff);

    // Slot A: its INACTIVE generation-0 secret is replaced by generation 2's, ACTIVE.
    const slotA = block(diff, /\+-.*ClientSecret: \(replace\)/, "billing-slot-a");
    expect(fieldLines(slotA).sort()).toEqual(["~ generation", "~ status"]);
    expect(slotA).toMatch(/~ generation\s*: 0 => 2/);
    expect(slotA).toMatch(/~ status\s*: "INACTIVE" => "ACTIVE"/);
    // The gate re-runs for generation 2 with the new secret.
    const gate = block(diff, /~.*TokenExchangeGate: \(update\)/, "billing-gate");
    expect(fieldLines(gate).sort()).toEqual(["~ generation", "~ secretId"]);
    expect(gate).toMatch(/~ generation\s*: 1 => 2/);
    // Slot B: generation 1's secret goes ACTIVE → INACTIVE.
    const slotB = block(diff, /~.*ClientSecret: \(update\)/, "billing-slot-b");
    expect(fieldLines(slotB)).toEqual(["~ status"]);
    expect(slotB).toMatch(/~ status\s*: "ACTIVE" => "INACTIVE"/);
    // No bookkeeping field anywhere in the diff, and no secret value.
    for (const field of fieldLines(diff)) {
      const name = field.slice(2);
      for (const internal of INTERNAL)
        expect(name === internal || name.startsWith(internal) ? name : "").toBe("");
    }
    for (const value of secretValues()) expect(diff).not.toContain(value);

    const json = ok("preview --json", await stack.run(["preview", "--json"])).stdout;
    for (const value of secretValues()) expect(json).not.toContain(value);
    const summary = planSummary(JSON.parse(json) as PreviewJson);
    console.log(summary);
    expect(summary).toContain("#### billing (client secret)");
    const steps = summary.split("\n").filter((l) => /^\d+\. /.test(l));
    expect(steps).toEqual([
      "1. Make the value of generation 2's secret (kept as a Pulumi secret, never shown).",
      `2. Slot A: delete secret \`${gen0}\` (generation 0, INACTIVE), then create generation 2's secret in Okta, ACTIVE.`,
      `3. Gate: a real token exchange with the new secret at \`${okta.orgUrl}/oauth2/default/v1/token\` (scope \`${ROTATION_SCOPE}\`).`,
      `4. Slot B: deactivate secret \`${gen1}\` (generation 1): INACTIVE, kept for rollback until generation 3 needs its slot.`,
      `5. Prove Okta refuses secret \`${gen1}\`: a token exchange with it must get \`invalid_client\`.`,
    ]);
    for (const value of secretValues()) expect(summary).not.toContain(value);
  }, 600_000);

  it("shows a secret deactivated or deleted in the Admin Console in `preview --refresh`, and not without it", async () => {
    setGeneration(2);
    ok("up (generation 2)", await stack.run(["up", "--yes", "--skip-preview"]));
    const secrets = okta.listSecrets(appId);
    const current = secrets.find((s) => s.status === "ACTIVE")!.id;
    const previous = secrets.find((s) => s.status === "INACTIVE")!.id;
    const lifecycle = (id: string, op: string) =>
      api(okta, "POST", `/api/v1/apps/${appId}/credentials/secrets/${id}/lifecycle/${op}`);
    // The Admin Console: the previous secret activated again, the current one deactivated.
    expect((await lifecycle(previous, "activate")).status).toBe(200);
    expect((await lifecycle(current, "deactivate")).status).toBe(200);

    const stale = ok("preview --diff", await stack.run(["preview", "--diff"])).stdout;
    expect(stale).not.toMatch(/ClientSecret: \(update\)/);
    const refreshed = ok(
      "preview --refresh --diff",
      await stack.run(["preview", "--refresh", "--diff"]),
    ).stdout;
    console.log(refreshed);
    // The preview puts both back: the current secret ACTIVE again, the previous one INACTIVE.
    const slotA = block(refreshed, /~.*ClientSecret: \(update\)/, "billing-slot-a");
    expect(slotA).toMatch(/~ status\s*: "INACTIVE" => "ACTIVE"/);
    const slotB = block(refreshed, /~.*ClientSecret: \(update\)/, "billing-slot-b");
    expect(slotB).toMatch(/~ status\s*: "ACTIVE" => "INACTIVE"/);
    ok("up (puts them back)", await stack.run(["up", "--yes", "--skip-preview", "--refresh"]));
    expect(okta.listSecrets(appId).find((s) => s.id === current)?.status).toBe("ACTIVE");

    // The Admin Console: the INACTIVE previous secret deleted.
    expect((await api(okta, "DELETE", `/api/v1/apps/${appId}/credentials/secrets/${previous}`)).status).toBe(
      204,
    );
    expect(ok("preview --diff", await stack.run(["preview", "--diff"])).stdout).not.toMatch(/\(create\)/);
    const gone = ok("preview --refresh --diff", await stack.run(["preview", "--refresh", "--diff"])).stdout;
    console.log(gone);
    expect(gone).toMatch(
      /\+ pulumi-nodejs:dynamic\/okta-rotation:ClientSecret: \(create\)[\s\S]*billing-slot-b\]/,
    );
  }, 600_000);
});

describe("an auth method reset by a whole-app PUT, on this program", () => {
  let okta: OktaLocal;
  let stack: CliStack;

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [{ label: "review-keys" }],
      rateLimits: { apps: 10_000, app: 10_000 },
    });
    stack = await createCliStack(`review-keys-${process.pid}`, {
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_API_TOKEN: okta.apiToken,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.dispose();
    await okta?.close();
  });

  it("shows the switch back to private_key_jwt in `preview --refresh`", async () => {
    const appId = okta.apps[0]!.id;
    stack.setApps([
      {
        name: "svc",
        appId,
        generation: 1,
        adoptSecretId: okta.listSecrets(appId)[0]!.id,
        gates: { tokenExchange: true, scope: ROTATION_SCOPE },
        privateKeyJwt: { enabled: true },
      },
    ]);
    ok("up (migration)", await stack.run(["up", "--yes", "--skip-preview"]));
    const app = okta.getApp(appId) as {
      credentials: { oauthClient: { token_endpoint_auth_method: string } };
    };
    expect(app.credentials.oauthClient.token_endpoint_auth_method).toBe("private_key_jwt");
    // Someone PUTs the whole app back to client_secret_basic.
    const body = structuredClone(app) as Record<string, unknown> & typeof app;
    body.credentials.oauthClient.token_endpoint_auth_method = "client_secret_basic";
    expect((await api(okta, "PUT", `/api/v1/apps/${appId}`, { body })).status).toBe(200);

    const refreshed = ok(
      "preview --refresh --diff",
      await stack.run(["preview", "--refresh", "--diff"]),
    ).stdout;
    console.log(refreshed);
    const auth = block(refreshed, /~.*AppAuthMethod: \(update\)/, "svc-auth-method");
    expect(auth).toMatch(/~ tokenEndpointAuthMethod\s*: "client_secret_basic" => "private_key_jwt"/);
  }, 900_000);
});

describe("a private_key_jwt migration, key rotation and switch back, as the plan summary tells them", () => {
  let okta: OktaLocal;
  let stack: CliStack;
  let appId: string;
  const secretValues = new Set<string>();
  const remember = () => okta.listSecrets(appId).forEach((x) => secretValues.add(x.clientSecret));
  const app = (privateKeyJwt?: Record<string, unknown>) => ({
    name: "svc",
    appId,
    generation: 1,
    adoptSecretId: seeded,
    gates: { tokenExchange: true, scope: ROTATION_SCOPE },
    ...(privateKeyJwt ? { privateKeyJwt } : {}),
  });
  let seeded: string;
  /** The review's preview (scripts/review/preview.sh): `pulumi preview --refresh --json`, and the summary's steps. */
  const review = async (what: string) => {
    const json = ok(`preview --json (${what})`, await stack.run(["preview", "--refresh", "--json"])).stdout;
    remember();
    for (const v of secretValues) expect(json).not.toContain(v);
    expect(json).not.toMatch(/"d"\s*:\s*"[A-Za-z0-9_-]{20,}/);
    const summary = planSummary(JSON.parse(json) as PreviewJson);
    console.log(summary);
    for (const v of secretValues) expect(summary).not.toContain(v);
    // Recorded once as test/unit/fixtures/planSummary/<what>.json (planSummary.test.ts reads them).
    if (process.env.PLAN_SUMMARY_FIXTURES)
      fs.writeFileSync(path.join(process.env.PLAN_SUMMARY_FIXTURES, `${what}.json`), json);
    return { summary, steps: summary.split("\n").filter((l) => /^\d+\. /.test(l)) };
  };
  const method = () =>
    (okta.getApp(appId) as { credentials: { oauthClient: { token_endpoint_auth_method: string } } })
      .credentials.oauthClient.token_endpoint_auth_method;
  const PAIR =
    "RS256 key pair (the private key is kept as a Pulumi secret, never shown; its kid is known once it is made) " +
    "and register the public key on the app, ACTIVE";
  const SWITCH = "(a GET and a PUT of the whole app; keys are found again by kid after it)";

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [{ label: "review-migrate" }],
      rateLimits: { apps: 10_000, app: 10_000 },
    });
    appId = okta.apps[0]!.id;
    seeded = okta.listSecrets(appId)[0]!.id;
    remember();
    stack = await createCliStack(`review-migrate-${process.pid}`, {
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_API_TOKEN: okta.apiToken,
    });
    stack.setApps([app()]);
    ok("up (secret)", await stack.run(["up", "--yes", "--skip-preview"]));
  }, 600_000);

  afterAll(async () => {
    await stack?.dispose();
    await okta?.close();
  });

  it("numbers the steps of each, from the review's preview, and each `up` does what they say", async () => {
    const tokenUrl = `\`${okta.orgUrl}/oauth2/default/v1/token\` (scope \`${ROTATION_SCOPE}\`)`;
    const active = okta.listSecrets(appId).find((x) => x.status === "ACTIVE")!.id;
    const inactive = okta.listSecrets(appId).find((x) => x.status === "INACTIVE")!.id;

    // The migration: the key before the switch, the switch, its proof, the secrets retired.
    stack.setApps([app({ enabled: true })]);
    const migration = await review("migration");
    expect(migration.summary).toContain("#### svc (migration from a client secret to private_key_jwt)");
    expect(migration.steps.slice(0, 5)).toEqual([
      `1. Key slot B: generate key generation 1's ${PAIR} — the app still authenticates with its client secret.`,
      "2. Read which client secret pods use now (the newest ACTIVE one), to deliver it next to the key until the switch.",
      "3. Gate: key generation 1 is registered, ACTIVE and verifies; no token exchange yet: Okta refuses every " +
        "assertion until the app uses private_key_jwt.",
      `4. Switch the app's token endpoint auth method to \`private_key_jwt\` ${SWITCH}.`,
      `5. Prove the switch: a real private_key_jwt token exchange with key generation 1 at ${tokenUrl}.`,
    ]);
    expect(migration.steps[5]).toMatch(/^6\. Retire the client secrets /);
    expect(migration.steps[5]).toContain(`\`${inactive}\` (INACTIVE)`);
    expect(migration.steps[5]).toContain(`\`${active}\` (ACTIVE)`);
    expect(migration.steps[6]).toMatch(/^7\. The secret rotation's own resources .* leave the stack/);
    expect(migration.steps).toHaveLength(7);
    ok("up (migration)", await stack.run(["up", "--yes", "--skip-preview"]));
    expect(method()).toBe("private_key_jwt");
    const [first] = okta.listKeys(appId);
    expect(first?.status).toBe("ACTIVE");

    // A key rotation: the new key, the gate with a real exchange, the proof, the first key deactivated (by the id
    // Okta gave it after the switch's PUT, which the refresh read).
    stack.setApps([app({ enabled: true, keyGeneration: 2 })]);
    const rotation = await review("rotation");
    expect(rotation.summary).toContain("#### svc (private_key_jwt)");
    expect(rotation.steps).toEqual([
      `1. Key slot A: generate key generation 2's ${PAIR} — both keys are ACTIVE while pods move to the new one.`,
      `2. Gate: key generation 2 is registered, ACTIVE and verifies; a real private_key_jwt token exchange with it at ${tokenUrl}.`,
      `3. Proof: a real private_key_jwt token exchange with key generation 2 at ${tokenUrl}.`,
      `4. Key slot B: deactivate key \`${first!.id}\` (kid \`${first!.kid}\`, key generation 1): INACTIVE, kept until ` +
        "key generation 3 needs its slot.",
      "5. Retire any client secret the app holds (none expected: it uses private_key_jwt).",
    ]);
    ok("up (rotation)", await stack.run(["up", "--yes", "--skip-preview"]));
    expect(okta.listKeys(appId).find((k) => k.kid === first!.kid)?.status).toBe("INACTIVE");

    // The switch back: the secret's value made first, the switch, the secret registered and proven.
    stack.setApps([app({ enabled: true, keyGeneration: 2, rollback: true })]);
    const back = await review("rollback");
    expect(back.summary).toContain("#### svc (private_key_jwt, going back to a client secret)");
    expect(back.steps).toEqual([
      "1. Make the value of the client secret to go back to (kept as a Pulumi secret, never shown; Okta takes it " +
        "only after the switch back).",
      `2. Switch the app's token endpoint auth method from \`private_key_jwt\` to \`client_secret_basic\` ${SWITCH}.`,
      "3. Register the client secret in Okta, ACTIVE, right after the switch (clients retry the moment in between).",
      `4. Prove it: a real client_secret_basic token exchange with it at ${tokenUrl}.`,
      "5. Retire every other client secret: deactivate and delete it; the keys stay registered, so removing " +
        "rollback migrates again.",
    ]);
    ok("up (rollback)", await stack.run(["up", "--yes", "--skip-preview"]));
    expect(method()).toBe("client_secret_basic");
    expect(okta.listSecrets(appId).filter((x) => x.status === "ACTIVE")).toHaveLength(1);
  }, 900_000);
});
