// `KeyPair`: a private_key_jwt signing key pair generated at apply time, as a Pulumi dynamic resource.
//
// Create = generate the pair locally with jose (no Okta call); `kid` = the RFC 7638 JWK thumbprint of the
// public key. The private JWK is an output marked secret through `additionalSecretOutputs` (returning
// `pulumi.secret()` from `create` fails, pulumi/pulumi#3012), so it exists only encrypted in state and
// wherever the program sends it (Vault). Changing generation or modulusLength replaces the pair. The algorithm
// is what the next pair is made with: a change of it alone changes nothing (the pair in use, and the key Okta
// holds for it, stay as they are; the `algorithm` output is always the held pair's), and takes effect when the
// generation changes. There is no update to make, and delete has nothing to remove outside the state.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { compact } from "./providerValues";
import { sameValue, checkInputs } from "./validation";
import { providerByReference } from "./providerByReference";
import { KEY_SLOTS, slotRecordChanged, slotTransitionProblem, type SlotContext } from "./slotTransition";

/** Signing algorithms a KeyPair can generate: RS256 (most compatible, default) or ES256 (smallest). */
// Constants used by provider code are written inline or returned by functions: Pulumi's closure serializer
// keeps only the members of a captured object that it sees accessed by name.
export const KEY_PAIR_ALGORITHMS = ["RS256", "ES256"] as const;
export type KeyPairAlgorithm = (typeof KEY_PAIR_ALGORITHMS)[number];

/** Okta refuses RSA keys under 2048 bits. */
export const MIN_RSA_MODULUS_LENGTH = 2048;

/** The resolved inputs of a KeyPair (built by a function: the provider stays serializable by value). */
export function keyPairInputsSchema() {
  return z
    .object({
      algorithm: z
        .enum(["RS256", "ES256"], { error: 'algorithm must be "RS256" (default) or "ES256"' })
        .default("RS256"),
      generation: z
        .number({ error: "generation must be a number" })
        .int("generation must be a whole number")
        .nonnegative("generation must not be negative"),
      modulusLength: z
        .number({ error: "modulusLength must be a number of bits" })
        .int("modulusLength must be a whole number of bits")
        .min(
          MIN_RSA_MODULUS_LENGTH,
          "modulusLength must be at least 2048: Okta refuses RSA keys under 2048 bits",
        )
        .max(8192, "modulusLength must be at most 8192")
        .optional(),
      /** In a key rotation: the app's key generation as this slot was last applied with (slotTransition.ts). */
      slot: z
        .object({
          app: z.string({ error: "slot.app must be a string" }),
          generation: z.number({ error: "slot.generation must be a number" }).int().nonnegative(),
          rollback: z.boolean({ error: "slot.rollback must be a boolean" }),
        })
        .optional(),
    })
    .superRefine((v, ctx) => {
      if (v.algorithm !== "RS256" && v.modulusLength !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["modulusLength"],
          message: "modulusLength applies to RS256 only",
        });
      }
    });
}

export type KeyPairInputs = z.infer<ReturnType<typeof keyPairInputsSchema>>;

/** A public JWK as registered with Okta: `kid`, `alg`, `use: "sig"` and the public members only. */
export interface PublicSigningJwk {
  readonly kty: "RSA" | "EC";
  readonly kid: string;
  readonly alg: KeyPairAlgorithm;
  readonly use: "sig";
  readonly e?: string;
  readonly n?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
}

export interface KeyPairOutputs {
  /** The algorithm of the pair held (which may differ from the input until the next generation). */
  readonly algorithm: KeyPairAlgorithm;
  readonly generation: number;
  readonly modulusLength?: number;
  readonly slot?: SlotContext;
  readonly kid: string;
  readonly publicJwk: PublicSigningJwk;
  /** The private JWK (with `kid` and `alg`); a secret output. */
  readonly privateJwk: Record<string, string>;
  readonly created: string;
}

/**
 * Inputs whose change replaces the pair. Not `algorithm`: a new algorithm applies to the next pair, made when the
 * generation changes, so that changing it never replaces a key that clients hold.
 */
export const KEY_PAIR_REPLACE_KEYS = ["generation", "modulusLength"] as const;

