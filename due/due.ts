// Which apps are due for rotation: the current credential's age against the app's `maxCredentialAgeDays`.
// Pure helpers: they take the validated apps, what Okta listed and the time, and compute rows, the table, the
// refusals and the exit code. Reading Okta and the stack config file lives in okta.ts and configFile.ts.

import type { AppConfig } from "../components/config";

const DAY_MS = 86_400_000;

/** Exit codes of `okta-rotation-due` (docs/operations.md#rotation-when-due). */
export const EXIT = {
  /** Nothing is due; or, with `--write`, every due app was bumped. */
  ok: 0,
  /** The config could not be read or validated, or Okta could not be read: nothing was written. */
  error: 1,
  /** Unknown or conflicting options. */
  usage: 2,
  /** At least one app is due and `--write` was not given. */
  due: 3,
  /** With `--write`: at least one due app was refused (unfinished state); the others were bumped. */
  refused: 4,
} as const;

/** A client secret or JSON Web Key as Okta lists it: the fields this module reads. */
export interface ListedCredential {
  readonly id: string;
  readonly status: "ACTIVE" | "INACTIVE";
  readonly created?: string;
}

/** What kind of credential the app authenticates with, and which config field rotates it. */
export interface CredentialKind {
  readonly kind: "clientSecret" | "privateKey";
  /** The config field a bump changes, inside the app: `generation` or `privateKeyJwt.keyGeneration`. */
  readonly field: "generation" | "privateKeyJwt.keyGeneration";
  /** Its value now. */
  readonly generation: number;
}

/**
 * What the report judges and a bump changes, whichever kind of program keeps it: an app of the stack config's
 * `apps` list (`targetOfApp`), or a SecretRotation / KeyRotation of a program that uses the components, read from
 * the stack's state (stackState.ts).
 */
export interface DueTarget {
  /** The app's `name`, or the component's name. */
  readonly name: string;
  readonly appId: string;
  readonly kind: CredentialKind["kind"];
  /** What a bump raises, as the report names it: `generation`, or where the program keeps it. */
  readonly field: string;
  /** Its value now. */
  readonly generation: number;
  /** The age at which the current credential is due; undefined: never. */
  readonly maxCredentialAgeDays?: number;
  /** Rolled back to the previous secret (`rollback: true`). */
  readonly rollback: boolean;
  /** Going back from private_key_jwt to a client secret. */
  readonly keyRollback: boolean;
  /** `revoke: true`: every bump is an emergency revoke. */
  readonly revoke: boolean;
  /** How the program names those three settings, for the refusals: e.g. `privateKeyJwt.rollback: true`. */
  readonly names: { readonly rollback: string; readonly keyRollback: string; readonly revoke: string };
  /** Why `--write` cannot bump this one (the generation is not where the tool can write it), if so. */
  readonly notWritable?: string;
}

/** An app of the stack config's `apps` list as the report judges it. Pure. */
export function targetOfApp(app: AppConfig): DueTarget {
  const k = credentialKind(app);
  return {
    name: app.name,
    appId: app.appId,
    kind: k.kind,
    field: k.field,
    generation: k.generation,
    ...(app.maxCredentialAgeDays !== undefined ? { maxCredentialAgeDays: app.maxCredentialAgeDays } : {}),
    rollback: app.rollback,
    keyRollback: app.privateKeyJwt?.rollback === true,
    revoke: app.revoke,
    names: {
      rollback: "rollback: true",
      keyRollback: "privateKeyJwt.rollback: true",
      revoke: "revoke: true",
    },
  };
}

/** For a private_key_jwt app the current key is what ages; for any other, the current client secret. */
export function credentialKind(app: AppConfig): CredentialKind {
  const pkj = app.privateKeyJwt;
  if (pkj?.enabled && !pkj.rollback) {
    return { kind: "privateKey", field: "privateKeyJwt.keyGeneration", generation: pkj.keyGeneration };
  }
  return { kind: "clientSecret", field: "generation", generation: app.generation };
}

/**
 * The current credential: the ACTIVE one with the newest `created` (ties: the later in Okta's list), and how many
 * are ACTIVE. Undefined when none is ACTIVE. Pure.
 */
export function currentCredential(
  listed: readonly ListedCredential[],
): { readonly id: string; readonly created: string; readonly active: number } | undefined {
  const active = listed.filter((c) => c.status === "ACTIVE" && c.created !== undefined);
  let best: ListedCredential | undefined;
  for (const c of active) {
    if (best === undefined || Date.parse(c.created!) >= Date.parse(best.created!)) best = c;
  }
  return best === undefined ? undefined : { id: best.id, created: best.created!, active: active.length };
}

/** Whole days from `created` to `nowMs` (rounded down; 0 for a credential from the future). Pure. */
export function ageInDays(created: string, nowMs: number): number {
  const t = Date.parse(created);
  if (Number.isNaN(t)) throw new Error(`not a timestamp: ${JSON.stringify(created)}`);
  return Math.max(0, Math.floor((nowMs - t) / DAY_MS));
}

/**
 * Why a due app must not be bumped now, from its config and what Okta shows, or undefined. A bump then would be
 * refused by `pulumi up` or would do something else than a scheduled rotation. Pure.
 */
