// `vault:kv/secretV2:SecretV2` with the semantics pulumi-vault 7.8.0 has — it bridges terraform-provider-vault
// v5.8.0's `vault_kv_secret_v2` (vault/resource_kv_secret_v2.go) and documents them on
// https://www.pulumi.com/registry/packages/vault/api-docs/kv/secretv2/ :
//
// - the id and `path` are `<mount>/data/<name>`; `mount` and `name` replace, every other input updates;
// - create and every update write the whole `dataJson` as a new KV v2 version (so an update of `cas`, `options`,
//   `deleteAllVersions`, … writes a version too), then `customMetadata` to `<mount>/metadata/<name>` when given;
// - `dataJson` must be a JSON object; it is kept normalized (compact, keys sorted), so a reformatting diffs as no change;
// - read (refresh) leaves `dataJson` as it is and sets `data` to an empty map (deprecated in 7.x: "will no longer be
//   set on a read"); it refreshes `metadata` (created_time, custom_metadata, deletion_time, destroyed, version, as
//   strings) and `customMetadata`. An entry whose metadata is gone is gone from the stack; an entry whose latest
//   version is soft-deleted stays, with `deletion_time` set. `disableRead: true` reads nothing;
// - delete soft-deletes the latest version (`DELETE <mount>/data/<name>`), or with `deleteAllVersions: true` removes
//   the metadata and every version (`DELETE <mount>/metadata/<name>`);
// - `dataJson` and `data` are secret outputs.
//
// One deliberate difference: `cas` is sent where Vault reads it (`options.cas`), as the docs describe it ("cas must be
// set to the current version of the secret"). The official provider sends it next to `data`, where Vault ignores it
// (hashicorp/terraform-provider-vault#1727, #2472). Not served: `dataJsonWo`/`dataJsonWoVersion` and `namespace`.

import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { CheckFailure } from "@pulumi/pulumi/provider";
import { VaultApiError, type VaultClient } from "./client";
import {
  UNKNOWN,
  unwrapSecrets,
  urnName,
  wrapSecrets,
  type CheckOutcome,
  type PropertyBag,
} from "../plugin-host";

export const SECRET_V2_TYPE = "vault:kv/secretV2:SecretV2";

/** Outputs that are always secret, as in pulumi-vault's schema. */
export const SECRET_OUTPUTS = ["dataJson", "data"] as const;

const NOT_SERVED = "is not served by the local environment's vault plugin";

export function secretV2InputsSchema() {
  const count = (field: string) =>
    z
      .number({ error: `${field} must be a number` })
      .int(`${field} must be a whole number`)
      .nonnegative(`${field} must not be negative`);
  return z.object({
    mount: z
      .string({ error: "mount is required: the path where the KV v2 engine is mounted, e.g. secret" })
      .trim()
      .min(1, "mount must not be empty (the path where the KV v2 engine is mounted, e.g. secret)"),
    name: z
      .string({ error: "name must be a string: the entry's path inside the mount, e.g. apps/billing" })
      .trim()
      .min(1, "name must not be empty (the entry's path inside the mount, e.g. apps/billing)"),
    dataJson: z
      .string({
        error: "dataJson is required: a JSON object, the secret's data (dataJsonWo " + NOT_SERVED + ")",
      })
      .superRefine((s, ctx) => {
        // JSON.parse's message quotes the text: never passed on.
        let v: unknown;
        try {
          v = JSON.parse(s);
        } catch {
          ctx.addIssue({
            code: "custom",
            message: "dataJson is not valid JSON; give a JSON object, e.g. JSON.stringify({...})",
          });
          return;
        }
        if (typeof v !== "object" || v === null || Array.isArray(v)) {
          ctx.addIssue({
            code: "custom",
            message: "dataJson must be a JSON object (the secret's keys and values)",
          });
        }
      }),
    cas: count("cas").optional(),
    options: z.record(z.string(), z.string({ error: "options values must be strings" })).optional(),
    deleteAllVersions: z.boolean({ error: "deleteAllVersions must be true or false" }).default(false),
    disableRead: z.boolean({ error: "disableRead must be true or false" }).default(false),
    customMetadata: z
      .object({
        maxVersions: count("customMetadata.maxVersions").optional(),
        casRequired: z.boolean({ error: "customMetadata.casRequired must be true or false" }).optional(),
        deleteVersionAfter: count("customMetadata.deleteVersionAfter").optional(),
        data: z
          .record(z.string(), z.string({ error: "customMetadata.data values must be strings" }))
          .optional(),
      })
      .optional(),
  });
}

