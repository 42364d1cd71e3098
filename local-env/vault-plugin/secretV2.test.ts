// The plugin's provider called directly, against a real Vault dev server (local-env/vault.ts): what each operation
// leaves in Vault, read back on Vault's HTTP API.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSecretValue, secretValue, unwrapSecrets, type PropertyBag } from "../plugin-host";
import { VaultPluginProvider } from "./provider";
import {
  checkSecretV2,
  diffSecretV2,
  goDurationSeconds,
  normalizeDataJson,
  SECRET_V2_TYPE,
} from "./secretV2";
import { kvMetadata, readKv, startVault, vaultRequest, type VaultDev } from "../vault";

const urn = (name: string) => `urn:pulumi:test::vault-plugin::${SECRET_V2_TYPE}::${name}`;

let vault: VaultDev;
let provider: VaultPluginProvider;
let counter = 0;
/** A fresh entry name per test: tests share one server. */
const entryName = (label: string) => `tests/${label}-${++counter}`;
/** A value that must never show up in an error, a reason or a log. */
const secretText = (label: string) => `s3cr3t-${label}-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  vault = await startVault();
  provider = new VaultPluginProvider({ env: {}, writeRetry: { tries: 3, delayMs: 50 } });
  provider.configure({ address: vault.address, token: secretValue(vault.token) }, {});
});

afterAll(async () => {
  await vault?.stop();
});

/** check, then create, as the engine does. */
async function create(
  name: string,
  inputs: PropertyBag,
): Promise<{ id: string; outs: PropertyBag; checked: PropertyBag }> {
  const checked = await provider.check(urn(name), {}, inputs);
  expect(checked.failures ?? []).toEqual([]);
  const created = await provider.create(urn(name), checked.inputs);
  return { id: created.id, outs: created.outs, checked: checked.inputs };
}

async function update(name: string, id: string, olds: PropertyBag, news: PropertyBag): Promise<PropertyBag> {
  const checked = await provider.check(urn(name), olds, news);
  expect(checked.failures ?? []).toEqual([]);
  return (await provider.update(id, urn(name), olds, checked.inputs)).outs;
}

describe("SecretV2 against a real Vault", () => {
  it("create writes version 1 and returns path, metadata and secret outputs", async () => {
    const name = entryName("create");
    const value = secretText("create");
    const { id, outs } = await create("create", {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ client_secret: value }),
    });

    expect(id).toBe(`secret/data/${name}`);
    const stored = await readKv(vault, "secret", name);
    expect(stored?.version).toBe(1);
    expect(stored?.data).toEqual({ client_secret: value });

    expect(isSecretValue(outs.dataJson)).toBe(true);
    expect(isSecretValue(outs.data)).toBe(true);
    const { plain } = unwrapSecrets(outs);
    expect(plain.path).toBe(id);
    expect(plain.dataJson).toBe(JSON.stringify({ client_secret: value }));
    expect(plain.data).toEqual({});
    const metadata = plain.metadata as Record<string, string>;
    expect(metadata.version).toBe("1");
    expect(metadata.created_time).toBe(stored?.createdTime);
    expect(metadata.destroyed).toBe("false");
    expect(metadata.deletion_time).toBe("");
  });

  it("update writes version 2 and leaves version 1 readable", async () => {
    const name = entryName("update");
    const first = secretText("v1");
    const second = secretText("v2");
    const { id, outs } = await create("update", {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: first }),
    });
    const updated = await update("update", id, outs, {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: second }),
    });

    expect((unwrapSecrets(updated).plain.metadata as Record<string, string>).version).toBe("2");
    expect((await readKv(vault, "secret", name))?.data).toEqual({ k: second });
    const v1 = await readKv(vault, "secret", name, 1);
    expect(v1?.data).toEqual({ k: first });
    expect(v1?.deletionTime).toBe("");
  });

  it("an update of another input than dataJson writes a new version too", async () => {
    const name = entryName("options");
    const dataJson = JSON.stringify({ k: secretText("same") });
    const { id, outs } = await create("options", { mount: "secret", name, dataJson });
    await update("options", id, outs, { mount: "secret", name, dataJson, deleteAllVersions: true });
    expect((await kvMetadata(vault, "secret", name))?.currentVersion).toBe(2);
  });

  it("cas: a write whose cas is not the current version is refused with Vault's error; a matching one passes", async () => {
    const name = entryName("cas");
    const value = secretText("cas");
    const { id, outs } = await create("cas", {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: value }),
      cas: 0,
    });
    expect((await readKv(vault, "secret", name))?.version).toBe(1);

    const stale = { mount: "secret", name, dataJson: JSON.stringify({ k: `${value}-stale` }), cas: 0 };
    const checked = await provider.check(urn("cas"), outs, stale);
    const refusal = await provider.update(id, urn("cas"), outs, checked.inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refusal).toBeInstanceOf(Error);
    expect(refusal?.message).toContain("check-and-set parameter did not match the current version");
    expect(refusal?.message).toContain("cas is 0");
    expect(refusal?.message).toContain("current version is 1");
    expect(refusal?.message).toContain(name);
    expect(refusal?.message).not.toContain(value);
    expect((await readKv(vault, "secret", name))?.data).toEqual({ k: value });

    const next = await update("cas", id, outs, {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: "two" }),
      cas: 1,
    });
    expect((unwrapSecrets(next).plain.metadata as Record<string, string>).version).toBe("2");
  });

  it("delete soft-deletes the latest version only", async () => {
    const name = entryName("soft");
    const { id, outs } = await create("soft", {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: "one" }),
    });
    const outs2 = await update("soft", id, outs, {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: "two" }),
    });
    await provider.delete(id, urn("soft"), outs2);

    const latest = await readKv(vault, "secret", name);
    expect(latest?.version).toBe(2);
    expect(latest?.data).toBeUndefined();
    expect(latest?.deletionTime).not.toBe("");
    expect((await readKv(vault, "secret", name, 1))?.data).toEqual({ k: "one" });
    const meta = await kvMetadata(vault, "secret", name);
    expect(meta?.versions["1"].deletionTime).toBe("");
    expect(meta?.versions["2"].deletionTime).not.toBe("");
  });

  it("delete with deleteAllVersions removes the metadata and every version", async () => {
    const name = entryName("all");
    const { id, outs } = await create("all", {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: "one" }),
      deleteAllVersions: true,
    });
    const outs2 = await update("all", id, outs, {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: "two" }),
      deleteAllVersions: true,
    });
    await provider.delete(id, urn("all"), outs2);
    expect(await kvMetadata(vault, "secret", name)).toBeUndefined();
    expect(await readKv(vault, "secret", name, 1)).toBeUndefined();
  });

  it("read after an out-of-band write shows the new version; after the metadata is deleted, the entry is gone", async () => {
    const name = entryName("drift");
    const { id, outs } = await create("drift", {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: "mine" }),
    });
    const res = await vaultRequest(vault, "POST", `secret/data/${name}`, { data: { k: "theirs" } });
    expect(res.status).toBe(200);

    const read = await provider.read(id, urn("drift"), outs);
    expect(read.id).toBe(id);
    const { plain } = unwrapSecrets(read.props);
    const metadata = plain.metadata as Record<string, string>;
    expect(metadata.version).toBe("2");
    expect(metadata.created_time).toBe((await readKv(vault, "secret", name))?.createdTime);
    // pulumi-vault 7.x does not read the data back: dataJson stays the program's, data is empty.
    expect(plain.dataJson).toBe(JSON.stringify({ k: "mine" }));
    expect(plain.data).toEqual({});
    expect(isSecretValue(read.props.dataJson)).toBe(true);

    await vaultRequest(vault, "DELETE", `secret/metadata/${name}`);
    expect((await provider.read(id, urn("drift"), outs)).id).toBe("");
  });

  it("read of an entry whose latest version is soft-deleted keeps it, with its deletion time", async () => {
    const name = entryName("softread");
    const { id, outs } = await create("softread", {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: "v" }),
    });
    await vaultRequest(vault, "DELETE", `secret/data/${name}`);
    const read = await provider.read(id, urn("softread"), outs);
    expect(read.id).toBe(id);
    expect((unwrapSecrets(read.props).plain.metadata as Record<string, string>).deletion_time).not.toBe("");
  });

  it("customMetadata is written to the entry's metadata and read back", async () => {
    const name = entryName("custom");
    const { outs } = await create("custom", {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: "v" }),
      customMetadata: { maxVersions: 5, deleteVersionAfter: 3600, data: { owner: "platform" } },
    });
    const meta = await kvMetadata(vault, "secret", name);
    expect(meta?.maxVersions).toBe(5);
    expect(meta?.customMetadata).toEqual({ owner: "platform" });
    expect(unwrapSecrets(outs).plain.customMetadata).toEqual({
      maxVersions: 5,
      casRequired: false,
      deleteVersionAfter: 3600,
      data: { owner: "platform" },
    });
  });

  it("disableRead: the write happens, nothing is read back", async () => {
    const name = entryName("noread");
    const { id, outs } = await create("noread", {
      mount: "secret",
      name,
      dataJson: JSON.stringify({ k: "v" }),
      disableRead: true,
    });
    expect((await readKv(vault, "secret", name))?.version).toBe(1);
    expect(unwrapSecrets(outs).plain.metadata).toBeUndefined();
    await vaultRequest(vault, "DELETE", `secret/metadata/${name}`);
    expect((await provider.read(id, urn("noread"), outs)).id).toBe(id);
  });

  it("errors name the resource and the path and carry no secret: a wrong token, a missing mount", async () => {
    const value = secretText("denied");
    const wrong = new VaultPluginProvider({ env: {}, writeRetry: { tries: 1, delayMs: 0 } });
    const badToken = "hvs.not-the-token";
    wrong.configure({ address: vault.address, token: badToken }, {});
    const inputs = (
      await wrong.check(
        urn("denied"),
        {},
        { mount: "secret", name: "x/denied", dataJson: JSON.stringify({ k: value }) },
      )
    ).inputs;
    const denied = await wrong.create(urn("denied"), inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(denied?.message).toMatch(/'denied'.*secret\/data\/x\/denied.*HTTP 403.*permission denied/);
    expect(denied?.message).not.toContain(value);
    expect(denied?.message).not.toContain(badToken);

    const noMount = await provider
      .create(
        urn("nomount"),
        (
          await provider.check(
            urn("nomount"),
            {},
            { mount: "nowhere", name: "x", dataJson: JSON.stringify({ k: value }) },
          )
        ).inputs,
      )
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(noMount?.message).toContain("nowhere/data/x");
    expect(noMount?.message).toContain("Check `mount`");
    expect(noMount?.message).not.toContain(value);
    expect(noMount?.message).not.toContain(vault.token);
  });
});

describe("provider configuration", () => {
  it("refuses a missing address, naming vault:address and VAULT_ADDR", () => {
    const p = new VaultPluginProvider({ env: {} });
    expect(() => p.configure({ token: "t" }, {})).toThrow(/vault:address.*VAULT_ADDR/);
  });

  it("refuses a missing token, naming vault:token and VAULT_TOKEN", () => {
    const p = new VaultPluginProvider({ env: {} });
    expect(() => p.configure({ address: "http://127.0.0.1:1" }, {})).toThrow(/vault:token.*VAULT_TOKEN/);
  });

  it("takes VAULT_ADDR / VAULT_TOKEN when the provider's inputs do not set them", async () => {
    const p = new VaultPluginProvider({ env: { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.token } });
    p.configure({}, {});
    const name = entryName("env");
    const checked = await p.check(urn("env"), {}, { mount: "secret", name, dataJson: "{}" });
    await p.create(urn("env"), checked.inputs);
    expect((await readKv(vault, "secret", name))?.version).toBe(1);
  });

  it("takes the older vault:config:<key> variables too", () => {
    const p = new VaultPluginProvider({ env: {} });
    expect(() =>
      p.configure(undefined, { "vault:config:address": "http://127.0.0.1:1", "vault:config:token": "t" }),
    ).not.toThrow();
  });

  it("serves SecretV2 only, and says what to install for the rest", async () => {
    const p = new VaultPluginProvider({ env: {} });
    await expect(p.invoke("vault:kv/getSecretV2:getSecretV2")).rejects.toThrow(
      /vault:kv\/getSecretV2:getSecretV2.*official pulumi-vault plugin/,
    );
    await expect(p.check("urn:pulumi:s::p::vault:index/mount:Mount::m", {}, {})).rejects.toThrow(
      /official pulumi-vault plugin/,
    );
  });
});

describe("check and diff", () => {
  it("names an entry without a name after the resource, and keeps that name", () => {
    const first = checkSecretV2(urn("auto"), {}, { mount: "secret", dataJson: "{}" });
    expect(unwrapSecrets(first.inputs).plain.name).toMatch(/^auto-[0-9a-f]{7}$/);
    const again = checkSecretV2(urn("auto"), first.inputs, { mount: "secret", dataJson: "{}" });
    expect(unwrapSecrets(again.inputs).plain.name).toBe(unwrapSecrets(first.inputs).plain.name);
  });

  it("keeps dataJson secret and normalized; defaults deleteAllVersions and disableRead to false", () => {
    const r = checkSecretV2(
      urn("n"),
      {},
      { mount: "secret", name: "n", dataJson: '{ "b": 1,\n "a": "<x>" }' },
    );
    expect(isSecretValue(r.inputs.dataJson)).toBe(true);
    const { plain } = unwrapSecrets(r.inputs);
    expect(plain.dataJson).toBe('{"a":"\\u003cx\\u003e","b":1}');
    expect(plain.deleteAllVersions).toBe(false);
    expect(plain.disableRead).toBe(false);
  });

  it("refuses invalid inputs by field, without quoting the value", () => {
    const value = secretText("bad");
    const r = checkSecretV2(urn("bad"), {}, { mount: "", name: "n", dataJson: `not json ${value}`, cas: -1 });
    expect(r.failures.map((f) => f.property).sort()).toEqual(["cas", "dataJson", "mount"]);
    expect(JSON.stringify(r.failures)).not.toContain(value);
    expect(
      checkSecretV2(urn("arr"), {}, { mount: "secret", name: "n", dataJson: "[1]" }).failures[0].reason,
    ).toMatch(/JSON object/);
    expect(
      checkSecretV2(urn("wo"), {}, { mount: "secret", name: "n", dataJsonWo: "{}" }).failures.map(
        (f) => f.property,
      ),
    ).toEqual(["dataJsonWo", "dataJson"]);
  });

  it("passes unknown values (preview) unchecked", () => {
    const r = checkSecretV2(
      urn("u"),
      {},
      { mount: "secret", name: "n", dataJson: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
    );
    expect(r.failures).toEqual([]);
    // Defaults are filled whatever else is unknown, as the bridged provider's check does: a bump's preview (whose
    // dataJson is computed) does not show `- deleteAllVersions: false` leaving.
    expect(unwrapSecrets(r.inputs).plain).toMatchObject({ deleteAllVersions: false, disableRead: false });
    const given = checkSecretV2(
      urn("u"),
      {},
      {
        mount: "secret",
        name: "n",
        deleteAllVersions: true,
        dataJson: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      },
    );
    expect(unwrapSecrets(given.inputs).plain.deleteAllVersions).toBe(true);
  });

  it("mount and name replace; dataJson, cas, options, deleteAllVersions and customMetadata update; reformatting is no change", () => {
    const olds = {
      mount: "secret",
      name: "n",
      dataJson: secretValue('{"a":1}'),
      deleteAllVersions: false,
      disableRead: false,
      metadata: { version: "1" },
    };
    expect(diffSecretV2(olds, { ...olds, dataJson: secretValue('{ "a": 1 }') })).toEqual({
      changes: false,
      replaces: [],
      updates: [],
    });
    expect(diffSecretV2(olds, { ...olds, mount: "kv" }).replaces).toEqual(["mount"]);
    expect(diffSecretV2(olds, { ...olds, name: "m" }).replaces).toEqual(["name"]);
    expect(diffSecretV2(olds, { ...olds, dataJson: secretValue('{"a":2}') }).updates).toEqual(["dataJson"]);
    expect(
      diffSecretV2(olds, { ...olds, cas: 1, options: { x: "y" }, deleteAllVersions: true }).updates,
    ).toEqual(["cas", "options", "deleteAllVersions"]);
    const withCustom = {
      ...olds,
      customMetadata: { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 },
    };
    expect(diffSecretV2(withCustom, { ...olds }).changes).toBe(false);
    expect(diffSecretV2(withCustom, { ...olds, customMetadata: { maxVersions: 3 } }).updates).toEqual([
      "customMetadata",
    ]);
  });

  it("reads Vault's durations and normalizes like Go's encoding/json", () => {
    expect(goDurationSeconds("1h0m0s")).toBe(3600);
    expect(goDurationSeconds("0s")).toBe(0);
    expect(goDurationSeconds("1m30.5s")).toBe(90.5);
    expect(normalizeDataJson('{"z":{"b":true,"a":null},"a":[2,1]}')).toBe(
      '{"a":[2,1],"z":{"a":null,"b":true}}',
    );
  });
});
