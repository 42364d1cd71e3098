import { Config as DynamicConfig } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import { describe, expect, it } from "vitest";
import {
  OktaApiError,
  OktaConfigError,
  backoffDelayMs,
  describeFailure,
  exclusive,
  formatOktaErrorMessage,
  isIdempotentRequest,
  isLoopbackHost,
  parseJwkList,
  rateLimitDelayMs,
  resolveConnectionSettings,
  resolveOrgUrl,
  retryPolicyFromEnv,
  secretHash,
} from "../../dynamic";

const config = (values: Record<string, string>) => ({ get: (k: string) => values[k] });

describe("resolveConnectionSettings", () => {
  it("reads okta-credential-rotation:oktaOrgUrl and okta:* through the dynamic provider host's own Config class", () => {
    // The class the host passes as req.config: un-namespaced keys get the project prefix, `okta:` keys are
    // read as they are (since pulumi/pulumi#17229 dynamic providers receive the whole stack config).
    const req = {
      config: new DynamicConfig(
        {
          "okta-credential-rotation:oktaOrgUrl": "http://127.0.0.1:9999",
          "okta:apiToken": "from-config",
          "other:apiToken": "not-this",
        },
        "okta-credential-rotation",
      ),
    };
    const s = resolveConnectionSettings(req.config, { OKTA_API_TOKEN: "from-env" });
    expect(s.orgUrl).toBe("http://127.0.0.1:9999");
    expect(s.credentials.kind === "apiToken" && s.credentials.apiToken === "from-config").toBe(true);
  });

  it("reads okta-credential-rotation:oktaOrgUrl in any project, never the project's own namespace", () => {
    // A program of its own (project rotation-consumer): the package's key is the same as in this repository's.
    const req = new DynamicConfig(
      {
        "rotation-consumer:oktaOrgUrl": "https://not-this.okta.com",
        "okta-credential-rotation:oktaOrgUrl": "https://acme.okta.com/",
        "okta:apiToken": "t",
      },
      "rotation-consumer",
    );
    expect(resolveConnectionSettings(req, {}).orgUrl).toBe("https://acme.okta.com");
    const own = new DynamicConfig(
      { "rotation-consumer:oktaOrgUrl": "https://not-this.okta.com" },
      "rotation-consumer",
    );
    expect(resolveOrgUrl(own, {})).toBeUndefined();
    expect(resolveOrgUrl(own, { OKTA_ORG_NAME: "acme", OKTA_BASE_URL: "oktapreview.com" })).toBe(
      "https://acme.oktapreview.com",
    );
  });

  it("reads the explicit org URL from okta-credential-rotation:oktaOrgUrl and the token via okta:apiToken", () => {
    const s = resolveConnectionSettings(
      config({ "okta-credential-rotation:oktaOrgUrl": "http://127.0.0.1:8080/", "okta:apiToken": "t0k" }),
      { OKTA_ORG_URL: "https://ignored.okta.com", OKTA_API_TOKEN: "other" },
    );
    expect(s.orgUrl).toBe("http://127.0.0.1:8080");
    expect(s.credentials.kind).toBe("apiToken");
    expect(s.credentials.kind === "apiToken" && s.credentials.apiToken === "t0k").toBe(true);
  });

  it("falls back to the environment", () => {
    const s = resolveConnectionSettings(undefined, {
      OKTA_ORG_URL: "https://dev-1.okta.com",
      OKTA_API_TOKEN: "e",
    });
    expect(s.orgUrl).toBe("https://dev-1.okta.com");
  });

  it("prefers OKTA_ORG_URL to OKTA_ORG_NAME, as the local environment sets both (the name for @pulumi/okta)", () => {
    const s = resolveConnectionSettings(undefined, {
      OKTA_ORG_URL: "http://127.0.0.1:41234",
      OKTA_ORG_NAME: "local",
      OKTA_HTTP_PROXY: "http://127.0.0.1:41234",
      OKTA_API_TOKEN: "t",
    });
    expect(s.orgUrl).toBe("http://127.0.0.1:41234");
  });

  it("builds https://<orgName>.<baseUrl>, base URL defaulting to okta.com", () => {
    expect(
      resolveConnectionSettings(config({ "okta:orgName": "dev-1", "okta:apiToken": "t" }), {}).orgUrl,
    ).toBe("https://dev-1.okta.com");
    expect(
      resolveConnectionSettings(undefined, {
        OKTA_ORG_NAME: "acme",
        OKTA_BASE_URL: "oktapreview.com",
        OKTA_API_TOKEN: "t",
      }).orgUrl,
    ).toBe("https://acme.oktapreview.com");
  });

  it("refuses plain http except for loopback hosts", () => {
    expect(() =>
      resolveConnectionSettings(undefined, { OKTA_ORG_URL: "http://dev-1.okta.com", OKTA_API_TOKEN: "t" }),
    ).toThrow(/must use https/);
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("10.0.0.1")).toBe(false);
  });

  it("names every key and env var when nothing is configured", () => {
    expect(() => resolveConnectionSettings(undefined, {})).toThrow(OktaConfigError);
    expect(() => resolveConnectionSettings(undefined, {})).toThrow(
      /okta:orgName.*OKTA_ORG_NAME.*oktaOrgUrl.*OKTA_ORG_URL/s,
    );
    const noCreds = () => resolveConnectionSettings(undefined, { OKTA_ORG_URL: "https://a.okta.com" });
    expect(noCreds).toThrow(/okta:apiToken.*OKTA_API_TOKEN.*OKTA_API_CLIENT_ID.*OKTA_API_PRIVATE_KEY/s);
  });

  it("resolves an OAuth service app with default scopes, and says which half is missing", () => {
    const s = resolveConnectionSettings(undefined, {
      OKTA_ORG_URL: "https://a.okta.com",
      OKTA_API_CLIENT_ID: "0oasvc",
      OKTA_API_PRIVATE_KEY: "{}",
      OKTA_API_PRIVATE_KEY_ID: "kid1",
    });
    expect(s.credentials).toMatchObject({ kind: "privateKey", clientId: "0oasvc", privateKeyId: "kid1" });
    expect(s.credentials.kind === "privateKey" && s.credentials.scopes).toEqual([
      "okta.apps.read",
      "okta.apps.manage",
    ]);
    const custom = resolveConnectionSettings(
      config({
        "okta:clientId": "c",
        "okta:privateKey": "k",
        "okta:scopes": "okta.apps.read, okta.apps.manage okta.users.read",
      }),
      { OKTA_ORG_URL: "https://a.okta.com" },
    );
    expect(custom.credentials.kind === "privateKey" && custom.credentials.scopes).toEqual([
      "okta.apps.read",
      "okta.apps.manage",
      "okta.users.read",
    ]);
    expect(() =>
      resolveConnectionSettings(undefined, { OKTA_ORG_URL: "https://a.okta.com", OKTA_API_CLIENT_ID: "c" }),
    ).toThrow(/okta:privateKey \(env OKTA_API_PRIVATE_KEY\) is missing/);
  });

  it("never puts a credential into an error message", () => {
    try {
      resolveConnectionSettings(undefined, { OKTA_ORG_URL: "ftp://x", OKTA_API_TOKEN: "very-secret-token" });
    } catch (e) {
      expect(String(e).includes("very-secret-token")).toBe(false);
    }
  });
});

