// The paths the state machine's pure layer found, kept as sequences of its own commands: each must now keep every
// invariant, and end the way the fix says (a refusal before any write, or one secret where there was a twin).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddApp,
  Bump,
  ChangeAlgorithm,
  Down,
  KeyBump,
  KeyRollback,
  Migrate,
  OutOfBandDelete,
  OutOfBandKey,
  Rename,
  SetFlag,
  StopAdopting,
  setup,
  type Command,
} from "./model";

const kill = (at: number) => ({ kind: "kill" as const, at, happened: true, absorbed: false });

/** Runs the commands from a fresh world, as fast-check does, and returns the world and the team's config. */
function run(commands: Command[]) {
  const s = setup();
  fc.modelRun(() => s, commands);
  return s;
}

describe("state machine, paths it found", () => {
  it("a new app without a secret first applied at generation 3 is refused, with nothing written", () => {
    // AddApp picks the free apps in order; the last one has no secret. n = 2: generation 3, the third app.
    const { model, real } = run([new AddApp(2, false)]);
    expect(model.apps).toEqual([]);
    expect(real.world.okta.get("0oaSm3")).toEqual([]);
    expect(model.lastRefusal).toBeUndefined();
  });

  it("a rename without formerNames at generation 2 is refused by the first run's lookup; with them it moves", () => {
    const { model, real } = run([new AddApp(0, true), new Bump(0, 1, false), new Rename(0, false)]);
    expect(model.apps.map((a) => [a.name, a.generation])).toEqual([["alpha", 2]]);
    const { model: m2 } = run([new AddApp(0, true), new Bump(0, 1, false), new Rename(0, true)]);
    expect(m2.apps.map((a) => [a.name, a.formerNames])).toEqual([["alpha-r2", ["alpha"]]]);
    expect(real.world.okta.get("0oaSm1")).toHaveLength(2);
  });

  it("an up killed after the first create of an app onboarded without adoption leaves it one secret", () => {
    // adopting(0) takes the first app; add app(3) then picks the app without a secret, at generation 1.
    const { model, real } = run([new AddApp(0, true), new AddApp(3, false, kill(1))]);
    const beta = model.apps.find((a) => a.name === "beta")!;
    expect(beta.appId).toBe("0oaSm3");
    expect(real.world.okta.get("0oaSm3")).toHaveLength(1);
  });

  it("a retired slot re-made after an out-of-band delete, its create's answer lost to a kill, is taken over", () => {
    // Generation 2, then the INACTIVE secret of generation 1 deleted in Okta and a refresh; an edit without a bump
    // re-makes that slot (step 2 of the run: update the holder, deliver, create the retired slot) and is killed
    // after Okta made the secret. The same config's next run completes (the command checks it) without a third.
    const edit = new SetFlag(0, "revoke", false);
    edit.fault = kill(2);
    const { model, real } = run([
      new AddApp(0, true),
      new Bump(0, 1, false),
      new StopAdopting(0),
      new OutOfBandDelete(0),
      edit,
    ]);
    const secrets = real.world.okta.get("0oaSm1")!;
    expect(secrets.map((x) => x.status).sort()).toEqual(["ACTIVE", "INACTIVE"]);
    const state = real.world.stack.get("alpha")!;
    expect(state.slots.map((x) => x?.secretId).sort()).toEqual(secrets.map((x) => x.id).sort());
    expect(model.apps.map((a) => a.generation)).toEqual([2]);
  });

  it("a generation lowered after a refresh dropped the other slot is refused", () => {
    const { model, real } = run([
      new AddApp(1, true),
      new StopAdopting(0),
      new OutOfBandDelete(0),
      new Down(0),
    ]);
    expect(model.apps[0]!.generation).toBe(2);
    expect(model.lastRefusal).toMatch(/generation went down from 2 to 1/);
    expect(real.world.okta.get(model.apps[0]!.appId)!.map((s) => s.status)).toEqual(["ACTIVE"]);
  });

  it("a rename without formerNames of an app rolled back at onboarding is refused before any write", () => {
    const { model } = run([new AddApp(0, true), new SetFlag(0, "rollback", true), new Rename(0, false)]);
    expect(model.apps.map((a) => a.name)).toEqual(["alpha"]);
    expect(model.lastRefusal).toMatch(/If you renamed app 'alpha-r1' in the stack config, put the old name/);
  });

  it("a migration's audit record names the key by the id Okta gave it at the switch's whole-app PUT", () => {
    const { real } = run([new AddApp(0, true), new Migrate(0, "RS256")]);
    const state = real.world.stack.get("alpha")!;
    const keys = real.world.keys.get("0oaSm1")!;
    expect(real.world.method.get("0oaSm1")).toBe("private_key_jwt");
    expect(keys).toHaveLength(1);
    expect(state.keys!.audit!.credential).toMatchObject({ id: keys[0]!.id, kid: keys[0]!.kid });
    expect(state.keys!.renumbered).toBeDefined();
  });

  it("a private_key_jwt app renamed with formerNames keeps its keys and registers none", () => {
    const { model, real } = run([new AddApp(0, true), new Migrate(0, "ES256"), new KeyBump(0, 1)]);
    const before = real.world.keys.get("0oaSm1")!.map((k) => [k.kid, k.status]);
    const rename = new Rename(0, true);
    rename.run(model, real);
    expect(model.apps.map((a) => [a.name, a.formerNames])).toEqual([["alpha-r1", ["alpha"]]]);
    expect(real.world.keys.get("0oaSm1")!.map((k) => [k.kid, k.status])).toEqual(before);
    expect(before).toHaveLength(2);
    expect([...real.world.stack.keys()]).toEqual(["alpha-r1"]);
  });

  it("a switch back to a client secret killed right after the switch is finished by the next run", () => {
    const killed = new KeyRollback(0, true);
    killed.fault = kill(2);
    const { real } = run([new AddApp(0, true), new Migrate(0, "RS256"), killed]);
    expect(real.world.method.get("0oaSm1")).toBe("client_secret_basic");
    const secrets = real.world.okta.get("0oaSm1")!;
    expect(secrets.map((s) => s.status)).toEqual(["ACTIVE"]);
    expect(real.world.stack.get("alpha")!.pods!.secret).toBe(secrets[0]!.value);
  });

  it("the run after an algorithm change activates again a key deactivated in Okta, as the same run without it would", () => {
    const { real } = run([
      new AddApp(0, true),
      new Migrate(0, "RS256"),
      new KeyRollback(0, true),
      new OutOfBandKey(0, "deactivate"),
      new ChangeAlgorithm(0),
    ]);
    expect(real.world.keys.get("0oaSm1")!.map((k) => [k.status, k.alg])).toEqual([["ACTIVE", "RS256"]]);
  });

  it("a revoke killed after its delete, recovered with a refresh, completes: the re-made slot adopts nothing", () => {
    // Onboarded adopting its secret, then a bump with revoke killed after Okta deleted the revoked secret. The
    // recovery's refresh drops that slot; the same config's next run makes it again. It used to adopt the app's
    // original secret (adoptSecretId, gone since the bump) and failed on every run; it makes its own now.
    const killed = new Bump(0, 1, true);
    killed.fault = kill(5);
    const { model, real } = run([new AddApp(0, true), killed]);
    expect(model.apps.map((a) => [a.name, a.generation, a.revoke])).toEqual([["alpha", 2, true]]);
    const secrets = real.world.okta.get("0oaSm1")!;
    expect(secrets.filter((s) => s.status === "ACTIVE")).toHaveLength(1);
    expect(secrets.some((s) => s.id === model.apps[0]!.adoptSecretId)).toBe(false);
  });
});