/** The JWK members that make a key private; they must never reach Okta. */
export const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/** The private members present in a JWK (empty for a public key). Pure. */
export function privateMembersOf(jwk: Readonly<Record<string, unknown>>): string[] {
  const members = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]; // PRIVATE_JWK_MEMBERS
  return members.filter((m) => jwk[m] !== undefined);
}

/**
 * The diff of a KeyPair: old outputs against new inputs. Pure. An algorithm change alone is no change (a change
 * of it and back plans nothing either): the pair made at the next generation has it.
 */
export function diffKeyPair(
  olds: Partial<Record<string, unknown>>,
  news: Partial<Record<string, unknown>>,
): { changes: boolean; replaces: string[] } {
  const keys = ["generation", "modulusLength"] as const; // KEY_PAIR_REPLACE_KEYS
  const replaces = keys.filter((k) => !sameValue(olds[k], news[k]));
  // A new slot context is recorded by an update that keeps the pair (a new name alone is recorded without one).
  const recorded = news.slot !== undefined && slotRecordChanged(olds.slot, news.slot);
  return { changes: replaces.length > 0 || recorded, replaces: [...replaces] };
}

/**
 * What the algorithm input means for the pair held (`held`, the `algorithm` output), for messages: undefined when
 * they agree (or `held` is not known yet), else a sentence saying when the requested one takes effect. `field`
 * names the generation in the user's config. Pure.
 */
export function pendingAlgorithm(
  held: KeyPairAlgorithm | undefined,
  requested: KeyPairAlgorithm | undefined,
  generation: number,
  field = "generation",
): string | undefined {
  const wanted = requested ?? "RS256";
  if (held === undefined || held === wanted) return undefined;
  return (
    `algorithm ${wanted} takes effect with the next key: the key of generation ${generation} stays ${held} ` +
    `until ${field} is bumped to ${generation + 1}.`
  );
}

/**
 * Generates a signing key pair: the public JWK (kid = RFC 7638 thumbprint, alg, use "sig") and the
 * private JWK (same kid and alg). The one place a private key is made.
 */
export async function generateSigningKeyPair(
  algorithm: KeyPairAlgorithm = "RS256",
  modulusLength?: number,
): Promise<{ kid: string; publicJwk: PublicSigningJwk; privateJwk: Record<string, string> }> {
  const jose = await import("jose");
  if (algorithm === "RS256" && (modulusLength ?? MIN_RSA_MODULUS_LENGTH) < MIN_RSA_MODULUS_LENGTH) {
    throw new Error(`modulusLength ${modulusLength}: Okta refuses RSA keys under 2048 bits`);
  }
  const pair = await jose.generateKeyPair(algorithm, {
    extractable: true,
    ...(algorithm === "RS256" ? { modulusLength: modulusLength ?? MIN_RSA_MODULUS_LENGTH } : {}),
  });
  const pub = await jose.exportJWK(pair.publicKey);
  const kid = await jose.calculateJwkThumbprint(pub, "sha256");
  const publicMembers =
    algorithm === "RS256"
      ? { kty: "RSA" as const, e: pub.e, n: pub.n }
      : { kty: "EC" as const, crv: pub.crv, x: pub.x, y: pub.y };
  const publicJwk = compact({
    ...publicMembers,
    kid,
    alg: algorithm,
    use: "sig" as const,
  }) as PublicSigningJwk;
  const priv = await jose.exportJWK(pair.privateKey);
  const privateJwk: Record<string, string> = { kid, alg: algorithm };
  for (const [k, v] of Object.entries(priv)) if (typeof v === "string") privateJwk[k] = v;
  if (privateMembersOf(publicJwk as unknown as Record<string, unknown>).length > 0) {
    throw new Error("internal error: the public JWK carries a private member");
  }
  return { kid, publicJwk, privateJwk };
}

