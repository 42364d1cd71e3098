// holdWhile: a control of the harness (not an Okta behaviour) with which the drills hold a previous secret's
// deactivation until their played rollout is done.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal } from "./server";
import { api } from "./test-helpers";
import type { OktaLocal } from "./types";

let okta: OktaLocal;
beforeAll(async () => {
  okta = await startOktaLocal({ apps: [] });
});
afterAll(() => okta.close());

const deactivate = (appId: string, secretId: string) =>
  `/api/v1/apps/${appId}/credentials/secrets/${secretId}/lifecycle/deactivate`;

describe("holdWhile", () => {
  it("answers a matching request only once the hold settles, and other requests at once", async () => {
    const app = okta.addApp({ label: "held" });
    // A second secret, so that the seeded one may be deactivated.
    const created = await api(okta, "POST", `/api/v1/apps/${app.id}/credentials/secrets`, { body: {} });
    expect(created.status).toBe(201);
    const [seeded] = app.secrets;
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    okta.holdWhile({ method: "POST", path: `^${deactivate(app.id, "[^/]+")}$` }, done);

    let answered = false;
    const held = api(okta, "POST", deactivate(app.id, seeded!.id)).then((r) => {
      answered = true;
      return r;
    });
    // A request the hold does not match (a GET of the same app's secrets) is answered meanwhile.
    const list = await api(okta, "GET", `/api/v1/apps/${app.id}/credentials/secrets`);
    expect(list.status).toBe(200);
    await new Promise((r) => setTimeout(r, 150));
    expect(answered).toBe(false);
    expect(okta.listSecrets(app.id).find((s) => s.id === seeded!.id)?.status).toBe("ACTIVE");

    release();
    const r = await held;
    expect(r.status).toBe(200);
    expect(okta.listSecrets(app.id).find((s) => s.id === seeded!.id)?.status).toBe("INACTIVE");
  });

  it("lets a request through when the hold's promise is rejected", async () => {
    const app = okta.addApp({ label: "rejected" });
    const failed = Promise.reject(new Error("rollout failed"));
    failed.catch(() => undefined);
    okta.holdWhile({ path: `^/api/v1/apps/${app.id}/credentials/secrets$` }, failed);
    const r = await api(okta, "GET", `/api/v1/apps/${app.id}/credentials/secrets`);
    expect(r.status).toBe(200);
  });
});