describe("retry policy", () => {
  it("waits Reset − Date + 1 s after a 429, capped", () => {
    const date = "Mon, 23 Nov 2026 16:00:00 GMT";
    const reset = String(Date.parse(date) / 1000 + 5);
    expect(rateLimitDelayMs(reset, date, 0, 60_000, 100)).toBe(6_000);
    expect(rateLimitDelayMs(reset, date, 0, 2_000, 100)).toBe(2_000);
    // Reset in the past → wait the 1 s margin at most, never negative.
    expect(rateLimitDelayMs(String(Date.parse(date) / 1000 - 10), date, 0, 60_000, 100)).toBe(0);
  });

  it("falls back to backoff without usable headers (missing, or duplicated as Okta sometimes sends)", () => {
    expect(rateLimitDelayMs(null, null, 0, 60_000, 250)).toBe(250);
    expect(rateLimitDelayMs("1,2", null, 0, 60_000, 250)).toBe(250);
  });

  it("uses the local clock when Date is missing", () => {
    expect(rateLimitDelayMs("100", undefined, 97_000, 60_000, 1)).toBe(4_000);
  });

  it("backs off exponentially up to the maximum", () => {
    const p = { baseDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, p))).toEqual([100, 200, 400, 500]);
  });

  it("reads overrides from OKTA_ROTATION_* and rejects nonsense", () => {
    expect(
      retryPolicyFromEnv({ OKTA_ROTATION_RETRY_BASE_MS: "5", OKTA_ROTATION_MAX_RETRIES: "2" }),
    ).toMatchObject({
      baseDelayMs: 5,
      maxRetries: 2,
    });
    expect(() => retryPolicyFromEnv({ OKTA_ROTATION_MAX_RETRIES: "-1" })).toThrow(
      /OKTA_ROTATION_MAX_RETRIES/,
    );
  });

  it("treats creates as non-idempotent and lifecycle calls as idempotent", () => {
    expect(isIdempotentRequest("POST", "/api/v1/apps/a/credentials/secrets")).toBe(false);
    expect(isIdempotentRequest("POST", "/api/v1/apps/a/credentials/jwks")).toBe(false);
    expect(isIdempotentRequest("POST", "/api/v1/apps/a/credentials/secrets/s/lifecycle/deactivate")).toBe(
      true,
    );
    expect(isIdempotentRequest("POST", "/api/v1/apps/a/credentials/jwks/k/lifecycle/activate")).toBe(true);
    for (const m of ["GET", "PUT", "DELETE"]) expect(isIdempotentRequest(m, "/api/v1/apps/a")).toBe(true);
  });
});

