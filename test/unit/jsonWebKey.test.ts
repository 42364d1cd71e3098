import { generateKeyPairSync } from "crypto";
import { describe, expect, it } from "vitest";
import { JsonWebKeyProvider, UNKNOWN, diffJsonWebKey, publicJwk, rsaModulusBits } from "../../dynamic";
import { unsafeKeyReplacement } from "../../dynamic/jsonWebKey";

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

  it("does not replace for a jwk not known yet (a preview of a key bump, the pair being updated)", () => {
    // The retired slot of a key bump: its pair's slot context is updated, so the preview hands an unknown jwk.
    expect(diffJsonWebKey(olds, { appId: "0oa1", jwk: UNKNOWN, status: "INACTIVE", generation: 1 })).toEqual({
      changes: true,
      replaces: [],
    });
    expect(diffJsonWebKey(olds, { appId: "0oa1", jwk: UNKNOWN, status: "ACTIVE", generation: 1 })).toEqual({
      changes: false,
      replaces: [],
    });
    // A new generation still replaces, known jwk or not.
    expect(diffJsonWebKey(olds, { appId: "0oa1", jwk: UNKNOWN, generation: 3 }).replaces).toEqual([
      "generation",
    ]);
  });
});

describe("JsonWebKey replaceOnlyInactive (refused in diff, before any write)", () => {
  const { pub } = split(2048, "k-slot");
  const active = {
    appId: "0oa1",
    jwk: publicJwk(pub),
    status: "ACTIVE",
    generation: 1,
    keyId: "pks1",
    kid: "k-slot",
  };
  const bump = { appId: "0oa1", jwk: split(2048, "k-next").pub, generation: 3, replaceOnlyInactive: true };

  it("refuses to replace an ACTIVE key, naming the key, the app and the generation to finish", async () => {
    const err = await provider.diff("pks1", active as never, bump as never).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).toBe("OktaRotationError");
    expect(err?.message).toBe(
      "JsonWebKey pks1 (kid k-slot) of app 0oa1 (generation 1) would be deleted and replaced for generation 3, " +
        "but it is still ACTIVE: the previous key rotation did not finish retiring it, and clients may still sign " +
        "with it. Set privateKeyJwt.keyGeneration back to 2 and run pulumi up to finish that rotation (it " +
        "deactivates this key once its successor is delivered and proven), then bump again. Nothing was changed.",
    );
  });

  it("refuses a replacement of an ACTIVE key by a new key alone (same generation), saying to put it back", () => {
    const reason = unsafeKeyReplacement(
      "pks1",
      active,
      { ...bump, generation: 1 },
      diffJsonWebKey(active, { ...bump, generation: 1 }).replaces,
    );
    expect(reason).toMatch(
      /^JsonWebKey pks1 \(kid k-slot\) of app 0oa1 \(generation 1\) would be deleted and replaced \(jwk changed\)/,
    );
    expect(reason).toMatch(/Put jwk back as before: a key in use is retired only by a key rotation/);
  });

  it("replaces an INACTIVE key, or any key without the flag; never refuses an update", async () => {
    const inactive = { ...active, status: "INACTIVE" };
    expect(await provider.diff("pks1", inactive as never, bump as never)).toEqual({
      changes: true,
      replaces: ["generation", "jwk"],
    });
    const { replaceOnlyInactive: _, ...unflagged } = bump;
    expect((await provider.diff("pks1", active as never, unflagged as never)).replaces).toEqual([
      "generation",
      "jwk",
    ]);
    expect(
      await provider.diff(
        "pks1",
        active as never,
        {
          appId: "0oa1",
          jwk: pub,
          generation: 1,
          status: "INACTIVE",
          replaceOnlyInactive: true,
        } as never,
      ),
    ).toEqual({ changes: true, replaces: [] });
    expect(unsafeKeyReplacement("pks1", active, bump, [])).toBeUndefined();
  });

  it("check accepts the flag and refuses a non-boolean", async () => {
    expect(
      (await provider.check({}, { appId: "0oa1", jwk: pub, replaceOnlyInactive: true })).inputs,
    ).toMatchObject({ replaceOnlyInactive: true });
    const r = await provider.check({}, { appId: "0oa1", jwk: pub, replaceOnlyInactive: "yes" });
    expect(r.failures).toEqual([
      { property: "replaceOnlyInactive", reason: "replaceOnlyInactive must be a boolean" },
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
