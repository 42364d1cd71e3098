import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ClientSecretProvider,
  OktaApiError,
  onWarning,
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

/** The inputs as `check` makes them; a slot is checked as one the stack holds already (no onboarding reads). */
async function checked(news: Record<string, unknown>): Promise<ClientSecretInputs> {
  const olds =
    news.slot !== undefined ? { appId: news.appId, generation: news.generation, slot: news.slot } : {};
  const r = await provider.check(olds, news);
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

  const slot = (generation: number, extra: Record<string, unknown> = {}) => ({
    app: "svc",
    generation,
    rollback: false,
    ...extra,
  });

  // A rotation onboarded at generation 1 (SecretValue's onboardedGeneration), at a later one.
  const bumped = { onboardedGeneration: 1 };

  it("in a slot, creates its own value with one call, without listing first", async () => {
    const app = okta.addApp({ secrets: 1 });
    okta.clearLog();
    const { id, outs } = await create({ appId: app.id, generation: 2, value: OWN, slot: slot(2), ...bumped });
    expect(calls(okta)).toEqual([`POST /api/v1/apps/${app.id}/credentials/secrets 201`]);
    expect(oktaSecret(app.id, id)?.status).toBe("ACTIVE");
    expect(outs.secretHash).toBe(secretHash(OWN));
  });

  it("in a slot, adopts the secret holding its value that a killed run created, when Okta refuses a third", async () => {
    const app = okta.addApp({ secrets: 1 });
    // The lost create: in Okta, unknown to the state; whole-second timestamps give no way to tell it by time.
    const path = `/api/v1/apps/${app.id}/credentials/secrets`;
    expect(await outOfBand(okta, "POST", path, { client_secret: OWN })).toBe(201);
    const lost = okta.listSecrets(app.id).find((x) => x.id !== app.secrets[0]!.id)!;
    okta.clearLog();
    const { id } = await create({ appId: app.id, generation: 2, value: OWN, slot: slot(2), ...bumped });
    expect(id).toBe(lost.id);
    expect(calls(okta)).toEqual([`POST ${path} 400`, `GET ${path} 200`]);
    expect(okta.listSecrets(app.id)).toHaveLength(2);
  });

  it("at onboarding without adoption, lists first: a killed run's secret is adopted below the cap, not made twice", async () => {
    // The app had no secret: the lost create leaves it one, and Okta would take a second with the same value.
    const app = okta.addApp({ secrets: 0 });
    const path = `/api/v1/apps/${app.id}/credentials/secrets`;
    expect(await outOfBand(okta, "POST", path, { client_secret: OWN })).toBe(201);
    const lost = okta.listSecrets(app.id)[0]!;
    okta.clearLog();
    const onboarding = { appId: app.id, generation: 1, value: OWN, slot: slot(1), onboardedGeneration: 1 };
    const { id } = await create(onboarding);
    expect(id).toBe(lost.id);
    expect(calls(okta)).toEqual([`GET ${path} 200`]);
    expect(okta.listSecrets(app.id)).toHaveLength(1);
    // Without the lost secret, the onboarding's create is one list and one POST.
    const fresh = okta.addApp({ secrets: 0 });
    okta.clearLog();
    await create({ ...onboarding, appId: fresh.id });
    const freshPath = `/api/v1/apps/${fresh.id}/credentials/secrets`;
    expect(calls(okta)).toEqual([`GET ${freshPath} 200`, `POST ${freshPath} 201`]);
  });

  it("a retired slot made again from nothing takes over the INACTIVE secret a killed run made for it", async () => {
    // The retired slot's secret was deleted in Okta and a refresh dropped the slot; the next up re-made it (an
    // INACTIVE secret whose value Okta makes) and was killed before recording the answer.
    const app = okta.addApp({ secrets: 1 });
    const path = `/api/v1/apps/${app.id}/credentials/secrets`;
    expect(await outOfBand(okta, "POST", path, { status: "INACTIVE" })).toBe(201);
    const lost = okta.listSecrets(app.id).find((x) => x.status === "INACTIVE")!;
    okta.clearLog();
    const warnings: string[] = [];
    const stop = onWarning((w) => warnings.push(w));
    let id: string;
    try {
      ({ id } = await create({ appId: app.id, generation: 2, status: "INACTIVE", slot: slot(3), ...bumped }));
    } finally {
      stop();
    }
    expect(id).toBe(lost.id);
    expect(calls(okta)).toEqual([`GET ${path} 200`]);
    expect(
      okta
        .listSecrets(app.id)
        .map((x) => x.status)
        .sort(),
    ).toEqual(["ACTIVE", "INACTIVE"]);
    expect(warnings.join("\n")).toMatch(
      new RegExp(`${lost.id} of app ${app.id} is INACTIVE .*never recorded it`),
    );
    // Two ACTIVE secrets are not its to take: the create meets the cap and says what to do.
    const full = okta.addApp({ secrets: 2 });
    const before = okta.listSecrets(full.id).map((x) => [x.id, x.status]);
    const err = await thrown(() =>
      create({ appId: full.id, generation: 2, status: "INACTIVE", slot: slot(3), ...bumped }),
    );
    expect(err.message).toMatch(/maximum number of client secrets/);
    expect(okta.listSecrets(full.id).map((x) => [x.id, x.status])).toEqual(before);
  });

  it("in a slot, never adopts a secret it did not make: at the cap it refuses, naming renames and onboarding", async () => {
    const app = okta.addApp({ secrets: 1 });
    // Another rotation (or a person) created a secret a moment ago: not this slot's value.
    expect(await outOfBand(okta, "POST", `/api/v1/apps/${app.id}/credentials/secrets`)).toBe(201);
    const before = okta.listSecrets(app.id).map((x) => [x.id, x.status]);
    const err = await thrown(() => create({ appId: app.id, generation: 2, value: OWN, slot: slot(2) }));
    expect(err.message).toMatch(/maximum number of client secrets/);
    expect(err.message).toMatch(/formerNames/);
    expect(err.message).toMatch(/adoptSecretId/);
    expect(okta.listSecrets(app.id).map((x) => [x.id, x.status])).toEqual(before);
  });

  it("a slot the stack never had is refused in check at the cap, unless a secret there holds its value", async () => {
    const app = okta.addApp({ secrets: 2 });
    const news = { appId: app.id, generation: 2, value: OWN, slot: slot(2, { app: "renamed" }) };
    okta.clearLog();
    const r = await provider.check({}, news);
    expect(r.failures?.[0]?.reason).toMatch(
      /^app 'renamed': the app already holds two client secrets \(.* ACTIVE .*\), Okta's maximum number of client secrets per client.*If you renamed app 'renamed' in the stack config, put the old name in its formerNames/,
    );
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id}/credentials/secrets 200`]);
    // A secret with this slot's value (a killed run's create) is the slot's own: the create adopts it.
    const mine = okta.addApp({ secrets: 1 });
    expect(
      await outOfBand(okta, "POST", `/api/v1/apps/${mine.id}/credentials/secrets`, { client_secret: OWN }),
    ).toBe(201);
    const own = await provider.check({}, { ...news, appId: mine.id, slot: slot(2, { app: "killed" }) });
    expect(own.failures).toBeUndefined();
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
    const inputs = await provider.check(c.outs as unknown as Record<string, unknown>, news);
    const d = await provider.diff(c.id, c.outs, inputs.inputs!);
    expect(d).toEqual({ changes: false, replaces: [] });
    expect(okta.requestLog).toEqual([]);
  });
});

describe("delete", () => {
  it("releases an ACTIVE secret (clients may hold it): it stays ACTIVE in Okta, with a warning", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id });
    okta.clearLog();
    const warnings: string[] = [];
    const stop = onWarning((w) => warnings.push(w));
    try {
      await provider.delete(c.id, c.outs);
    } finally {
      stop();
    }
    expect(oktaSecret(app.id, c.id)?.status).toBe("ACTIVE");
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id}/credentials/secrets/${c.id} 200`]);
    expect(warnings.join("\n")).toMatch(/is ACTIVE, and clients may hold it: released, not deleted/);
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

  it("releases a secret recorded INACTIVE but activated out of band since (Okta refuses the delete)", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, status: "INACTIVE" });
    const path = `/api/v1/apps/${app.id}/credentials/secrets/${c.id}`;
    expect(await outOfBand(okta, "POST", `${path}/lifecycle/activate`)).toBe(200);
    okta.clearLog();
    await provider.delete(c.id, c.outs);
    expect(oktaSecret(app.id, c.id)?.status).toBe("ACTIVE");
    expect(calls(okta)).toEqual([`DELETE ${path} 400`, `GET ${path} 200`]);
  });

  it("releases the app's only ACTIVE secret without trying to deactivate it: clients keep working", async () => {
    const app = okta.addApp({ secrets: 0 });
    const c = await create({ appId: app.id });
    okta.clearLog();
    await provider.delete(c.id, c.outs);
    expect(oktaSecret(app.id, c.id)?.status).toBe("ACTIVE");
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id}/credentials/secrets/${c.id} 200`]);
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
    // The inputs for the next diff are what Okta holds, so a preview shows `status: "INACTIVE" => "ACTIVE"`.
    expect(r.inputs).toEqual({ appId: app.id, status: "INACTIVE", generation: 1 });
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

describe("check in a rotation slot: refusals before anything is written", () => {
  const ctx = (generation: number, extra: Record<string, unknown> = {}) => ({
    app: "svc",
    generation,
    rollback: false,
    ...extra,
  });
  async function refusal(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<string> {
    okta.clearLog();
    const r = await provider.check(olds, news);
    expect(r.failures).toHaveLength(1);
    expect(r.failures![0]!.property).toBe("");
    // A refusal reads at most, and never writes.
    expect(calls(okta).filter((c) => !c.startsWith("GET"))).toEqual([]);
    return r.failures![0]!.reason;
  }

  it("refuses a generation that went down, jumped, skipped an unfinished rotation or left a rollback by a bump", async () => {
    const appId = "0oaAny";
    const old = (generation: number, rollback = false) => ({
      appId,
      generation,
      slot: ctx(generation, { rollback }),
    });
    expect(await refusal(old(3), { appId, generation: 2, slot: ctx(2) })).toMatch(
      /app 'svc': generation went down from 3 to 2.*set rollback: true/,
    );
    expect(await refusal(old(3), { appId, generation: 6, slot: ctx(6) })).toMatch(
      /generation jumped from 3 to 6.*set generation to 4/,
    );
    expect(await refusal(old(3), { appId, generation: 5, slot: ctx(5) })).toMatch(
      /generation 5 would replace the secret of generation 3, but the rotation to 4 has not finished.*Set generation to 4/,
    );
    expect(await refusal(old(3, true), { appId, generation: 4, slot: ctx(4) })).toMatch(
      /rolled back to generation 2.*remove rollback at generation 3/,
    );
    expect(await refusal(old(3), { appId, generation: 4, slot: ctx(4, { rollback: true }) })).toMatch(
      /a rollback keeps the generation/,
    );
  });

  it("accepts a bump by one, a rollback at the same generation and leaving it", async () => {
    for (const [before, after] of [
      [ctx(3), ctx(4)],
      [ctx(3), ctx(3, { rollback: true })],
      [ctx(3, { rollback: true }), ctx(3)],
    ] as const) {
      const r = await provider.check({ appId: "0oaAny", slot: before }, { appId: "0oaAny", slot: after });
      expect(r.failures).toBeUndefined();
    }
  });

  it("at onboarding, checks the secret to adopt: it must exist and be ACTIVE, on an app that exists", async () => {
    const app = okta.addApp({ secrets: 2 });
    const [first, second] = app.secrets;
    await outOfBand(
      okta,
      "POST",
      `/api/v1/apps/${app.id}/credentials/secrets/${second!.id}/lifecycle/deactivate`,
    );
    await outOfBand(okta, "DELETE", `/api/v1/apps/${app.id}/credentials/secrets/${second!.id}`);
    const news = (adopting: string, appId = app.id) => ({
      appId,
      generation: 1,
      value: OWN,
      slot: ctx(1, { adopting }),
    });
    expect(await refusal({}, news("ocsMissing"))).toMatch(
      new RegExp(
        `adoptSecretId ocsMissing is not a secret of app ${app.id} \\(its secrets: ${first!.id} ACTIVE`,
      ),
    );
    expect(await refusal({}, news(first!.id, "0oaNope"))).toMatch(/there is no app 0oaNope in this Okta org/);
    const other = okta.addApp({ secrets: 1 });
    await outOfBand(okta, "POST", `/api/v1/apps/${other.id}/credentials/secrets`, { status: "INACTIVE" });
    const inactive = okta.listSecrets(other.id).find((x) => x.status === "INACTIVE")!;
    expect(await refusal({}, news(inactive.id, other.id))).toMatch(
      /is INACTIVE, so no client can be using it/,
    );
    const ok = await provider.check({}, news(first!.id));
    expect(ok.failures).toBeUndefined();
  });

  it("rolled back at onboarding, the holder adopts: the app must hold nothing else (a rename without formerNames)", async () => {
    // The holder of generation 0 reactivates the adopted secret; the retired slot (generation 1) then creates one
    // more. Next to a secret of the app's former name, that create would fail at the cap after the delivery.
    const app = okta.addApp({ secrets: 2 });
    const [adopted, formerNames] = app.secrets;
    await outOfBand(
      okta,
      "POST",
      `/api/v1/apps/${app.id}/credentials/secrets/${formerNames!.id}/lifecycle/deactivate`,
    );
    const holder = {
      appId: app.id,
      generation: 0,
      status: "ACTIVE",
      adoptSecretId: adopted!.id,
      slot: ctx(1, { rollback: true, adopting: adopted!.id }),
      onboardedGeneration: 1,
    };
    expect(await refusal({}, holder)).toMatch(
      new RegExp(
        `^app 'svc': the app already has 2 secrets .* If you renamed app 'svc' in the stack config, put the old ` +
          `name in its formerNames`,
      ),
    );
    // The retired slot's adoption (INACTIVE, the usual onboarding) is no first write: it is not looked up.
    okta.clearLog();
    const retired = { ...holder, status: "INACTIVE", slot: ctx(1, { adopting: adopted!.id }) };
    expect((await provider.check({}, retired)).failures).toBeUndefined();
    expect(okta.requestLog).toEqual([]);
  });

  it("does not take a replaced slot for a new one: the engine's second check, without olds, reads nothing", async () => {
    const app = okta.addApp({ secrets: 1 });
    // Bump 1 → 2 of a slot whose adopted secret is long gone: the engine checks with the old inputs, then again
    // without them for the replacement.
    const news = { appId: app.id, generation: 2, value: OWN, slot: ctx(2, { adopting: "ocsGoneLongAgo" }) };
    okta.clearLog();
    expect(
      (await provider.check({ appId: app.id, generation: 0, slot: ctx(1) }, news)).failures,
    ).toBeUndefined();
    expect((await provider.check({}, news)).failures).toBeUndefined();
    expect(okta.requestLog).toEqual([]);
  });

  it("records a change of the slot's context without calling Okta, and never replaces for a new value alone", async () => {
    const app = okta.addApp({ secrets: 1 });
    const c = await create({ appId: app.id, generation: 2, value: OWN, slot: ctx(2) });
    const news = await checked({ appId: app.id, generation: 2, value: `${OWN}x`, slot: ctx(3) });
    expect(await provider.diff(c.id, c.outs, news)).toEqual({ changes: true, replaces: [] });
    okta.clearLog();
    const u = await provider.update(c.id, c.outs, news);
    expect(okta.requestLog).toEqual([]);
    expect(u.outs?.slot).toEqual(ctx(3));
    expect(u.outs?.clientSecret === OWN).toBe(true);
  });
});

describe("revoke, rollback and adoption edits that would retire the wrong secret", () => {
  const ctx = (generation: number, extra: Record<string, unknown> = {}) => ({
    app: "svc",
    generation,
    rollback: false,
    ...extra,
  });
  async function refused(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<string> {
    okta.clearLog();
    const r = await provider.check(olds, news);
    expect(r.failures).toHaveLength(1);
    expect(calls(okta).filter((c) => !c.startsWith("GET"))).toEqual([]);
    return r.failures![0]!.reason;
  }

  it("refuses revoke: true without a bump, saying which generation to set; accepts it with one and keeps it after", async () => {
    const appId = "0oaAny";
    const reason = await refused(
      { appId, generation: 4, slot: ctx(4) },
      { appId, generation: 4, slot: ctx(4, { revoke: true }) },
    );
    expect(reason).toMatch(
      /^app 'svc': revoke: true without a bump would delete the previous secret \(generation 3\), which is INACTIVE already, and leave the current secret \(generation 4\) ACTIVE\. .*set generation to 5 together with revoke: true.* Nothing was changed\.$/,
    );
    // Removing revoke at the generation it revoked at would drop previous.deletedAt from the audit record.
    expect(
      await refused(
        { appId, generation: 5, slot: ctx(5, { revoke: true }) },
        { appId, generation: 5, slot: ctx(5) },
      ),
    ).toMatch(
      /^app 'svc': revoke was removed at generation 5, whose rotation revoked .*previous\.deletedAt.*remove it in the same change that sets generation to 6/,
    );
    for (const [before, after] of [
      [ctx(4), ctx(5, { revoke: true })],
      [ctx(5, { revoke: true }), ctx(5, { revoke: true })],
      [ctx(5, { revoke: true }), ctx(6)],
      [ctx(5, { revoke: true }), ctx(6, { revoke: true })],
    ] as const) {
      expect(
        (await provider.check({ appId, slot: before }, { appId, slot: after })).failures,
      ).toBeUndefined();
    }
  });

  it("refuses removing adoptSecretId at generation 1 (it would delete the rollback target), not at a bump", async () => {
    const appId = "0oaAny";
    expect(
      await refused(
        { appId, generation: 1, slot: ctx(1, { adopting: "ocsAdopted" }) },
        { appId, generation: 1, slot: ctx(1) },
      ),
    ).toMatch(/adoptSecretId was removed at generation 1.*Keep adoptSecretId.*sets generation to 2/);
    // Once the adopted secret is gone from Okta (deleted out of band), dropping adoptSecretId is the way on.
    const app = okta.addApp({ secrets: 1 });
    const gone = await provider.check(
      { appId: app.id, generation: 1, slot: ctx(1, { adopting: "ocsDeletedMeanwhile" }) },
      { appId: app.id, generation: 1, slot: ctx(1) },
    );
    expect(gone.failures).toBeUndefined();
    const bump = await provider.check(
      { appId, generation: 1, slot: ctx(1, { adopting: "ocsAdopted" }) },
      { appId, generation: 2, slot: ctx(2) },
    );
    expect(bump.failures).toBeUndefined();
  });

  it("refuses a rollback to a secret that is gone: deleted in Okta (diff) or dropped by a refresh (check)", async () => {
    const app = okta.addApp({ secrets: 0 });
    const previous = await create({
      appId: app.id,
      generation: 2,
      value: OWN,
      status: "INACTIVE",
      slot: ctx(3),
    });
    await outOfBand(okta, "DELETE", `/api/v1/apps/${app.id}/credentials/secrets/${previous.id}`);
    const checkedNews = await provider.check(
      { appId: app.id, generation: 2, status: "INACTIVE", slot: ctx(3) },
      { appId: app.id, generation: 2, status: "ACTIVE", slot: ctx(3, { rollback: true }) },
    );
    expect(checkedNews.failures).toBeUndefined();
    const news = checkedNews.inputs!;
    okta.clearLog();
    const err = await thrown(() => provider.diff(previous.id, previous.outs, news));
    expect(err.message).toMatch(
      new RegExp(
        `app 'svc': rollback: true goes back to the secret of generation 2, which \\(${previous.id}\\) is no ` +
          `longer in Okta: it was revoked or deleted, so there is nothing to roll back to\\. Remove rollback`,
      ),
    );
    expect(calls(okta)).toEqual([`GET /api/v1/apps/${app.id}/credentials/secrets/${previous.id} 404`]);
    // After a refresh the slot is not in the stack: the check refuses to make a new secret under generation 2.
    expect(
      await refused(
        {},
        {
          appId: app.id,
          generation: 2,
          value: OWN,
          status: "ACTIVE",
          slot: ctx(3, { rollback: true, app: "svc-refreshed" }),
        },
      ),
    ).toMatch(
      /^app .svc-refreshed.: rollback: true goes back to the secret of generation 2, which is no longer in the stack .*set generation to 4/,
    );
    // A rollback target still in Okta is reactivated as before.
    const kept = await create({
      appId: app.id,
      generation: 2,
      value: `${OWN}-k`,
      status: "INACTIVE",
      slot: ctx(3),
    });
    expect(await provider.diff(kept.id, kept.outs, { ...news, value: undefined })).toEqual({
      changes: true,
      replaces: [],
    });
  });
});

describe("audit outputs", () => {
  const slot = { app: "audited", generation: 2, rollback: false };

  it("records the deactivation at Okta's time, and the secret a slot's new one replaced", async () => {
    const app = okta.addApp({ secrets: 0 });
    const first = await create({
      appId: app.id,
      generation: 1,
      value: OWN,
      slot: { ...slot, generation: 1 },
    });
    const second = await create({ appId: app.id, generation: 2, value: `${OWN}-2`, slot });
    expect(first.outs.deactivatedAt).toBeUndefined();
    expect(second.outs.replacedSecret).toBeUndefined();

    const news = await checked({ appId: app.id, generation: 1, value: OWN, status: "INACTIVE", slot });
    const { outs: retired } = await provider.update(first.id, first.outs, news);
    const inOkta = (await outOfBandJson(`/api/v1/apps/${app.id}/credentials/secrets/${first.id}`)) as {
      lastUpdated: string;
      status: string;
    };
    expect(inOkta.status).toBe("INACTIVE");
    expect(retired!.deactivatedAt).toBe(inOkta.lastUpdated);
    // A later update that leaves it INACTIVE keeps the time.
    const { outs: again } = await provider.update(first.id, retired!, {
      ...news,
      slot: { ...slot, generation: 3 },
    });
    expect(again!.deactivatedAt).toBe(inOkta.lastUpdated);

    // Generation 3 replaces slot 1's secret: deleted first, then created; the new one names the deleted one.
    const before = Date.now();
    await provider.delete(first.id, again!);
    const third = await create({
      appId: app.id,
      generation: 3,
      value: `${OWN}-3`,
      slot: { ...slot, generation: 3 },
    });
    expect(third.outs.replacedSecret?.secretId).toBe(first.id);
    expect(Date.parse(third.outs.replacedSecret!.deletedAt)).toBeGreaterThanOrEqual(before);
    expect(okta.listSecrets(app.id).map((s) => s.id)).not.toContain(first.id);
    // Deletions are the app's own: another app's new slot replaced nothing.
    const other = okta.addApp({ secrets: 0 });
    const unrelated = await create({
      appId: other.id,
      generation: 1,
      value: OWN,
      slot: { ...slot, generation: 1 },
    });
    expect(unrelated.outs.replacedSecret).toBeUndefined();
  });

  it("a predecessor already gone (revoked, deleted out of band) is not recorded as deleted by this run", async () => {
    const app = okta.addApp({ secrets: 0 });
    const first = await create({
      appId: app.id,
      generation: 1,
      value: OWN,
      slot: { ...slot, generation: 1 },
    });
    await create({ appId: app.id, generation: 2, value: `${OWN}-2`, slot });
    const news = await checked({ appId: app.id, generation: 1, value: OWN, status: "INACTIVE", slot });
    const { outs: retired } = await provider.update(first.id, first.outs, news);
    expect(await outOfBand(okta, "DELETE", `/api/v1/apps/${app.id}/credentials/secrets/${first.id}`)).toBe(
      204,
    );
    await provider.delete(first.id, retired!);
    const third = await create({
      appId: app.id,
      generation: 3,
      value: `${OWN}-3`,
      slot: { ...slot, generation: 3 },
    });
    expect(third.outs.replacedSecret).toBeUndefined();
  });

  async function outOfBandJson(path: string): Promise<unknown> {
    const res = await fetch(`${okta.orgUrl}${path}`, { headers: { Authorization: `SSWS ${okta.apiToken}` } });
    return res.json();
  }
});
