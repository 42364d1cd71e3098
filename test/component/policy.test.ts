// The policy pack against the components as they are declared: the type tokens it looks for are the ones the
// resources register, and it finds the current credential, the gate and the revoke where the components put them.
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, recordChildren, valueOf, type ChildOptions } from "./mocks";
import {
  APP_AUTH_METHOD,
  CLIENT_SECRET,
  JSON_WEB_KEY,
  KEY_ROTATION,
  REVOCATION,
  SECRET_ROTATION,
  TOKEN_EXCHANGE_GATE,
  currentCredentials,
  rotationsOf,
  type StackResource,
} from "../../policy/resources";
import { overlapViolations } from "../../policy/minOverlap";
import { authMethodViolations } from "../../policy/authMethod";
import { credentialAgeViolations } from "../../policy/credentialAge";

installMocks();

// Imported after the mocks are in place.
let components: typeof import("../../components");
beforeAll(async () => {
  components = await import("../../components");
});

/**
 * The component and its children as a stack policy sees them (inputs; outputs are not known under mocks). The
 * component's type is read from the URN it registered.
 */
async function asStack(component: pulumi.ComponentResource, name: string, children: ChildOptions[]) {
  const urn = String(await valueOf(component.urn));
  const type = urn.split("::")[2]!.split("$").pop()!;
  const parent = { type, name, urn };
  return [
    { type, name, urn: parent.urn, props: {} },
    ...children.map((c) => ({
      type: c.type,
      name: c.name,
      urn: `urn:${c.type}::${c.name}`,
      props: c.props,
      parent,
    })),
  ] satisfies StackResource[];
}

function secretRotation(name: string, args: import("../../components").SecretRotationArgs) {
  const children: ChildOptions[] = [];
  const c = new components.SecretRotation(name, args, { transformations: [recordChildren(children)] });
  return asStack(c, name, children);
}

function keyRotation(name: string, args: import("../../components").KeyRotationArgs) {
  const children: ChildOptions[] = [];
  const c = new components.KeyRotation(name, args, { transformations: [recordChildren(children)] });
  return asStack(c, name, children);
}

const tokenUrl = "https://example.okta.com/oauth2/default/v1/token";

describe("the policy pack's view of the components", () => {
  it("uses the type tokens the resources register", async () => {
    const types = new Set(
      [
        ...(await secretRotation("tokens", { appId: "0oaT", generation: 2, revoke: true })),
        ...(await keyRotation("keys", { appId: "0oaK", keyGeneration: 2, tokenUrl, rollback: true })),
      ].map((r) => r.type),
    );
    for (const token of [
      SECRET_ROTATION,
      KEY_ROTATION,
      CLIENT_SECRET,
      JSON_WEB_KEY,
      TOKEN_EXCHANGE_GATE,
      REVOCATION,
      APP_AUTH_METHOD,
    ]) {
      expect(types).toContain(token);
    }
  });

  it("finds the slot the plan makes the holder, also under rollback", async () => {
    const current = async (rs: Promise<StackResource[]>) =>
      currentCredentials(rotationsOf(await rs)[0]!).map((c) => c.generation);
    expect(await current(secretRotation("g3", { appId: "0oa3", generation: 3 }))).toEqual([3]);
    expect(await current(secretRotation("back", { appId: "0oa4", generation: 3, rollback: true }))).toEqual([
      2,
    ]);
    expect(
      await current(secretRotation("onboard", { appId: "0oa5", generation: 4, adoptSecretId: "ocsOld" })),
    ).toEqual([4]);
    expect(await current(keyRotation("k3", { appId: "0oa6", keyGeneration: 3, tokenUrl }))).toEqual([3]);
  });

  it("judges the gate's overlap as the component sets it: exempt for a revoke and for a first generation", async () => {
    const minimum = 600;
    const verdict = async (rs: Promise<StackResource[]>) =>
      overlapViolations(rotationsOf(await rs)[0]!, minimum).map((v) => v.urn.split("::").pop());
    const gates = (minOverlapSeconds: number) => ({ tokenUrl, minOverlapSeconds });
    expect(
      await verdict(secretRotation("short", { appId: "0oa7", generation: 2, gates: gates(minimum - 1) })),
    ).toEqual(["short-gate"]);
    expect(
      await verdict(secretRotation("enough", { appId: "0oa8", generation: 2, gates: gates(minimum) })),
    ).toEqual([]);
    expect(
      await verdict(
        secretRotation("leak", { appId: "0oa9", generation: 2, revoke: true, gates: gates(minimum) }),
      ),
    ).toEqual([]);
    expect(
      await verdict(secretRotation("first", { appId: "0oa10", generation: 1, gates: gates(minimum - 1) })),
    ).toEqual([]);
  });

  it("tells a SecretRotation from a KeyRotation, and a KeyRotation rollback, for a required app", async () => {
    const verdict = async (rs: Promise<StackResource[]>) =>
      authMethodViolations(rotationsOf(await rs)[0]!, ["0oa11"]).map((v) => v.urn.split("::").pop());
    expect(await verdict(secretRotation("s", { appId: "0oa11", generation: 1 }))).toEqual(["s"]);
    expect(await verdict(keyRotation("k", { appId: "0oa11", keyGeneration: 1, tokenUrl }))).toEqual([]);
    expect(
      await verdict(keyRotation("r", { appId: "0oa11", keyGeneration: 1, tokenUrl, rollback: true })),
    ).toEqual(["r-auth-method"]);
  });

  it("words each violation for a program that declares the component itself: its type, name and argument", async () => {
    // As examples/consumer-ts declares it: a SecretRotation of its own name, not an app of a stack config.
    const [billing] = rotationsOf(
      await secretRotation("billing", {
        appId: "0oa12",
        generation: 2,
        gates: { tokenUrl, minOverlapSeconds: 5 },
      }),
    );
    const [overlap] = overlapViolations(billing!, 600);
    expect(overlap!.message).toMatch(
      /^SecretRotation 'billing' \(app 0oa12\): the previous secret stays ACTIVE/,
    );
    expect(overlap!.message).toContain("Set gates.minOverlapSeconds of SecretRotation 'billing' (where ");
    const [required] = authMethodViolations(billing!, ["billing"]);
    expect(required!.message).toMatch(/^SecretRotation 'billing' \(app 0oa12\) must authenticate/);
    expect(required!.message).toContain("Declare a KeyRotation named 'billing' in its place");
    // Under mocks no credential has Okta's `created`: what the preview does not know is not judged.
    expect(credentialAgeViolations([billing!], { maxAgeDays: 0 }, Date.now())).toEqual([]);
    const [orders] = rotationsOf(
      await keyRotation("orders", { appId: "0oa13", keyGeneration: 1, tokenUrl, rollback: true }),
    );
    const [back] = authMethodViolations(orders!, ["orders"]);
    expect(back!.message).toContain("Remove rollback of KeyRotation 'orders' (where ");
  });
});
