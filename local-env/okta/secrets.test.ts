import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal } from "./server";
import { MESSAGES } from "./store";
import { api, oktaError } from "./test-helpers";
import type { OktaLocal } from "./types";

const SECRET_SUMMARY = "Api validation failed: OAuth2ClientSecretMediated";
const VALUE_SUMMARY = "Api validation failed: client_secret";

let okta: OktaLocal;
beforeAll(async () => {
  okta = await startOktaLocal({ apps: [] });
});
afterAll(() => okta.close());

const secretsPath = (appId: string): string => `/api/v1/apps/${appId}/credentials/secrets`;

describe("client secrets", () => {
  it("lists the seeded secret with every documented field", async () => {
    const app = okta.addApp({ label: "list" });
    const r = await api(okta, "GET", secretsPath(app.id));
    expect(r.status).toBe(200);
    expect(Array.isArray(r.json)).toBe(true);
    expect(r.json.length).toBe(1);
    const s = r.json[0];
    expect(Object.keys(s).sort()).toEqual(
      ["_links", "client_secret", "created", "id", "lastUpdated", "secret_hash", "status"].sort(),
    );
    expect(s.id).toMatch(/^ocs[A-Za-z0-9]{17}$/);
    expect(s.status).toBe("ACTIVE");
    expect(s.client_secret === app.secrets[0].clientSecret).toBe(true);
    expect(new Date(s.created).toISOString()).toBe(s.created);
    // Whole seconds, as in every timestamp Okta publishes.
    expect(s.created).toMatch(/T\d\d:\d\d:\d\d\.000Z$/);
    expect(s.lastUpdated).toMatch(/\.000Z$/);
  });

  it("generates values of 40+ characters and hashes them like at_hash", async () => {
    const app = okta.addApp({ label: "hash", secrets: 0 });
    const r = await api(okta, "POST", secretsPath(app.id), { body: {} });
    expect(r.status).toBe(201);
    const value: string = r.json.client_secret;
    expect(value.length >= 40).toBe(true);
    const expected = createHash("sha256").update(value).digest().subarray(0, 16).toString("base64url");
    expect(r.json.secret_hash).toBe(expected);
    expect(r.json.secret_hash).not.toContain("=");
    expect(r.json.status).toBe("ACTIVE");
  });

  it("creates without a body at all", async () => {
    const app = okta.addApp({ label: "nobody", secrets: 0 });
    const r = await api(okta, "POST", secretsPath(app.id));
    expect(r.status).toBe(201);
    expect(r.json.status).toBe("ACTIVE");
  });

  it("accepts an own value and an INACTIVE status", async () => {
    const app = okta.addApp({ label: "own", secrets: 1 });
    const own = "a-local-test-value-of-30-chars";
    const r = await api(okta, "POST", secretsPath(app.id), {
      body: { client_secret: own, status: "INACTIVE" },
    });
    expect(r.status).toBe(201);
    expect(r.json.status).toBe("INACTIVE");
    expect(r.json.client_secret === own).toBe(true);
  });

  it("serves _links by status", async () => {
    const app = okta.addApp({ label: "links", secrets: 1 });
    const created = await api(okta, "POST", secretsPath(app.id), { body: { status: "INACTIVE" } });
    const base = `${okta.orgUrl}${secretsPath(app.id)}/${created.json.id}`;
    expect(created.json._links).toEqual({
      activate: { href: `${base}/lifecycle/activate`, hints: { allow: ["POST"] } },
      delete: { href: base, hints: { allow: ["DELETE"] } },
    });
    const activated = await api(okta, "POST", `${secretsPath(app.id)}/${created.json.id}/lifecycle/activate`);
    expect(activated.status).toBe(200);
    expect(activated.json.status).toBe("ACTIVE");
    expect(activated.json._links).toEqual({
      deactivate: { href: `${base}/lifecycle/deactivate`, hints: { allow: ["POST"] } },
    });
  });

  it("runs the lifecycle: create, deactivate, get, delete", async () => {
    const app = okta.addApp({ label: "cycle", secrets: 1 });
    const old = app.secrets[0].id;
    const created = await api(okta, "POST", secretsPath(app.id), { body: {} });
    expect(created.status).toBe(201);
    const deact = await api(okta, "POST", `${secretsPath(app.id)}/${old}/lifecycle/deactivate`);
    expect(deact.status).toBe(200);
    expect(deact.json.status).toBe("INACTIVE");
    expect(typeof deact.json.client_secret).toBe("string");
    const got = await api(okta, "GET", `${secretsPath(app.id)}/${old}`);
    expect(got.status).toBe(200);
    expect(got.json.status).toBe("INACTIVE");
    const del = await api(okta, "DELETE", `${secretsPath(app.id)}/${old}`);
    expect(del.status).toBe(204);
    const list = await api(okta, "GET", secretsPath(app.id));
    expect(list.json.map((s: { id: string }) => s.id)).toEqual([created.json.id]);
    expect(okta.listSecrets(app.id).map((s) => s.status)).toEqual(["ACTIVE"]);
  });

  it("refuses a third secret", async () => {
    const app = okta.addApp({ label: "cap", secrets: 2 });
    const r = await api(okta, "POST", secretsPath(app.id), { body: {} });
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SECRET_SUMMARY,
      cause: MESSAGES.secretCap,
    });
    expect(r.json.errorCauses[0].errorSummary).toBe(
      "You've reached the maximum number of client secrets per client.",
    );
    expect(r.json.errorLink).toBe("E0000001");
    expect(r.json.errorId).toMatch(/^oae/);
    expect(okta.listSecrets(app.id).length).toBe(2);
  });

  it("counts an INACTIVE secret towards the cap", async () => {
    const app = okta.addApp({ label: "cap-inactive", secrets: 1 });
    await api(okta, "POST", secretsPath(app.id), { body: { status: "INACTIVE" } });
    const r = await api(okta, "POST", secretsPath(app.id), { body: {} });
    expect(oktaError(r).cause).toBe("You've reached the maximum number of client secrets per client.");
  });

  it("refuses to delete an ACTIVE secret", async () => {
    const app = okta.addApp({ label: "del-active", secrets: 2 });
    const r = await api(okta, "DELETE", `${secretsPath(app.id)}/${app.secrets[0].id}`);
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SECRET_SUMMARY,
      cause: "You can't delete an active client secret. Deactivate the secret before deleting it.",
    });
  });

  it("refuses to deactivate the only ACTIVE secret, but not one of two", async () => {
    const app = okta.addApp({ label: "only-active", secrets: 1 });
    const r = await api(okta, "POST", `${secretsPath(app.id)}/${app.secrets[0].id}/lifecycle/deactivate`);
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SECRET_SUMMARY,
      cause: "You can't deactivate the only active client secret.",
    });
    const two = okta.addApp({ label: "two-active", secrets: 2 });
    const ok = await api(okta, "POST", `${secretsPath(two.id)}/${two.secrets[0].id}/lifecycle/deactivate`);
    expect(ok.status).toBe(200);
  });

  describe("own values", () => {
    const cases: [string, string, string][] = [
      [
        "101 characters",
        "x".repeat(101),
        "client_secret: 'client_secret' can't be more than '100' characters long.",
      ],
      [
        "13 characters",
        "x".repeat(13),
        "client_secret: 'client_secret' must be at least '14' characters long.",
      ],
      [
        "a non-ASCII character",
        `${"x".repeat(20)}é`,
        // Revision 3: doubled quotes, as in the spec's example and the Apps reference.
        "client_secret: ''client_secret'' must only contain printable ASCII: [x20-x7E]+",
      ],
      [
        "a control character",
        `${"x".repeat(20)}\t`,
        // Revision 3: doubled quotes, as in the spec's example and the Apps reference.
        "client_secret: ''client_secret'' must only contain printable ASCII: [x20-x7E]+",
      ],
    ];
    for (const [name, value, cause] of cases) {
      it(`refuses ${name}`, async () => {
        const app = okta.addApp({ label: `own-${name}`, secrets: 0 });
        const r = await api(okta, "POST", secretsPath(app.id), { body: { client_secret: value } });
        expect(oktaError(r)).toEqual({
          status: 400,
          errorCode: "E0000001",
          errorSummary: VALUE_SUMMARY,
          cause,
        });
      });
    }

    it("accepts exactly 14 and exactly 100 printable characters", async () => {
      const app = okta.addApp({ label: "own-bounds", secrets: 0 });
      expect(
        (await api(okta, "POST", secretsPath(app.id), { body: { client_secret: " ~".repeat(7) } })).status,
      ).toBe(201);
      expect(
        (await api(okta, "POST", secretsPath(app.id), { body: { client_secret: "y".repeat(100) } })).status,
      ).toBe(201);
    });

    it("needs 32 characters on a client_secret_jwt app", async () => {
      const app = okta.addApp({ label: "own-jwt", tokenEndpointAuthMethod: "client_secret_jwt", secrets: 0 });
      const r = await api(okta, "POST", secretsPath(app.id), { body: { client_secret: "z".repeat(31) } });
      expect(oktaError(r)).toEqual({
        status: 400,
        errorCode: "E0000001",
        errorSummary: VALUE_SUMMARY,
        cause: MESSAGES.secretTooShortJwt,
      });
      expect(MESSAGES.secretTooShortJwt).toContain("at least '32'");
      expect(MESSAGES.secretTooShortJwt).toContain(
        "when 'token_endpoint_auth_method' is 'client_secret_jwt'",
      );
      const ok = await api(okta, "POST", secretsPath(app.id), { body: { client_secret: "z".repeat(32) } });
      expect(ok.status).toBe(201);
    });
  });

  it("refuses secrets on a private_key_jwt app", async () => {
    const app = okta.addApp({ label: "pkj", tokenEndpointAuthMethod: "private_key_jwt" });
    expect(app.secrets.length).toBe(0);
    const r = await api(okta, "POST", secretsPath(app.id), { body: {} });
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000001",
      errorSummary: SECRET_SUMMARY,
      cause: "'client_secret' can't be used when 'token_endpoint_auth_method' is 'private_key_jwt'.",
    });
  });

  it("answers 404 E0000007 for an unknown secret on every secret route", async () => {
    const app = okta.addApp({ label: "404", secrets: 1 });
    const summary = "Not found: Resource not found: ocsNope (OAuth2ClientSecretMediated)";
    for (const [method, suffix] of [
      ["GET", ""],
      ["DELETE", ""],
      ["POST", "/lifecycle/activate"],
      ["POST", "/lifecycle/deactivate"],
    ]) {
      const r = await api(okta, method, `${secretsPath(app.id)}/ocsNope${suffix}`);
      expect(oktaError(r)).toEqual({ status: 404, errorCode: "E0000007", errorSummary: summary });
      expect(r.json.errorCauses).toEqual([]);
    }
  });

  it("answers 404 E0000007 for an unknown app", async () => {
    const r = await api(okta, "GET", secretsPath("0oaMissing"));
    expect(oktaError(r)).toEqual({
      status: 404,
      errorCode: "E0000007",
      errorSummary: "Not found: Resource not found: 0oaMissing (AppInstance)",
    });
  });

  it("answers 400 E0000003 to a malformed body", async () => {
    const app = okta.addApp({ label: "malformed", secrets: 0 });
    const r = await api(okta, "POST", secretsPath(app.id), { raw: "{not json" });
    expect(oktaError(r)).toEqual({
      status: 400,
      errorCode: "E0000003",
      errorSummary: "The request body was not well-formed.",
    });
  });
});

describe("concurrency", () => {
  it("keeps the two-secret cap under parallel creates", async () => {
    const app = okta.addApp({ label: "parallel", secrets: 1 });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api(okta, "POST", secretsPath(app.id), { body: {} })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 400, 400, 400, 400, 400, 400, 400]);
    expect(okta.listSecrets(app.id).length).toBe(2);
  });

  it("sends an X-Okta-Request-Id on answers", async () => {
    const app = okta.addApp({ label: "request-id", secrets: 1 });
    const r = await api(okta, "GET", secretsPath(app.id));
    expect(r.headers.get("x-okta-request-id")).toMatch(/^[A-Za-z0-9]{27}$/);
  });
});
