import { generateKeyPairSync } from "crypto";
import { describe, expect, it } from "vitest";
import { JsonWebKeyProvider, diffJsonWebKey, publicJwk, rsaModulusBits } from "../../dynamic";

const provider = new JsonWebKeyProvider();

function split(bits: number, kid = "k1"): { pub: Record<string, string>; priv: Record<string, string> } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return {
    pub: { ...(publicKey.export({ format: "jwk" }) as Record<string, string>), kid },
    priv: { ...(privateKey.export({ format: "jwk" }) as Record<string, string>), kid },
  };
}

describe("rsaModulusBits", () => {
  it.each([1024, 2048, 3072])("computes %i bits from n", (bits) => {
    expect(rsaModulusBits(split(bits).pub.n!)).toBe(bits);
  });

  it("ignores leading zero bytes", () => {
    const n = Buffer.concat([Buffer.from([0, 0]), Buffer.from([0x80]), Buffer.alloc(255, 1)]).toString(
      "base64url",
    );
    expect(rsaModulusBits(n)).toBe(2048);
  });
});

describe("JsonWebKey check (no Okta call)", () => {
  const { pub, priv } = split(2048);
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });

  it("accepts an RSA and an EC public key, keeping only public members", async () => {
    const r = await provider.check({}, { appId: "0oa1", jwk: { ...pub, x5c: ["…"] } });
    expect(r.failures).toBeUndefined();
    expect(r.inputs?.jwk).toEqual(publicJwk(pub));
    expect(r.inputs?.status).toBe("ACTIVE");
    const e = await provider.check(
      {},
      { appId: "0oa1", jwk: { ...ec, kid: "e1" }, status: "INACTIVE", generation: 1 },
    );
    expect(e.failures).toBeUndefined();
    expect(e.inputs).toMatchObject({ status: "INACTIVE", generation: 1 });
  });

  it("refuses private material without echoing it, before any call", async () => {
    const r = await provider.check({}, { appId: "0oa1", jwk: priv });
    expect(r.failures).toHaveLength(1);
    expect(r.failures![0]!.property).toBe("jwk");
    expect(r.failures![0]!.reason).toMatch(/private key material \(members d, p, q, dp, dq, qi\)/);
    const text = JSON.stringify(r);
    for (const m of ["d", "p", "q", "dp", "dq", "qi"]) expect(text.includes(priv[m]!)).toBe(false);
  });

  it("refuses a symmetric key (k)", async () => {
    const r = await provider.check({}, { appId: "0oa1", jwk: { kty: "oct", kid: "s", k: "c2VjcmV0" } });
    expect(r.failures![0]!.reason).toMatch(/member k\b/);
    expect(JSON.stringify(r).includes("c2VjcmV0")).toBe(false);
  });

  it.each([
    ["a 1024-bit RSA key", () => split(1024).pub, "jwk.n", /1024 bits; Okta requires at least 2048/],
    ["a missing kid", () => ({ ...pub, kid: undefined }), "jwk.kid", /kid is required/],
    ["an empty kid", () => ({ ...pub, kid: " " }), "jwk.kid", /kid is required/],
    ["an unknown kty", () => ({ kty: "OKP", kid: "x", x: "abc" }), "jwk.kty", /RSA" or "EC/],
    ["an RSA key without e", () => ({ ...pub, e: undefined }), "jwk.e", /exponent/],
    ["an EC key without y", () => ({ ...ec, kid: "e", y: undefined }), "jwk.y", /coordinate/],
    ["an EC encryption key", () => ({ ...ec, kid: "e", use: "enc" }), "jwk.use", /only for RSA/],
    ["a bad use", () => ({ ...pub, use: "both" }), "jwk.use", /"sig" or "enc"/],
    ["a non-object", () => "not a jwk", "jwk", /must be an object/],
  ])("refuses %s", async (_name, make, property, reason) => {
    const r = await provider.check({}, { appId: "0oa1", jwk: make() });
    const f = r.failures?.find((x) => x.property === property);
    expect(f?.reason).toMatch(reason);
  });

  it("refuses an empty appId and a bad status", async () => {
    const r = await provider.check({}, { appId: "", jwk: pub, status: "ON" });
    expect(r.failures?.map((f) => f.property).sort()).toEqual(["appId", "status"]);
  });
});

describe("diffJsonWebKey", () => {
  const { pub } = split(2048);
  const olds = {
    appId: "0oa1",
    jwk: publicJwk(pub),
    status: "ACTIVE",
    generation: 1,
    keyId: "pks1",
    kid: "k1",
  };

  it("is a no-op for the same key", () => {
    expect(diffJsonWebKey(olds, { appId: "0oa1", jwk: { ...pub }, status: "ACTIVE", generation: 1 })).toEqual(
      {
        changes: false,
        replaces: [],
      },
    );
  });

  it("updates on status, replaces on key material, kid, generation or app", () => {
    expect(diffJsonWebKey(olds, { appId: "0oa1", jwk: pub, status: "INACTIVE", generation: 1 })).toEqual({
      changes: true,
      replaces: [],
    });
    const other = split(2048).pub;
    expect(diffJsonWebKey(olds, { appId: "0oa1", jwk: other, generation: 1 }).replaces).toEqual(["jwk"]);
    expect(
      diffJsonWebKey(olds, { appId: "0oa1", jwk: { ...pub, kid: "k2" }, generation: 1 }).replaces,
    ).toEqual(["jwk"]);
    expect(diffJsonWebKey(olds, { appId: "0oa2", jwk: pub, generation: 2 }).replaces).toEqual([
      "appId",
      "generation",
    ]);
  });
});

describe("JsonWebKey check during preview", () => {
  it("accepts a JWK that is not known yet (generated at apply time)", async () => {
    const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const r = await provider.check({}, { appId: "0oa1", jwk: UNKNOWN, generation: 2 });
    expect(r.failures).toBeUndefined();
    expect(r.inputs).toMatchObject({ appId: "0oa1", jwk: UNKNOWN, generation: 2 });
  });
});
