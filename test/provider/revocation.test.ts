import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RevocationProvider } from "../../dynamic/revocation";
import { calls, outOfBand, startOkta, thrown, type OktaLocal } from "./helpers";

const provider = new RevocationProvider();
let okta: OktaLocal;
beforeAll(async () => {
  okta = await startOkta({ apps: [] });
});
afterAll(async () => okta?.close());

describe("Revocation", () => {
  it("deletes the revoked (INACTIVE) secret with one call; one already gone is revoked too", async () => {
    const app = okta.addApp({ secrets: 2 });
    const [, leaked] = okta.listSecrets(app.id);
    const path = `/api/v1/apps/${app.id}/credentials/secrets/${leaked!.id}`;
    expect(await outOfBand(okta, "POST", `${path}/lifecycle/deactivate`)).toBe(200);
    okta.clearLog();
    const r = await provider.create({ appId: app.id, secretId: leaked!.id, generation: 2 });
    expect(okta.listSecrets(app.id).map((x) => x.id)).not.toContain(leaked!.id);
    expect(calls(okta)).toEqual([`DELETE ${path} 204`]);
    expect(Date.parse(r.outs!.revokedAt)).toBeGreaterThan(0);
    okta.clearLog();
    await provider.update(r.id, r.outs!, { appId: app.id, secretId: leaked!.id, generation: 3 });
    expect(calls(okta)).toEqual([`DELETE ${path} 404`]);
  });

  it("never deletes an ACTIVE secret: Okta's refusal stops the run and says what to do", async () => {
    const app = okta.addApp({ secrets: 2 });
    const [, active] = okta.listSecrets(app.id);
    const err = await thrown(() => provider.create({ appId: app.id, secretId: active!.id, generation: 2 }));
    expect(err.message).toMatch(/You can't delete an active client secret/);
    expect(err.message).toMatch(/Run pulumi up again to finish revoking it/);
    expect(okta.listSecrets(app.id).find((x) => x.id === active!.id)?.status).toBe("ACTIVE");
  });

  it("replans only when the revoked secret or the generation changes", async () => {
    const outs = { appId: "0oa1", secretId: "ocs1", generation: 2, revokedAt: "2026-01-01T00:00:00.000Z" };
    expect(await provider.diff("x", outs, { appId: "0oa1", secretId: "ocs1", generation: 2 })).toEqual({
      changes: false,
      replaces: [],
    });
    expect((await provider.diff("x", outs, { appId: "0oa1", secretId: "ocs2", generation: 3 })).changes).toBe(
      true,
    );
  });
});
