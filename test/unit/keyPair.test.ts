import { describe, expect, it } from "vitest";
import { calculateJwkThumbprint, compactVerify, CompactSign, importJWK } from "jose";
import {
  KeyPairProvider,
  diffKeyPair,
  generateSigningKeyPair,
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
  it("replaces on a new generation, algorithm or modulus length; nothing else changes", () => {
    expect(diffKeyPair(olds, { algorithm: "RS256", generation: 1 })).toEqual({
      changes: false,
      replaces: [],
    });
    expect(diffKeyPair(olds, { generation: 1 })).toEqual({ changes: false, replaces: [] });
    expect(diffKeyPair(olds, { algorithm: "RS256", generation: 2 })).toEqual({
      changes: true,
      replaces: ["generation"],
    });
    expect(diffKeyPair(olds, { algorithm: "ES256", generation: 1 })).toEqual({
      changes: true,
      replaces: ["algorithm"],
    });
    expect(diffKeyPair(olds, { algorithm: "RS256", generation: 1, modulusLength: 3072 }).replaces).toEqual([
      "modulusLength",
    ]);
  });

  it("read keeps the state (the pair exists nowhere else) and forgets nothing", async () => {
    const { id, outs } = await create({ algorithm: "ES256", generation: 1 });
    expect(await provider.read(id, outs)).toEqual({ id, props: outs });
  });
});
