import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecret, valueOf } from "./mocks";

// The shared mocks (they stub provider serialization), then mocks that give each child the outputs its provider
// would: Okta ids and times for the slots, keys and gates, a KV version for the Vault entry, a ReplicaSet
// revision for the Deployment patches, which the pod census reads back. Every value is derived from the resource's
// name and generation.
installMocks();
const labels: string[] = [];
/** A distinct time per label: the minute is the label's position in the order first asked. */
const TIME = (label: string) => {
  if (!labels.includes(label)) labels.push(label);
  return `2026-03-01T10:${String(labels.indexOf(label)).padStart(2, "0")}:00.000Z`;
};
let kvVersion = 0;
let revision = 0;
pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      const inputs = { ...(args.inputs as Record<string, unknown>) };
      delete inputs.__provider;
      const outs: Record<string, unknown> = { ...inputs };
      const gen = Number(inputs.generation ?? 0);
      if (/-slot-[ab]$/.test(args.name)) {
        outs.secretId = inputs.adoptSecretId ?? `ocs-${gen}`;
        outs.clientSecret = `secret-value-${gen}`;
        outs.created = TIME(`created-${gen}`);
        outs.lastUpdated = TIME(`updated-${gen}`);
        if (inputs.status === "INACTIVE") outs.deactivatedAt = TIME(`deactivated-${gen}`);
        if (inputs.status === "ACTIVE" && gen >= 3) {
          outs.replacedSecret = { secretId: `ocs-${gen - 2}`, deletedAt: TIME(`deleted-${gen - 2}`) };
        }
      }
      if (args.name.endsWith("-gate")) {
        outs.openedAt = TIME("gate");
        if (inputs.exchange === true) outs.exchangeStatus = 200;
      }
      if (args.name.endsWith("-refusal-proof")) {
        outs.refusedAt = TIME("refused");
        outs.refusal = "invalid_client";
      }
      if (args.name.endsWith("-revocation")) outs.revokedAt = TIME("revoked");
      if (args.type === "vault:kv/secretV2:SecretV2") outs.metadata = { version: String(++kvVersion) };
      if (args.type === "kubernetes:apps/v1:DeploymentPatch") {
        const m = inputs.metadata as Record<string, unknown>;
        outs.metadata = { ...m, annotations: { "deployment.kubernetes.io/revision": String(++revision) } };
      }
      if (args.name.endsWith("-census")) {
        // The census reads each Deployment's revision when it opens; here one past the patch's result, to tell
        // the two apart (the patch's may be read before the controller's bump).
        const deployments = inputs.deployments as { namespace: string; name: string }[];
        outs.revisions = deployments.map((d) => ({ ...d, revision: String(revision + 1) }));
      }
      if (/-key-[ab]$/.test(args.name)) {
        outs.kid = `kid-${gen}`;
        outs.publicJwk = { kty: "RSA", kid: outs.kid, alg: "RS256", use: "sig", e: "AQAB", n: "n" };
        outs.privateJwk = { kty: "RSA", kid: outs.kid, alg: "RS256", e: "AQAB", n: "n", d: "private-d" };
      }
      if (/-jwk-[ab]$/.test(args.name)) {
        outs.keyId = `pks-${gen}`;
        outs.created = TIME(`key-created-${gen}`);
        outs.lastUpdated = TIME(`key-updated-${gen}`);
      }
      if (/-key-(gate|proof)$/.test(args.name)) {
        outs.openedAt = TIME(args.name.endsWith("gate") ? "key-gate" : "key-proof-");
        outs.proof = args.name.endsWith("gate") ? "registered" : "exchange";
      }
      if (args.name.endsWith("-secrets-read")) outs.clientSecret = "current-secret-value";
      // The switch of this app gave its keys new ids (a whole-app PUT may renumber every key).
      if (args.name === "renumbered-auth-method") {
        outs.renumberedKeys = { "pks-2": "pks-2-after-put", "pks-1": "pks-1-after-put" };
      }
      return { id: `${args.name}-id`, state: outs };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      return args.inputs;
    },
  },
  "okta-credential-rotation",
  "test",
  false,
);

let components: typeof import("../../components");
beforeAll(async () => {
  components = await import("../../components");
});
// Each test builds its rotations anew: two of them may write the same Vault entry, as in separate programs.
beforeEach(() => components?.resetVaultPathClaims());

const delivery = {
  vault: { mount: "secret", path: "apps/billing" },
  deployments: [{ namespace: "billing", name: "billing-api" }],
};
const gates = {
  tokenExchange: true,
  tokenUrl: "https://example.okta.com/oauth2/default/v1/token",
  scope: "s",
};

