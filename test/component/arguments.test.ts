// A component's wrong argument fails with one pulumi.ResourceError — the component, the argument, the fix, no stack
// trace (hideStack: the Node language host prints the message alone) — before any child is registered.
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, recordChildren, resourceErrorMessage, valueOf, type ChildOptions } from "./mocks";

installMocks();

let components: typeof import("../../components");
beforeAll(async () => {
  components = await import("../../components");
});
beforeEach(() => components.resetVaultPathClaims());

const ORG_ENV = ["OKTA_ORG_URL", "OKTA_ORG_NAME", "OKTA_BASE_URL"] as const;
const savedEnv = Object.fromEntries(ORG_ENV.map((k) => [k, process.env[k]]));
beforeEach(() => {
  for (const k of ORG_ENV) delete process.env[k];
});
afterEach(() => {
  for (const k of ORG_ENV) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

type SecretArgs = import("../../components").SecretRotationArgs;

function build(name: string, args: SecretArgs): ChildOptions[] {
  const children: ChildOptions[] = [];
  new components.SecretRotation(name, args, { transformations: [recordChildren(children)] });
  return children;
}

/** The error `fn` throws: a ResourceError of one line without a stack trace, saying nothing was changed. */
function argumentError(fn: () => unknown): string {
  const message = resourceErrorMessage(fn);
  expect(message).toMatch(/Nothing was changed\.$/);
  return message;
}

/** An output's value, or its failure (the SDK's own accessor, which its public type does not show). */
function promiseOf<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}

const gate = (children: ChildOptions[]) => children.find((c) => c.name.endsWith("-gate"))!;

describe("gates.tokenUrl: the documented default, or a ResourceError that says how to get one", () => {
  it("defaults to the org's default authorization server, from OKTA_ORG_URL or okta:orgName", async () => {
    process.env.OKTA_ORG_URL = "https://acme.okta.com/";
    const a = build("a", {
      appId: "0oa1",
      generation: 1,
      gates: { tokenExchange: true, scope: "rotation.check" },
    });
    expect(await valueOf(pulumi.output(gate(a).props.tokenUrl as pulumi.Input<string>))).toBe(
      "https://acme.okta.com/oauth2/default/v1/token",
    );
    delete process.env.OKTA_ORG_URL;
    process.env.OKTA_ORG_NAME = "dev-1";
    process.env.OKTA_BASE_URL = "oktapreview.com";
    const b = build("b", {
      appId: "0oa2",
      generation: 1,
      gates: { tokenExchange: true, scope: "rotation.check" },
    });
    expect(await valueOf(pulumi.output(gate(b).props.tokenUrl as pulumi.Input<string>))).toBe(
      "https://dev-1.oktapreview.com/oauth2/default/v1/token",
    );
  });

  it("reads the org URL from okta-credential-rotation:oktaOrgUrl, whatever the project is called", () => {
    const source = (values: Record<string, string>) => ({ get: (k: string) => values[k] });
    expect(
      components.stackOrgUrl({}, source({ "okta-credential-rotation:oktaOrgUrl": "https://acme.okta.com" })),
    ).toBe("https://acme.okta.com");
    expect(components.stackOrgUrl({}, source({ "rotation-consumer:oktaOrgUrl": "https://x.okta.com" }))).toBe(
      undefined,
    );
    expect(components.PACKAGE_CONFIG_NAMESPACE).toBe("okta-credential-rotation");
  });

  it("without an org URL: one message naming the rotation, gates.tokenUrl and both fixes", () => {
    const message = argumentError(() =>
      build("nourl", {
        appId: "0oa9",
        generation: 2,
        gates: { tokenExchange: true, scope: "rotation.check" },
      }),
    );
    expect(message).toMatch(/^SecretRotation 'nourl': gates\.tokenUrl is not set, and no Okta org URL/);
    expect(message).toContain("set gates.tokenUrl");
    expect(message).toContain("pulumi config set okta-credential-rotation:oktaOrgUrl https://<org>.okta.com");
  });

  it("a malformed org URL is named, with the fix", () => {
    process.env.OKTA_ORG_URL = "http://acme.okta.com";
    const message = argumentError(() =>
      build("plain", {
        appId: "0oa9",
        generation: 1,
        gates: { tokenExchange: true, scope: "rotation.check" },
      }),
    );
    expect(message).toMatch(
      /gates\.tokenUrl is not set, and its default cannot be derived: .*must use https/,
    );
  });

  it("an explicit token URL is used as it is, and none is needed without tokenExchange", async () => {
    const c = build("given", {
      appId: "0oa9",
      generation: 1,
      gates: { tokenExchange: true, scope: "s1", tokenUrl: "https://a.okta.com/oauth2/aus1/v1/token" },
    });
    expect(await valueOf(pulumi.output(gate(c).props.tokenUrl as pulumi.Input<string>))).toBe(
      "https://a.okta.com/oauth2/aus1/v1/token",
    );
    expect(() => build("off", { appId: "0oa8", generation: 1 })).not.toThrow();
  });
});

describe("gates.scope and endpoints Okta refuses, before anything is written", () => {
  const url = "https://acme.okta.com/oauth2/default/v1/token";

  it("tokenExchange without a scope", () => {
    expect(
      argumentError(() =>
        build("noscope", { appId: "0oa1", generation: 1, gates: { tokenExchange: true, tokenUrl: url } }),
      ),
    ).toMatch(
      /^SecretRotation 'noscope': gates\.scope is required with gates\.tokenExchange.*set gates\.scope/,
    );
  });

  it("the org authorization server, and OIDC scopes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("openid", "profile", "email", "address", "phone", "offline_access"),
        (oidc) => {
          components.resetVaultPathClaims();
          const m = argumentError(() =>
            build("oidc", {
              appId: "0oa1",
              generation: 1,
              gates: { tokenExchange: true, tokenUrl: url, scope: oidc },
            }),
          );
          expect(m).toMatch(
            new RegExp(`^SecretRotation 'oidc': gates\\.scope is refused; the scope ${oidc} cannot`),
          );
        },
      ),
    );
    const org = argumentError(() =>
      build("org", {
        appId: "0oa1",
        generation: 1,
        gates: { tokenExchange: true, tokenUrl: "https://acme.okta.com/oauth2/v1/token", scope: "s" },
      }),
    );
    expect(org).toMatch(
      /^SecretRotation 'org': gates\.tokenUrl is refused; .* is the org authorization server/,
    );
  });
});

