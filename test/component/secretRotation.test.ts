import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecret, recordChildren, valueOf, type ChildOptions } from "./mocks";

installMocks();

// Imported after the mocks are in place.
let components: typeof import("../../components");
beforeAll(async () => {
  components = await import("../../components");
});
// Each test builds its rotations anew: two of them may write the same Vault entry, as in separate programs.
beforeEach(() => components?.resetVaultPathClaims());

interface Built {
  rotation: import("../../components").SecretRotation;
  children: ChildOptions[];
}

function build(name: string, args: import("../../components").SecretRotationArgs): Built {
  const children: ChildOptions[] = [];
  const rotation = new components.SecretRotation(name, args, { transformations: [recordChildren(children)] });
  return { rotation, children };
}

function child(children: ChildOptions[], suffix: string): ChildOptions {
  const found = children.find((c) => c.name.endsWith(suffix));
  if (!found) throw new Error(`no child ending in ${suffix}: ${children.map((c) => c.name).join(", ")}`);
  return found;
}

/** Names of the resources a child explicitly depends on. */
async function dependsOnNames(c: ChildOptions): Promise<string[]> {
  const deps = await valueOf(pulumi.output(c.opts.dependsOn as pulumi.Input<pulumi.Resource[]>));
  const list = Array.isArray(deps) ? deps : deps ? [deps] : [];
  return Promise.all(
    list.map((r) => valueOf((r as pulumi.Resource).urn).then((u) => String(u).split("::").pop()!)),
  );
}

const delivery = {
  vault: { mount: "secret", path: "apps/billing" },
  deployments: [{ namespace: "billing", name: "billing-api" }],
};

describe("SecretRotation at generation 1", () => {
  it("creates one ACTIVE secret in slot b, delivers it and retires nothing", async () => {
    const { rotation, children } = build("g1", { appId: "0oa1", generation: 1, ...delivery });
    const names = children.map((c) => c.name);
    expect(names).toEqual([
      "g1-value",
      "g1-slot-b",
      "g1-vault",
      "g1-rollout-billing/billing-api",
      "g1-census",
      "g1-gate",
    ]);
    expect(child(children, "-slot-b").props).toMatchObject({
      appId: "0oa1",
      generation: 1,
      status: "ACTIVE",
    });
    expect(rotation.previous).toBeUndefined();
    expect(await valueOf(rotation.current.generation)).toBe(1);
  });

  it("adopts the app's existing secret as generation 0 and retires it after the rollout", async () => {
    const { children } = build("adopt", {
      appId: "0oa2",
      generation: 1,
      adoptSecretId: "ocsOLD",
      ...delivery,
    });
    const a = child(children, "-slot-a");
    expect(a.props).toMatchObject({ generation: 0, status: "INACTIVE", adoptSecretId: "ocsOLD" });
    expect(await dependsOnNames(a)).toEqual(["adopt-gate"]);
    // The new secret's slot checks the adopted one (exists, ACTIVE) before it is created.
    expect(child(children, "-slot-b").props.slot).toMatchObject({
      adopting: "ocsOLD",
    });
  });

  it("onboards an app with a secret at any generation: the adopted secret plays generation − 1", async () => {
    const { children } = build("late", { appId: "0oa2b", generation: 4, adoptSecretId: "ocsOLD" });
    expect(child(children, "-slot-b").props).toMatchObject({ generation: 3, adoptSecretId: "ocsOLD" });
    expect(child(children, "-slot-a").props).toMatchObject({ generation: 4, status: "ACTIVE" });
  });
});