describe("audit record of a SecretRotation", () => {
  it("records the new secret, the KV version, the revision, each gate and the retired and deleted secrets", async () => {
    kvVersion = 6;
    revision = 11;
    const r = new components.SecretRotation("billing", {
      appId: "0oa1",
      generation: 3,
      ...delivery,
      gates: { ...gates, minOverlapSeconds: 900 },
    });
    expect(await valueOf(r.audit)).toEqual({
      app: "billing",
      generation: 3,
      kind: "clientSecret",
      credential: { id: "ocs-3", created: TIME("created-3") },
      vault: { mount: "secret", path: "apps/billing", version: 7 },
      rollouts: [{ namespace: "billing", name: "billing-api", revision: "13" }],
      gates: [
        { gate: "tokenExchange", result: "token issued", at: TIME("gate"), minOverlapSeconds: 900 },
        { gate: "refusal", result: "invalid_client", at: TIME("refused") },
      ],
      previous: { id: "ocs-2", generation: 2, deactivatedAt: TIME("deactivated-2") },
      deleted: { id: "ocs-1", deletedAt: TIME("deleted-1") },
    });
  });

  it("without the pod census, the revision is the Deployment patch's result", async () => {
    revision = 20;
    const r = new components.SecretRotation("nocensus", {
      appId: "0oa9",
      generation: 2,
      ...delivery,
      podCensus: { enabled: false },
      gates,
    });
    expect((await valueOf(r.audit))?.rollouts).toEqual([
      { namespace: "billing", name: "billing-api", revision: "21" },
    ]);
  });

  it("holds no secret: not a Pulumi secret, and no secret value in it", async () => {
    const r = new components.SecretRotation("quiet", { appId: "0oa2", generation: 2, ...delivery, gates });
    expect(await isSecret(r.audit)).toBe(false);
    const text = JSON.stringify(await valueOf(r.audit));
    expect(text).not.toMatch(/secret-value-/);
    expect(JSON.parse(text)).toMatchObject({ credential: { id: "ocs-2" }, previous: { id: "ocs-1" } });
  });

  it("a revoke records the previous secret's deletion; without the token exchange, the gate held the overlap", async () => {
    const r = new components.SecretRotation("leak", {
      appId: "0oa3",
      generation: 4,
      revoke: true,
      gates: { minOverlapSeconds: 900 },
    });
    const audit = await valueOf(r.audit);
    expect(audit?.previous).toEqual({
      id: "ocs-3",
      generation: 3,
      deactivatedAt: TIME("deactivated-3"),
      deletedAt: TIME("revoked"),
    });
    // A revoke holds no overlap.
    expect(audit?.gates).toEqual([
      { gate: "tokenExchange", result: "overlap held", at: TIME("gate"), minOverlapSeconds: 0 },
    ]);
    expect(audit?.vault).toBeUndefined();
    expect(audit?.rollouts).toEqual([]);
  });

  it("a rollback deletes nothing: the record has no deleted secret", async () => {
    const r = new components.SecretRotation("back", { appId: "0oa4", generation: 4, rollback: true });
    const audit = await valueOf(r.audit);
    expect(audit).toMatchObject({ generation: 3, credential: { id: "ocs-3" }, previous: { id: "ocs-4" } });
    expect(audit?.deleted).toBeUndefined();
  });
});

describe("audit record of a KeyRotation", () => {
  it("records the key's id, kid and creation, the KV version, both assertion gates and the previous key", async () => {
    kvVersion = 2;
    revision = 4;
    const r = new components.KeyRotation("keys", {
      appId: "0oa5",
      keyGeneration: 2,
      tokenUrl: gates.tokenUrl,
      minOverlapSeconds: 60,
      ...delivery,
    });
    const audit = await valueOf(r.audit);
    expect(audit).toEqual({
      app: "keys",
      generation: 2,
      kind: "privateKey",
      credential: { id: "pks-2", kid: "kid-2", created: TIME("key-created-2") },
      vault: { mount: "secret", path: "apps/billing", version: 3 },
      rollouts: [{ namespace: "billing", name: "billing-api", revision: "6" }],
      gates: [
        {
          gate: "assertion",
          result: "key registered and verifying",
          at: TIME("key-gate"),
          minOverlapSeconds: 60,
        },
        { gate: "assertion", result: "token issued", at: TIME("key-proof-") },
      ],
      previous: { id: "pks-1", generation: 1, deactivatedAt: TIME("key-updated-1") },
    });
    expect(JSON.stringify(audit)).not.toMatch(/private-d|current-secret-value/);
  });

  it("names the keys by the ids Okta gave them at the switch, when its PUT renumbered them", async () => {
    const r = new components.KeyRotation("renumbered", {
      appId: "0oa6",
      keyGeneration: 2,
      rollback: true,
      tokenUrl: gates.tokenUrl,
    });
    const audit = await valueOf(r.audit);
    expect(audit?.credential.id).toBe("pks-2-after-put");
    expect(audit?.previous?.id).toBe("pks-1-after-put");
  });
});

describe("secretAuditRecord", () => {
  it("leaves out what is not known rather than guessing", () => {
    const record = components.secretAuditRecord({
      app: "a",
      generation: 1,
      secretId: "ocs-1",
      created: "2026-01-01T00:00:00.000Z",
      replaced: undefined,
      vault: { mount: "secret", path: "p", version: undefined },
      rollouts: [{ namespace: "n", name: "d", revision: undefined }],
      gate: { exchange: false, exchangeStatus: undefined, openedAt: undefined, minOverlapSeconds: 0 },
      refusal: undefined,
      previous: undefined,
    });
    expect(record).toEqual({
      app: "a",
      generation: 1,
      kind: "clientSecret",
      credential: { id: "ocs-1", created: "2026-01-01T00:00:00.000Z" },
      rollouts: [{ namespace: "n", name: "d" }],
      gates: [],
    });
    expect(components.kvVersion("12")).toBe(12);
    expect(components.kvVersion("")).toBeUndefined();
  });
});
