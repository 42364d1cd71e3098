// A full rotation under the real Pulumi engine, managing Okta through an OAuth service app whose tokens
// are DPoP-bound (Okta's default for API Services apps since February 2024): generation 1, then a bump.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal, type OktaLocal } from "../../local-env/okta";
import { createStack, readBackendState, setApps, type EngineStack } from "./harness";

describe("a rotation through a DPoP-bound service app, under the real Pulumi engine", () => {
  let okta: OktaLocal;
  let s: EngineStack;
  let appId: string;
  let seededId: string;
  const outputText: string[] = [];
  /** Every secret value the app has had during the test. */
  const values = new Set<string>();
  const remember = () => okta.listSecrets(appId).forEach((x) => values.add(x.clientSecret));

  const app = (generation: number) => ({ name: "svc", appId, generation, adoptSecretId: seededId });

  /** What the management API and the token endpoint answered since `from`, as `METHOD path status`. */
  const answers = (from: number) =>
    okta.requestLog.slice(from).map((e) => `${e.method} ${e.path.replace(appId, "{app}")} ${e.status}`);

  beforeAll(async () => {
    okta = await startOktaLocal({
      apps: [{ label: "engine-dpop" }],
      rateLimits: { apps: 10_000, app: 10_000 },
    });
    expect(
      (okta.getApp(okta.serviceApp.id) as { settings: { oauthClient: Record<string, unknown> } }).settings
        .oauthClient.dpop_bound_access_tokens,
    ).toBe(true);
    appId = okta.apps[0].id;
    seededId = okta.listSecrets(appId)[0].id;
    remember();
    // The connection env of docs/configuration.md#connecting-to-okta: no API token, the service app's private JWK.
    s = await createStack(`test-dpop-${process.pid}`, {
      OKTA_ORG_URL: okta.orgUrl,
      OKTA_API_CLIENT_ID: okta.serviceApp.clientId,
      OKTA_API_PRIVATE_KEY: JSON.stringify(okta.serviceApp.privateJwk),
      OKTA_API_PRIVATE_KEY_ID: okta.serviceApp.kid,
    });
  }, 300_000);

  afterAll(async () => {
    await s?.dispose();
    await okta?.close();
  });

  it("generation 1: the nonce exchange, then every management call accepted with its DPoP proof", async () => {
    const from = okta.requestLog.length;
    await setApps(s.stack, [app(1)]);
    const up = await s.stack.up({ onOutput: (o) => outputText.push(o) });
    expect(up.summary.result).toBe("succeeded");
    remember();
    const secrets = okta.listSecrets(appId);
    expect(secrets.map((x) => [x.id === seededId, x.status])).toEqual([
      [true, "INACTIVE"],
      [false, "ACTIVE"],
    ]);
    const log = answers(from);
    const tokenCalls = log.filter((l) => l.startsWith("POST /oauth2/v1/token"));
    expect(tokenCalls[0]).toBe("POST /oauth2/v1/token 400");
    expect(tokenCalls).toContain("POST /oauth2/v1/token 200");
    const api = log.filter((l) => l.includes(" /api/v1/"));
    expect(api.some((l) => l.startsWith("POST"))).toBe(true);
    expect(api.filter((l) => !/ 20[014]$/.test(l))).toEqual([]);
  }, 300_000);

  it("a bump rotates: the new generation ACTIVE, the previous INACTIVE, the adopted secret deleted", async () => {
    const from = okta.requestLog.length;
    const before = okta.listSecrets(appId).find((x) => x.status === "ACTIVE")!.id;
    await setApps(s.stack, [app(2)]);
    const up = await s.stack.up({ onOutput: (o) => outputText.push(o) });
    expect(up.summary.result).toBe("succeeded");
    remember();
    const secrets = okta.listSecrets(appId);
    expect(secrets.some((x) => x.id === seededId)).toBe(false);
    expect(secrets.find((x) => x.id === before)?.status).toBe("INACTIVE");
    expect(secrets.filter((x) => x.id !== before).map((x) => x.status)).toEqual(["ACTIVE"]);
    expect(answers(from).filter((l) => l.includes(" /api/v1/") && !/ 20[014]$/.test(l))).toEqual([]);
  }, 300_000);

  it("no secret value, private key or token in the engine output or the state", () => {
    const text = outputText.join("") + readBackendState(s.backendDir);
    const d = String(okta.serviceApp.privateJwk.d);
    expect(text.includes(d)).toBe(false);
    expect([...values].filter((v) => text.includes(v))).toHaveLength(0);
    // Access tokens are JWTs signed by the local Okta: none appears.
    expect(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/.test(text)).toBe(false);
  });
});
