// The plan summary posted with a pull request's preview: per app, the numbered steps this `pulumi up` would carry
// out, in the order it carries them out — generated from the preview itself (`pulumi preview --json`), never
// written by hand. It names credentials by id (never a value: the JSON holds secrets as "[secret]", and nothing
// here reads a value field), the Vault path and version, the Deployments that roll, the gates, and what is
// deactivated and deleted.
//
// Usage: pulumi preview --json … > preview.json; tsx scripts/review/plan-summary.ts preview.json > summary.md

import * as fs from "fs";

/** One step of `pulumi preview --json` (the fields used here). */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly oldState?: StepState;
  readonly newState?: StepState;
}

interface StepState {
  readonly type?: string;
  readonly parent?: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

export interface PreviewJson {
  readonly steps?: readonly PreviewStep[];
}

/** What a preview step does to one resource: the steps of a replacement folded into one. */
export type Change = "create" | "update" | "replace" | "delete" | "same";

/** One resource of the preview with its old and new state, folded over its steps. */
export interface Planned {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly change: Change;
  /** Old state: inputs and outputs merged, outputs first (what Okta, Vault, the cluster held). */
  readonly old: Record<string, unknown>;
  /** New inputs (unknown values are `undefined` or the engine's placeholder). */
  readonly new: Record<string, unknown>;
}

const DYN = "pulumi-nodejs:dynamic/okta-rotation:";
const SECRET_ROTATION = "okta-rotation:index:SecretRotation";
const KEY_ROTATION = "okta-rotation:index:KeyRotation";
/** Pulumi's placeholder for a value not known in a preview (UnknownStringValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Name and type of a URN (`urn:pulumi:<stack>::<project>::<type chain>::<name>`). Pure. */
export function parseUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const name = parts.slice(3).join("::");
  const chain = parts[2] ?? "";
  return { type: chain.split("$").pop() ?? chain, name };
}

/** The preview's resources, each once, with what happens to it. Pure. */
export function plannedResources(preview: PreviewJson): Planned[] {
  const byUrn = new Map<
    string,
    { ops: Set<string>; old?: StepState; refreshed?: StepState; new?: StepState; order: number }
  >();
  (preview.steps ?? []).forEach((s, order) => {
    const e = byUrn.get(s.urn) ?? { ops: new Set<string>(), order };
    // With --refresh, a `refresh` step comes first: its new state is what Okta holds now (a key id a whole-app PUT
    // renumbered, a secret deactivated in the Admin Console), the old state the run compares with.
    if (s.op === "refresh") e.refreshed ??= s.newState;
    else {
      e.ops.add(s.op);
      e.old ??= s.oldState;
      if (s.newState) e.new = s.newState;
    }
    byUrn.set(s.urn, e);
  });
  return [...byUrn.entries()]
    .sort((a, b) => a[1].order - b[1].order)
    .map(([urn, e]) => {
      const { type, name } = parseUrn(urn);
      const ops = e.ops;
      const change: Change = ["replace", "create-replacement", "delete-replaced"].some((o) => ops.has(o))
        ? "replace"
        : ops.has("create")
          ? "create"
          : ops.has("update")
            ? "update"
            : ops.has("delete")
              ? "delete"
              : "same";
      const old = e.old ?? e.refreshed;
      const parent = e.new?.parent ?? old?.parent;
      return {
        urn,
        type,
        name,
        ...(parent !== undefined ? { parent } : {}),
        change,
        old: plain({ ...(old?.inputs ?? {}), ...(old?.outputs ?? {}) }),
        new: plain(e.new?.inputs ?? {}),
      };
    });
}

/** Bookkeeping kept under `__` (dynamic/hiddenInputs.ts) under its plain name; the provider reference dropped. */
function plain(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (k === "__provider") continue;
    const key = k.startsWith("__") ? k.slice(2) : k;
    if (!(key in out) || !k.startsWith("__")) out[key] = v;
  }
  return out;
}

function known(v: unknown): boolean {
  return v !== undefined && v !== null && v !== UNKNOWN && v !== "[unknown]" && v !== "[secret]";
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && known(v) ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
}

