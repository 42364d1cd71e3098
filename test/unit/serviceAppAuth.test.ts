// The service app's tokens and DPoP proofs, against a scripted token endpoint: what each attempt sends.
// Tokens and assertions are compared as booleans, never printed.
import { createHash, generateKeyPairSync } from "crypto";
import {
  calculateJwkThumbprint,
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
} from "jose";
import { describe, expect, it } from "vitest";
import { describeFailure, formatOktaErrorMessage } from "../../dynamic/oktaErrors";
import { OktaConfigError } from "../../dynamic/oktaSettings";
import { serviceAppSigner } from "../../dynamic/serviceAppAuth";
import {
  ServiceAppAuth,
  ServiceAppTokenError,
  type AttemptRequest,
  type AttemptResponse,
} from "../../dynamic/serviceAppAuth";

const ORG = "https://example.okta.com";

function answer(status: number, body: unknown, headers: Record<string, string> = {}): AttemptResponse {
  const h = new Headers(headers);
  return { status, headers: { get: (n) => h.get(n) }, text: async () => JSON.stringify(body) };
}

/** A ServiceAppAuth whose token endpoint answers from `script`; records what each attempt sent. */
function scripted(script: AttemptResponse[], now: () => number = Date.now) {
  const sent: AttemptRequest[] = [];
  let assertions = 0;
  const auth = new ServiceAppAuth({
    orgUrl: ORG,
    clientId: "0oasvc",
    scopes: ["okta.apps.read", "okta.apps.manage"],
    signAssertion: async (aud) => `assertion-${++assertions}-${aud}`,
    transport: async (request, hooks) => {
      const r = hooks.prepare ? await hooks.prepare(request) : request;
      sent.push(r);
      const next = script.shift();
      if (!next) throw new Error("no scripted answer left");
      return next;
    },
    now,
  });
  return { auth, sent };
}

const proofOf = (r: AttemptRequest) => String(r.headers?.DPoP ?? "");
const claimsOf = (proof: string) => decodeJwt(proof) as Record<string, unknown>;

describe("ServiceAppAuth", () => {
  it("does the use_dpop_nonce exchange with a new assertion and proof, then signs calls with ath", async () => {
    const { auth, sent } = scripted([
      answer(400, { error: "use_dpop_nonce", error_description: "…" }, { "dpop-nonce": "n-1" }),
      answer(200, { token_type: "DPoP", access_token: "tok-1", expires_in: 3600 }),
    ]);
    const headers = await auth.authorize("get", `${ORG}/api/v1/apps/0oa1/credentials/secrets?limit=2`);
    expect(sent).toHaveLength(2);
    const [first, second] = sent.map(proofOf);
    expect(claimsOf(first!).nonce).toBeUndefined();
    expect(claimsOf(second!).nonce).toBe("n-1");
    expect(claimsOf(first!).jti !== claimsOf(second!).jti).toBe(true);
    expect(sent[0]?.body !== sent[1]?.body).toBe(true);
    expect(claimsOf(second!)).toMatchObject({ htm: "POST", htu: `${ORG}/oauth2/v1/token` });

    expect(headers.Authorization === "DPoP tok-1").toBe(true);
    const proof = headers.DPoP!;
    const header = decodeProtectedHeader(proof);
    expect(header).toMatchObject({ typ: "dpop+jwt", alg: "ES256" });
    expect(Object.keys(header.jwk ?? {}).sort()).toEqual(["crv", "kty", "x", "y"]);
    await compactVerify(proof, await importJWK(header.jwk as JWK, "ES256"));
    expect(claimsOf(proof)).toMatchObject({
      htm: "GET",
      htu: `${ORG}/api/v1/apps/0oa1/credentials/secrets`,
      ath: createHash("sha256").update("tok-1").digest("base64url"),
    });
    // One key per connection, a fresh proof per attempt.
    const again = await auth.authorize("GET", `${ORG}/api/v1/apps`);
    expect(claimsOf(again.DPoP!).jti !== claimsOf(proof).jti).toBe(true);
    expect(await calculateJwkThumbprint(decodeProtectedHeader(again.DPoP!).jwk as JWK)).toBe(
      await calculateJwkThumbprint(header.jwk as JWK),
    );
    expect(sent).toHaveLength(2);
  });

  it("uses Bearer when the token endpoint answers token_type Bearer (a service app without DPoP)", async () => {
    const { auth } = scripted([
      answer(200, { token_type: "Bearer", access_token: "tok-b", expires_in: 3600 }),
    ]);
    const headers = await auth.authorize("GET", `${ORG}/api/v1/apps`);
    expect(headers.Authorization === "Bearer tok-b").toBe(true);
    expect(headers.DPoP).toBeUndefined();
  });

  it("renews the token a minute before it expires", async () => {
    let clock = 1_000_000;
    const { auth, sent } = scripted(
      [
        answer(200, { token_type: "DPoP", access_token: "tok-1", expires_in: 3600 }),
        answer(200, { token_type: "DPoP", access_token: "tok-2", expires_in: 3600 }),
      ],
      () => clock,
    );
    await auth.authorize("GET", `${ORG}/api/v1/apps`);
    clock += 3_539_000;
    expect((await auth.authorize("GET", `${ORG}/api/v1/apps`)).Authorization === "DPoP tok-1").toBe(true);
    clock += 2_000;
    expect((await auth.authorize("GET", `${ORG}/api/v1/apps`)).Authorization === "DPoP tok-2").toBe(true);
    expect(sent).toHaveLength(2);
  });

  it("answers a resource server's 401 use_dpop_nonce once and keeps its nonce for later proofs", async () => {
    const { auth } = scripted([answer(200, { token_type: "DPoP", access_token: "tok-1", expires_in: 3600 })]);
    const hooks = auth.hooks();
    const url = `${ORG}/api/v1/apps`;
    const first = await hooks.prepare!({ method: "GET", url });
    const challenge = answer(
      401,
      {},
      {
        "www-authenticate":
          'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
        "dpop-nonce": "rs-1",
      },
    );
    expect(hooks.again!(challenge, first)).toBe(true);
    const second = await hooks.prepare!({ method: "GET", url });
    expect(claimsOf(proofOf(second)).nonce).toBe("rs-1");
    expect(hooks.again!(challenge, second)).toBe(false);
  });

  it("a refused token request throws Okta's error and description, nothing of the assertion", async () => {
    const { auth } = scripted([
      answer(401, {
        error: "invalid_client",
        error_description: "The client_assertion signature is invalid.",
      }),
    ]);
    const err = (await auth.authorize("GET", `${ORG}/api/v1/apps`).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ServiceAppTokenError);
    expect(err.message).toBe(
      "Okta HTTP 401 invalid_client: the token request of service app 0oasvc was refused: The client_assertion signature is invalid.",
    );
  });

  it("gives up after two nonce rounds instead of looping", async () => {
    const nonce = (n: string) => answer(400, { error: "use_dpop_nonce" }, { "dpop-nonce": n });
    const { auth, sent } = scripted([nonce("a"), nonce("b"), nonce("c")]);
    const err = (await auth.authorize("GET", `${ORG}/api/v1/apps`).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/HTTP 400 use_dpop_nonce/);
    expect(sent).toHaveLength(3);
  });
});

