import { z } from "zod";

/** A gate's result and when it was reached. */
export const gateRecordSchema = z
  .object({
    /**
     * `podCensus` (no pod held an older credential), `tokenExchange` (the new credential proven), `assertion` (a key
     * proven), `refusal` (the old one refused).
     */
    gate: z.enum(["podCensus", "tokenExchange", "assertion", "refusal"]),
    /** What the gate established, in words: `token issued`, `overlap held`, `invalid_client`, … */
    result: z.string(),
    /** When (ISO 8601). */
    at: z.string(),
    /** The minimum overlap the gate waited for, in seconds. */
    minOverlapSeconds: z.number().int().nonnegative().optional(),
  })
  .strict();

/**
 * The audit record of an app's rotation: what the run that reached `generation` did, with Okta's own ids and
 * times. Only ids, versions and times: never a secret or a key.
 */
export const auditRecordSchema = z
  .object({
    app: z.string(),
    /** The generation consumers hold after the run (`generation`, or `privateKeyJwt.keyGeneration`). */
    generation: z.number().int().nonnegative(),
    kind: z.enum(["clientSecret", "privateKey"]),
    /** The credential consumers hold: Okta's id (and the key's `kid`) and Okta's `created`. */
    credential: z.object({ id: z.string(), kid: z.string().optional(), created: z.string() }).strict(),
    /** The Vault KV v2 version written for it. */
    vault: z
      .object({ mount: z.string(), path: z.string(), version: z.number().int().positive() })
      .strict()
      .optional(),
    /** Each consuming Deployment's ReplicaSet revision once its rollout was awaited. */
    rollouts: z
      .array(z.object({ namespace: z.string(), name: z.string(), revision: z.string().optional() }).strict())
      .default([]),
    gates: z.array(gateRecordSchema).default([]),
    /** The credential the run retired: deactivated (kept for a rollback), or revoked (deleted in the same run). */
    previous: z
      .object({
        id: z.string(),
        generation: z.number().int().nonnegative(),
        deactivatedAt: z.string().optional(),
        deletedAt: z.string().optional(),
      })
      .strict()
      .optional(),
    /** The credential of two generations back, deleted by the run to make room in its slot. */
    deleted: z.object({ id: z.string(), deletedAt: z.string() }).strict().optional(),
  })
  .strict();

/** The stack output `rotations.<app>.audit`: what the run that reached the current generation did (ids, versions and times, never a secret). */
export type AuditRecord = z.infer<typeof auditRecordSchema>;
/** An audit record as it is built, before its defaults are applied. */
export type AuditRecordInput = z.input<typeof auditRecordSchema>;
/** One gate's result in an audit record, and when it was seen. */
export type GateRecord = z.infer<typeof gateRecordSchema>;

/** The facts a SecretRotation has at the end of a run, as plain values (undefined: not part of this rotation). */
export interface SecretAuditFacts {
  readonly app: string;
  readonly generation: number;
  readonly secretId: string;
  readonly created: string | undefined;
  readonly replaced: { readonly secretId: string; readonly deletedAt: string } | undefined;
  readonly vault:
    { readonly mount: string; readonly path: string; readonly version: string | undefined } | undefined;
  readonly rollouts: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly revision: string | undefined;
  }[];
  readonly gate: {
    readonly exchange: boolean;
    readonly exchangeStatus: number | undefined;
    readonly openedAt: string | undefined;
    readonly minOverlapSeconds: number;
  };
  readonly refusal:
    { readonly refusal: string | undefined; readonly refusedAt: string | undefined } | undefined;
  /** The pod census, when the rotation has Deployments and the census on. */
  readonly census?: CensusFacts;
  readonly previous:
    | {
        readonly secretId: string;
        readonly generation: number;
        readonly deactivatedAt: string | undefined;
        readonly revokedAt: string | undefined;
      }
    | undefined;
}

/** What the pod census found when it opened. */
export interface CensusFacts {
  readonly clearedAt: string | undefined;
  readonly podsCounted: number | undefined;
}

/** The census as a gate record, or nothing while it is unknown. Pure. */
function censusGate(c: CensusFacts | undefined): GateRecordInput[] {
  if (c?.clearedAt === undefined) return [];
  return [
    { gate: "podCensus", result: `${c.podsCounted ?? 0} pod(s), all on the new generation`, at: c.clearedAt },
  ];
}

