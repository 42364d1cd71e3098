import { describe, expect, it } from "vitest";
import { guardTransition } from "../../dynamic/rotationRecord";

const base = { appName: "billing", appId: "0oa1", rollback: false };

describe("guardTransition", () => {
  it("allows the first run, no change, and a bump by one", () => {
    expect(guardTransition(undefined, { ...base, generation: 7 })).toEqual([]);
    expect(guardTransition({ ...base, generation: 3 }, { ...base, generation: 3 })).toEqual([]);
    expect(guardTransition({ ...base, generation: 3 }, { ...base, generation: 4 })).toEqual([]);
  });

  it("refuses a generation that goes down and points at rollback", () => {
    const [f] = guardTransition({ ...base, generation: 3 }, { ...base, generation: 2 });
    expect(f.property).toBe("generation");
    expect(f.reason).toMatch(/app 'billing' \(0oa1\): generation went down from 3 to 2.*set rollback: true/);
  });

  it("refuses a skipped generation", () => {
    const [f] = guardTransition({ ...base, generation: 3 }, { ...base, generation: 5 });
    expect(f.reason).toMatch(/jumped from 3 to 5\. Bump one generation at a time \(4\)/);
  });

  it("allows a rollback at the same generation and the return from it", () => {
    expect(guardTransition({ ...base, generation: 3 }, { ...base, generation: 3, rollback: true })).toEqual(
      [],
    );
    expect(guardTransition({ ...base, generation: 3, rollback: true }, { ...base, generation: 3 })).toEqual(
      [],
    );
  });

  it("refuses a rollback that changes the generation", () => {
    const fs = guardTransition({ ...base, generation: 3 }, { ...base, generation: 4, rollback: true });
    expect(fs.map((f) => f.property)).toEqual(["rollback"]);
  });

  it("refuses to bump straight out of a rollback", () => {
    const [f] = guardTransition({ ...base, generation: 3, rollback: true }, { ...base, generation: 4 });
    expect(f.reason).toMatch(/rolled back to generation 2.*First remove rollback at generation 3/);
  });

  it("starts afresh when the app id changes", () => {
    expect(guardTransition({ ...base, generation: 9 }, { ...base, appId: "0oa2", generation: 1 })).toEqual(
      [],
    );
  });
});
