// The rules every change of an app's rotation config must follow, checked by the slot resources themselves.
//
// Each credential slot records the app's generation and rollback flag as they were when the slot was last
// applied (`SlotContext`). The holder slot is the first resource of a rotation that writes to Okta, and a
// resource's `check` runs before anything of it is written — in `pulumi preview` and, the same, under
// `pulumi up --skip-preview` and the Automation API. A slot's recorded context changes only when the slot's own
// step succeeds, so a refused change leaves nothing behind that a later run could mistake for progress.
//
// What a slot's recorded generation says: a finished rotation to generation s updates both slots (the holder at
// its start, the retired slot at its end), so both record s. At a bump to s + 1 the new holder is the slot that
// was retired at s: it records s when that rotation finished, and s − 1 when it was interrupted before its end.
// Pure, Okta-free.

import { sameValue } from "./validation";

/** The app-level config a slot was last applied with. */
export interface SlotContext {
  /** The app's logical name, for messages. */
  readonly app: string;
  /** The app's generation (for key slots: the key generation). */
  readonly generation: number;
  /** Whether the app was rolled back to generation − 1. */
  readonly rollback: boolean;
  /** Secret slots: `revoke: true` was set (recorded only when set, so that older state reads the same). */
  readonly revoke?: boolean;
  /** Secret slots at onboarding: the secret adopted as generation − 1 (an id, or an output resolved to one). */
  readonly adopting?: unknown;
}

/**
 * Whether a slot's recorded context changed in more than the app's name, so that the slot must be updated to record
 * it. A rename (with `formerNames`) changes only the name: the resource is left as it is, and the engine records the
 * new inputs all the same (a step that changes nothing keeps the outputs and takes the new inputs), so the next
 * check sees the new name. An update instead would show in the preview as a change of everything that reads the
 * slot's outputs (a dynamic resource's preview of an update knows none of them), which the `up` never makes. Pure.
 */
export function slotRecordChanged(olds: unknown, news: unknown): boolean {
  const withoutName = (c: unknown) =>
    c !== null && typeof c === "object" && !Array.isArray(c) ? { ...(c as object), app: undefined } : c;
  return !sameValue(withoutName(olds), withoutName(news));
}

/** What the credential is called in messages, and the config field that numbers it. */
export interface SlotVocabulary {
  readonly credential: "secret" | "key";
  readonly field: "generation" | "privateKeyJwt.keyGeneration";
}

/** The words of client secret slots: a secret, numbered by `generation`. */
export const SECRET_SLOTS: SlotVocabulary = { credential: "secret", field: "generation" };
/** The words of key slots: a key, numbered by `privateKeyJwt.keyGeneration`. */
export const KEY_SLOTS: SlotVocabulary = { credential: "key", field: "privateKeyJwt.keyGeneration" };

/**
 * Why changing from `before` (the slot's last applied context) to `after` is unsafe, or undefined when it is
 * safe. Each reason names the app, what is wrong and exactly what to set instead.
 */
