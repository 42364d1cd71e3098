import { describe, expect, it } from "vitest";
import { basicExchangeRequest, overlapRemainingMs } from "../../dynamic/tokenExchangeGate";

describe("overlapRemainingMs", () => {
  const since = "2026-01-01T00:00:00.000Z";
  const t0 = Date.parse(since);
  it("counts down from activation to the minimum overlap", () => {
    expect(overlapRemainingMs(since, 900, t0)).toBe(900_000);
    expect(overlapRemainingMs(since, 900, t0 + 899_000)).toBe(1_000);
    expect(overlapRemainingMs(since, 900, t0 + 901_000)).toBe(0);
    expect(overlapRemainingMs(since, 0, t0)).toBe(0);
  });
  it("waits the whole overlap when the activation time is unknown", () => {
    expect(overlapRemainingMs("", 30, t0)).toBe(30_000);
  });
});

describe("basicExchangeRequest", () => {
  it("builds a client_secret_basic client_credentials request, form-encoding the credentials", () => {
    const req = basicExchangeRequest("my client", "p:ss", "api.read");
    const decoded = Buffer.from(req.headers.authorization.replace(/^Basic /, ""), "base64").toString();
    expect(decoded).toBe("my%20client:p%3Ass");
    expect(new URLSearchParams(req.body).get("grant_type")).toBe("client_credentials");
    expect(new URLSearchParams(req.body).get("scope")).toBe("api.read");
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });
});
