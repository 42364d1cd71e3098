import { describe, expect, it } from "vitest";
import {
  describeHolders,
  holdersOfOlder,
  ROLLOUT_ANNOTATION,
  selectorQuery,
  type PodSummary,
} from "../../dynamic/rolloutCensus";

const pod = (name: string, generation: string | undefined, terminating = false): PodSummary => ({
  name,
  namespace: "billing",
  annotations: generation === undefined ? {} : { [ROLLOUT_ANNOTATION]: generation },
  terminating,
});

describe("pod census", () => {
  it("counts every pod not on the new generation, terminating ones and unannotated ones included", () => {
    const pods = [pod("new-1", "2"), pod("old-1", "1", true), pod("before", undefined), pod("new-2", "2")];
    expect(holdersOfOlder(pods, "2").map((p) => p.name)).toEqual(["old-1", "before"]);
    expect(holdersOfOlder([pod("new-1", "2")], "2")).toEqual([]);
    expect(holdersOfOlder([], "2")).toEqual([]);
  });

  it("names the holders for the error, with their generation and whether they are terminating", () => {
    const text = describeHolders([pod("old-1", "1", true), pod("before", undefined)]);
    expect(text).toBe("billing/old-1 (generation 1, terminating), billing/before (no generation annotation)");
    const many = Array.from({ length: 12 }, (_, i) => pod(`p${i}`, "1"));
    expect(describeHolders(many, 3)).toBe(
      "billing/p0 (generation 1), billing/p1 (generation 1), billing/p2 (generation 1) and 9 more",
    );
  });

  it("writes a Deployment's selector as the API's labelSelector", () => {
    expect(selectorQuery({ matchLabels: { app: "billing", tier: "api" } })).toBe("app=billing,tier=api");
    expect(
      selectorQuery({
        matchLabels: { app: "b" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["prod", "stage"] },
          { key: "canary", operator: "DoesNotExist" },
          { key: "zone", operator: "NotIn", values: ["x"] },
          { key: "owner", operator: "Exists" },
        ],
      }),
    ).toBe("app=b,env in (prod,stage),!canary,zone notin (x),owner");
    expect(() => selectorQuery({ matchExpressions: [{ key: "k", operator: "Near" }] })).toThrow(/Near/);
  });
});