describe("generation, rollback and adoption", () => {
  it("a generation that is not a whole number ≥ 1 names generation", () => {
    const bad = fc.oneof(
      fc.integer({ max: 0 }),
      fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
    );
    fc.assert(
      fc.property(bad, (generation) => {
        const m = argumentError(() => build("gen", { appId: "0oa1", generation }));
        expect(m).toMatch(
          /^SecretRotation 'gen': generation is refused: .*; set generation to a whole number ≥ 1/,
        );
      }),
      { numRuns: 50 },
    );
  });

  it("a rollback with nothing to go back to names rollback", () => {
    expect(argumentError(() => build("rb", { appId: "0oa1", generation: 1, rollback: true }))).toMatch(
      /^SecretRotation 'rb': rollback is refused: .*; remove rollback/,
    );
  });

  it("adoptSecretId with adoptGeneratedSecret", () => {
    expect(
      argumentError(() =>
        build("both", { appId: "0oa1", generation: 1, adoptSecretId: "ocs1", adoptGeneratedSecret: true }),
      ),
    ).toMatch(
      /^SecretRotation 'both': adoptSecretId and adoptGeneratedSecret are both given; give adoptSecretId/,
    );
  });

  it("KeyRotation: a key generation below 1 names keyGeneration", () => {
    const m = argumentError(
      () =>
        new components.KeyRotation("keys", {
          appId: "0oa1",
          keyGeneration: 0,
          tokenUrl: "https://acme.okta.com/oauth2/default/v1/token",
        }),
    );
    expect(m).toMatch(/^KeyRotation 'keys': keyGeneration is refused: /);
  });
});

