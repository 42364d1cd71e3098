// The plan summary from `pulumi preview --json`: the shape below is the CLI's (steps of what changes only, each
// with op, urn, oldState and newState as the state file holds them; secrets as "[secret]"). A real preview of
// examples/consumer-ts is summarised in test/engine/review.test.ts; this covers what that example does not
// declare (Vault, Deployments, the pod census, a revoke, a removal).
import { describe, expect, it } from "vitest";
import { parseUrn, planSummary, type PreviewJson, type PreviewStep } from "../../scripts/review/plan-summary";

const STACK = "urn:pulumi:prod::okta-credential-rotation::";
const ROT = "okta-rotation:index:SecretRotation";
const DYN = "pulumi-nodejs:dynamic/okta-rotation:";
const parent = (app: string) => `${STACK}${ROT}::${app}`;
const urn = (type: string, name: string) => `${STACK}${ROT}$${type}::${name}`;

function step(
  op: string,
  app: string,
  type: string,
  name: string,
  old: Record<string, unknown> | undefined,
  inputs: Record<string, unknown> | undefined,
): PreviewStep {
  const u = urn(type, name);
  return {
    op,
    urn: u,
    ...(old ? { oldState: { type, parent: parent(app), inputs: old, outputs: old } } : {}),
    ...(inputs ? { newState: { type, parent: parent(app), inputs } } : {}),
  };
}

/** A bump of `billing` from 6 to 7 with Vault, two Deployments, the census, the gate and the refusal proof. */
function bump(app = "billing", extra: PreviewStep[] = []): PreviewJson {
  const slot = { __slot: { app, generation: 7, rollback: false }, __replaceOnlyInactive: true };
  return {
    steps: [
      step(
        "update",
        app,
        `${DYN}SecretValue`,
        `${app}-value`,
        { generation: 6, value: "[secret]" },
        { generation: 7 },
      ),
      step(
        "delete-replaced",
        app,
        `${DYN}ClientSecret`,
        `${app}-slot-b`,
        { secretId: "ocsFIVE", generation: 5, status: "INACTIVE", clientSecret: "[secret]" },
        undefined,
      ),
      step(
        "replace",
        app,
        `${DYN}ClientSecret`,
        `${app}-slot-b`,
        { secretId: "ocsFIVE", generation: 5, status: "INACTIVE", clientSecret: "[secret]" },
        { appId: "0oa1", generation: 7, status: "ACTIVE", __value: "[secret]", ...slot },
      ),
      step(
        "update",
        app,
        "vault:kv/secretV2:SecretV2",
        `${app}-vault`,
        { mount: "secret", name: "billing/okta", dataJson: "[secret]", metadata: { version: "12" } },
        { mount: "secret", name: "billing/okta", dataJson: "[secret]" },
      ),
      ...["api", "worker"].map((d, i) =>
        step(
          "update",
          app,
          "kubernetes:apps/v1:DeploymentPatch",
          `${app}-rollout-${i}`,
          { metadata: { namespace: "billing", name: `billing-${d}` } },
          { metadata: { namespace: "billing", name: `billing-${d}` } },
        ),
      ),
      step(
        "update",
        app,
        `${DYN}RolloutCensus`,
        `${app}-census`,
        { generation: "6" },
        { timeoutSeconds: 600 },
      ),
      step(
        "update",
        app,
        `${DYN}TokenExchangeGate`,
        `${app}-gate`,
        { generation: 6 },
        {
          generation: 7,
          exchange: true,
          tokenUrl: "https://acme.okta.com/oauth2/default/v1/token",
          scope: "rotation.check",
          minOverlapSeconds: 900,
          __clientSecret: "[secret]",
        },
      ),
      step(
        "update",
        app,
        `${DYN}ClientSecret`,
        `${app}-slot-a`,
        { secretId: "ocsSIX", generation: 6, status: "ACTIVE" },
        { appId: "0oa1", generation: 6, status: "INACTIVE", ...slot },
      ),
      step("update", app, `${DYN}RefusalProof`, `${app}-refusal-proof`, { generation: 5 }, { generation: 6 }),
      ...extra,
    ],
  };
}

