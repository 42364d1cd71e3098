// What the policies read from a stack: this project's rotations, found by the type tokens their resources register
// (typeTokens.ts).
//
// The policies run under `pulumi preview` as well as `pulumi up`. In a preview, a resource being created or updated
// carries its new inputs only (no outputs such as `created`), and a value that depends on another resource is
// unknown: @pulumi/policy throws when such a value is read. `known` reads one property and gives `undefined` for
// both, so a policy judges only what the preview already knows.

import { UnknownValueError } from "@pulumi/policy";

import {
  APP_AUTH_METHOD,
  CLIENT_SECRET,
  JSON_WEB_KEY,
  KEY_ROTATION,
  REVOCATION,
  SECRET_ROTATION,
  TOKEN_EXCHANGE_GATE,
} from "./typeTokens";

// Read by the policies and their tests from here, with the rest of what a stack is made of.
export * from "./typeTokens";

/**
 * The stack config key that lists the apps of this package's own program (index.ts, `<project>:apps`), which
 * declares one component per app, named after it. A message names the component's argument first (what any
 * program that uses the components changes) and then the app's key under this one.
 */
export const APPS_CONFIG_KEY = "okta-credential-rotation:apps";

/** The component as a message names it: its type and name, e.g. `SecretRotation 'billing'`. Pure. */
export function componentLabel(rotation: Pick<Rotation, "kind" | "app">): string {
  return `${rotation.kind === "secret" ? "SecretRotation" : "KeyRotation"} '${rotation.app}'`;
}

/** The component and the Okta app ids it rotates, when known: `SecretRotation 'billing' (app 0oa…)`. Pure. */
export function rotationLabel(rotation: Pick<Rotation, "kind" | "app" | "appIds">): string {
  const ids = rotation.appIds.length > 0 ? ` (app ${rotation.appIds.join(", ")})` : "";
  return `${componentLabel(rotation)}${ids}`;
}

/**
 * Where to make a change, right for both kinds of program: the component's argument (`argument of SecretRotation
 * 'billing'`), then where the stack-config program keeps it (`field` of the app in `okta-credential-rotation:apps`,
 * default: the same path as the argument). Pure.
 */
export function whereToChange(
  rotation: Pick<Rotation, "kind" | "app" | "generationSource">,
  argument: string,
  field: string = argument,
): string {
  const convention = GENERATION_CONVENTION[argument];
  if (convention !== undefined && rotation.generationSource === "stackConfig") {
    // The component was given no generation: it reads the convention's stack config entry (and records so).
    const key = `${convention}.${rotation.app}`;
    return (
      `${argument} of ${componentLabel(rotation)} (kept in stack config as ${key}: ` +
      `pulumi config set --path '${key}' <n>)`
    );
  }
  return (
    `${argument} of ${componentLabel(rotation)} ` +
    `(where ${APPS_CONFIG_KEY} declares it: ${field} of app '${rotation.app}')`
  );
}

/**
 * Where a component given no generation keeps it (components/generations.ts; copied here, as the pack requires
 * nothing of the package): `okta-credential-rotation:generations.<name>` for a SecretRotation's `generation`,
 * `okta-credential-rotation:keyGenerations.<name>` for a KeyRotation's `keyGeneration`.
 */
export const GENERATION_CONVENTION: Readonly<Record<string, string>> = {
  generation: "okta-credential-rotation:generations",
  keyGeneration: "okta-credential-rotation:keyGenerations",
};

/** The part of a @pulumi/policy `PolicyResource` the policies read. */
export interface StackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
  readonly parent?: { readonly type: string; readonly name: string; readonly urn: string };
}

/** A property's value, or undefined when it is absent or not known yet (a preview). */
export function known(props: Record<string, unknown>, key: string): unknown {
  try {
    return props[key];
  } catch (err) {
    if (err instanceof UnknownValueError) return undefined;
    throw err;
  }
}

function knownString(props: Record<string, unknown>, key: string): string | undefined {
  const v = known(props, key);
  return typeof v === "string" ? v : undefined;
}

function knownNumber(props: Record<string, unknown>, key: string): number | undefined {
  const v = known(props, key);
  return typeof v === "number" ? v : undefined;
}

/** A client secret or a JSON Web Key of a rotation. */
export interface Credential {
  readonly kind: "client secret" | "key";
  readonly urn: string;
  /** Okta's id (`ocs…`, `pks…`), when known. */
  readonly id?: string;
  readonly appId?: string;
  readonly generation?: number;
  readonly status?: string;
  /** Okta's `created` (ISO 8601), when the state has it. */
  readonly created?: string;
  /** A rotation slot's record of the app's config (`ClientSecret` in a `SecretRotation`). */
  readonly slot?: { readonly generation: number; readonly rollback: boolean };
}

/** The TokenExchangeGate of a SecretRotation. */
export interface Gate {
  readonly urn: string;
  readonly minOverlapSeconds?: number;
}

/** One app's rotation: its component and the resources it declares. */
export interface Rotation {
  readonly kind: "secret" | "key";
  /** The component's name (in the stack-config program, the app's `name`). */
  readonly app: string;
  readonly urn: string;
  /** Okta app ids its credentials name. */
  readonly appIds: readonly string[];
  readonly credentials: readonly Credential[];
  readonly gates: readonly Gate[];
  /** A `Revocation` is declared: this generation revokes the previous secret (`revoke: true`). */
  readonly revoking: boolean;
  /** The `token_endpoint_auth_method` each AppAuthMethod sets (a KeyRotation's). */
  readonly authMethods: readonly { readonly urn: string; readonly method?: string }[];
  /** Where the component's generation came from, as it records it (`generationSource`), when known. */
  readonly generationSource?: "argument" | "stackConfig";
}