export function slotTransitionProblem(
  before: SlotContext | undefined,
  after: SlotContext,
  words: SlotVocabulary = SECRET_SLOTS,
): string | undefined {
  if (before === undefined) return undefined;
  const { field, credential } = words;
  const app = `app '${after.app}'`;
  const a = before.generation;
  const g = after.generation;
  if (g < a) {
    return (
      `${app}: ${field} went down from ${a} to ${g}. Generations only go up, and ${a} is what the app's ` +
      `consumers were last given. Set ${field} back to ${a}` +
      (credential === "secret"
        ? `; to go back to the previous secret, keep ${a} and set rollback: true.`
        : `; to go back to a client secret, keep ${a} and set privateKeyJwt.rollback: true.`)
    );
  }
  if (g >= a + 3) {
    return (
      `${app}: ${field} jumped from ${a} to ${g}. Bump one generation at a time: set ${field} to ${a + 1}, ` +
      `run pulumi up, and bump again. Each rotation replaces the ${credential} two generations back; skipping ` +
      `one would replace the ${credential} running pods hold.`
    );
  }
  if (g === a + 2) {
    return (
      `${app}: ${field} ${g} would replace the ${credential} of generation ${g - 2}, but the rotation to ` +
      `${g - 1} has not finished (it was interrupted, or ${g - 1} was skipped), so pods may still hold it. Set ` +
      `${field} to ${g - 1} and run pulumi up to finish that rotation, then bump to ${g}.`
    );
  }
  if (g === a + 1 && before.rollback) {
    return (
      `${app}: the last run rolled back to generation ${a - 1}, whose slot ${field} ${g} would replace. First ` +
      `remove rollback at ${field} ${a} (pods go back to ${a}), then bump to ${g}.`
    );
  }
  if (after.rollback && g !== a) {
    return `${app}: a rollback keeps the generation; set ${field} back to ${a}, or remove rollback.`;
  }
  if (after.revoke === true && before.revoke !== true && g === a && !after.rollback) {
    // What a revoke retires is the previous generation's secret, which at an unchanged generation is the one
    // retired already (INACTIVE): the current secret, the one that leaked, would stay ACTIVE.
    return (
      `${app}: revoke: true without a bump would delete the previous secret (generation ${a - 1}), which is ` +
      `INACTIVE already, and leave the current secret (generation ${a}) ACTIVE. To revoke the secret clients ` +
      `hold now, set ${field} to ${a + 1} together with revoke: true: that creates and delivers a new secret, then ` +
      `deactivates and deletes generation ${a} in the same run. If the run that reached generation ${a} was ` +
      `itself the revoke, remove revoke.`
    );
  }
  if (before.revoke === true && after.revoke !== true && g === a && !after.rollback) {
    // The Revocation that deleted the previous secret is registered only while revoke is set: removing it without a
    // bump would drop the deletion from the audit record, and change nothing in Okta.
    return (
      `${app}: revoke was removed at ${field} ${a}, whose rotation revoked (deleted) the previous secret: that ` +
      `would drop the revocation from the audit record (previous.deletedAt) and change nothing else. Keep ` +
      `revoke: true until the next rotation, and remove it in the same change that sets ${field} to ${a + 1} ` +
      `(that rotation then keeps the usual overlap; left set, it would revoke again).`
    );
  }
  if (
    before.adopting !== undefined &&
    after.adopting === undefined &&
    a === 1 &&
    g === 1 &&
    credential === "secret"
  ) {
    // At generation 1 the adopted secret is the only previous one: the plan has no retired slot without it.
    return (
      `${app}: adoptSecretId was removed at generation 1, where the adopted secret is generation 0, kept ` +
      `INACTIVE for rollback: without adoptSecretId the stack would delete it. Keep adoptSecretId as it is, and ` +
      `remove it in the same change that sets ${field} to 2 (that rotation replaces generation 0 anyway).`
    );
  }
  return undefined;
}

/** How a resource words its refusal to replace its credential while that is still ACTIVE. */
export interface ActiveReplacementWords {
  /** The credential as the resource names it, e.g. `ClientSecret ocs1 of app 0oa1`. */
  readonly name: string;
  readonly credential: SlotVocabulary["credential"];
  /** The rotation that retires it: `rotation`, `key rotation`. */
  readonly rotation: string;
  /** What clients may still do with it: `hold`, `sign with`. */
  readonly use: string;
  /** What that rotation waits for before it deactivates it: `delivered`, `delivered and proven`. */
  readonly successorIs: string;
  /** How to get back to that rotation, e.g. `Set generation back to the previous value`. */
  readonly finish: string;
  /** The refusal when no generation was bumped (another field replaces it); without it, worded as a bump. */
  readonly notBumped?: (subject: string, fields: string) => string;
  /** Ends every refusal, e.g. ` Nothing was changed.` */
  readonly closing?: string;
}

/**
 * Why replacing a slot's credential is unsafe when the resource asks for it (`replaceOnlyInactive`): in a
 * rotation slot, an ACTIVE credential about to be replaced means the previous rotation never retired it, and
 * clients may still use it. Returns the reason, worded by the resource, or undefined when the replacement is
 * safe (nothing replaced, not asked, or INACTIVE).
 */
export function activeReplacementProblem(
  olds: Partial<Record<string, unknown>>,
  news: Partial<Record<string, unknown>>,
  replaces: readonly string[],
  words: ActiveReplacementWords,
): string | undefined {
  if (replaces.length === 0 || news.replaceOnlyInactive !== true || olds.status !== "ACTIVE")
    return undefined;
  const from = typeof olds.generation === "number" ? ` (generation ${olds.generation})` : "";
  const closing = words.closing ?? "";
  if (words.notBumped && !replaces.includes("generation"))
    return words.notBumped(`${words.name}${from}`, replaces.join(" and ")) + closing;
  const to = typeof news.generation === "number" ? ` for generation ${news.generation}` : "";
  return (
    `${words.name}${from} would be deleted and replaced${to}, but it is still ACTIVE: the previous ` +
    `${words.rotation} did not finish retiring it, and clients may still ${words.use} it. ${words.finish} and ` +
    `run pulumi up to finish that rotation (it deactivates this ${words.credential} once its successor is ` +
    `${words.successorIs}), then bump again.${closing}`
  );
}