const defined = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The version number in a `vault.kv.SecretV2`'s `metadata.version` (a string), or undefined. Pure. */
export function kvVersion(version: string | undefined): number | undefined {
  const n = Number(version);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The audit record of a client secret rotation, checked against its schema. Pure. A fact that is not known
 * (during a preview, or a Vault provider that reports no version) is left out rather than guessed.
 */
export function secretAuditRecord(f: SecretAuditFacts): AuditRecord {
  const gates: GateRecordInput[] = censusGate(f.census);
  if (f.gate.openedAt !== undefined) {
    gates.push(
      defined({
        gate: "tokenExchange" as const,
        result: f.gate.exchange
          ? f.gate.exchangeStatus === 200
            ? "token issued"
            : `HTTP ${f.gate.exchangeStatus ?? "?"}`
          : "overlap held",
        at: f.gate.openedAt,
        minOverlapSeconds: f.gate.minOverlapSeconds,
      }),
    );
  }
  if (f.refusal?.refusedAt !== undefined) {
    gates.push({ gate: "refusal", result: f.refusal.refusal ?? "refused", at: f.refusal.refusedAt });
  }
  const version = kvVersion(f.vault?.version);
  return auditRecordSchema.parse(
    defined({
      app: f.app,
      generation: f.generation,
      kind: "clientSecret" as const,
      credential: defined({ id: f.secretId, created: f.created ?? "" }),
      vault:
        f.vault && version !== undefined ? { mount: f.vault.mount, path: f.vault.path, version } : undefined,
      rollouts: f.rollouts.map((r) =>
        defined({ namespace: r.namespace, name: r.name, revision: r.revision }),
      ),
      gates,
      previous: f.previous
        ? defined({
            id: f.previous.secretId,
            generation: f.previous.generation,
            deactivatedAt: f.previous.deactivatedAt,
            deletedAt: f.previous.revokedAt,
          })
        : undefined,
      deleted: f.replaced ? { id: f.replaced.secretId, deletedAt: f.replaced.deletedAt } : undefined,
    }),
  );
}

type GateRecordInput = z.input<typeof gateRecordSchema>;

/** The facts a KeyRotation has at the end of a run, as plain values. */
export interface KeyAuditFacts {
  readonly app: string;
  readonly generation: number;
  readonly keyId: string;
  readonly kid: string;
  readonly created: string | undefined;
  readonly vault: SecretAuditFacts["vault"];
  readonly rollouts: SecretAuditFacts["rollouts"];
  /** The gate before the switch and the proof after it (AssertionGate: what it proved, when). */
  readonly gates: readonly { readonly proof: string | undefined; readonly openedAt: string | undefined }[];
  readonly minOverlapSeconds: number;
  readonly census?: CensusFacts;
  readonly previous:
    | {
        readonly keyId: string;
        readonly generation: number;
        readonly status: string | undefined;
        readonly lastUpdated: string | undefined;
      }
    | undefined;
}

/**
 * The audit record of a key rotation (or the migration, generation 1), checked against its schema. Pure. The
 * previous key's deactivation time is Okta's `lastUpdated` of it once INACTIVE; a key's deletion (two generations
 * later, before its slot's new key is registered) is not recorded.
 */
export function keyAuditRecord(f: KeyAuditFacts): AuditRecord {
  const gates: GateRecordInput[] = censusGate(f.census);
  f.gates.forEach((g, i) => {
    if (g.openedAt === undefined) return;
    gates.push(
      defined({
        gate: "assertion" as const,
        result: g.proof === "exchange" ? "token issued" : "key registered and verifying",
        at: g.openedAt,
        minOverlapSeconds: i === 0 ? f.minOverlapSeconds : undefined,
      }),
    );
  });
  const version = kvVersion(f.vault?.version);
  return auditRecordSchema.parse(
    defined({
      app: f.app,
      generation: f.generation,
      kind: "privateKey" as const,
      credential: { id: f.keyId, kid: f.kid, created: f.created ?? "" },
      vault:
        f.vault && version !== undefined ? { mount: f.vault.mount, path: f.vault.path, version } : undefined,
      rollouts: f.rollouts.map((r) =>
        defined({ namespace: r.namespace, name: r.name, revision: r.revision }),
      ),
      gates,
      previous: f.previous
        ? defined({
            id: f.previous.keyId,
            generation: f.previous.generation,
            deactivatedAt: f.previous.status === "INACTIVE" ? f.previous.lastUpdated : undefined,
          })
        : undefined,
    }),
  );
}