function slotOf(props: Record<string, unknown>): Credential["slot"] {
  // Kept under `__slot` (out of every diff), which the engine does not hand to a policy pack; `slot` in state
  // written before.
  const slot = known(props, "__slot") ?? known(props, "slot");
  if (typeof slot !== "object" || slot === null) return undefined;
  const s = slot as Record<string, unknown>;
  const generation = knownNumber(s, "generation");
  const rollback = known(s, "rollback");
  if (generation === undefined) return undefined;
  return { generation, rollback: rollback === true };
}

function credentialOf(r: StackResource): Credential | undefined {
  if (r.type !== CLIENT_SECRET && r.type !== JSON_WEB_KEY) return undefined;
  const secret = r.type === CLIENT_SECRET;
  const id = knownString(r.props, secret ? "secretId" : "keyId");
  const appId = knownString(r.props, "appId");
  const generation = knownNumber(r.props, "generation");
  const status = knownString(r.props, "status");
  const created = knownString(r.props, "created");
  const slot = secret ? slotOf(r.props) : undefined;
  return {
    kind: secret ? "client secret" : "key",
    urn: r.urn,
    ...(id !== undefined ? { id } : {}),
    ...(appId !== undefined ? { appId } : {}),
    ...(generation !== undefined ? { generation } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(created !== undefined ? { created } : {}),
    ...(slot !== undefined ? { slot } : {}),
  };
}

/** The rotations of a stack, one per SecretRotation or KeyRotation component, with the resources under each. */
export function rotationsOf(resources: readonly StackResource[]): Rotation[] {
  const byUrn = new Map<
    string,
    {
      kind: "secret" | "key";
      app: string;
      urn: string;
      children: StackResource[];
      generationSource?: "argument" | "stackConfig";
    }
  >();
  for (const r of resources) {
    if (r.type === SECRET_ROTATION || r.type === KEY_ROTATION) {
      const source = known(r.props, "generationSource");
      byUrn.set(r.urn, {
        kind: r.type === SECRET_ROTATION ? "secret" : "key",
        app: r.name,
        urn: r.urn,
        children: [],
        ...(source === "argument" || source === "stackConfig" ? { generationSource: source } : {}),
      });
    }
  }
  for (const r of resources) {
    const parent = r.parent !== undefined ? byUrn.get(r.parent.urn) : undefined;
    parent?.children.push(r);
  }
  return [...byUrn.values()].map(({ kind, app, urn, children, generationSource }) => {
    const credentials = children.map(credentialOf).filter((c): c is Credential => c !== undefined);
    const appIds = [...new Set(credentials.map((c) => c.appId).filter((a): a is string => a !== undefined))];
    const gates = children
      .filter((c) => c.type === TOKEN_EXCHANGE_GATE)
      .map((g) => {
        const minOverlapSeconds = knownNumber(g.props, "minOverlapSeconds");
        return { urn: g.urn, ...(minOverlapSeconds !== undefined ? { minOverlapSeconds } : {}) };
      });
    const authMethods = children
      .filter((c) => c.type === APP_AUTH_METHOD)
      .map((a) => {
        const method = knownString(a.props, "tokenEndpointAuthMethod");
        return { urn: a.urn, ...(method !== undefined ? { method } : {}) };
      });
    for (const a of children.filter((c) => c.type === APP_AUTH_METHOD)) {
      const appId = knownString(a.props, "appId");
      if (appId !== undefined && !appIds.includes(appId)) appIds.push(appId);
    }
    return {
      kind,
      app,
      urn,
      appIds,
      credentials,
      gates,
      revoking: children.some((c) => c.type === REVOCATION),
      authMethods,
      ...(generationSource !== undefined ? { generationSource } : {}),
    };
  });
}

/**
 * The credentials the app's clients hold after this run: in a SecretRotation, the slot whose generation the plan makes
 * the holder (the current generation, or the previous one under `rollback`); in a KeyRotation, the key of the highest
 * generation — unless the app is switched back to a client secret (`privateKeyJwt.rollback`), when the ACTIVE client
 * secret it declares is the current credential.
 */
export function currentCredentials(rotation: Rotation): Credential[] {
  if (rotation.kind === "secret") {
    // The engine hands a policy pack no `__` property, so the slot's record is usually not there: the plan makes the
    // holder ACTIVE and the retired slot INACTIVE (components/plan.ts), rollback included.
    return rotation.credentials.filter(
      (c) =>
        c.kind === "client secret" &&
        (c.slot !== undefined
          ? c.generation === (c.slot.rollback ? c.slot.generation - 1 : c.slot.generation)
          : c.status === "ACTIVE"),
    );
  }
  const secretBack = rotation.authMethods.some(
    (a) => a.method !== undefined && a.method !== "private_key_jwt",
  );
  if (secretBack) {
    return rotation.credentials.filter((c) => c.kind === "client secret" && c.status === "ACTIVE");
  }
  const keys = rotation.credentials.filter((c) => c.kind === "key" && c.generation !== undefined);
  const top = Math.max(...keys.map((k) => k.generation!));
  return keys.filter((k) => k.generation === top);
}