export function unfinishedState(target: DueTarget, activeCredentials: number): string | undefined {
  const what = `app '${target.name}'`;
  if (target.rollback) {
    return (
      `${what} is rolled back (${target.names.rollback}): a bump from a rollback is refused. Remove rollback and ` +
      `run pulumi up first (the current generation comes back), then the next scheduled run bumps it`
    );
  }
  if (target.keyRollback) {
    return (
      `${what} is going back from private_key_jwt (${target.names.keyRollback}): there is no key rotation to ` +
      `schedule. Finish or undo that rollback first`
    );
  }
  if (target.revoke) {
    return (
      `${what} has ${target.names.revoke}, which makes every bump an emergency revoke (no overlap, the previous ` +
      `secret deleted at once). Bump it by hand and remove revoke in the same change: that rotation keeps the overlap`
    );
  }
  if (activeCredentials > 1) {
    const noun = target.kind === "privateKey" ? "keys" : "secrets";
    return (
      `${what} has ${activeCredentials} ACTIVE ${noun} in Okta: a rotation has not finished. Run pulumi up with the ` +
      `current config to finish it, then the next scheduled run bumps it if it is still due`
    );
  }
  return target.notWritable;
}

/** One line of the report. */
export interface DueRow {
  readonly app: string;
  readonly kind: CredentialKind["kind"];
  readonly field: string;
  /** Its value now; unknown for a rotation whose state could not be judged. */
  readonly generation?: number;
  readonly credentialId?: string;
  readonly created?: string;
  readonly ageDays?: number;
  /** `maxCredentialAgeDays`, or undefined: never due. */
  readonly maxAgeDays?: number;
  readonly due: boolean;
  /** Why a due app is not bumped (see `unfinishedState`). */
  readonly refused?: string;
  /** Okta could not be read for this app, or it has no ACTIVE credential. */
  readonly error?: string;
}

/** What Okta listed for an app's credential kind, or why it could not be read. */
export type Listing = { readonly credentials: readonly ListedCredential[] } | { readonly error: string };

/** The report line of one app (or one rotation of a component program). Pure. */
export function dueRow(subject: AppConfig | DueTarget, listing: Listing, nowMs: number): DueRow {
  const t = "names" in subject ? subject : targetOfApp(subject);
  const base = {
    app: t.name,
    kind: t.kind,
    field: t.field,
    generation: t.generation,
    ...(t.maxCredentialAgeDays !== undefined ? { maxAgeDays: t.maxCredentialAgeDays } : {}),
  };
  if ("error" in listing) return { ...base, due: false, error: listing.error };
  const current = currentCredential(listing.credentials);
  if (current === undefined) {
    const noun = t.kind === "privateKey" ? "JSON Web Key" : "client secret";
    return {
      ...base,
      due: false,
      error:
        `app '${t.name}' (${t.appId}) has no ACTIVE ${noun} in Okta; check the app in the Admin Console ` +
        `(it has ${listing.credentials.length})`,
    };
  }
  const ageDays = ageInDays(current.created, nowMs);
  const due = t.maxCredentialAgeDays !== undefined && ageDays >= t.maxCredentialAgeDays;
  const refused = due ? unfinishedState(t, current.active) : undefined;
  return {
    ...base,
    credentialId: current.id,
    created: current.created,
    ageDays,
    due,
    ...(refused !== undefined ? { refused } : {}),
  };
}

/** The apps `--write` bumps: due, not refused, no error. Pure. */
export function appsToBump(rows: readonly DueRow[]): DueRow[] {
  return rows.filter((r) => r.due && r.refused === undefined && r.error === undefined);
}

/** The exit code for these rows (see EXIT). Pure. */
export function exitCodeOf(rows: readonly DueRow[], write: boolean): number {
  if (rows.some((r) => r.error !== undefined)) return EXIT.error;
  if (!rows.some((r) => r.due)) return EXIT.ok;
  if (!write) return EXIT.due;
  return rows.some((r) => r.due && r.refused !== undefined) ? EXIT.refused : EXIT.ok;
}

/** The DUE column: yes / no / refused / error. */
function dueCell(r: DueRow, write: boolean): string {
  if (r.error !== undefined) return "error";
  if (!r.due) return "no";
  if (r.refused !== undefined) return "due, refused";
  return write ? "due, bumped" : "due";
}

/** The report as a plain-text table, then one line per refusal or error. Pure. */
export function formatTable(rows: readonly DueRow[], write: boolean): string {
  const header = ["APP", "CREDENTIAL", "CREATED", "AGE (DAYS)", "MAX", "DUE"];
  const lines = rows.map((r) => [
    r.app,
    r.credentialId ?? "-",
    r.created ?? "-",
    r.ageDays === undefined ? "-" : String(r.ageDays),
    r.maxAgeDays === undefined ? "-" : String(r.maxAgeDays),
    dueCell(r, write) +
      (r.due && r.refused === undefined && write
        ? ` (${r.field} ${r.generation!} → ${r.generation! + 1})`
        : ""),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const out = [render(header), ...lines.map(render)];
  for (const r of rows) {
    if (r.error !== undefined) out.push(`error: ${r.error}`);
    else if (r.refused !== undefined) out.push(`refused: ${r.refused}`);
  }
  return out.join("\n");
}