export type SecretV2Inputs = z.infer<ReturnType<typeof secretV2InputsSchema>>;
export type CustomMetadata = NonNullable<SecretV2Inputs["customMetadata"]>;

/** JSON as Go's encoding/json writes a map: compact, keys sorted at every level, <, >, & and U+2028/9 escaped. */
export function goJson(v: unknown): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (typeof x === "object" && x !== null) {
      return Object.fromEntries(
        Object.keys(x)
          .sort()
          .map((k) => [k, sorted((x as PropertyBag)[k])]),
      );
    }
    return x;
  };
  return JSON.stringify(sorted(v)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `dataJson` as it is kept in state (the provider's StateFunc): re-encoded, so formatting and key order do not diff. */
export function normalizeDataJson(dataJson: string): string {
  return goJson(JSON.parse(dataJson));
}

/** A map of strings as the provider stores one: strings as they are, anything else as JSON. */
export function stringMap(v: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : goJson(x)]));
}

/** Seconds of a Go duration string as Vault prints `delete_version_after` ("1h0m0s", "0s", "1m30.5s"). */
export function goDurationSeconds(d: string): number {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let matched = "";
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  if (matched !== d.replace(/^[+-]/, "") || matched === "") throw new Error(`not a duration: ${d}`);
  return d.startsWith("-") ? -total : total;
}

/** `<mount>/data/<name>`: the id and the `path` output. */
export function secretV2Id(mount: string, name: string): string {
  return `${mount}/data/${name}`;
}

/** Mount and name from an id (`<mount>/data/<name>`; the first `/data/` separates them, as in the provider). */
export function parseSecretV2Id(id: string): { mount: string; name: string } | undefined {
  const m = /^(.+?)\/data\/(.+)$/.exec(id);
  return m ? { mount: m[1], name: m[2] } : undefined;
}

/** A name for a SecretV2 without one: the resource name, a dash, 7 random hex digits (pulumi-vault's autonaming). */
export function autoName(resourceName: string): string {
  return `${resourceName}-${randomBytes(4).toString("hex").slice(0, 7)}`;
}

function sameCustomMetadata(a: CustomMetadata | undefined, b: CustomMetadata | undefined): boolean {
  const norm = (c: CustomMetadata | undefined) =>
    goJson({
      maxVersions: c?.maxVersions ?? 0,
      casRequired: c?.casRequired ?? false,
      deleteVersionAfter: c?.deleteVersionAfter ?? 0,
      data: c?.data ?? {},
    });
  return norm(a) === norm(b);
}

/** The JSON-friendly value of an optional input: absent, null and an empty map are the same (as in the provider). */
function optionalValue(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) return "";
  return goJson(v);
}

/**
 * Validates and normalizes a SecretV2's inputs. `name` is autonamed when absent (kept from `olds` once chosen);
 * unknown values (preview) pass unchecked. Reasons name the field and never quote a value.
 */
