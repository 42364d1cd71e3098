import { describe, expect, it } from "vitest";
import { calculateJwkThumbprint, compactVerify, CompactSign, importJWK } from "jose";
import {
  KEY_PAIR_REPLACE_KEYS,
  KeyPairProvider,
  diffKeyPair,
  generateSigningKeyPair,
  pendingAlgorithm,
  privateMembersOf,
  type KeyPairOutputs,
} from "../../dynamic/keyPair";

const provider = new KeyPairProvider();
const create = async (inputs: Parameters<KeyPairProvider["create"]>[0]) => {
  const r = await provider.create(inputs);
  return { id: r.id, outs: r.outs! };
};

async function signsAndVerifies(outs: Pick<KeyPairOutputs, "publicJwk" | "privateJwk" | "algorithm">) {
  const priv = await importJWK(outs.privateJwk, outs.algorithm);
  const pub = await importJWK({ ...outs.publicJwk }, outs.algorithm);
  const jws = await new CompactSign(new TextEncoder().encode("proof"))
    .setProtectedHeader({ alg: outs.algorithm })
    .sign(priv);
  const { payload } = await compactVerify(jws, pub);
  return new TextDecoder().decode(payload);
}

describe("KeyPair provider create", () => {
  it("generates an RS256 2048-bit pair by default, kid = the RFC 7638 thumbprint, public JWK without private members", async () => {
    const { id, outs } = await create({ algorithm: "RS256", generation: 1 });
    expect(outs.kid).toBe(id);
    expect(outs.kid).toBe(
      await calculateJwkThumbprint({ kty: "RSA", e: outs.publicJwk.e, n: outs.publicJwk.n }),
    );
    expect(outs.publicJwk).toMatchObject({ kty: "RSA", kid: outs.kid, alg: "RS256", use: "sig", e: "AQAB" });
    expect(Buffer.from(outs.publicJwk.n!, "base64url").length * 8).toBe(2048);
    expect(privateMembersOf(outs.publicJwk as unknown as Record<string, unknown>)).toEqual([]);
    expect(privateMembersOf(outs.privateJwk)).toEqual(expect.arrayContaining(["d", "p", "q"]));
    expect(outs.privateJwk).toMatchObject({ kid: outs.kid, alg: "RS256" });
    expect(await signsAndVerifies(outs)).toBe("proof");
  });

  it("generates ES256 on P-256", async () => {
    const { outs } = await create({ algorithm: "ES256", generation: 3 });
    expect(outs.publicJwk).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(outs.publicJwk.n).toBeUndefined();
    expect(outs.kid).toBe(
      await calculateJwkThumbprint({ kty: "EC", crv: "P-256", x: outs.publicJwk.x, y: outs.publicJwk.y }),
    );
    expect(await signsAndVerifies(outs)).toBe("proof");
  });

  it("gives every generation a different key", async () => {
    const a = await generateSigningKeyPair("ES256");
    const b = await generateSigningKeyPair("ES256");
    expect(a.kid).not.toBe(b.kid);
  });
});

describe("KeyPair provider check (before anything is generated or written)", () => {
  it("refuses RSA under 2048 bits, an unknown algorithm and a bad generation, naming the field", async () => {
    const r = await provider.check({}, { algorithm: "RS256", generation: 1, modulusLength: 1024 });
    expect(r.failures).toEqual([
      { property: "modulusLength", reason: expect.stringContaining("Okta refuses RSA keys under 2048 bits") },
    ]);
    const r2 = await provider.check({}, { algorithm: "HS256", generation: -1 });
    expect(r2.failures?.map((f) => f.property).sort()).toEqual(["algorithm", "generation"]);
    const r3 = await provider.check({}, { algorithm: "ES256", generation: 1, modulusLength: 4096 });
    expect(r3.failures?.map((f) => f.property)).toEqual(["modulusLength"]);
    await expect(generateSigningKeyPair("RS256", 1024)).rejects.toThrow(/2048/);
  });

  it("defaults the algorithm to RS256", async () => {
    const r = await provider.check({}, { generation: 2 });
    expect(r.failures ?? []).toEqual([]);
    expect(r.inputs).toMatchObject({ algorithm: "RS256", generation: 2 });
  });
});