describe("serviceAppSigner", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });

  it("signs assertions with a PEM key (RS256) or a private JWK (EC → ES256), kid when known", async () => {
    const pem = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const a = await serviceAppSigner("0oasvc", pem, "kid-1")(`${ORG}/oauth2/v1/token`);
    expect(decodeProtectedHeader(a)).toEqual({ alg: "RS256", kid: "kid-1" });
    expect(decodeJwt(a)).toMatchObject({ iss: "0oasvc", sub: "0oasvc", aud: `${ORG}/oauth2/v1/token` });
    await compactVerify(a, rsa.publicKey);
    const jwk = JSON.stringify(ec.privateKey.export({ format: "jwk" }));
    const b = await serviceAppSigner("0oasvc", jwk, undefined)(`${ORG}/oauth2/v1/token`);
    expect(decodeProtectedHeader(b)).toEqual({ alg: "ES256" });
    await compactVerify(b, ec.publicKey);
  });

  it("refuses keys it cannot use, naming the setting and never the key", () => {
    const pub = JSON.stringify(rsa.publicKey.export({ format: "jwk" }));
    for (const [key, message] of [
      ["{not json", /okta:privateKey \(env OKTA_API_PRIVATE_KEY\) starts like a JWK but is not valid JSON/],
      [
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        /neither a PEM private key nor a private JWK/,
      ],
      [pub, /is a public key/],
    ] as const) {
      let err: unknown;
      try {
        serviceAppSigner("0oasvc", key, undefined);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OktaConfigError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message.includes(key)).toBe(false);
    }
  });
});

describe("errors of DPoP refusals at the management API", () => {
  it("reads Okta's error and description from the DPoP challenge and says what to do", () => {
    const headers = new Headers({
      "www-authenticate":
        'DPoP error="invalid_dpop_proof", error_description="The DPoP proof JWT is issued more than five minutes in the past."',
    });
    // The SDK's error for a JSON body without errorCode/errorSummary.
    const sdkError = { status: 400, errorSummary: "", headers, message: "Okta HTTP 400 undefined " };
    const failure = describeFailure(sdkError);
    expect(failure).toMatchObject({
      status: 400,
      errorCode: "invalid_dpop_proof",
      errorSummary: "The DPoP proof JWT is issued more than five minutes in the past.",
    });
    const message = formatOktaErrorMessage({
      resource: "ClientSecret of app 0oa1",
      action: "create",
      failure,
    });
    expect(message).toMatch(/^Okta refused to create ClientSecret of app 0oa1: HTTP 400 invalid_dpop_proof/);
    expect(message).toMatch(/What to do: .*check this machine's clock/);
  });
});