describe("two rotations writing one Vault entry", () => {
  // The same entry as the program's config compares it: spaces around mount and path, slashes at the path's ends.
  const spelling = fc
    .tuple(fc.constantFrom("", " ", "  "), fc.constantFrom("", "/", "//"), fc.constantFrom("", " "))
    .map(([space, slash, trail]) => ({
      mount: `${space}secret${trail}`,
      path: `${space}${slash}apps/billing${slash}${trail}`,
    }));

  it("is refused on the second, naming the first, however the path is spelt", () => {
    fc.assert(
      fc.property(spelling, spelling, (a, b) => {
        components.resetVaultPathClaims();
        build("one", { appId: "0oa1", generation: 1, vault: a });
        const m = argumentError(() => build("two", { appId: "0oa2", generation: 1, vault: b }));
        expect(m).toBe(
          "SecretRotation 'two': vault writes the same Vault entry (secret/apps/billing) as SecretRotation 'one': " +
            "each would overwrite the other's secret; give each rotation its own vault.path. Nothing was changed.",
        );
      }),
      { numRuns: 30 },
    );
  });

  it("is refused between a KeyRotation and a SecretRotation; other paths and mounts are fine", () => {
    build("one", { appId: "0oa1", generation: 1, vault: { mount: "secret", path: "apps/one" } });
    build("other-path", { appId: "0oa2", generation: 1, vault: { mount: "secret", path: "apps/two" } });
    build("other-mount", { appId: "0oa3", generation: 1, vault: { mount: "kv", path: "apps/one" } });
    const m = argumentError(
      () =>
        new components.KeyRotation("keys", {
          appId: "0oa4",
          keyGeneration: 1,
          tokenUrl: "https://acme.okta.com/oauth2/default/v1/token",
          vault: { mount: "secret", path: "apps/two" },
        }),
    );
    expect(m).toMatch(
      /^KeyRotation 'keys': vault writes the same Vault entry \(secret\/apps\/two\) as SecretRotation 'other-path'/,
    );
  });

  it("a path known only later is checked when known: the output the first write waits for fails then", async () => {
    // claimVaultPath directly: a whole rotation whose first write fails would leave the mocks' registrations
    // pending. SecretRotation passes this output in its holder slot's dependsOn.
    const owner = new pulumi.ComponentResource("test:index:Owner", "owner");
    expect(
      components.claimVaultPath(owner, "SecretRotation", "one", { mount: "secret", path: "apps/one" }),
    ).toBe(undefined);
    const late = components.claimVaultPath(owner, "SecretRotation", "late", {
      mount: "secret",
      path: pulumi.output(" /apps/one/ "),
    })!;
    // The output's own bookkeeping promises reject with it; the engine reports the error once, as the test does.
    const internals = late as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean> };
    internals.isKnown.catch(() => undefined);
    internals.isSecret.catch(() => undefined);
    await expect(promiseOf(late)).rejects.toThrow(
      /^SecretRotation 'late': vault writes the same Vault entry \(secret\/apps\/one\) as SecretRotation 'one'/,
    );
    const fine = components.claimVaultPath(owner, "SecretRotation", "later", {
      mount: pulumi.output("secret"),
      path: "apps/three",
    })!;
    expect(await promiseOf(fine)).toEqual([]);
    const children = build("holder", {
      appId: "0oa3",
      generation: 1,
      vault: { mount: "kv", path: pulumi.output("x") },
    });
    const holder = children.find((c) => c.name === "holder-slot-b")!;
    const deps = await promiseOf(holder.opts.dependsOn as pulumi.Output<pulumi.Resource[]>);
    expect(deps.map((r) => r.constructor.name)).toEqual(["SecretValue"]);
  });
});
