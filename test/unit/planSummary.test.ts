// The plan summary from `pulumi preview --json`: the shape below is the CLI's (steps of what changes only, each
// with op, urn, oldState and newState as the state file holds them; secrets as "[secret]"). A real preview of
// examples/consumer-ts is summarised in test/engine/review.test.ts; this covers what that example does not
// declare (Vault, Deployments, the pod census, a revoke, a removal).
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
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

// Key rotations (KeyRotation: a key pair and JsonWebKey per slot, the Vault entry, the rollout, the assertion gate,
// the auth method, the secret handovers), in the shape `pulumi preview --json` gives them. Real previews of a
// migration, a key rotation and a switch back are summarised in test/engine/review.test.ts and kept in
// fixtures/planSummary (below); these add what that stack does not declare: Vault, Deployments, the census, an overlap.
const KEY_ROT = "okta-rotation:index:KeyRotation";
const keyParent = (app: string) => `${STACK}${KEY_ROT}::${app}`;
function keyStep(
  op: string,
  app: string,
  type: string,
  name: string,
  old: Record<string, unknown> | undefined,
  inputs: Record<string, unknown> | undefined,
): PreviewStep {
  const u = `${STACK}${KEY_ROT}$${type}::${name}`;
  const state = (props: Record<string, unknown>) => ({ type, parent: keyParent(app), inputs: props });
  return {
    op,
    urn: u,
    ...(old ? { oldState: { ...state(old), outputs: old } } : {}),
    ...(inputs ? { newState: state(inputs) } : {}),
  };
}

interface KeyBump {
  readonly app: string;
  readonly from: number;
  readonly replacedKey: { keyId: string; kid: string };
  readonly heldKey: { keyId: string; kid: string };
  readonly vaultVersion: number;
  readonly deployments: readonly string[];
  readonly overlap: number;
  readonly algorithm: "RS256" | "ES256";
}

/** Key generation `from` → `from + 1` of a migrated app, with Vault, Deployments, the census and the gates. */
function keyBump(k: KeyBump): PreviewJson {
  const g = k.from + 1;
  const hold = g % 2 === 0 ? "a" : "b";
  const retire = hold === "a" ? "b" : "a";
  const url = "https://acme.okta.com/oauth2/default/v1/token";
  const slot = { __slot: { app: k.app, generation: g, rollback: false } };
  const oldKey = {
    ...k.replacedKey,
    generation: g - 2,
    status: "INACTIVE",
    appId: "0oa1",
    jwk: { kty: "RSA", kid: k.replacedKey.kid },
  };
  return {
    steps: [
      keyStep(
        "replace",
        k.app,
        `${DYN}KeyPair`,
        `${k.app}-key-${hold}`,
        {
          kid: k.replacedKey.kid,
          generation: g - 2,
          algorithm: "RS256",
          privateJwk: "[secret]",
        },
        { algorithm: k.algorithm, generation: g, ...slot },
      ),
      keyStep("delete-replaced", k.app, `${DYN}JsonWebKey`, `${k.app}-jwk-${hold}`, oldKey, undefined),
      keyStep("replace", k.app, `${DYN}JsonWebKey`, `${k.app}-jwk-${hold}`, oldKey, {
        appId: "0oa1",
        generation: g,
        status: "ACTIVE",
        __replaceOnlyInactive: true,
      }),
      keyStep(
        "update",
        k.app,
        `${DYN}SecretHandover`,
        `${k.app}-secrets-read`,
        {
          appId: "0oa1",
          mode: "read",
          trigger: String(k.from),
          authMethod: "private_key_jwt",
          clientSecret: "[secret]",
        },
        { appId: "0oa1", mode: "read", trigger: String(g) },
      ),
      keyStep(
        "update",
        k.app,
        "vault:kv/secretV2:SecretV2",
        `${k.app}-vault`,
        {
          mount: "secret",
          name: `${k.app}/okta`,
          dataJson: "[secret]",
          metadata: { version: String(k.vaultVersion) },
        },
        { mount: "secret", name: `${k.app}/okta`, dataJson: "[secret]" },
      ),
      ...k.deployments.map((d, i) =>
        keyStep(
          "update",
          k.app,
          "kubernetes:apps/v1:DeploymentPatch",
          `${k.app}-rollout-${i}`,
          {
            metadata: { namespace: "svc", name: d },
          },
          { metadata: { namespace: "svc", name: d } },
        ),
      ),
      ...(k.deployments.length > 0
        ? [
            keyStep(
              "update",
              k.app,
              `${DYN}RolloutCensus`,
              `${k.app}-census`,
              { generation: `key-${k.from}` },
              {
                generation: `key-${g}`,
                timeoutSeconds: 300,
              },
            ),
          ]
        : []),
      keyStep(
        "update",
        k.app,
        `${DYN}AssertionGate`,
        `${k.app}-key-gate`,
        { generation: k.from, tokenUrl: url },
        {
          generation: g,
          tokenUrl: url,
          scope: "rotation.check",
          exchange: "auto",
          minOverlapSeconds: k.overlap,
          __privateJwk: "[secret]",
        },
      ),
      keyStep(
        "update",
        k.app,
        `${DYN}AssertionGate`,
        `${k.app}-key-proof`,
        { generation: k.from, tokenUrl: url },
        {
          generation: g,
          tokenUrl: url,
          scope: "rotation.check",
          exchange: "always",
          __privateJwk: "[secret]",
        },
      ),
      keyStep(
        "update",
        k.app,
        `${DYN}JsonWebKey`,
        `${k.app}-jwk-${retire}`,
        {
          ...k.heldKey,
          generation: k.from,
          status: "ACTIVE",
          appId: "0oa1",
        },
        { appId: "0oa1", generation: k.from, status: "INACTIVE", __replaceOnlyInactive: true },
      ),
      keyStep(
        "update",
        k.app,
        `${DYN}SecretHandover`,
        `${k.app}-secrets-retire`,
        {
          mode: "retire",
          trigger: String(k.from),
          retired: [],
          unusable: [],
        },
        { mode: "retire", trigger: String(g), keep: [] },
      ),
    ],
  };
}