export function checkSecretV2(urn: string, rawOlds: PropertyBag, rawNews: PropertyBag): CheckOutcome {
  const { plain: news, secretKeys } = unwrapSecrets(rawNews);
  const { plain: olds } = unwrapSecrets(rawOlds);
  const failures: CheckFailure[] = [];
  for (const field of ["dataJsonWo", "dataJsonWoVersion", "namespace"]) {
    if (news[field] !== undefined && news[field] !== null) {
      const instead = field === "namespace" ? "remove it (Vault Enterprise only)" : "use dataJson";
      failures.push({ property: field, reason: `${field} ${NOT_SERVED}; ${instead}` });
    }
  }
  if (news.name === undefined || news.name === null) {
    news.name = typeof olds.name === "string" && olds.name !== "" ? olds.name : autoName(urnName(urn));
  }
  const known: PropertyBag = {};
  const unknown: PropertyBag = {};
  for (const [k, v] of Object.entries(news)) {
    if (k === "__defaults") continue;
    (v === UNKNOWN ? unknown : known)[k] = v;
  }
  const parsed = secretV2InputsSchema().safeParse(known);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const property = issue.path.map(String).join(".");
      if (String(issue.path[0] ?? "") in unknown) continue;
      failures.push({ property, reason: issue.message });
    }
  }
  if (failures.length > 0) return { inputs: rawNews, failures };
  // Schema defaults are filled whatever else is unknown, as the bridged provider's check fills them (a preview of an
  // update whose dataJson is computed would otherwise show `- deleteAllVersions: false` leaving the inputs).
  const defaults: PropertyBag = { deleteAllVersions: false, disableRead: false };
  const inputs: PropertyBag = { ...(parsed.success ? parsed.data : { ...defaults, ...known }), ...unknown };
  if (typeof inputs.dataJson === "string" && inputs.dataJson !== UNKNOWN) {
    inputs.dataJson = normalizeDataJson(inputs.dataJson);
  }
  return { inputs: wrapSecrets(inputs, new Set([...secretKeys, "dataJson"])), failures: [] };
}

export interface SecretV2Diff {
  readonly changes: boolean;
  readonly replaces: string[];
  readonly updates: string[];
}

/** What changes between the last outputs and the checked inputs: `mount`/`name` replace, the rest update. */
export function diffSecretV2(rawOlds: PropertyBag, rawNews: PropertyBag): SecretV2Diff {
  const { plain: olds } = unwrapSecrets(rawOlds);
  const { plain: news } = unwrapSecrets(rawNews);
  const differs = (key: string, norm: (v: unknown) => string = optionalValue) =>
    news[key] === UNKNOWN || olds[key] === UNKNOWN || norm(olds[key]) !== norm(news[key]);
  const replaces = ["mount", "name"].filter((k) => differs(k));
  const updates: string[] = [];
  const dataJsonNorm = (v: unknown) => {
    if (typeof v !== "string") return "";
    try {
      return normalizeDataJson(v);
    } catch {
      return v;
    }
  };
  if (differs("dataJson", dataJsonNorm)) updates.push("dataJson");
  for (const key of ["cas", "options"]) if (differs(key)) updates.push(key);
  for (const key of ["deleteAllVersions", "disableRead"]) {
    if (differs(key, (v) => String(v === true))) updates.push(key);
  }
  // Optional and computed: only a customMetadata the program gives is compared.
  if (news.customMetadata !== undefined && news.customMetadata !== null) {
    if (
      news.customMetadata === UNKNOWN ||
      !sameCustomMetadata(
        olds.customMetadata as CustomMetadata | undefined,
        news.customMetadata as CustomMetadata,
      )
    ) {
      updates.push("customMetadata");
    }
  }
  return { changes: replaces.length + updates.length > 0, replaces, updates };
}

export interface SecretV2State {
  readonly id: string;
  readonly outputs: PropertyBag;
}

/** Pause between retries of a write Vault refused with 400 (eventual consistency of a new mount), as the provider. */
export interface WriteRetry {
  readonly tries: number;
  readonly delayMs: number;
}

export const DEFAULT_WRITE_RETRY: WriteRetry = { tries: 60, delayMs: 500 };

/** The SecretV2 operations against one Vault. */
export class SecretV2Resource {
  constructor(
    private readonly client: () => VaultClient,
    private readonly retry: WriteRetry = DEFAULT_WRITE_RETRY,
  ) {}

  private label(urn: string): string {
    return `${SECRET_V2_TYPE} '${urnName(urn)}'`;
  }