describe("planSummary", () => {
  it("numbers a bump's steps in the order the run takes them: ids, Vault path and version, Deployments, gates", () => {
    const summary = planSummary(bump());
    expect(summary).toBe(
      [
        "### Plan: 1 app (from `pulumi preview --json`)",
        "",
        "#### billing (client secret)",
        "",
        "1. Make the value of generation 7's secret (kept as a Pulumi secret, never shown).",
        "2. Slot B: delete secret `ocsFIVE` (generation 5, INACTIVE), then create generation 7's secret in Okta, ACTIVE.",
        "3. Write it to Vault KV v2 `secret/billing/okta` as version 13 (version 12 stays readable for rollback).",
        "4. Roll Deployments `billing/billing-api`, `billing/billing-worker` onto it (pod template annotation `okta-rotation/generation` → 7) and wait for the rollout.",
        "5. Pod census: wait until no pod of those Deployments (terminating ones included) carries an older generation (at most 600 s).",
        "6. Gate: a real token exchange with the new secret at `https://acme.okta.com/oauth2/default/v1/token` (scope `rotation.check`); both secrets ACTIVE for at least 900 s.",
        "7. Slot A: deactivate secret `ocsSIX` (generation 6): INACTIVE, kept for rollback until generation 8 needs its slot.",
        "8. Prove Okta refuses secret `ocsSIX`: a token exchange with it must get `invalid_client`.",
        "",
      ].join("\n"),
    );
  });

  it("names a revoke, and summarises each app of a stack on its own", () => {
    const revoke = step("create", "billing", `${DYN}Revocation`, "billing-revocation", undefined, {
      generation: 7,
    });
    const other = bump("orders").steps!;
    const summary = planSummary({ steps: [...bump("billing", [revoke]).steps!, ...other] });
    expect(summary).toMatch(/^### Plan: 2 apps/);
    expect(summary).toContain("9. Revoke: delete secret `ocsSIX` now (no rollback to it).");
    expect(summary).toContain("#### orders (client secret)");
    expect(summary.match(/^1\. /gm)).toHaveLength(2);
  });

  it("says an app removed from the stack releases its ACTIVE secret and deletes only the INACTIVE one", () => {
    const app = "gone";
    const summary = planSummary({
      steps: [
        {
          op: "delete",
          urn: parent(app),
          oldState: { type: ROT, inputs: {}, outputs: {} },
        },
        step(
          "delete",
          app,
          `${DYN}ClientSecret`,
          `${app}-slot-a`,
          { secretId: "ocsA", status: "ACTIVE" },
          undefined,
        ),
        step(
          "delete",
          app,
          `${DYN}ClientSecret`,
          `${app}-slot-b`,
          { secretId: "ocsB", status: "INACTIVE" },
          undefined,
        ),
      ],
    });
    expect(summary).toContain("#### gone (client secret, removed from the stack)");
    expect(summary).toContain("1. Release secret `ocsA`: it stays ACTIVE in Okta, no longer managed.");
    expect(summary).toContain("2. Delete secret `ocsB` (INACTIVE).");
  });

  it("never prints a value: only ids and settings are read", () => {
    const leaky = bump();
    const secret = "this-is-the-live-secret-value-0123456789";
    const steps = leaky.steps!.map((s) =>
      s.oldState
        ? {
            ...s,
            oldState: {
              ...s.oldState,
              outputs: { ...s.oldState.outputs, clientSecret: secret, value: secret },
            },
          }
        : s,
    );
    expect(planSummary({ steps })).not.toContain(secret);
  });

  it("says so when nothing rotates", () => {
    expect(planSummary({ steps: [] })).toBe("### Plan: no rotation step in this preview\n");
    expect(parseUrn(`${STACK}${ROT}$${DYN}ClientSecret::a-slot-a`)).toEqual({
      type: `${DYN}ClientSecret`,
      name: "a-slot-a",
    });
  });
});
