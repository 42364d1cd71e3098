// One `vault.kv.SecretV2`, as the rotation declares it: explicit name, the data as a secret from config. With
// `providerAddress` set, through an explicit `vault.Provider` (address and `providerToken` from config) instead of
// the default provider.
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";

const config = new pulumi.Config();
const providerAddress = config.get("providerAddress");
const provider = providerAddress
  ? new vault.Provider("explicit", { address: providerAddress, token: config.requireSecret("providerToken") })
  : undefined;

const entry = new vault.kv.SecretV2(
  "entry",
  {
    mount: config.get("mount") ?? "secret",
    name: config.require("name"),
    dataJson: config.requireSecret("dataJson"),
    deleteAllVersions: config.getBoolean("deleteAllVersions") ?? false,
  },
  { provider },
);

export const path = entry.path;
export const version = entry.metadata.apply((m) => m["version"]);
