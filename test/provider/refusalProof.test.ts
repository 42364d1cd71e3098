import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyRefusal, refusalProofProvider, type RefusalProofInputs } from "../../dynamic/refusalProof";
import { ROTATION_SCOPE } from "../../local-env/okta";
import { outOfBand, startOkta, thrown, type OktaLocal } from "./helpers";

let okta: OktaLocal;
beforeAll(async () => {
  okta = await startOkta({ apps: [] });
});
afterAll(async () => okta?.close());

describe("classifyRefusal", () => {
  it("takes only invalid_client as a refusal, a token as acceptance, 429/5xx as worth another try", () => {
    const invalid = "The client secret supplied for a confidential client is invalid.";
    expect(classifyRefusal(401, { error: "invalid_client", error_description: invalid })).toBe("refused");
    // Refused for another reason than the secret: proves nothing about it.
    expect(
      classifyRefusal(401, {
        error: "invalid_client",
        error_description:
          "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
      }),
    ).toBe("inconclusive");
    expect(classifyRefusal(200, undefined)).toBe("accepted");
    expect(classifyRefusal(429, undefined)).toBe("retry");
    expect(classifyRefusal(503, undefined)).toBe("retry");
    expect(classifyRefusal(400, { error: "invalid_scope" })).toBe("inconclusive");
    expect(classifyRefusal(401, { error: "access_denied" })).toBe("inconclusive");
  });
});

describe("RefusalProof against the local Okta", () => {
  function inputs(
    appId: string,
    clientId: string,
    secret: { id: string; clientSecret: string },
  ): RefusalProofInputs {
    return {
      appId,
      secretId: secret.id,
      generation: 1,
      clientId,
      clientSecret: secret.clientSecret,
      tokenUrl: `${okta.orgUrl}/oauth2/default/v1/token`,
      scope: ROTATION_SCOPE,
      attempts: 2,
    };
  }

  it("passes once the retired secret is INACTIVE: Okta answers invalid_client; the value is not in the outputs", async () => {
    const app = okta.addApp({ secrets: 2 });
    const [, retired] = okta.listSecrets(app.id);
    const path = `/api/v1/apps/${app.id}/credentials/secrets/${retired!.id}/lifecycle/deactivate`;
    expect(await outOfBand(okta, "POST", path)).toBe(200);
    const r = await refusalProofProvider.create!(inputs(app.id, app.clientId, retired!));
    expect(r.outs).toMatchObject({ secretId: retired!.id, refusal: "invalid_client" });
    expect(JSON.stringify(r.outs).includes(retired!.clientSecret)).toBe(false);
  });

  it("fails the run when only a missing access policy rule kept the token back, naming what to create", async () => {
    // Okta answers access_denied only after client authentication: the retired secret still authenticates.
    const app = okta.addApp({ secrets: 2, inRotationPolicy: false });
    const [, stillActive] = okta.listSecrets(app.id);
    const err = await thrown(() => refusalProofProvider.create!(inputs(app.id, app.clientId, stillActive!)));
    expect(err.message).toContain(
      "HTTP 401 access_denied: Policy evaluation failed for this request, please check the policy configurations.",
    );
    expect(err.message).toContain("it got past client authentication, so it may still be ACTIVE");
    expect(err.message).toContain(
      `no access policy rule on authorization server default that lets client ${app.clientId} use client_credentials for ${ROTATION_SCOPE}`,
    );
    expect(err.message.includes(stillActive!.clientSecret)).toBe(false);
  });

  it("fails the run, naming the secret and what to check, while Okta still accepts it", async () => {
    const app = okta.addApp({ secrets: 2 });
    const [, stillActive] = okta.listSecrets(app.id);
    const err = await thrown(() => refusalProofProvider.create!(inputs(app.id, app.clientId, stillActive!)));
    expect(err.message).toContain(`the retired secret ${stillActive!.id} (generation 1) of app ${app.id}`);
    expect(err.message).toMatch(
      /Okta did not refuse it \(Okta issued a token for it\)\. The new secret stays delivered and ACTIVE/,
    );
    expect(err.message.includes(stillActive!.clientSecret)).toBe(false);
  });
});