describe("errors", () => {
  const sdkError = {
    status: 400,
    errorCode: "E0000001",
    errorSummary: "Api validation failed: OAuth2ClientSecretMediated",
    errorCauses: [{ errorSummary: "You've reached the maximum number of client secrets per client." }],
    errorId: "oae1",
    message: "Okta HTTP 400 …",
  };

  it("reduces the SDK's error to Okta's fields", () => {
    const f = describeFailure(sdkError);
    expect(f).toMatchObject({ status: 400, errorCode: "E0000001", ambiguous: false, errorId: "oae1" });
    expect(f.errorCauses).toEqual(["You've reached the maximum number of client secrets per client."]);
    expect(describeFailure({ status: 503, message: "HTTP 503 nope" }).ambiguous).toBe(true);
    expect(describeFailure(new Error("socket hang up")).ambiguous).toBe(true);
  });

  it("names the resource, Okta's summary and causes, and what to do", () => {
    const e = new OktaApiError({
      resource: "a new ClientSecret of app 0oa1",
      action: "create",
      failure: describeFailure(sdkError),
      context: ["The app's secrets: ocs1 ACTIVE; ocs2 ACTIVE."],
      hint: "free a slot",
    });
    expect(e.status).toBe(400);
    expect(e.errorCode).toBe("E0000001");
    expect(e.errorSummary).toBe("Api validation failed: OAuth2ClientSecretMediated");
    expect(e.errorCauses).toHaveLength(1);
    expect(e.message).toContain("Okta refused to create a new ClientSecret of app 0oa1: HTTP 400 E0000001");
    expect(e.message).toContain("cause: You've reached the maximum number of client secrets per client.");
    expect(e.message).toContain("ocs1 ACTIVE; ocs2 ACTIVE");
    expect(e.message).toMatch(/What to do: free a slot$/);
  });

  it("reads the missing scope from an insufficient_scope challenge and says to grant it", () => {
    // The challenge as Okta's support article "insufficient_scope Error when Making a Request to an OAuth or
    // Management Endpoint" shows it; every Okta scope shape, one resource and one sub-resource.
    const areas = ["apps", "appGrants", "authorizationServers", "users", "groups", "logs"];
    for (const area of areas) {
      for (const sub of ["", ".sso"]) {
        for (const verb of ["read", "manage"]) {
          const scope = `okta.${area}${sub}.${verb}`;
          const challenge =
            `Bearer authorization_uri="https://org.example/oauth2/v1/authorize", realm="https://org.example", ` +
            `scope="${scope}", error="insufficient_scope", error_description="The access token provided does not ` +
            `contain the required scopes.", resource="/api/v1/apps"`;
          const err = {
            status: 403,
            errorCode: "E0000006",
            errorSummary: "You do not have permission to perform the requested action",
            errorCauses: [],
            headers: new Headers({ "WWW-Authenticate": challenge }),
          };
          const f = describeFailure(err);
          expect(f.missingScope).toBe(scope);
          const e = new OktaApiError({ resource: "app 0oa1", action: "read", failure: f, hint: "generic" });
          expect(e.missingScope).toBe(scope);
          expect(e.message).toContain(`missing scope: ${scope}`);
          expect(e.message).toContain(
            `What to do: Okta says the access token lacks the scope ${scope}. Grant ${scope}`,
          );
          // Wrapped again (a resource re-throwing), the scope is kept.
          expect(describeFailure(e).missingScope).toBe(scope);
        }
      }
    }
    // Another challenge (DPoP's) names no missing scope; nor does a 403 without a challenge.
    const dpop = {
      status: 400,
      headers: new Headers({ "WWW-Authenticate": 'DPoP error="invalid_dpop_proof", error_description="x"' }),
    };
    expect(describeFailure(dpop).missingScope).toBeUndefined();
    const bare = { status: 403, errorCode: "E0000006", errorSummary: "no", errorCauses: [] };
    expect(describeFailure(bare).missingScope).toBeUndefined();
    expect(formatOktaErrorMessage({ resource: "x", action: "read", failure: describeFailure(bare) })).toMatch(
      /What to do: the credentials may not manage this app/,
    );
  });

  it("formats a failure without an HTTP answer", () => {
    const msg = formatOktaErrorMessage({
      resource: "x",
      action: "create",
      failure: describeFailure(new Error("request timed out")),
    });
    expect(msg).toBe("Could not create x: request timed out");
  });
});