function get(obj: unknown, ...path: string[]): unknown {
  let v = obj;
  for (const p of path) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function code(s: string): string {
  return `\`${s}\``;
}

/** The Vault write of a rotation: the entry and the version it becomes. */
function vaultStep(vault: Planned, what: string): string {
  const mount = str(vault.new.mount) ?? str(vault.old.mount) ?? "?";
  const name = str(vault.new.name) ?? str(vault.old.name) ?? "?";
  const now = num(get(vault.old.metadata, "version"));
  return now !== undefined
    ? `Write ${what} to Vault KV v2 ${code(`${mount}/${name}`)} as version ${now + 1} (version ${now} stays readable for rollback).`
    : `Write ${what} to Vault KV v2 ${code(`${mount}/${name}`)} as its first version.`;
}

/** The Deployments a rotation rolls, as `namespace/name`. */
function rolledDeployments(app: string, children: readonly Planned[]): string[] {
  return children
    .filter((c) => c.name.startsWith(`${app}-rollout-`) && c.change !== "same" && c.change !== "delete")
    .map((c) => {
      const ns = str(get(c.new.metadata, "namespace")) ?? str(get(c.old.metadata, "namespace")) ?? "?";
      const n = str(get(c.new.metadata, "name")) ?? str(get(c.old.metadata, "name")) ?? "?";
      return code(`${ns}/${n}`);
    });
}

function censusStep(census: Planned): string {
  return (
    `Pod census: wait until no pod of those Deployments (terminating ones included) carries an older generation ` +
    `(at most ${num(census.new.timeoutSeconds) ?? 600} s).`
  );
}

/** The numbered steps of one SecretRotation's run, in the order the run takes them. Pure. */
export function secretRotationSteps(app: string, children: readonly Planned[]): string[] {
  const child = (suffix: string) => children.find((c) => c.name === `${app}${suffix}`);
  const changed = (p: Planned | undefined): p is Planned => p !== undefined && p.change !== "same";
  const slots = ["-slot-a", "-slot-b"].map(child).filter((p): p is Planned => p !== undefined);
  const holder = slots.find((s) => s.new.status === "ACTIVE");
  const retired = slots.find((s) => s.new.status === "INACTIVE");
  const steps: string[] = [];
  const generation = num(holder?.new.generation);
  const slotLetter = (p: Planned) => p.name.slice(-1).toUpperCase();
  const id = (p: Planned | undefined) => str(p?.old.secretId);

  const value = child("-value");
  const generated = child("-generated");
  if (changed(generated) && generated.change === "create")
    steps.push("Find the one secret Okta generated with the app, to adopt it as generation 0.");
  if (changed(value) && generation !== undefined)
    steps.push(`Make the value of generation ${generation}'s secret (kept as a Pulumi secret, never shown).`);

  if (changed(holder)) {
    const slot = slotLetter(holder);
    const adopt = str(holder.new.adoptSecretId);
    if (holder.change === "replace") {
      const oldGen = num(holder.old.generation);
      steps.push(
        `Slot ${slot}: delete secret ${code(id(holder) ?? "?")} (generation ${oldGen ?? "?"}, ${String(holder.old.status ?? "?")}), ` +
          `then create generation ${generation}'s secret in Okta, ACTIVE.`,
      );
    } else if (holder.change === "create") {
      steps.push(
        adopt !== undefined
          ? `Slot ${slot}: adopt secret ${code(adopt)} as generation ${generation}, ACTIVE.`
          : `Slot ${slot}: create generation ${generation}'s secret in Okta, ACTIVE.`,
      );
    } else if (holder.old.status !== holder.new.status) {
      steps.push(
        `Slot ${slot}: activate secret ${code(id(holder) ?? "?")} (generation ${generation}) — it is ${String(holder.old.status)} in Okta now.`,
      );
    }
  }

  const vault = child("-vault");
  if (changed(vault)) steps.push(vaultStep(vault, "it"));

  const rollouts = rolledDeployments(app, children);
  if (rollouts.length > 0)
    steps.push(
      `Roll Deployment${rollouts.length > 1 ? "s" : ""} ${rollouts.join(", ")} onto it (pod template annotation ` +
        `${code("okta-rotation/generation")} → ${generation ?? "?"}) and wait for the rollout.`,
    );
  const census = child("-census");
  if (changed(census)) steps.push(censusStep(census));

  const gate = child("-gate");
  if (changed(gate)) {
    const parts: string[] = [];
    if (gate.new.exchange === true)
      parts.push(
        `a real token exchange with the new secret at ${code(str(gate.new.tokenUrl) ?? "?")}` +
          (str(gate.new.scope) ? ` (scope ${code(str(gate.new.scope)!)})` : ""),
      );
    const overlap = num(gate.new.minOverlapSeconds) ?? 0;
    if (overlap > 0) parts.push(`both secrets ACTIVE for at least ${overlap} s`);
    steps.push(parts.length > 0 ? `Gate: ${parts.join("; ")}.` : "Gate: none asked for (the rollout alone).");
  }

  if (changed(retired)) {
    const slot = slotLetter(retired);
    const retiredGen = num(retired.new.generation);
    if (retired.change === "create") {
      const adopt = str(retired.new.adoptSecretId);
      steps.push(
        adopt !== undefined
          ? `Slot ${slot}: adopt secret ${code(adopt)} (generation ${retiredGen}) and deactivate it: INACTIVE, kept for rollback.`
          : `Slot ${slot}: create an INACTIVE secret for generation ${retiredGen}.`,
      );
    } else if (retired.change === "replace") {
      steps.push(
        `Slot ${slot}: delete secret ${code(id(retired) ?? "?")} and create an INACTIVE one for generation ${retiredGen}.`,
      );
    } else if (retired.old.status !== "INACTIVE") {
      steps.push(
        `Slot ${slot}: deactivate secret ${code(id(retired) ?? "?")} (generation ${retiredGen}): INACTIVE, kept for rollback ` +
          `until generation ${retiredGen !== undefined ? retiredGen + 2 : "?"} needs its slot.`,
      );
    }
  }
  const proof = child("-refusal-proof");
  if (changed(proof))
    steps.push(
      `Prove Okta refuses secret ${code(id(retired) ?? "?")}: a token exchange with it must get ${code("invalid_client")}.`,
    );
  const revocation = child("-revocation");
  if (changed(revocation) && revocation.change !== "delete")
    steps.push(`Revoke: delete secret ${code(id(retired) ?? "?")} now (no rollback to it).`);

  // Removals: what the stack stops managing (an ACTIVE secret is released, never deleted).
  for (const c of children.filter((c) => c.change === "delete")) {
    if (c.type === `${DYN}ClientSecret`)
      steps.push(
        c.old.status === "ACTIVE"
          ? `Release secret ${code(id(c) ?? "?")}: it stays ACTIVE in Okta, no longer managed.`
          : `Delete secret ${code(id(c) ?? "?")} (INACTIVE).`,
      );
  }
  return steps;
}

function ids(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && known(x)) : [];
}

