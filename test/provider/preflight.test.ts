// What a rotation looks up before its first write (SecretValue's check, then its create/update): the app is in the
// org and holds no secret the rotation would not adopt, and the Deployments it rolls exist. Reads only.
import fc from "fast-check";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SecretValueProvider, type SecretValueInputs, type SecretValueOutputs } from "../../dynamic";
import { onboardingProblem } from "../../dynamic/preflight";
import { UNKNOWN } from "../../dynamic/providerValues";
import { calls, startOkta, type OktaLocal } from "./helpers";

const provider = new SecretValueProvider();
let okta: OktaLocal;

/**
 * A Kubernetes API server that knows some Deployments: a GET of one answers 200 with the object, of any other
 * 404 with a Status, as the API server does for an object that does not exist (Kubernetes API conventions,
 * "HTTP Status codes": 404 StatusNotFound, reason NotFound).
 */
let kube: http.Server;
let kubeUrl: string;
const known = new Set(["billing/billing-api"]);
const kubeRequests: string[] = [];

function kubeconfig(server: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "test",
    contexts: [{ name: "test", context: { cluster: "c", user: "u" } }],
    clusters: [{ name: "c", cluster: { server } }],
    users: [{ name: "u", user: { token: "reader" } }],
  });
}

beforeAll(async () => {
  okta = await startOkta({ apps: [] });
  kube = http.createServer((req, res) => {
    kubeRequests.push(`${req.method} ${req.url}`);
    const m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/?]+)$/.exec(req.url ?? "");
    const key = m ? `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}` : "";
    res.setHeader("content-type", "application/json");
    if (req.method === "GET" && known.has(key)) {
      res.end(JSON.stringify({ kind: "Deployment", metadata: { namespace: m![1], name: m![2] } }));
      return;
    }
    res.statusCode = 404;
    res.end(
      JSON.stringify({
        kind: "Status",
        status: "Failure",
        reason: "NotFound",
        code: 404,
        message: "not found",
      }),
    );
  });
  await new Promise<void>((r) => kube.listen(0, "127.0.0.1", r));
  kubeUrl = `http://127.0.0.1:${(kube.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await okta?.close();
  await new Promise((r) => kube?.close(r));
});
beforeEach(() => {
  okta.clearLog();
  kubeRequests.length = 0;
});

const writes = () => calls(okta).filter((c) => !c.startsWith("GET"));

describe("onboardingProblem", () => {
  const secret = fc.record({
    id: fc.stringMatching(/^ocs[A-Za-z0-9]{6}$/),
    status: fc.constantFrom("ACTIVE" as const, "INACTIVE" as const),
    created: fc.constant("2026-01-01T00:00:00.000Z"),
  });

  it("refuses any secret the rotation would not adopt, naming each and the fix", () => {
    fc.assert(
      fc.property(
        fc.array(secret, { maxLength: 2 }),
        fc.integer({ min: 1, max: 9 }),
        (secrets, generation) => {
          const problem = onboardingProblem("billing", "0oa1", secrets, generation);
          if (secrets.length === 0) {
            // An app without a secret starts at generation 1: later, a second secret would be made for g − 1.
            if (generation === 1) return problem === undefined;
            expect(problem).toMatch(
              new RegExp(
                `^SecretRotation 'billing': generation is ${generation} at the rotation's first run, and app 0oa1 ` +
                  `has no secret to adopt: .* one for generation ${generation - 1} that no client ever held`,
              ),
            );
            expect(problem).toMatch(/Set generation to 1 for app 'billing'.*Nothing was changed\.$/);
            return true;
          }
          expect(problem).toMatch(/^SecretRotation 'billing': app 0oa1 /);
          for (const s of secrets) expect(problem).toContain(s.id);
          if (secrets.some((s) => s.status === "ACTIVE"))
            expect(problem).toMatch(/Set adoptSecretId to the secret/);
          else expect(problem).toMatch(/No client can use them: delete them/);
          expect(problem).toMatch(/Nothing was changed\.$/);
          return true;
        },
      ),
    );
  });
});