  async create(urn: string, rawInputs: PropertyBag): Promise<SecretV2State> {
    const { plain, secretKeys } = unwrapSecrets(rawInputs);
    const inputs = secretV2InputsSchema().parse(plain);
    const id = await this.write(urn, inputs);
    const outputs = inputs.disableRead ? undefined : await this.readOutputs(urn, id, inputs);
    return {
      id,
      outputs: wrapSecrets(outputs ?? { ...inputs, path: id }, [...secretKeys, ...SECRET_OUTPUTS]),
    };
  }

  async update(urn: string, id: string, rawNews: PropertyBag): Promise<PropertyBag> {
    const { plain, secretKeys } = unwrapSecrets(rawNews);
    const inputs = secretV2InputsSchema().parse(plain);
    const written = await this.write(urn, inputs);
    if (written !== id) {
      throw new Error(`${this.label(urn)}: an update would move ${id} to ${written}; mount and name replace`);
    }
    const outputs = inputs.disableRead ? undefined : await this.readOutputs(urn, id, inputs);
    return wrapSecrets(outputs ?? { ...inputs, path: id }, [...secretKeys, ...SECRET_OUTPUTS]);
  }

  /** Refresh: `undefined` when the entry is gone (its metadata deleted). */
  async read(
    urn: string,
    id: string,
    rawProps: PropertyBag,
  ): Promise<{ outputs: PropertyBag; inputs?: PropertyBag } | undefined> {
    const { plain: props, secretKeys } = unwrapSecrets(rawProps);
    const parsedId = parseSecretV2Id(id);
    if (!parsedId) {
      throw new Error(
        `${this.label(urn)}: id ${id} is not <mount>/data/<name>; import a KV v2 entry by that path`,
      );
    }
    const importing = props.mount === undefined;
    const base: PropertyBag = {
      deleteAllVersions: false,
      disableRead: false,
      ...props,
      mount: parsedId.mount,
      name: parsedId.name,
    };
    const outputs = base.disableRead === true ? { ...base, path: id } : await this.readOutputs(urn, id, base);
    if (!outputs) return undefined;
    const wrapped = wrapSecrets(outputs, [...secretKeys, ...SECRET_OUTPUTS]);
    if (!importing) return { outputs: wrapped };
    return {
      outputs: wrapped,
      inputs: { mount: parsedId.mount, name: parsedId.name, deleteAllVersions: false, disableRead: false },
    };
  }

  async delete(urn: string, id: string, rawProps: PropertyBag): Promise<void> {
    const { plain: props } = unwrapSecrets(rawProps);
    const parsedId = parseSecretV2Id(id);
    const mount = typeof props.mount === "string" ? props.mount : parsedId?.mount;
    const name = typeof props.name === "string" ? props.name : parsedId?.name;
    if (!mount || !name) throw new Error(`${this.label(urn)}: cannot tell the mount and name of ${id}`);
    const apiPath = props.deleteAllVersions === true ? `${mount}/metadata/${name}` : `${mount}/data/${name}`;
    try {
      await this.client().request("DELETE", apiPath, undefined, [404]);
    } catch (e) {
      throw this.explain(urn, `deleting ${apiPath}`, e);
    }
  }

  /** Writes the data as a new version, then the custom metadata; returns the id. */
  private async write(urn: string, inputs: SecretV2Inputs): Promise<string> {
    const id = secretV2Id(inputs.mount, inputs.name);
    const options: Record<string, unknown> = { ...(inputs.options ?? {}) };
    if (inputs.cas !== undefined) options.cas = inputs.cas;
    const body = { data: JSON.parse(inputs.dataJson) as unknown, options };
    const client = this.client();
    for (let attempt = 1; ; attempt++) {
      try {
        await client.request("POST", id, body);
        break;
      } catch (e) {
        const retryable = e instanceof VaultApiError && e.status === 400 && !e.isCheckAndSet;
        if (!retryable || attempt >= this.retry.tries) throw await this.explainWrite(urn, id, inputs, e);
        await new Promise((r) => setTimeout(r, this.retry.delayMs));
      }
    }
    if (inputs.customMetadata) {
      const metadataPath = `${inputs.mount}/metadata/${inputs.name}`;
      const cm = inputs.customMetadata;
      // As the provider: only the fields given (and not zero) are written.
      const meta: PropertyBag = {};
      if (cm.maxVersions) meta.max_versions = cm.maxVersions;
      if (cm.casRequired) meta.cas_required = cm.casRequired;
      if (cm.deleteVersionAfter) meta.delete_version_after = cm.deleteVersionAfter;
      if (cm.data && Object.keys(cm.data).length > 0) meta.custom_metadata = cm.data;
      try {
        await client.request("POST", metadataPath, meta);
      } catch (e) {
        throw this.explain(urn, `writing the custom metadata to ${metadataPath}`, e);
      }
    }
    return id;
  }

