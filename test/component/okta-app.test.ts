import { describe, expect, it } from "vitest";
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
      expect(await valueOf(slot.props.appId as import("@pulumi/pulumi").Output<string>)).toBe(appId);
    }
  });

  it("ignores every field the rotation owns, keeping the caller's own ignoreChanges", () => {
    const opts = rotatedAppOptions({ ignoreChanges: ["label"] });
    expect(opts.ignoreChanges).toEqual(["label", ...ROTATION_OWNED_APP_FIELDS]);
    expect(ROTATION_OWNED_APP_FIELDS).toEqual(
      expect.arrayContaining(["clientSecret", "tokenEndpointAuthMethod", "jwks"]),
    );
  });
});