describe("planSummary of a key rotation", () => {
  it("numbers a key bump's steps as the run takes them: key ids and kids, Vault, Deployments, gates, deactivation", () => {
    const summary = planSummary(
      keyBump({
        app: "svc",
        from: 4,
        replacedKey: { keyId: "pksTHREE", kid: "kidThree" },
        heldKey: { keyId: "pksFOUR", kid: "kidFour" },
        vaultVersion: 9,
        deployments: ["svc-api", "svc-worker"],
        overlap: 600,
        algorithm: "ES256",
      }),
    );
    expect(summary).toBe(
      [
        "### Plan: 1 app (from `pulumi preview --json`)",
        "",
        "#### svc (private_key_jwt)",
        "",
        "1. Key slot B: delete key `pksTHREE` (kid `kidThree`, key generation 3), INACTIVE, then generate key generation 5's ES256 key pair (the private key is kept as a Pulumi secret, never shown; its kid is known once it is made) and register the public key on the app, ACTIVE — both keys are ACTIVE while pods move to the new one.",
        "2. Write the new private key and its kid to Vault KV v2 `secret/svc/okta` as version 10 (version 9 stays readable for rollback).",
        "3. Roll Deployments `svc/svc-api`, `svc/svc-worker` onto it (pod template annotations `okta-rotation/generation` → `key-5` and `okta-rotation/kid` → its kid) and wait for the rollout.",
        "4. Pod census: wait until no pod of those Deployments (terminating ones included) carries an older generation (at most 300 s).",
        "5. Gate: key generation 5 is registered, ACTIVE and verifies; a real private_key_jwt token exchange with it at `https://acme.okta.com/oauth2/default/v1/token` (scope `rotation.check`); both keys ACTIVE for at least 600 s.",
        "6. Proof: a real private_key_jwt token exchange with key generation 5 at `https://acme.okta.com/oauth2/default/v1/token` (scope `rotation.check`).",
        "7. Key slot A: deactivate key `pksFOUR` (kid `kidFour`, key generation 4): INACTIVE, kept until key generation 6 needs its slot.",
        "8. Retire any client secret the app holds (none expected: it uses private_key_jwt).",
        "",
      ].join("\n"),
    );
  });

  it("keeps the run's order for any key bump, names both keys by id, and never prints private material", () => {
    const id = fc.stringMatching(/^pks[A-Za-z0-9]{6}$/);
    const kid = fc.stringMatching(/^[A-Za-z0-9_-]{8,43}$/);
    fc.assert(
      fc.property(
        fc.record({
          app: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
          from: fc.integer({ min: 2, max: 500 }),
          replacedKey: fc.record({ keyId: id, kid }),
          heldKey: fc.record({ keyId: id, kid }),
          vaultVersion: fc.integer({ min: 1, max: 1000 }),
          deployments: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 3 }),
          overlap: fc.integer({ min: 0, max: 3600 }),
          algorithm: fc.constantFrom("RS256" as const, "ES256" as const),
        }),
        fc.string({ minLength: 24, maxLength: 40 }).map((s) => `PRIVATE-${s}`),
        (k, privateValue) => {
          fc.pre(k.replacedKey.keyId !== k.heldKey.keyId);
          const preview = keyBump(k);
          // Private material wherever a careless state could hold it: it must not reach the summary.
          const steps = preview.steps!.map((s) =>
            s.oldState
              ? {
                  ...s,
                  oldState: {
                    ...s.oldState,
                    outputs: {
                      ...s.oldState.outputs,
                      privateJwk: { d: privateValue },
                      clientSecret: privateValue,
                    },
                  },
                }
              : s,
          );
          const summary = planSummary({ steps });
          expect(summary).not.toContain(privateValue);
          const lines = summary.split("\n").filter((l) => /^\d+\. /.test(l));
          const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
          const order = [
            at(
              new RegExp(
                `delete key \`${k.replacedKey.keyId}\`.*generate key generation ${k.from + 1}'s ${k.algorithm}`,
              ),
            ),
            at(/^\d+\. Write the new private key .* as version /),
            ...(k.deployments.length > 0 ? [at(/^\d+\. Roll Deployment/), at(/^\d+\. Pod census/)] : []),
            at(/^\d+\. Gate: /),
            at(/^\d+\. Proof: /),
            at(
              new RegExp(
                `deactivate key \`${k.heldKey.keyId}\` \\(kid \`${k.heldKey.kid}\`, key generation ${k.from}\\)`,
              ),
            ),
          ];
          expect(
            order.every((i) => i >= 0),
            lines.join("\n"),
          ).toBe(true);
          expect([...order].sort((a, b) => a - b)).toEqual(order);
          expect(lines.map((l) => Number(l.split(".")[0]))).toEqual(lines.map((_, i) => i + 1));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("says an app removed from the stack releases its ACTIVE key and auth method, deletes only the INACTIVE key", () => {
    const app = "gone";
    const summary = planSummary({
      steps: [
        { op: "delete", urn: keyParent(app), oldState: { type: KEY_ROT, inputs: {}, outputs: {} } },
        keyStep(
          "delete",
          app,
          `${DYN}JsonWebKey`,
          `${app}-jwk-a`,
          { keyId: "pksA", kid: "kA", generation: 2, status: "ACTIVE" },
          undefined,
        ),
        keyStep(
          "delete",
          app,
          `${DYN}JsonWebKey`,
          `${app}-jwk-b`,
          { keyId: "pksB", kid: "kB", generation: 1, status: "INACTIVE" },
          undefined,
        ),
        keyStep(
          "delete",
          app,
          `${DYN}AppAuthMethod`,
          `${app}-auth-method`,
          { tokenEndpointAuthMethod: "private_key_jwt" },
          undefined,
        ),
      ],
    });
    expect(summary).toContain("#### gone (private_key_jwt, removed from the stack)");
    expect(summary.split("\n").filter((l) => /^\d+\. /.test(l))).toEqual([
      "1. Release key `pksA` (kid `kA`, key generation 2): it stays ACTIVE in Okta, no longer managed.",
      "2. Delete key `pksB` (kid `kB`, key generation 1) (INACTIVE).",
      "3. Release the auth method: the app stays on `private_key_jwt`, no longer managed.",
    ]);
  });
});

// Real previews: `pulumi preview --refresh --json` of this program under the local Okta, recorded by
// test/engine/review.test.ts (PLAN_SUMMARY_FIXTURES=<dir>) — a migration to private_key_jwt, the rotation to key
// generation 2, and the switch back — with the serialized provider code and stack traces left out.
describe("planSummary of recorded key-rotation previews", () => {
  const fixture = (name: string) =>
    JSON.parse(
      fs.readFileSync(path.join(__dirname, "fixtures", "planSummary", `${name}.json`), "utf8"),
    ) as PreviewJson;
  const stepsOf = (summary: string) => summary.split("\n").filter((l) => /^\d+\. /.test(l));
  const at = (p: PreviewJson) => {
    const proof = p.steps!.find(
      (s) => s.urn.endsWith("::svc-key-proof") || s.urn.endsWith("::svc-secret-proof"),
    );
    return `\`${String(proof!.newState!.inputs!.tokenUrl)}\` (scope \`rotation.check\`)`;
  };

  it("tells the migration: key, read, gate before the switch, switch, proof, the secrets retired", () => {
    const p = fixture("migration");
    const summary = planSummary(p);
    expect(summary).toContain("#### svc (migration from a client secret to private_key_jwt)");
    const secrets = p
      .steps!.filter((s) => s.op === "delete" && /::svc-slot-[ab]$/.test(s.urn))
      .map((s) => s.oldState!.outputs!)
      .sort((a, b) => Number(a.status !== "INACTIVE") - Number(b.status !== "INACTIVE"));
    expect(secrets.map((s) => s.status)).toEqual(["INACTIVE", "ACTIVE"]);
    expect(stepsOf(summary)).toEqual([
      "1. Key slot B: generate key generation 1's RS256 key pair (the private key is kept as a Pulumi secret, never shown; its kid is known once it is made) and register the public key on the app, ACTIVE — the app still authenticates with its client secret.",
      "2. Read which client secret pods use now (the newest ACTIVE one), to deliver it next to the key until the switch.",
      "3. Gate: key generation 1 is registered, ACTIVE and verifies; no token exchange yet: Okta refuses every assertion until the app uses private_key_jwt.",
      "4. Switch the app's token endpoint auth method to `private_key_jwt` (a GET and a PUT of the whole app; keys are found again by kid after it).",
      `5. Prove the switch: a real private_key_jwt token exchange with key generation 1 at ${at(p)}.`,
      `6. Retire the client secrets ${secrets.map((s) => `\`${String(s.secretId)}\` (${String(s.status)})`).join(", ")}: each deactivated and deleted, INACTIVE first; one Okta will not deactivate (an app's only ACTIVE secret) is left ACTIVE and reported as unusable — under private_key_jwt it authenticates nobody.`,
      "7. The secret rotation's own resources (secret slots, value, gates) leave the stack once all of the above succeeded: the secrets are retired by then, and one still ACTIVE is released, not deleted.",
    ]);
  });

  it("tells a key rotation with the previous key's id as the refresh read it, not as the state had it", () => {
    const p = fixture("rotation");
    const jwk = p.steps!.filter((s) => s.urn.endsWith("::svc-jwk-b"));
    const before = jwk.find((s) => s.op === "refresh")!.oldState!.outputs!;
    const now = jwk.find((s) => s.op === "update")!.oldState!.outputs!;
    // The switch's whole-app PUT gave the key a new id; the refresh found it by kid.
    expect(now.keyId).not.toBe(before.keyId);
    expect(now.kid).toBe(before.kid);
    const steps = stepsOf(planSummary(p));
    expect(steps[3]).toBe(
      `4. Key slot B: deactivate key \`${String(now.keyId)}\` (kid \`${String(now.kid)}\`, key generation 1): INACTIVE, kept until key generation 3 needs its slot.`,
    );
    expect(steps).toHaveLength(5);
    expect(steps[1]).toBe(
      `2. Gate: key generation 2 is registered, ACTIVE and verifies; a real private_key_jwt token exchange with it at ${at(p)}.`,
    );
  });

  it("tells the switch back: the value first, the switch, the secret registered and proven, others retired", () => {
    const p = fixture("rollback");
    const summary = planSummary(p);
    expect(summary).toContain("#### svc (private_key_jwt, going back to a client secret)");
    expect(stepsOf(summary)).toEqual([
      "1. Make the value of the client secret to go back to (kept as a Pulumi secret, never shown; Okta takes it only after the switch back).",
      "2. Switch the app's token endpoint auth method from `private_key_jwt` to `client_secret_basic` (a GET and a PUT of the whole app; keys are found again by kid after it).",
      "3. Register the client secret in Okta, ACTIVE, right after the switch (clients retry the moment in between).",
      `4. Prove it: a real client_secret_basic token exchange with it at ${at(p)}.`,
      "5. Retire every other client secret: deactivate and delete it; the keys stay registered, so removing rollback migrates again.",
    ]);
  });

  it("never reads a value field of the recorded state: values there never reach the summary", () => {
    for (const name of ["migration", "rotation", "rollback"]) {
      const p = fixture(name);
      const marker = "PRIVATE-MATERIAL-0123456789abcdef";
      const poisoned = JSON.parse(
        JSON.stringify(p).replaceAll('"[secret]"', JSON.stringify(marker)),
      ) as PreviewJson;
      expect(JSON.stringify(poisoned)).toContain(marker);
      expect(planSummary(poisoned)).not.toContain(marker);
      expect(planSummary(poisoned)).toBe(planSummary(p));
    }
  });
});

describe("planSummary of a migration that delivers to Vault and Deployments", () => {
  it("writes the key next to the client secret pods use, then rolls, before the switch", () => {
    const p = JSON.parse(
      fs.readFileSync(path.join(__dirname, "fixtures", "planSummary", "migration.json"), "utf8"),
    ) as PreviewJson;
    // What a migration adds for an app with Vault and a Deployment (both taken over from the secret rotation), as
    // children of the recorded KeyRotation.
    const parent = p.steps!.find((x) => x.urn.endsWith("::svc-key-b"))!.newState!.parent!;
    const child = (
      type: string,
      name: string,
      old: Record<string, unknown>,
      inputs: Record<string, unknown>,
    ) => ({
      op: "update",
      urn: `${parent.split("::").slice(0, 3).join("::")}$${type}::${name}`,
      oldState: { type, parent, inputs: old, outputs: old },
      newState: { type, parent, inputs },
    });
    const delivery = [
      child(
        "vault:kv/secretV2:SecretV2",
        "svc-vault",
        { mount: "secret", name: "svc/okta", dataJson: "[secret]", metadata: { version: "3" } },
        { mount: "secret", name: "svc/okta", dataJson: "[secret]" },
      ),
      child(
        "kubernetes:apps/v1:DeploymentPatch",
        "svc-rollout-0",
        { metadata: { namespace: "svc", name: "svc-api" } },
        { metadata: { namespace: "svc", name: "svc-api" } },
      ),
    ];
    const steps = [...p.steps!];
    const gate = steps.findIndex((s) => s.urn.endsWith("::svc-key-gate"));
    steps.splice(gate, 0, ...delivery);
    const lines = planSummary({ steps })
      .split("\n")
      .filter((l) => /^\d+\. /.test(l));
    expect(lines.slice(2, 5)).toEqual([
      "3. Write the private key, its kid and the client secret pods use now (the client falls back from one to the other) to Vault KV v2 `secret/svc/okta` as version 4 (version 3 stays readable for rollback).",
      "4. Roll Deployment `svc/svc-api` onto it (pod template annotations `okta-rotation/generation` → `key-1` and `okta-rotation/kid` → its kid) and wait for the rollout.",
      "5. Gate: key generation 1 is registered, ACTIVE and verifies; no token exchange yet: Okta refuses every assertion until the app uses private_key_jwt.",
    ]);
  });
});
