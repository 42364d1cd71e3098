// One `vault.kv.SecretV2`, as the rotation declares it: explicit name, the data as a secret from config.
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";

const config = new pulumi.Config();

const entry = new vault.kv.SecretV2("entry", {
  mount: config.get("mount") ?? "secret",
  name: config.require("name"),
  dataJson: config.requireSecret("dataJson"),
  deleteAllVersions: config.getBoolean("deleteAllVersions") ?? false,
});

export const path = entry.path;
export const version = entry.metadata.apply((m) => m["version"]);
