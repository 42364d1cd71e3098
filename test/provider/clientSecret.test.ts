import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ClientSecretProvider,
  OktaApiError,
  secretHash,
  type ClientSecretInputs,
  type ClientSecretOutputs,
} from "../../dynamic";
import { calls, outOfBand, redact, startOkta, thrown, type OktaLocal } from "./helpers";

const provider = new ClientSecretProvider();
const OWN = "own-secret-value-with-32-chars!!";

let okta: OktaLocal;

beforeAll(async () => {
  okta = await startOkta({ apps: [] });
});
afterAll(async () => okta?.close());
beforeEach(() => okta.clearLog());

async function checked(news: Record<string, unknown>): Promise<ClientSecretInputs> {
  const r = await provider.check({}, news);
  expect(r.failures).toBeUndefined();
  return r.inputs!;
}

async function create(news: Record<string, unknown>): Promise<{ id: string; outs: ClientSecretOutputs }> {
  const r = await provider.create(await checked(news));
  return { id: r.id, outs: r.outs! };
}

function oktaSecret(appId: string, id: string) {
  return okta.listSecrets(appId).find((s) => s.id === id);
}

describe("create", () => {
  it("creates a generated secret: ACTIVE in Okta, value and hash in the outputs", async () => {
    const app = okta.addApp({ secrets: 1 });
    const { id, outs } = await create({ appId: app.id, generation: 1 });
    expect(redact(outs)).toMatchObject({
      appId: app.id,
      secretId: id,
      status: "ACTIVE",
      generation: 1,
      clientSecret: "<set>",
    });
    expect(id).toMatch(/^ocs/);
    const inOkta = oktaSecret(app.id, id);
    expect(inOkta?.status).toBe("ACTIVE");
    expect(outs.clientSecret === inOkta?.clientSecret).toBe(true);
    expect(outs.secretHash).toBe(secretHash(inOkta!.clientSecret));
    expect(outs.created).toBe(inOkta?.created);
    expect(okta.listSecrets(app.id)).toHaveLength(2);
  });

  it("creates a secret with its own value, and INACTIVE when asked", async () => {
    const app = okta.addApp({ secrets: 1 });
    const { id, outs } = await create({ appId: app.id, value: OWN, status: "INACTIVE" });
    const inOkta = oktaSecret(app.id, id)!;
    expect(inOkta.status).toBe("INACTIVE");
    expect(secretHash(inOkta.clientSecret) === secretHash(OWN)).toBe(true);
    expect(outs.secretHash).toBe(secretHash(OWN));
    expect(outs.status).toBe("INACTIVE");
    expect(outs.value === OWN && outs.clientSecret === OWN).toBe(true);
  });

  it("adopts an existing secret without creating one, and sets the wanted status", async () => {
    const app = okta.addApp({ secrets: 2 });
    const [first, second] = app.secrets;
    const adopted = await create({ appId: app.id, adoptSecretId: first!.id });
    expect(adopted.id).toBe(first!.id);
    expect(redact(adopted.outs)).toMatchObject({
      secretId: first!.id,
      status: "ACTIVE",
      adoptSecretId: first!.id,
    });
    expect(adopted.outs.clientSecret === first!.clientSecret).toBe(true);
    expect(calls(okta).filter((c) => c.startsWith("POST"))).toEqual([]);

    const inactive = await create({ appId: app.id, adoptSecretId: second!.id, status: "INACTIVE" });
    expect(inactive.outs.status).toBe("INACTIVE");
    expect(oktaSecret(app.id, second!.id)?.status).toBe("INACTIVE");
    expect(okta.listSecrets(app.id)).toHaveLength(2);
  });

  it("refuses to adopt a secret that does not exist, listing the app's secrets", async () => {
    const app = okta.addApp({ secrets: 1 });
    const err = await thrown(() => create({ appId: app.id, adoptSecretId: "ocsMissing" }));
    expect(err).toBeInstanceOf(OktaApiError);
    expect((err as OktaApiError).status).toBe(404);
    expect(err.message).toContain(`ClientSecret ocsMissing of app ${app.id}`);
    expect(err.message).toContain(app.secrets[0]!.id);
    expect(err.message).toMatch(/What to do: adoptSecretId must name an existing secret/);
    expect(err.message.includes(app.secrets[0]!.clientSecret)).toBe(false);
  });

  it("fails at the two-secret cap with the app's secrets (never their values) and how to free a slot", async () => {
    const app = okta.addApp({ secrets: 2 });
    const err = await thrown(() => create({ appId: app.id, generation: 3 }));
    expect(err).toBeInstanceOf(OktaApiError);
    const e = err as OktaApiError;
    expect(e.status).toBe(400);
    expect(e.errorCode).toBe("E0000001");
    expect(e.errorSummary).toBe("Api validation failed: OAuth2ClientSecretMediated");
    expect(e.errorCauses).toEqual(["You've reached the maximum number of client secrets per client."]);
    expect(e.message).toContain(`a new ClientSecret of app ${app.id}`);
    for (const s of okta.listSecrets(app.id)) {
      expect(e.message).toContain(`${s.id} ACTIVE created ${s.created}`);
      expect(e.message.includes(s.clientSecret)).toBe(false);
    }
    expect(e.message).toMatch(/deactivate and delete one of the secrets above.*adoptSecretId/s);
    expect(okta.listSecrets(app.id)).toHaveLength(2);
  });

  it("in a rotation (recoverCreatedAfter), creates a generated secret with one call, without listing first", async () => {
    const app = okta.addApp({ secrets: 1 });
    okta.clearLog();
    const { id } = await create({
      appId: app.id,
      generation: 2,
      recoverCreatedAfter: new Date().toISOString(),
    });
    expect(calls(okta)).toEqual([`POST /api/v1/apps/${app.id}/credentials/secrets 201`]);
    expect(oktaSecret(app.id, id)?.status).toBe("ACTIVE");
  });

  it("in a rotation, adopts the secret a killed run created since it started, when Okta refuses a third", async () => {
    const app = okta.addApp({ secrets: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const startedAt = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    // The lost create: in Okta, unknown to the state.
    expect(await outOfBand(okta, "POST", `/api/v1/apps/${app.id}/credentials/secrets`)).toBe(201);
    const lost = okta.listSecrets(app.id).find((x) => x.id !== app.secrets[0]!.id)!;
    okta.clearLog();
    const { id } = await create({ appId: app.id, generation: 2, recoverCreatedAfter: startedAt });
    expect(id).toBe(lost.id);
    expect(calls(okta)).toEqual([
      `POST /api/v1/apps/${app.id}/credentials/secrets 400`,
      `GET /api/v1/apps/${app.id}/credentials/secrets 200`,
    ]);
    expect(okta.listSecrets(app.id)).toHaveLength(2);
  });

  it("in a rotation, still refuses at the cap when no secret was created since it started", async () => {
    const app = okta.addApp({ secrets: 2 });
    const err = await thrown(() =>
      create({
        appId: app.id,
        generation: 2,
        recoverCreatedAfter: new Date(Date.now() + 1000).toISOString(),
      }),
    );
    expect(err.message).toMatch(/maximum number of client secrets/);
    expect(err.message).toMatch(/free a slot first/);
    expect(okta.listSecrets(app.id)).toHaveLength(2);
  });

  it("refuses an unknown app with a hint about appId", async () => {
    const err = await thrown(() => create({ appId: "0oaNope" }));
    expect(err.message).toMatch(/there is no app 0oaNope/);
  });

  it("recognises a secret with the same own value left by an interrupted run instead of hitting the cap", async () => {
    const app = okta.addApp({ secrets: 1 });
    const first = await create({ appId: app.id, value: OWN });
    const again = await create({ appId: app.id, value: OWN });
    expect(again.id).toBe(first.id);
    expect(okta.listSecrets(app.id)).toHaveLength(2);
  });
});

describe("update", () => {
  it("deactivates and reactivates in place (lifecycle calls, same id)", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, generation: 1 });
    const inputs = await checked({ appId: app.id, generation: 1, status: "INACTIVE" });
    expect(await provider.diff(c.id, c.outs, inputs)).toEqual({ changes: true, replaces: [] });
    okta.clearLog();
    const down = await provider.update(c.id, c.outs, inputs);
    expect(down.outs?.status).toBe("INACTIVE");
    expect(oktaSecret(app.id, c.id)?.status).toBe("INACTIVE");
    expect(calls(okta)).toEqual([
      `POST /api/v1/apps/${app.id}/credentials/secrets/${c.id}/lifecycle/deactivate 200`,
    ]);
    const up = await provider.update(c.id, down.outs!, await checked({ appId: app.id, generation: 1 }));
    expect(up.outs?.status).toBe("ACTIVE");
    expect(oktaSecret(app.id, c.id)?.status).toBe("ACTIVE");
    expect(up.outs?.clientSecret === c.outs.clientSecret).toBe(true);
  });

  it("refuses to deactivate the only ACTIVE secret and says what to do", async () => {
    const app = okta.addApp({ secrets: 0 });
    const c = await create({ appId: app.id });
    const err = await thrown(async () =>
      provider.update(c.id, c.outs, await checked({ appId: app.id, status: "INACTIVE" })),
    );
    expect(err.message).toContain(`Okta refused to deactivate ClientSecret ${c.id} of app ${app.id}`);
    expect(err.message).toContain("You can't deactivate the only active client secret.");
    expect(err.message).toMatch(/What to do: .*create and activate another secret first/);
    expect(oktaSecret(app.id, c.id)?.status).toBe("ACTIVE");
  });

  it("is a no-op with zero Okta calls when nothing changed", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, value: OWN, generation: 7 });
    okta.clearLog();
    const news = { appId: app.id, value: OWN, generation: 7, __provider: "serialized" };
    const inputs = await provider.check(c.outs, news);
    const d = await provider.diff(c.id, c.outs, inputs.inputs!);
    expect(d).toEqual({ changes: false, replaces: [] });
    expect(okta.requestLog).toEqual([]);
  });
});