  /**
   * The outputs after reading the entry: the inputs, `path`, `data` (empty: pulumi-vault 7.x no longer reads it),
   * `metadata` and `customMetadata`. `undefined` when the entry is gone.
   */
  private async readOutputs(urn: string, id: string, inputs: PropertyBag): Promise<PropertyBag | undefined> {
    const client = this.client();
    let answer;
    try {
      answer = await client.request("GET", id, undefined, [404]);
    } catch (e) {
      throw this.explain(urn, `reading ${id}`, e);
    }
    const data = answer.body?.data as { metadata?: PropertyBag } | undefined;
    // A 404 with metadata: the latest version is soft-deleted — still there. Without: gone.
    if (!data?.metadata) return undefined;
    const outputs: PropertyBag = { ...inputs, path: id, data: {}, metadata: stringMap(data.metadata) };
    if ("custom_metadata" in data.metadata) {
      const { mount, name } = parseSecretV2Id(id) ?? { mount: "", name: "" };
      const metadataPath = `${mount}/metadata/${name}`;
      let meta;
      try {
        meta = await client.request("GET", metadataPath, undefined, [404]);
      } catch (e) {
        throw this.explain(urn, `reading ${metadataPath}`, e);
      }
      const m = meta.body?.data as PropertyBag | undefined;
      if (m) {
        const cm: PropertyBag = {
          maxVersions: m.max_versions,
          casRequired: m.cas_required,
          deleteVersionAfter:
            typeof m.delete_version_after === "string" ? goDurationSeconds(m.delete_version_after) : 0,
        };
        if (m.custom_metadata) cm.data = m.custom_metadata;
        outputs.customMetadata = cm;
      }
    }
    return outputs;
  }

  private async explainWrite(urn: string, id: string, inputs: SecretV2Inputs, e: unknown): Promise<Error> {
    if (e instanceof VaultApiError && e.isCheckAndSet) {
      let current = "unknown";
      try {
        const meta = await this.client().request(
          "GET",
          `${inputs.mount}/metadata/${inputs.name}`,
          undefined,
          [404],
        );
        const v = (meta.body?.data as PropertyBag | undefined)?.current_version;
        current = typeof v === "number" ? String(v) : "none (the entry does not exist)";
      } catch {
        // Keep "unknown": the refusal is the error that matters.
      }
      const given = inputs.cas !== undefined ? `cas is ${inputs.cas}` : "cas is not set";
      return new Error(
        `${this.label(urn)}: Vault refused the write to ${id} — ${e.errors.join("; ")} (${given}; the entry's ` +
          `current version is ${current}). Set cas to the current version (0 writes only an entry that does not ` +
          `exist yet), or remove cas when the entry does not require check-and-set.`,
      );
    }
    return this.explain(urn, `writing ${id}`, e);
  }

  private explain(urn: string, what: string, e: unknown): Error {
    if (!(e instanceof VaultApiError))
      return new Error(`${this.label(urn)}: ${what}: ${(e as Error).message}`);
    let hint = "";
    if (e.status === 403)
      hint = "; the token needs the matching capability on that path (see the Vault policy)";
    if (e.status === 404 && e.errors.some((x) => x.includes("no handler for route"))) {
      hint = "; is a KV v2 secrets engine mounted there? Check `mount`";
    }
    return new Error(`${this.label(urn)}: ${what}: Vault answered ${e.message}${hint}`);
  }
}