describe("SecretRotation bump to generation 2", () => {
  it("orders the lifecycle: new secret → Vault → rollout → pod census → gate → old secret deactivated", async () => {
    const { children } = build("bump", { appId: "0oa3", generation: 2, ...delivery });
    expect(child(children, "-slot-a").props).toMatchObject({ generation: 2, status: "ACTIVE" });
    expect(child(children, "-slot-b").props).toMatchObject({ generation: 1, status: "INACTIVE" });
    expect(await dependsOnNames(child(children, "-slot-a"))).toEqual(["bump-value"]);
    expect(await dependsOnNames(child(children, "-vault"))).toEqual(["bump-slot-a"]);
    expect(await dependsOnNames(child(children, "-rollout-billing/billing-api"))).toEqual(["bump-vault"]);
    expect(await dependsOnNames(child(children, "-census"))).toEqual(["bump-rollout-billing/billing-api"]);
    expect(child(children, "-census").props).toMatchObject({
      generation: "2",
      deployments: [{ namespace: "billing", name: "billing-api" }],
      timeoutSeconds: 600,
    });
    expect(await dependsOnNames(child(children, "-gate"))).toEqual(["bump-census"]);
    expect(await dependsOnNames(child(children, "-slot-b"))).toEqual(["bump-gate"]);
  });

  it("gives the pod census the stack's kubeconfig (as a secret) and context", async () => {
    const { children } = build("ctx", {
      appId: "0oa3c",
      generation: 2,
      ...delivery,
      podCensus: { kubeconfig: "apiVersion: v1", context: "prod-eu", timeoutSeconds: 30 },
    });
    const census = child(children, "-census").props;
    expect(census).toMatchObject({ context: "prod-eu", timeoutSeconds: 30 });
    expect(await isSecret(census.kubeconfig as pulumi.Output<string>)).toBe(true);
  });

  it("without the pod census, the gate waits for the rollout alone; skipAwait marks the patch", async () => {
    const { children } = build("nocensus", {
      appId: "0oa3n",
      generation: 2,
      ...delivery,
      deployments: [{ namespace: "billing", name: "billing-api", skipAwait: true }],
      podCensus: { enabled: false },
    });
    expect(children.map((c) => c.name)).not.toContain("nocensus-census");
    expect(await dependsOnNames(child(children, "-gate"))).toEqual(["nocensus-rollout-billing/billing-api"]);
    const patch = child(children, "-rollout-billing/billing-api").props as {
      metadata: { annotations?: Record<string, string> };
    };
    expect(patch.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
  });

  it("records the app's config in both slots, and creates the new secret from the value made before it", async () => {
    const { children } = build("ctx", { appId: "0oa3c", generation: 2 });
    for (const slot of ["-slot-a", "-slot-b"])
      expect(child(children, slot).props.slot).toEqual({
        app: "ctx",
        generation: 2,
        rollback: false,
      });
    expect(child(children, "-value").props).toMatchObject({ appId: "0oa3c", generation: 2 });
    expect(child(children, "-slot-a").props.value).toBeDefined();
    expect(child(children, "-slot-b").props.value).toBeUndefined();
  });

  it("with the token exchange gate, proves the retired secret is refused once it is deactivated", async () => {
    const gates = {
      tokenExchange: true,
      tokenUrl: "https://example.okta.com/oauth2/default/v1/token",
      scope: "s",
    };
    const { rotation, children } = build("proof", { appId: "0oa3f", generation: 2, gates });
    const proof = child(children, "-refusal-proof");
    expect(await dependsOnNames(proof)).toEqual(["proof-slot-b"]);
    expect(proof.props).toMatchObject({ generation: 1, tokenUrl: gates.tokenUrl, scope: "s" });
    expect(proof.props.clientSecret).toBeDefined();
    expect(rotation.previous?.refusedAt).toBeDefined();
    const without = build("noproof", { appId: "0oa3g", generation: 2 });
    expect(without.children.map((c) => c.name)).not.toContain("noproof-refusal-proof");
  });

  it("a revoke holds no overlap and deletes the previous secret after its refusal is proven", async () => {
    const gates = {
      tokenExchange: true,
      tokenUrl: "https://example.okta.com/oauth2/default/v1/token",
      scope: "s",
      minOverlapSeconds: 900,
    };
    const { rotation, children } = build("leak", { appId: "0oa3h", generation: 3, revoke: true, gates });
    expect(child(children, "-gate").props).toMatchObject({ minOverlapSeconds: 0 });
    const revocation = child(children, "-revocation");
    expect(await dependsOnNames(revocation)).toEqual(["leak-refusal-proof"]);
    expect(revocation.props).toMatchObject({ appId: "0oa3h", generation: 3 });
    expect(rotation.previous?.revokedAt).toBeDefined();
    const plain = build("noleak", { appId: "0oa3i", generation: 3, gates });
    expect(child(plain.children, "-gate").props).toMatchObject({ minOverlapSeconds: 900 });
    // Nothing to overlap with at an app's first generation (nothing adopted): no wait.
    const first = build("first", { appId: "0oa3j", generation: 1, gates });
    expect(child(first.children, "-gate").props).toMatchObject({ minOverlapSeconds: 0 });
    expect(plain.children.map((c) => c.name)).not.toContain("noleak-revocation");
  });

  it("keeps what consumers read when the rotation is removed: holder secret, Vault entry and rollouts are retained", () => {
    const { children } = build("keep", { appId: "0oa3d", generation: 2, ...delivery });
    expect(child(children, "-vault").opts.retainOnDelete).toBe(true);
    expect(child(children, "-rollout-billing/billing-api").opts.retainOnDelete).toBe(true);
    // Generation 2 lives in slot a; slot b (generation 1, INACTIVE) is really deleted when it is replaced.
    expect(child(children, "-slot-a").opts.retainOnDelete).toBe(true);
    expect(child(children, "-slot-b").opts.retainOnDelete).toBe(false);
    const rolledBack = build("keep-rb", { appId: "0oa3d", generation: 2, rollback: true });
    expect(child(rolledBack.children, "-slot-b").opts.retainOnDelete).toBe(true);
    expect(child(rolledBack.children, "-slot-a").opts.retainOnDelete).toBe(false);
  });

  it("takes over its resources under former names by alias", () => {
    const { children } = build("renamed", { appId: "0oa3e", generation: 2, formerNames: ["old-name"] });
    expect(children.map((c) => c.name)).toContain("renamed-slot-a");
    const opts = components.withFormerNames({}, ["old-name"]);
    expect(opts?.aliases).toEqual([{ name: "old-name" }]);
    expect(components.withFormerNames(undefined, [])).toBeUndefined();
  });

  it("asks every slot to refuse replacing a secret that is still ACTIVE", () => {
    const { children } = build("protect", { appId: "0oa3b", generation: 2 });
    for (const slot of ["-slot-a", "-slot-b"])
      expect(child(children, slot).props.replaceOnlyInactive).toBe(true);
  });

  it("registers the bookkeeping only under the `__` prefix, which no diff shows; what happens stays visible", () => {
    const { children } = build("shown", {
      appId: "0oa3c",
      generation: 5,
      adoptSecretId: "ocsOLD",
      gates: {
        tokenExchange: true,
        tokenUrl: "https://example.okta.com/oauth2/default/v1/token",
        scope: "rotation.check",
      },
    });
    const bookkeeping = ["slot", "replaceOnlyInactive", "onboardedGeneration", "value", "adoptSecretId"];
    for (const slot of ["-slot-a", "-slot-b"]) {
      const registered = child(children, slot).registered;
      const visible = Object.keys(registered).filter((k) => !k.startsWith("__"));
      for (const k of bookkeeping) expect(visible).not.toContain(k);
      expect(visible).toEqual(expect.arrayContaining(["appId", "generation", "status"]));
      expect(registered.__slot).toBeDefined();
      expect(registered.__replaceOnlyInactive).toBe(true);
    }
    expect(child(children, "-slot-a").registered.__adoptSecretId).toBe("ocsOLD");
    for (const suffix of ["-gate", "-refusal-proof"]) {
      const visible = Object.keys(child(children, suffix).registered).filter((k) => !k.startsWith("__"));
      expect(visible).not.toContain("clientSecret");
      expect(visible).toEqual(expect.arrayContaining(["secretId", "generation"]));
    }
    expect(Object.keys(child(children, "-gate").registered)).not.toContain("activeSince");
  });

  it("replaces a slot delete-before-replace, so the app never holds three secrets", () => {
    const { children } = build("dbr", { appId: "0oa4", generation: 2 });
    for (const slot of ["-slot-a", "-slot-b"])
      expect(child(children, slot).opts.deleteBeforeReplace).toBe(true);
  });

  it("writes the new secret to Vault as a secret, under the configured key", async () => {
    const { rotation } = build("vault", {
      appId: "0oa5",
      generation: 2,
      vault: { ...delivery.vault, key: "cs" },
    });
    const dataJson = rotation.vaultSecret!.dataJson as pulumi.Output<string>;
    expect(await isSecret(dataJson)).toBe(true);
    const data = JSON.parse((await valueOf(dataJson))!);
    expect(Object.keys(data).sort()).toEqual(["client_id", "cs", "generation", "secret_id"]);
    expect(data.cs).toBe("value-of-vault-slot-a-2");
    expect(data.generation).toBe(2);
    expect(await valueOf(rotation.vaultSecret!.name)).toBe("apps/billing");
  });

  it("rolls each Deployment by annotating its pod template with the generation", async () => {
    const { rotation } = build("roll", {
      appId: "0oa6",
      generation: 2,
      deployments: [
        { namespace: "a", name: "one" },
        { namespace: "b", name: "two" },
      ],
    });
    expect(rotation.rollouts).toHaveLength(2);
    const spec = (await valueOf(rotation.rollouts[1].spec)) as {
      template: { metadata: { annotations: Record<string, string> } };
    };
    expect(spec.template.metadata.annotations[components.ROLLOUT_ANNOTATION]).toBe("2");
    expect(await valueOf(rotation.rollouts[1].metadata)).toMatchObject({ name: "two", namespace: "b" });
  });

  it("names each patch by its Deployment, aliased to its old list position, so removing or reordering others leaves it", async () => {
    const deployments = [
      { namespace: "a", name: "one" },
      { namespace: "b", name: "two" },
      { namespace: "c", name: "three" },
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(deployments, { minLength: 1 }), (picked) => {
        const { children } = build(`order-${picked.map((d) => d.name).join("-")}`, {
          appId: "0oa6",
          generation: 2,
          deployments: picked,
        });
        const app = `order-${picked.map((d) => d.name).join("-")}`;
        const patches = children.filter((c) => c.name.includes("-rollout-"));
        expect(patches.map((p) => p.name)).toEqual(
          picked.map((d) => `${app}-rollout-${d.namespace}/${d.name}`),
        );
        patches.forEach((p, i) => expect(p.opts.aliases).toContainEqual({ name: `${app}-rollout-${i}` }));
      }),
      { numRuns: 20 },
    );
  });

  it("on a Deployment shared with another app, writes annotation keys of its own and the census reads them", async () => {
    const { rotation, children } = build("first", {
      appId: "0oa6",
      generation: 2,
      deployments: [
        { namespace: "a", name: "both", shared: true },
        { namespace: "a", name: "mine" },
      ],
    });
    const annotations = async (i: number) =>
      (
        (await valueOf(rotation.rollouts[i]!.spec)) as {
          template: { metadata: { annotations: Record<string, string> } };
        }
      ).template.metadata.annotations;
    expect(Object.keys(await annotations(0)).sort()).toEqual([
      `first.${components.ROLLOUT_ANNOTATION}`,
      "first.okta-rotation/secret-id",
    ]);
    expect(Object.keys(await annotations(1)).sort()).toEqual([
      components.ROLLOUT_ANNOTATION,
      "okta-rotation/secret-id",
    ]);
    expect(child(children, "-census").props).toMatchObject({
      deployments: [
        { namespace: "a", name: "both", annotation: `first.${components.ROLLOUT_ANNOTATION}` },
        { namespace: "a", name: "mine" },
      ],
    });
  });

  it("without Vault and Deployments, the gate waits for the new secret itself", async () => {
    const { children } = build("bare", { appId: "0oa7", generation: 2 });
    expect(children.map((c) => c.name)).toEqual(["bare-value", "bare-slot-a", "bare-gate", "bare-slot-b"]);
    expect(await dependsOnNames(child(children, "-gate"))).toEqual(["bare-slot-a"]);
  });

  it("passes the gate settings and the new secret (as a secret) to the gate", async () => {
    const { rotation, children } = build("gated", {
      appId: "0oa8",
      clientId: "client-8",
      generation: 2,
      gates: {
        tokenExchange: true,
        tokenUrl: "https://org.example/oauth2/default/v1/token",
        scope: "rotation.check",
        minOverlapSeconds: 900,
      },
    });
    expect(child(children, "-gate").props).toMatchObject({ exchange: true, minOverlapSeconds: 900 });
    expect(await valueOf(rotation.gate.urn)).toContain("gated-gate");
  });
});

describe("SecretRotation rollback", () => {
  it("reactivates and delivers the previous secret, then retires the current one", async () => {
    const { rotation, children } = build("rb", {
      appId: "0oa10",
      generation: 3,
      rollback: true,
      ...delivery,
    });
    // Generation 3 lives in slot b, generation 2 in slot a.
    expect(child(children, "-slot-a").props).toMatchObject({ generation: 2, status: "ACTIVE" });
    expect(child(children, "-slot-b").props).toMatchObject({ generation: 3, status: "INACTIVE" });
    expect(await dependsOnNames(child(children, "-slot-b"))).toEqual(["rb-gate"]);
    const data = JSON.parse((await valueOf(rotation.vaultSecret!.dataJson as pulumi.Output<string>))!);
    expect(data.generation).toBe(2);
    expect(await valueOf(rotation.current.generation)).toBe(2);
  });
});
