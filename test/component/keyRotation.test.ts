import { beforeAll, describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecret, recordChildren, valueOf, type ChildOptions } from "./mocks";

// The shared mocks (they also stub provider serialization, see mocks.ts), then mocks that give each child of
// KeyRotation the outputs its provider would, by resource name.
installMocks();
pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      const inputs = { ...(args.inputs as Record<string, unknown>) };
      delete inputs.__provider;
      const outs: Record<string, unknown> = { ...inputs };
      const gen = String(inputs.generation ?? "");
      if (/-key-[ab]$/.test(args.name)) {
        outs.kid = `kid-${args.name}-${gen}`;
        outs.publicJwk = { kty: "RSA", kid: outs.kid, alg: "RS256", use: "sig", e: "AQAB", n: "n" };
        outs.privateJwk = { kty: "RSA", kid: outs.kid, alg: "RS256", e: "AQAB", n: "n", d: "private-d" };
        // A pair made before the algorithm input changed keeps its algorithm (KeyPair: the next generation has it).
        if (args.name.startsWith("held-")) outs.algorithm = "RS256";
      }
      if (/-jwk-[ab]$/.test(args.name)) {
        outs.keyId = `pks-${args.name}-${gen}`;
        outs.kid = (inputs.jwk as { kid?: string } | undefined)?.kid;
        outs.lastUpdated = "2026-01-01T00:00:00.000Z";
      }
      if (args.name.endsWith("-secrets-read")) outs.clientSecret = "current-secret-value";
      if (args.name.endsWith("-rollback-value")) outs.clientSecret = "generated-secret-value";
      if (args.name.endsWith("-rollback-secret")) {
        outs.secretId = "ocs-rollback";
        outs.clientSecret = inputs.value;
        outs.lastUpdated = "2026-01-01T00:00:00.000Z";
      }
      if (args.name.endsWith("-secrets-retire")) {
        outs.retired = ["ocs-old"];
        outs.unusable = [];
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

let components: typeof import("../../components/keyRotation");
beforeAll(async () => {
  components = await import("../../components/keyRotation");
});

type Args = import("../../components/keyRotation").KeyRotationArgs;

function build(name: string, args: Partial<Args> & { keyGeneration: number }) {
  const children: ChildOptions[] = [];
  const rotation = new components.KeyRotation(
    name,
    {
      appId: "0oa1",
      clientId: "client-1",
      tokenUrl: "https://example.okta.com/oauth2/default/v1/token",
      vault: { mount: "secret", path: `apps/${name}` },
      deployments: [{ namespace: "apps", name: `${name}-api` }],
      ...args,
    },
    { transformations: [recordChildren(children)] },
  );
  return { rotation, children };
}

function child(children: ChildOptions[], suffix: string): ChildOptions {
  const found = children.find((c) => c.name.endsWith(suffix));
  if (!found) throw new Error(`no child ending in ${suffix}: ${children.map((c) => c.name).join(", ")}`);
  return found;
}

async function dependsOnNames(c: ChildOptions): Promise<string[]> {
  const deps = await valueOf(pulumi.output(c.opts.dependsOn as pulumi.Input<pulumi.Resource[]>));
  const list = Array.isArray(deps) ? deps : deps ? [deps] : [];
  return Promise.all(
    list.map((r) => valueOf((r as pulumi.Resource).urn).then((u) => String(u).split("::").pop()!)),
  );
}

async function vaultEntry(children: ChildOptions[]): Promise<Record<string, unknown>> {
  const data = child(children, "-vault").props.dataJson as pulumi.Output<string>;
  expect(await isSecret(data)).toBe(true);
  return JSON.parse((await valueOf(data))!) as Record<string, unknown>;
}

describe("KeyRotation: migration at key generation 1", () => {
  it("orders the lifecycle: JWK registered → Vault → rollout → pod census → gate → switch → proof → secrets retired", async () => {
    const { children } = build("mig", { keyGeneration: 1 });
    expect(children.map((c) => c.name)).toEqual([
      "mig-start",
      "mig-key-b",
      "mig-jwk-b",
      "mig-secrets-read",
      "mig-vault",
      "mig-rollout-apps/mig-api",
      "mig-census",
      "mig-key-gate",
      "mig-auth-method",
      "mig-key-proof",
      "mig-secrets-retire",
    ]);
    // The start comes first (its check refuses an app that has keys already); then the pair (its check refuses an
    // unsafe key generation); the JWK registers its public key.
    expect(await dependsOnNames(child(children, "-start"))).toEqual([]);
    expect(await dependsOnNames(child(children, "-key-b"))).toEqual(["mig-start"]);
    expect(child(children, "-key-b").props.slot).toEqual({ app: "mig", generation: 1, rollback: false });
    expect(await dependsOnNames(child(children, "-secrets-read"))).toEqual(["mig-jwk-b"]);
    expect(await dependsOnNames(child(children, "-vault"))).toEqual(["mig-jwk-b", "mig-secrets-read"]);
    expect(await dependsOnNames(child(children, "-api"))).toEqual(["mig-vault"]);
    expect(await dependsOnNames(child(children, "-census"))).toEqual(["mig-rollout-apps/mig-api"]);
    expect(child(children, "-census").props).toMatchObject({ generation: "key-1" });
    expect(await dependsOnNames(child(children, "-key-gate"))).toEqual(["mig-census"]);
    expect(await dependsOnNames(child(children, "-auth-method"))).toEqual(["mig-key-gate"]);
    expect(await dependsOnNames(child(children, "-key-proof"))).toEqual(["mig-auth-method"]);
    expect(await dependsOnNames(child(children, "-secrets-retire"))).toEqual(["mig-key-proof"]);
  });

  it("registers the generated public JWK ACTIVE, switches to private_key_jwt and proves it with a real exchange", async () => {
    const { rotation, children } = build("mig2", { keyGeneration: 1, algorithm: "ES256" });
    expect(child(children, "-key-b").props).toMatchObject({ algorithm: "ES256", generation: 1 });
    const jwk = child(children, "-jwk-b");
    expect(jwk.props).toMatchObject({ appId: "0oa1", generation: 1, status: "ACTIVE" });
    expect(jwk.opts.deleteBeforeReplace).toBe(true);
    expect(await valueOf(jwk.props.jwk as pulumi.Output<Record<string, string>>)).not.toHaveProperty("d");
    expect(child(children, "-auth-method").props).toMatchObject({
      tokenEndpointAuthMethod: "private_key_jwt",
    });
    expect(child(children, "-key-gate").props).toMatchObject({ exchange: "auto", clientId: "client-1" });
    expect(child(children, "-key-proof").props).toMatchObject({ exchange: "always" });
    expect(child(children, "-secrets-retire").props).toMatchObject({ mode: "retire", trigger: "1" });
    expect(child(children, "-secrets-retire").props.keep).toEqual([]);
    expect(rotation.previous).toBeUndefined();
    expect(await valueOf(rotation.current.kid)).toBe("kid-mig2-key-b-1");
    expect(await valueOf(rotation.retiredSecrets)).toEqual(["ocs-old"]);
    for (const c of children) expect(c.opts.parent).toBe(rotation);
  });

  it("delivers the private key, its kid and the current client secret in one secret Vault version", async () => {
    const { children } = build("mig3", { keyGeneration: 1 });
    const entry = await vaultEntry(children);
    expect(entry).toMatchObject({
      client_id: "client-1",
      token_endpoint_auth_method: "private_key_jwt",
      kid: "kid-mig3-key-b-1",
      alg: "RS256",
      key_generation: 1,
      client_secret: "current-secret-value",
    });
    expect(JSON.parse(entry.private_key as string)).toMatchObject({
      d: "private-d",
      kid: "kid-mig3-key-b-1",
    });
    const gateKey = child(children, "-key-gate").props.privateJwk as pulumi.Output<unknown>;
    expect(await isSecret(gateKey)).toBe(true);
    const annotations = (
      child(children, "-api").props as {
        spec: { template: { metadata: { annotations: Record<string, pulumi.Input<string>> } } };
      }
    ).spec.template.metadata.annotations;
    expect(annotations[components.KID_ANNOTATION]).toBeDefined();
    expect(await valueOf(pulumi.output(annotations[components.KID_ANNOTATION]))).toBe("kid-mig3-key-b-1");
  });
});

describe("KeyRotation: taking over from SecretRotation", () => {
  const aliasesOf = async (r: pulumi.Resource) =>
    Promise.all(
      ((r as unknown as { __aliases: pulumi.Input<string>[] }).__aliases ?? []).map((a) =>
        valueOf(pulumi.output(a)),
      ),
    );

  it("aliases the SecretRotation of the same name, so its Vault entry and rollouts are updated, not recreated", async () => {
    const { rotation } = build("tk", { keyGeneration: 1 });
    expect(await aliasesOf(rotation)).toEqual([
      "urn:pulumi:test::okta-credential-rotation::okta-rotation:index:SecretRotation::tk",
    ]);
    // Children (tk-vault, tk-rollout-apps/tk-api) inherit it: the engine derives their aliases from their parent's.
  });

  it("takes over its resources under former names: the component and each child by alias", async () => {
    const { rotation, children } = build("renamed-keys", { keyGeneration: 2, formerNames: ["old-keys"] });
    expect(await aliasesOf(rotation)).toEqual([
      "urn:pulumi:test::okta-credential-rotation::okta-rotation:index:KeyRotation::old-keys",
      "urn:pulumi:test::okta-credential-rotation::okta-rotation:index:SecretRotation::renamed-keys",
    ]);
    // Each child is also aliased to its name under the former component: after a run that failed with the new
    // name, the component is found under it, and the children's derived aliases would not reach the old ones.
    for (const suffix of ["-key-a", "-jwk-a", "-key-b", "-jwk-b", "-auth-method"]) {
      const type = child(children, suffix).type;
      expect(await aliasesOf(child(children, suffix).resource)).toContain(
        `urn:pulumi:test::okta-credential-rotation::okta-rotation:index:KeyRotation$${type}::old-keys${suffix}`,
      );
    }
  });

  it("takes over nothing when told the app had no SecretRotation", async () => {
    const { rotation } = build("fresh", { keyGeneration: 1, takesOverSecretRotation: false });
    expect(await aliasesOf(rotation)).toEqual([]);
  });
});

describe("KeyRotation: key rotation by generation", () => {
  it("at generation 2 registers the new key in slot a, keeps two ACTIVE keys until the proof, then deactivates the old one", async () => {
    const { rotation, children } = build("rot", { keyGeneration: 2 });
    expect(child(children, "-jwk-a").props).toMatchObject({ generation: 2, status: "ACTIVE" });
    expect(child(children, "-jwk-b").props).toMatchObject({ generation: 1, status: "INACTIVE" });
    expect(child(children, "-jwk-a").opts.deleteBeforeReplace).toBe(true);
    expect(child(children, "-jwk-b").opts.deleteBeforeReplace).toBe(true);
    // The new key waits only for the rotation's start (made at its first run: it refuses an app with keys of others).
    expect(await dependsOnNames(child(children, "-jwk-a"))).toEqual(["rot-start"]);
    expect(await dependsOnNames(child(children, "-key-a"))).toEqual(["rot-start"]);
    expect(child(children, "-start").props).toMatchObject({ rotation: "rot" });
    expect(child(children, "-start").props.keepExistingKeys).toBeUndefined();
    // The retired slot's pair records the key generation last: only once the rotation is finished.
    expect(await dependsOnNames(child(children, "-key-b"))).toEqual(["rot-key-proof"]);
    // The old key is deactivated only after the new one was proven by a real exchange after the switch.
    expect(await dependsOnNames(child(children, "-jwk-b"))).toEqual(["rot-key-proof"]);
    expect(child(children, "-key-a").props).toMatchObject({ generation: 2 });
    expect(child(children, "-key-b").props).toMatchObject({ generation: 1 });
    expect(await valueOf(rotation.previous!.kid)).toBe("kid-rot-key-b-1");
    expect((await vaultEntry(children)).kid).toBe("kid-rot-key-a-2");
  });

  it("at generation 3 replaces slot b (g−2) and deactivates slot a (g−1)", async () => {
    const { children } = build("rot3", { keyGeneration: 3 });
    expect(child(children, "-jwk-b").props).toMatchObject({ generation: 3, status: "ACTIVE" });
    expect(child(children, "-jwk-a").props).toMatchObject({ generation: 2, status: "INACTIVE" });
  });

  it("refuses a key generation below 1 before anything is declared", () => {
    expect(() => build("bad", { keyGeneration: 0 })).toThrow(/generation must be a whole number ≥ 1/);
  });
});

describe("KeyRotation: rollback to a client secret", () => {
  it("generates the secret, delivers it with the key, switches back, registers and proves the secret, then retires the others", async () => {
    const { children } = build("back", { keyGeneration: 2, rollback: true });
    expect(children.map((c) => c.name)).toEqual([
      "back-start",
      "back-key-a",
      "back-jwk-a",
      "back-rollback-value",
      "back-vault",
      "back-rollout-apps/back-api",
      "back-census",
      "back-key-gate",
      "back-auth-method",
      "back-rollback-secret",
      "back-secret-proof",
      "back-key-b",
      "back-jwk-b",
      "back-secrets-retire",
    ]);
    const entry = await vaultEntry(children);
    expect(entry).toMatchObject({
      token_endpoint_auth_method: "client_secret_basic",
      client_secret: "generated-secret-value",
      kid: "kid-back-key-a-2",
    });
    expect(await dependsOnNames(child(children, "-vault"))).toEqual(["back-jwk-a", "back-rollback-value"]);
    expect(child(children, "-auth-method").props).toMatchObject({
      tokenEndpointAuthMethod: "client_secret_basic",
    });
    expect(await dependsOnNames(child(children, "-auth-method"))).toEqual(["back-key-gate"]);
    const secret = child(children, "-rollback-secret");
    expect(await dependsOnNames(secret)).toEqual(["back-auth-method"]);
    expect(await valueOf(secret.props.value as pulumi.Output<string>)).toBe("generated-secret-value");
    expect(await isSecret(secret.props.value as pulumi.Output<string>)).toBe(true);
    expect(await dependsOnNames(child(children, "-secret-proof"))).toEqual(["back-rollback-secret"]);
    expect(child(children, "-secret-proof").props).toMatchObject({ exchange: true });
    const retire = child(children, "-secrets-retire");
    expect(await dependsOnNames(retire)).toEqual(["back-secret-proof"]);
    expect(await valueOf(pulumi.output(retire.props.keep as pulumi.Input<string[]>))).toEqual([
      "ocs-rollback",
    ]);
  });
});

describe("KeyRotation: removing the app or destroying the stack releases what consumers hold", () => {
  const opts = (children: ChildOptions[], suffix: string) => child(children, suffix).opts;

  it("keeps the Vault entry and the Deployment patches on delete (no soft-deleted version, no extra rollout)", () => {
    const { children } = build("keep", { keyGeneration: 2 });
    expect(opts(children, "-vault").retainOnDelete).toBe(true);
    expect(opts(children, "-api").retainOnDelete).toBe(true);
  });

  it("retains the app's auth method, whatever it is", () => {
    expect(opts(build("keep-m", { keyGeneration: 1 }).children, "-auth-method").retainOnDelete).toBe(true);
    const back = build("keep-r", { keyGeneration: 2, rollback: true }).children;
    expect(opts(back, "-auth-method").retainOnDelete).toBe(true);
  });

  it("retains only the holder's key; the retired (INACTIVE) slot is deleted, so g+2 really deletes it", () => {
    // Slots alternate roles: the engine decides from the options a slot was last registered with.
    const g2 = build("keep-2", { keyGeneration: 2 }).children;
    expect(opts(g2, "-jwk-a").retainOnDelete).toBe(true); // holder of 2
    expect(opts(g2, "-jwk-b").retainOnDelete).toBe(false); // generation 1, INACTIVE after this run
    const g3 = build("keep-3", { keyGeneration: 3 }).children;
    expect(opts(g3, "-jwk-b").retainOnDelete).toBe(true); // replaced: 1 (registered at 2 without retain) → 3
    expect(opts(g3, "-jwk-a").retainOnDelete).toBe(false);
    expect(opts(build("keep-1", { keyGeneration: 1 }).children, "-jwk-b").retainOnDelete).toBe(true);
    // Key pairs live only in state: nothing to retain.
    for (const c of [...g2, ...g3].filter((x) => /-key-[ab]$/.test(x.name))) {
      expect(c.opts.retainOnDelete).toBeUndefined();
    }
  });

  it("both key slots refuse, before any write, to replace a key that is still ACTIVE", () => {
    const { children } = build("keep-s", { keyGeneration: 4 });
    for (const suffix of ["-jwk-a", "-jwk-b"]) {
      expect(child(children, suffix).props).toMatchObject({ replaceOnlyInactive: true });
      expect(opts(children, suffix).deleteBeforeReplace).toBe(true);
    }
  });
});

describe("KeyRotation: a new algorithm takes effect with the next key", () => {
  it("the pairs and the Vault entry keep the held key's algorithm, and the run says when the new one applies", async () => {
    const infos: string[] = [];
    const info = vi.spyOn(pulumi.log, "info").mockImplementation(async (m: string) => {
      infos.push(m);
    });
    try {
      const { children } = build("held-alg", { keyGeneration: 2, algorithm: "ES256" });
      expect(child(children, "-key-a").props).toMatchObject({ algorithm: "ES256", generation: 2 });
      expect((await vaultEntry(children)).alg).toBe("RS256");
      await vi.waitFor(() => expect(infos).toHaveLength(1));
      expect(infos[0]).toBe(
        "KeyRotation 'held-alg': algorithm ES256 takes effect with the next key: the key of generation 2 stays " +
          "RS256 until privateKeyJwt.keyGeneration is bumped to 3.",
      );
      infos.length = 0;
      const same = build("same-alg", { keyGeneration: 2, algorithm: "ES256" });
      expect((await vaultEntry(same.children)).alg).toBe("ES256");
      expect(infos).toEqual([]);
    } finally {
      info.mockRestore();
    }
  });
});
