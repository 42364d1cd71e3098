import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import { installMocks, recordChildren, valueOf, registered, type ChildOptions } from "./mocks";
import {
  rotatedAppArgs,
  rotatedAppOptions,
  SecretRotation,
  ROTATION_OWNED_APP_FIELDS,
} from "../../components";

installMocks();

describe("an okta.app.OAuth defined in the same stack", () => {
  it("is told to leave the secrets to the rotation, and the rotation follows its id", async () => {
    const app = new okta.app.OAuth(
      "billing",
      {
        label: "billing-api",
        type: "service",
        grantTypes: ["client_credentials"],
        responseTypes: ["token"],
        tokenEndpointAuthMethod: "client_secret_basic",
        ...rotatedAppArgs,
      },
      rotatedAppOptions(),
    );
    const children: ChildOptions[] = [];
    new SecretRotation(
      "billing",
      { appId: app.id, generation: 2 },
      { transformations: [recordChildren(children)] },
    );

    const appId = await valueOf(app.id);
    const appInputs = registered.find((r) => r.type === "okta:app/oAuth:OAuth")!.inputs;
    expect(appInputs.omitSecret).toBe(true);
    for (const slot of children.filter((c) => c.name.includes("-slot-"))) {
      expect(await valueOf(slot.props.appId as pulumi.Output<string>)).toBe(appId);
    }
  });

  it("ignores every field the rotation owns, keeping the caller's own ignoreChanges", () => {
    const opts = rotatedAppOptions({ ignoreChanges: ["label"] });
    expect(opts.ignoreChanges).toEqual(["label", ...ROTATION_OWNED_APP_FIELDS]);
    expect(ROTATION_OWNED_APP_FIELDS).toEqual(
      expect.arrayContaining(["clientSecret", "tokenEndpointAuthMethod", "jwks"]),
    );
  });

  it("adopts the secret Okta generated for the new app as generation 0, found before anything is written", async () => {
    const app = new okta.app.OAuth(
      "invoices",
      { label: "invoices", type: "service", grantTypes: ["client_credentials"], ...rotatedAppArgs },
      rotatedAppOptions(),
    );
    const children: ChildOptions[] = [];
    const rotation = new SecretRotation(
      "invoices",
      { appId: app.id, generation: 1, adoptGeneratedSecret: true },
      { transformations: [recordChildren(children)] },
    );
    const appId = await valueOf(app.id);
    const lookup = children.find((c) => c.name === "invoices-generated");
    expect(lookup?.type).toBe("pulumi-nodejs:dynamic/okta-rotation:GeneratedSecret");
    const retired = children.find((c) => c.name === "invoices-slot-a")!;
    expect(await valueOf(retired.props.adoptSecretId as pulumi.Output<string>)).toBe(
      `ocs-generated-of-${appId}`,
    );
    expect(await valueOf(rotation.previous!.secretId)).toBe(`ocs-generated-of-${appId}`);
    expect(await valueOf(rotation.current.generation)).toBe(1);
    // The rotation's own secret is made after the lookup: the app then still holds only the generated one.
    const value = children.find((c) => c.name === "invoices-value")!;
    expect([value.opts.dependsOn].flat()).toContain(lookup!.resource);
  });

  it("refuses adoptGeneratedSecret together with adoptSecretId", () => {
    expect(
      () =>
        new SecretRotation("both", {
          appId: "0oa1",
          generation: 1,
          adoptSecretId: "ocs1",
          adoptGeneratedSecret: true,
        }),
    ).toThrow(/give adoptSecretId .* or adoptGeneratedSecret .*, not both/);
  });
});