describe("KeyPair diff", () => {
  const olds = { algorithm: "RS256", generation: 1, kid: "k", publicJwk: {}, privateJwk: {} };
  it("replaces on a new generation or modulus length; nothing else changes", () => {
    expect(KEY_PAIR_REPLACE_KEYS).toEqual(["generation", "modulusLength"]);
    expect(diffKeyPair(olds, { algorithm: "RS256", generation: 1 })).toEqual({
      changes: false,
      replaces: [],
    });
    expect(diffKeyPair(olds, { generation: 1 })).toEqual({ changes: false, replaces: [] });
    expect(diffKeyPair(olds, { algorithm: "RS256", generation: 2 })).toEqual({
      changes: true,
      replaces: ["generation"],
    });
    expect(diffKeyPair(olds, { algorithm: "RS256", generation: 1, modulusLength: 3072 }).replaces).toEqual([
      "modulusLength",
    ]);
  });

  it("an algorithm change alone plans nothing, and neither does reverting it", () => {
    expect(diffKeyPair(olds, { algorithm: "ES256", generation: 1 })).toEqual({
      changes: false,
      replaces: [],
    });
    // The engine keeps the outputs of a resource without changes: the revert is diffed against the same pair.
    expect(diffKeyPair(olds, { algorithm: "RS256", generation: 1 })).toEqual({
      changes: false,
      replaces: [],
    });
    const es = { ...olds, algorithm: "ES256" };
    expect(diffKeyPair(es, { algorithm: "RS256", generation: 1 })).toEqual({ changes: false, replaces: [] });
    expect(diffKeyPair(es, { generation: 1 })).toEqual({ changes: false, replaces: [] });
  });

  it("the algorithm takes effect at the next generation: the held pair keeps its key and its real algorithm until then", async () => {
    const held = await create({ algorithm: "RS256", generation: 1 });
    const changed = { algorithm: "ES256" as const, generation: 1 };
    expect(await provider.diff(held.id, held.outs, changed)).toEqual({ changes: false, replaces: [] });
    // Should the engine update it anyway, nothing of the pair changes.
    const u = await provider.update(held.id, held.outs, changed);
    expect(u.outs).toEqual(held.outs);
    expect(u.outs?.algorithm).toBe("RS256");
    expect(await signsAndVerifies(u.outs!)).toBe("proof");
    expect(pendingAlgorithm(held.outs.algorithm, "ES256", 1, "privateKeyJwt.keyGeneration")).toBe(
      "algorithm ES256 takes effect with the next key: the key of generation 1 stays RS256 until " +
        "privateKeyJwt.keyGeneration is bumped to 2.",
    );

    const bump = { algorithm: "ES256" as const, generation: 2 };
    expect(await provider.diff(held.id, held.outs, bump)).toEqual({
      changes: true,
      replaces: ["generation"],
    });
    const next = await create(bump);
    expect(next.outs.algorithm).toBe("ES256");
    expect(next.outs.publicJwk).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256" });
    expect(next.outs.kid).not.toBe(held.outs.kid);
    expect(await signsAndVerifies(next.outs)).toBe("proof");
    expect(pendingAlgorithm(next.outs.algorithm, "ES256", 2)).toBeUndefined();
  });

  it("pendingAlgorithm says nothing when the algorithms agree or the held one is not known", () => {
    expect(pendingAlgorithm("RS256", undefined, 3)).toBeUndefined();
    expect(pendingAlgorithm(undefined, "ES256", 3)).toBeUndefined();
    expect(pendingAlgorithm("ES256", undefined, 3)).toBe(
      "algorithm RS256 takes effect with the next key: the key of generation 3 stays ES256 until generation is bumped to 4.",
    );
  });

  it("read keeps the state (the pair exists nowhere else) and forgets nothing", async () => {
    const { id, outs } = await create({ algorithm: "ES256", generation: 1 });
    expect(await provider.read(id, outs)).toEqual({ id, props: outs });
  });
});

describe("KeyPair check in a key rotation: key generations only go up, one at a time", () => {
  const provider = new KeyPairProvider();
  const ctx = (generation: number) => ({ app: "billing", generation, rollback: false });
  it("refuses a key generation that went down or skipped one, before the pair is replaced", async () => {
    const down = await provider.check({ slot: ctx(3) }, { generation: 2, slot: ctx(2) });
    expect(down.failures?.[0]?.reason).toMatch(
      /^app 'billing': privateKeyJwt.keyGeneration went down from 3 to 2\..*Nothing was changed\.$/,
    );
    const skip = await provider.check({ slot: ctx(3) }, { generation: 5, slot: ctx(5) });
    expect(skip.failures?.[0]?.reason).toMatch(
      /replace the key of generation 3, but the rotation to 4 has not finished/,
    );
  });
  it("accepts a bump by one and records the new context by an update that keeps the pair", async () => {
    expect(
      (await provider.check({ slot: ctx(3) }, { generation: 4, slot: ctx(4) })).failures,
    ).toBeUndefined();
    const outs = (await provider.create({ algorithm: "ES256", generation: 3, slot: ctx(3) })).outs!;
    const news = { algorithm: "ES256" as const, generation: 3, slot: ctx(4) };
    expect(diffKeyPair({ ...outs }, news)).toEqual({ changes: true, replaces: [] });
    const updated = await provider.update(outs.kid, outs, news);
    expect(updated.outs).toEqual({ ...outs, slot: ctx(4) });
  });
});