describe("secretHash and JWK lists", () => {
  it("is base64url of the first 16 bytes of SHA-256", () => {
    // sha256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 …
    expect(secretHash("abc")).toBe(
      Buffer.from("ba7816bf8f01cfea414140de5dae2223", "hex").toString("base64url"),
    );
    expect(secretHash("abc")).toHaveLength(22);
  });

  it("accepts all three documented list shapes", () => {
    const k = { id: "pks1", kid: "a", status: "ACTIVE", kty: "RSA", d: "private?" };
    for (const body of [[k], { keys: [k] }, { jwks: { keys: [k] } }]) {
      const list = parseJwkList(body);
      expect(list.map((x) => x.id)).toEqual(["pks1"]);
      expect("d" in list[0]!).toBe(false);
    }
    expect(parseJwkList(undefined)).toEqual([]);
  });
});

describe("exclusive", () => {
  it("runs calls with the same key one after another, other keys in parallel, and survives failures", async () => {
    const order: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        order.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${name}:end`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      };
    const results = await Promise.allSettled([
      exclusive("app-1", step("a", 30, true)),
      exclusive("app-1", step("b", 5)),
      exclusive("app-2", step("c", 5)),
    ]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      "a failed",
      "b",
      "c",
    ]);
    expect(order.indexOf("b:start")).toBeGreaterThan(order.indexOf("a:end"));
    expect(order.indexOf("c:start")).toBeLessThan(order.indexOf("a:end"));
  });
});