/** The dynamic provider of KeyPair. Holds nothing: no credential, no key. */
export class KeyPairProvider implements pulumi.dynamic.ResourceProvider<KeyPairInputs, KeyPairOutputs> {
  /**
   * Validates the inputs and, in a key rotation, the change of the key generation against this slot's last applied
   * one: the pair is the first step of a key rotation, so a refusal here comes before anything is replaced or
   * written (in preview and under --skip-preview alike).
   */
  async check(
    olds: Record<string, unknown> | undefined,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult<KeyPairInputs>> {
    const result = checkInputs<KeyPairInputs>(keyPairInputsSchema, news);
    const slot = (result.inputs as KeyPairInputs | undefined)?.slot;
    if ((result.failures?.length ?? 0) > 0 || slot === undefined) return result;
    const problem = slotTransitionProblem(olds?.slot as SlotContext | undefined, slot, KEY_SLOTS);
    return problem
      ? { inputs: result.inputs, failures: [{ property: "", reason: `${problem} Nothing was changed.` }] }
      : result;
  }

  async diff(_id: pulumi.ID, olds: KeyPairOutputs, news: KeyPairInputs): Promise<pulumi.dynamic.DiffResult> {
    const { changes, replaces } = diffKeyPair(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
    );
    // Two pairs of the same slot never need to coexist: the JWK of the slot is replaced separately.
    return { changes, replaces };
  }

  async create(inputs: KeyPairInputs): Promise<pulumi.dynamic.CreateResult<KeyPairOutputs>> {
    const { kid, publicJwk, privateJwk } = await generateSigningKeyPair(
      inputs.algorithm,
      inputs.modulusLength,
    );
    return {
      id: kid,
      outs: compact({
        algorithm: inputs.algorithm,
        generation: inputs.generation,
        modulusLength: inputs.modulusLength,
        slot: inputs.slot,
        kid,
        publicJwk,
        privateJwk,
        created: new Date().toISOString(),
      }),
    };
  }

  async read(id: pulumi.ID, props?: KeyPairOutputs): Promise<pulumi.dynamic.ReadResult<KeyPairOutputs>> {
    // The pair lives only in the state: there is nothing outside to refresh from.
    return props === undefined ? { id: "" } : { id, props };
  }

  async update(
    _id: pulumi.ID,
    olds: KeyPairOutputs,
    news: KeyPairInputs,
  ): Promise<pulumi.dynamic.UpdateResult<KeyPairOutputs>> {
    // Only the slot's context is updated (every other change replaces): the pair is kept as it is, with its real
    // algorithm — a new algorithm waits for the next generation.
    return { outs: compact({ ...olds, slot: news.slot }) };
  }
}

// In state, the provider is a reference to KeyPairProvider in this file (see providerByReference.ts).
const provider = providerByReference(__filename, "KeyPairProvider");

export interface KeyPairArgs {
  /**
   * RS256 (default, most compatible) or ES256 (smallest). A change takes effect with the next generation; the pair
   * held keeps its algorithm (the `algorithm` output) until then.
   */
  readonly algorithm?: pulumi.Input<KeyPairAlgorithm>;
  /** Bump to rotate: a change replaces the pair. */
  readonly generation: pulumi.Input<number>;
  /** RSA modulus length in bits (default 2048, at least 2048). */
  readonly modulusLength?: pulumi.Input<number>;
  /** In a key rotation: the app's key generation (see slotTransition.ts); `check` refuses an unsafe change. */
  readonly slot?: pulumi.Input<SlotContext>;
}

/** A signing key pair generated at apply time. `privateJwk` is a secret output. */
export class KeyPair extends pulumi.dynamic.Resource {
  /** The algorithm of the pair held: the input's takes effect with the next generation. */
  declare public readonly algorithm: pulumi.Output<KeyPairAlgorithm>;
  declare public readonly generation: pulumi.Output<number>;
  /** RFC 7638 thumbprint of the public key: the `kid` registered with Okta and put in assertion headers. */
  declare public readonly kid: pulumi.Output<string>;
  declare public readonly publicJwk: pulumi.Output<PublicSigningJwk>;
  /** The private JWK (a Pulumi secret). */
  declare public readonly privateJwk: pulumi.Output<Record<string, string>>;
  declare public readonly created: pulumi.Output<string>;

  constructor(name: string, args: KeyPairArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        algorithm: args.algorithm ?? "RS256",
        generation: args.generation,
        modulusLength: args.modulusLength,
        slot: args.slot,
        kid: undefined,
        publicJwk: undefined,
        privateJwk: undefined,
        created: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["privateJwk"] }),
      "okta-rotation",
      "KeyPair",
    );
  }
}