describe("delete", () => {
  it("deactivates an ACTIVE secret, then deletes it", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id });
    okta.clearLog();
    await provider.delete(c.id, c.outs);
    expect(oktaSecret(app.id, c.id)).toBeUndefined();
    expect(calls(okta)).toEqual([
      `GET /api/v1/apps/${app.id}/credentials/secrets/${c.id} 200`,
      `POST /api/v1/apps/${app.id}/credentials/secrets/${c.id}/lifecycle/deactivate 200`,
      `DELETE /api/v1/apps/${app.id}/credentials/secrets/${c.id} 204`,
    ]);
  });

  it("deletes a secret recorded INACTIVE with one call, and a missing one is already gone", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, status: "INACTIVE" });
    okta.clearLog();
    await provider.delete(c.id, c.outs);
    expect(oktaSecret(app.id, c.id)).toBeUndefined();
    expect(calls(okta)).toEqual([`DELETE /api/v1/apps/${app.id}/credentials/secrets/${c.id} 204`]);
    okta.clearLog();
    await provider.delete(c.id, c.outs);
    expect(calls(okta)).toEqual([`DELETE /api/v1/apps/${app.id}/credentials/secrets/${c.id} 404`]);
  });

  it("deactivates first a secret recorded INACTIVE but activated out of band since (Okta refuses the delete)", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, status: "INACTIVE" });
    const path = `/api/v1/apps/${app.id}/credentials/secrets/${c.id}`;
    expect(await outOfBand(okta, "POST", `${path}/lifecycle/activate`)).toBe(200);
    okta.clearLog();
    await provider.delete(c.id, c.outs);
    expect(oktaSecret(app.id, c.id)).toBeUndefined();
    expect(calls(okta)).toEqual([
      `DELETE ${path} 400`,
      `GET ${path} 200`,
      `POST ${path}/lifecycle/deactivate 200`,
      `DELETE ${path} 204`,
    ]);
  });

  it("releases the app's only ACTIVE secret instead of deleting it: clients keep working", async () => {
    const app = okta.addApp({ secrets: 0 });
    const c = await create({ appId: app.id });
    okta.clearLog();
    await provider.delete(c.id, c.outs);
    // Okta refused the deactivation; the secret stays ACTIVE and no DELETE was attempted.
    expect(oktaSecret(app.id, c.id)?.status).toBe("ACTIVE");
    expect(calls(okta)).toEqual([
      `GET /api/v1/apps/${app.id}/credentials/secrets/${c.id} 200`,
      `POST /api/v1/apps/${app.id}/credentials/secrets/${c.id}/lifecycle/deactivate 400`,
    ]);
  });
});

describe("read (refresh)", () => {
  it("sees a status changed out of band, and the next diff puts it back as an update", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, generation: 1 });
    const path = `/api/v1/apps/${app.id}/credentials/secrets/${c.id}/lifecycle/deactivate`;
    expect(await outOfBand(okta, "POST", path)).toBe(200);
    const r = await provider.read(c.id, c.outs);
    expect(r.id).toBe(c.id);
    expect(redact(r.props)).toMatchObject({ status: "INACTIVE", secretId: c.id, clientSecret: "<set>" });
    const d = await provider.diff(c.id, r.props!, await checked({ appId: app.id, generation: 1 }));
    expect(d).toEqual({ changes: true, replaces: [] });
  });

  it("returns an empty id when the secret was deleted out of band", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, status: "INACTIVE" });
    expect(await outOfBand(okta, "DELETE", `/api/v1/apps/${app.id}/credentials/secrets/${c.id}`)).toBe(204);
    expect(await provider.read(c.id, c.outs)).toEqual({ id: "" });
  });
});