describe("SecretValue check at onboarding: the app", () => {
  const news = (appId: string, extra: Record<string, unknown> = {}) => ({
    appId,
    generation: 1,
    rotation: "billing",
    adoption: "none",
    ...extra,
  });

  it("refuses an app id that is not in the org", async () => {
    const r = await provider.check({}, news("0oaNotInThisOrg"));
    expect(r.failures).toEqual([
      {
        property: "appId",
        reason: expect.stringMatching(
          /^SecretRotation 'billing': appId 0oaNotInThisOrg is not an app of this Okta org/,
        ),
      },
    ]);
    expect(writes()).toEqual([]);
  });

  it("refuses an app with an ACTIVE secret and no adoption, before anything is written", async () => {
    const app = okta.addApp({ secrets: 1 });
    okta.clearLog();
    const r = await provider.check({}, news(app.id));
    expect(r.failures?.[0]?.property).toBe("appId");
    expect(r.failures?.[0]?.reason).toContain(`already has an ACTIVE secret (${app.secrets[0]!.id} ACTIVE`);
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id}/credentials/secrets 200`]);
  });

  it("refuses a first run at generation 3 on an app without secrets, before anything is written; takes a bump", async () => {
    const empty = okta.addApp({ secrets: 0 });
    okta.clearLog();
    const r = await provider.check({}, news(empty.id, { generation: 3 }));
    expect(r.failures?.[0]?.property).toBe("appId");
    expect(r.failures?.[0]?.reason).toMatch(
      /^SecretRotation 'billing': generation is 3 at the rotation's first run, .* Set generation to 1 for app 'billing'/,
    );
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${empty.id}/credentials/secrets 200`]);
    // An ordinary bump of a rotation that exists (1 → 2, and on) is no first run: nothing read, nothing refused.
    okta.clearLog();
    for (const g of [2, 3]) {
      const olds = { appId: empty.id, generation: g - 1, rotation: "billing", adoption: "none" };
      expect((await provider.check(olds, news(empty.id, { generation: g }))).failures).toBeUndefined();
    }
    expect(calls(okta)).toEqual([]);
    // With a secret to adopt, a first run at 3 is an onboarding like any other: the adopted secret plays 2.
    expect(
      (await provider.check({}, news(empty.id, { generation: 3, adoption: "adoptSecretId" }))).failures,
    ).toBeUndefined();
  });

  it("refuses a generation that goes down, with nothing read: a slot a refresh dropped cannot let it through", async () => {
    const app = okta.addApp({ secrets: 1 });
    okta.clearLog();
    const olds = { appId: app.id, generation: 3, rotation: "billing", adoption: "none" };
    const r = await provider.check(olds, news(app.id, { generation: 2 }));
    expect(r.failures).toEqual([
      {
        property: "generation",
        reason: expect.stringMatching(
          /^app 'billing': generation went down from 3 to 2\. .*Set generation back to 3; to go back to the previous secret, keep 3 and set rollback: true\. Nothing was changed\.$/,
        ),
      },
    ]);
    // The same generation (a rollback keeps it) and the next one pass.
    for (const g of [3, 4])
      expect((await provider.check(olds, news(app.id, { generation: g }))).failures).toBeUndefined();
    expect(calls(okta)).toEqual([]);
  });

  it("takes an app without secrets; reads nothing with adoption, for an existing rotation, or an unknown app", async () => {
    const empty = okta.addApp({ secrets: 0 });
    const full = okta.addApp({ secrets: 1 });
    okta.clearLog();
    expect((await provider.check({}, news(empty.id))).failures).toBeUndefined();
    expect(calls(okta)).toHaveLength(1);
    okta.clearLog();
    for (const adoption of ["adoptSecretId", "adoptGeneratedSecret"]) {
      expect((await provider.check({}, news(full.id, { adoption }))).failures).toBeUndefined();
    }
    expect(
      (await provider.check({ appId: full.id, generation: 1 }, news(full.id, { generation: 2 }))).failures,
    ).toBeUndefined();
    expect((await provider.check({}, news(UNKNOWN))).failures).toBeUndefined();
    expect(calls(okta)).toEqual([]);
  });
});

describe("SecretValue: the Deployments, in the cluster the pod census reads", () => {
  const deployments = [
    { namespace: "billing", name: "billing-api" },
    { namespace: "billing", name: "billing-typo" },
  ];
  const inputs = (server: string, ds = deployments, generation = 1): SecretValueInputs => ({
    appId: "0oa1",
    generation,
    rotation: "billing",
    adoption: "adoptSecretId",
    deployments: ds,
    kubeconfig: kubeconfig(server),
  });

  it("refuses in check a Deployment that does not exist, naming it", async () => {
    const r = await provider.check({}, inputs(kubeUrl) as unknown as Record<string, unknown>);
    expect(r.failures).toEqual([
      {
        property: "deployments",
        reason:
          `SecretRotation 'billing': deployments[1] billing/billing-typo does not exist in the cluster at ${kubeUrl}. ` +
          "Fix the namespace and name, create the Deployment first (or make the rotation depend on it), or remove " +
          "it from deployments. Nothing was changed.",
      },
    ]);
    expect(kubeRequests.every((r) => r.startsWith("GET "))).toBe(true);
  });

  it("refuses it again in create, before the new secret exists; an existing one passes and stays out of outputs", async () => {
    await expect(provider.create(inputs(kubeUrl))).rejects.toThrow(
      /deployments\[1\] billing\/billing-typo does not exist/,
    );
    const ok = await provider.create(inputs(kubeUrl, deployments.slice(0, 1)));
    expect(ok.outs).not.toHaveProperty("kubeconfig");
    expect(JSON.stringify(ok.outs)).not.toContain("reader");
  });

  it("a cluster out of reach: not judged in check (a preview), refused in create and update (the up)", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    expect(
      (await provider.check({}, inputs(gone) as unknown as Record<string, unknown>)).failures,
    ).toBeUndefined();
    await expect(provider.create(inputs(gone))).rejects.toThrow(
      /deployments\[0\] billing\/billing-api cannot be looked up before the first write/,
    );
    const olds = { ...inputs(kubeUrl), value: "v", onboardedGeneration: 1 } as SecretValueOutputs;
    await expect(provider.update("id", olds, inputs(gone, deployments, 2))).rejects.toThrow(
      /cannot be looked up/,
    );
  });

  it("looks nothing up when the rotation writes nothing (same generation and Deployments), or while a name is unknown", async () => {
    const same = inputs(kubeUrl);
    expect(
      (
        await provider.check(
          same as unknown as Record<string, unknown>,
          same as unknown as Record<string, unknown>,
        )
      ).failures,
    ).toBeUndefined();
    const unknownName = { ...same, deployments: [{ namespace: "billing", name: UNKNOWN }] };
    expect(
      (await provider.check({}, unknownName as unknown as Record<string, unknown>)).failures,
    ).toBeUndefined();
    expect(kubeRequests).toEqual([]);
  });
});