/** A key as a reviewer can find it in Okta: its id and kid (public), and its key generation. */
function keyName(jwk: Planned, generation: number | undefined): string {
  const parts = [
    str(jwk.old.kid) !== undefined ? `kid ${code(str(jwk.old.kid)!)}` : undefined,
    generation !== undefined ? `key generation ${generation}` : undefined,
  ].filter((p) => p !== undefined);
  return `key ${code(str(jwk.old.keyId) ?? "?")}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
}

/**
 * The numbered steps of one KeyRotation's run (private_key_jwt: the migration from a client secret, a key rotation,
 * the switch back to a secret), in the order the run takes them. `former`: the resources of the SecretRotation of
 * the same name that this run stops managing (a migration). Ids and kids only: a private key is a Pulumi secret
 * (`[secret]` in the JSON) and nothing here reads a value field. Pure.
 */
export function keyRotationSteps(
  app: string,
  children: readonly Planned[],
  former: readonly Planned[] = [],
): string[] {
  const child = (suffix: string) => children.find((c) => c.name === `${app}${suffix}`);
  const changed = (p: Planned | undefined): p is Planned =>
    p !== undefined && p.change !== "same" && p.change !== "delete";
  const jwks = ["-jwk-a", "-jwk-b"].map(child).filter((p): p is Planned => p !== undefined);
  const holder = jwks.find((j) => j.change !== "delete" && (j.new.status ?? "ACTIVE") === "ACTIVE");
  const retired = jwks.find((j) => j.change !== "delete" && j.new.status === "INACTIVE");
  const slotLetter = (p: Planned) => p.name.slice(-1).toUpperCase();
  const pairOf = (jwk: Planned) => child(`-key-${jwk.name.slice(-1)}`);
  const generation =
    num(holder?.new.generation) ?? (holder ? num(pairOf(holder)?.new.generation) : undefined);
  const rollback = children.some((c) => c.name === `${app}-rollback-value` && c.change !== "delete");
  // The app's auth method before this run: the auth method resource's, or, when the preview does not list it
  // (unchanged), what the last step of the last run saw (the secret retirement, then the proof; the key gate and
  // the secret read ran before that run's switch) — else the method it was set to, private_key_jwt.
  const auth = child("-auth-method");
  const read = child("-secrets-read");
  const gate = child("-key-gate");
  const retire = child("-secrets-retire");
  const proof = child("-key-proof");
  const methodBefore =
    auth === undefined
      ? (str(retire?.old.authMethod) ??
        str(proof?.old.authMethod) ??
        (former.length === 0 && !rollback ? "private_key_jwt" : undefined))
      : auth.change !== "create"
        ? str(auth.old.tokenEndpointAuthMethod)
        : undefined;
  const methodAfter = auth === undefined ? methodBefore : str(auth.new.tokenEndpointAuthMethod);
  // Before this run's switch the app authenticates with a client secret: Okta refuses every assertion until then.
  const onKeysBefore = methodBefore === "private_key_jwt";
  const migrating = !rollback && !onKeysBefore && methodAfter === "private_key_jwt";
  const tokenUrl = (g: Planned) => {
    const scope = str(g.new.scope);
    return `at ${code(str(g.new.tokenUrl) ?? "?")}${scope !== undefined ? ` (scope ${code(scope)})` : ""}`;
  };
  const steps: string[] = [];

  // 1–2. The new key: the slot's INACTIVE key g−2 deleted first, the pair generated, its public key registered.
  if (changed(holder)) {
    const slot = slotLetter(holder);
    const pair = pairOf(holder);
    const alg = str(pair?.new.algorithm) ?? "RS256";
    const made =
      `generate key generation ${generation ?? "?"}'s ${alg} key pair (the private key is kept as a Pulumi secret, ` +
      `never shown; its kid is known once it is made) and register the public key on the app, ACTIVE`;
    const both = migrating
      ? " — the app still authenticates with its client secret"
      : " — both keys are ACTIVE while pods move to the new one";
    if (holder.change === "replace")
      steps.push(
        `Key slot ${slot}: delete ${keyName(holder, num(holder.old.generation))}, ${String(holder.old.status ?? "?")}, ` +
          `then ${made}${both}.`,
      );
    else if (holder.change === "create") steps.push(`Key slot ${slot}: ${made}${both}.`);
    else if (holder.old.status !== "ACTIVE")
      steps.push(
        `Key slot ${slot}: activate ${keyName(holder, generation)} — it is ${String(holder.old.status)} in Okta now.`,
      );
  }

  // The client secret delivered with the key: the one pods hold (until the switch), or the one to go back to.
  const value = child("-rollback-value");
  if (changed(value))
    steps.push(
      "Make the value of the client secret to go back to (kept as a Pulumi secret, never shown; Okta takes it only " +
        "after the switch back).",
    );
  if (changed(read) && !onKeysBefore)
    steps.push(
      `Read which client secret pods use now (the newest ACTIVE one${str(read.old.secretId) ? `, ${code(str(read.old.secretId)!)} at the last run` : ""}), ` +
        "to deliver it next to the key until the switch.",
    );

  // 3–4. Delivery: Vault, the rollout, the census.
  const vault = child("-vault");
  if (changed(vault))
    steps.push(
      vaultStep(
        vault,
        rollback
          ? "the client secret to go back to, next to the key (pods keep signing with the key until the switch)"
          : migrating
            ? "the private key, its kid and the client secret pods use now (the client falls back from one to the other)"
            : "the new private key and its kid",
      ),
    );
  const rollouts = rolledDeployments(app, children);
  if (rollouts.length > 0)
    steps.push(
      `Roll Deployment${rollouts.length > 1 ? "s" : ""} ${rollouts.join(", ")} onto it (pod template annotations ` +
        `${code("okta-rotation/generation")} → ${code(`key-${generation ?? "?"}${rollback ? "-rollback" : ""}`)} and ` +
        `${code("okta-rotation/kid")} → its kid) and wait for the rollout.`,
    );
  const census = child("-census");
  if (changed(census)) steps.push(censusStep(census));

  // 5. The key gate: as far as Okta allows before the switch.
  if (changed(gate)) {
    const parts = [
      `key generation ${num(gate.new.generation) ?? generation ?? "?"} is registered, ACTIVE and verifies`,
    ];
    if (onKeysBefore) parts.push(`a real private_key_jwt token exchange with it ${tokenUrl(gate)}`);
    else parts.push("no token exchange yet: Okta refuses every assertion until the app uses private_key_jwt");
    const overlap = num(gate.new.minOverlapSeconds) ?? 0;
    if (overlap > 0) parts.push(`both keys ACTIVE for at least ${overlap} s`);
    steps.push(`Gate: ${parts.join("; ")}.`);
  }

  // 6. The switch.
  if (changed(auth) && methodAfter !== undefined && methodBefore !== methodAfter)
    steps.push(
      `Switch the app's token endpoint auth method ${methodBefore !== undefined ? `from ${code(methodBefore)} ` : ""}` +
        `to ${code(methodAfter)} (a GET and a PUT of the whole app; keys are found again by kid after it).`,
    );

  // 7. The proof after the switch.
  if (changed(proof))
    steps.push(
      `${onKeysBefore ? "Proof" : "Prove the switch"}: a real private_key_jwt token exchange with key generation ` +
        `${num(proof.new.generation) ?? generation ?? "?"} ${tokenUrl(proof)}.`,
    );
  const secret = child("-rollback-secret");
  if (changed(secret))
    steps.push(
      "Register the client secret in Okta, ACTIVE, right after the switch (clients retry the moment in between).",
    );
  const secretProof = child("-secret-proof");
  if (changed(secretProof))
    steps.push(`Prove it: a real client_secret_basic token exchange with it ${tokenUrl(secretProof)}.`);

  // 8. Retire: the previous key, then the client secrets.
  if (changed(retired) && retired.old.status !== "INACTIVE") {
    const g = num(retired.new.generation);
    steps.push(
      `Key slot ${slotLetter(retired)}: deactivate ${keyName(retired, g)}: INACTIVE, kept until key generation ` +
        `${g !== undefined ? g + 2 : "?"} needs its slot.`,
    );
  }
  const formerSecrets = former
    .filter((c) => c.type === `${DYN}ClientSecret` && str(c.old.secretId) !== undefined)
    // In the order they are retired: INACTIVE first.
    .sort((a, b) => Number(a.old.status === "ACTIVE") - Number(b.old.status === "ACTIVE"))
    .map((c) => `${code(str(c.old.secretId)!)} (${String(c.old.status ?? "?")})`);
  if (changed(retire)) {
    const unusable = ids(retire.old.unusable).map(code);
    if (rollback)
      steps.push(
        "Retire every other client secret: deactivate and delete it" +
          (unusable.length > 0 ? ` (${unusable.join(", ")}, left ACTIVE by the migration)` : "") +
          "; the keys stay registered, so removing rollback migrates again.",
      );
    else if (migrating || formerSecrets.length > 0)
      steps.push(
        `Retire the client secrets${formerSecrets.length > 0 ? ` ${formerSecrets.join(", ")}` : ""}: each deactivated ` +
          "and deleted, INACTIVE first; one Okta will not deactivate (an app's only ACTIVE secret) is left ACTIVE " +
          "and reported as unusable — under private_key_jwt it authenticates nobody.",
      );
    else
      steps.push(
        "Retire any client secret the app holds (none expected: it uses private_key_jwt)" +
          (unusable.length > 0
            ? `; ${unusable.join(", ")} is left ACTIVE and unusable, as Okta keeps it`
            : "") +
          ".",
      );
  }
  if (former.some((c) => c.change === "delete"))
    steps.push(
      "The secret rotation's own resources (secret slots, value, gates) leave the stack once all of the above " +
        "succeeded: the secrets are retired by then, and one still ACTIVE is released, not deleted.",
    );

  // Removals: what the stack stops managing. The key pods sign with and the auth method are released, never deleted.
  for (const c of children.filter((c) => c.change === "delete")) {
    if (c.type === `${DYN}JsonWebKey`)
      steps.push(
        c.old.status === "ACTIVE"
          ? `Release ${keyName(c, num(c.old.generation))}: it stays ACTIVE in Okta, no longer managed.`
          : `Delete ${keyName(c, num(c.old.generation))} (INACTIVE).`,
      );
    else if (c.type === `${DYN}AppAuthMethod`)
      steps.push(
        `Release the auth method: the app stays on ${code(str(c.old.tokenEndpointAuthMethod) ?? "?")}, no longer managed.`,
      );
    else if (c.name === `${app}-vault`)
      steps.push(
        `Keep the Vault entry ${code(`${str(c.old.mount) ?? "?"}/${str(c.old.name) ?? "?"}`)} as it is (pods read it).`,
      );
  }
  return steps;
}

