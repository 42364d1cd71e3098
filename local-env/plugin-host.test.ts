// The pure parts of the stand-in plugins' shared hosting (plugin-host.ts); the PATH rule is tested through each
// plugin's own path function (vault-plugin/index.test.ts, okta-plugin/index.test.ts).

import { describe, expect, it } from "vitest";
import {
  ignoredProperty,
  isSecretValue,
  pulumiPluginsDir,
  secretValue,
  unwrapSecrets,
  urnName,
  urnType,
  withIgnoredChanges,
  wrapSecrets,
} from "./plugin-host";

describe("plugin-host", () => {
  it("reads a URN's type (the last of its parent chain) and name", () => {
    const urn = "urn:pulumi:dev::proj::my:component:Parent$okta:app/oAuth:OAuth::billing";
    expect(urnType(urn)).toBe("okta:app/oAuth:OAuth");
    expect(urnName(urn)).toBe("billing");
  });

  it("unwraps secrets anywhere inside a property and wraps the named ones back", () => {
    const { plain, secretKeys } = unwrapSecrets({ a: "x", b: { c: secretValue("s") }, d: [secretValue(1)] });
    expect(plain).toEqual({ a: "x", b: { c: "s" }, d: [1] });
    expect([...secretKeys].sort()).toEqual(["b", "d"]);
    const wrapped = wrapSecrets({ a: "x", b: "y" }, ["b", "missing"]);
    expect(isSecretValue(wrapped.b)).toBe(true);
    expect(wrapped).not.toHaveProperty("missing");
  });

  it("ignoreChanges: an ignored property takes its last output, or goes when there is none", () => {
    expect(ignoredProperty("jwks[0].kid")).toBe("jwks");
    expect(ignoredProperty("settings.a")).toBe("settings");
    expect(
      withIgnoredChanges(
        { tokenEndpointAuthMethod: "private_key_jwt", label: "old" },
        { tokenEndpointAuthMethod: "client_secret_basic", label: "new", jwksUri: "https://x" },
        ["tokenEndpointAuthMethod", "jwksUri"],
      ),
    ).toEqual({ tokenEndpointAuthMethod: "private_key_jwt", label: "new" });
  });

  it("finds the plugins directory under PULUMI_HOME, else ~/.pulumi", () => {
    expect(pulumiPluginsDir({ PULUMI_HOME: "/p" }, "/home/x")).toBe("/p/plugins");
    expect(pulumiPluginsDir({}, "/home/x")).toBe("/home/x/.pulumi/plugins");
  });
});