/** Steps of anything else under an app: each change in the preview's order. Pure. */
export function genericSteps(children: readonly Planned[]): string[] {
  return children
    .filter((c) => c.change !== "same")
    .map((c) => {
      const what = c.type.startsWith(DYN) ? c.type.slice(DYN.length) : c.type;
      const facts = ["generation", "status", "keyId", "kid", "secretId", "tokenEndpointAuthMethod"]
        .filter((k) => known(c.new[k]) || known(c.old[k]))
        .map((k) => {
          const before = c.old[k];
          const after = c.new[k];
          return known(before) && known(after) && before !== after
            ? `${k} ${String(before)} → ${String(after)}`
            : `${k} ${String(known(after) ? after : before)}`;
        });
      return `${c.change} ${what} ${code(c.name)}${facts.length > 0 ? ` (${facts.join(", ")})` : ""}.`;
    });
}

/** The summary as Markdown. Pure. */
export function planSummary(preview: PreviewJson): string {
  const planned = plannedResources(preview);
  // The preview lists what changes, not what stays: an app is known by its component, or by the parent its
  // changed resources name.
  const apps = new Map<string, { type: string; name: string; change: Change }>();
  for (const p of planned) {
    if (p.type === SECRET_ROTATION || p.type === KEY_ROTATION) apps.set(p.urn, p);
    const parent = p.parent !== undefined ? parseUrn(p.parent) : undefined;
    if (parent && (parent.type === SECRET_ROTATION || parent.type === KEY_ROTATION) && !apps.has(p.parent!))
      apps.set(p.parent!, { ...parent, change: "same" });
  }
  const lines: string[] = [];
  let changedApps = 0;
  const keyApps = new Set([...apps.values()].filter((a) => a.type === KEY_ROTATION).map((a) => a.name));
  for (const [urn, app] of apps) {
    const children = planned.filter((p) => p.parent === urn);
    // A migration: the SecretRotation of the same name is taken over by the KeyRotation (an alias), and what it
    // does not take over leaves the stack. Its steps are the KeyRotation's.
    if (app.type === SECRET_ROTATION && keyApps.has(app.name)) continue;
    const former = [...apps.entries()]
      .filter(([, a]) => a.type === SECRET_ROTATION && a.name === app.name)
      .flatMap(([u]) => planned.filter((p) => p.parent === u));
    const steps =
      app.type === SECRET_ROTATION
        ? secretRotationSteps(app.name, children)
        : app.type === KEY_ROTATION
          ? keyRotationSteps(app.name, children, former)
          : genericSteps(children);
    if (steps.length === 0) continue;
    changedApps++;
    const kind =
      app.type === SECRET_ROTATION
        ? "client secret"
        : children.some((c) => c.name === `${app.name}-rollback-value` && c.change !== "delete")
          ? "private_key_jwt, going back to a client secret"
          : former.length > 0
            ? "migration from a client secret to private_key_jwt"
            : "private_key_jwt";
    lines.push(`#### ${app.name} (${kind}${app.change === "delete" ? ", removed from the stack" : ""})`, "");
    steps.forEach((s, i) => lines.push(`${i + 1}. ${s}`));
    lines.push("");
  }
  const header =
    changedApps === 0
      ? "### Plan: no rotation step in this preview"
      : `### Plan: ${changedApps} app${changedApps > 1 ? "s" : ""} (from \`pulumi preview --json\`)`;
  return [header, "", ...lines].join("\n").trimEnd() + "\n";
}

function main(argv: readonly string[]): number {
  const file = argv[0];
  if (!file) {
    console.error("usage: plan-summary <preview.json>   (the output of pulumi preview --json)");
    return 2;
  }
  process.stdout.write(planSummary(JSON.parse(fs.readFileSync(file, "utf8")) as PreviewJson));
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
