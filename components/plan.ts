/** A slot of an app: two fixed places, so that an app never holds more than two secrets. */
export type Slot = 0 | 1;

/** What one slot holds after a run: its generation, its status and its role. */
export interface SlotPlan {
  slot: Slot;
  /** The generation this slot holds; 0 is a secret adopted from before the first rotation. */
  generation: number;
  /** ACTIVE for the credential consumers hold after this run; INACTIVE for the retired one. */
  status: "ACTIVE" | "INACTIVE";
  /** This slot adopts the app's existing secret (adoptSecretId): the previous slot at onboarding, at any generation. */
  adopts?: true;
  /** Whether the consumers hold this slot's credential at the end of the run. */
  role: "holder" | "retired";
}

/** The two slots of an app at a generation: the holder (what consumers get) and the retired previous credential. */
export interface RotationPlan {
  holder: SlotPlan;
  /** Absent at generation 1 with nothing adopted: there is no previous credential. */
  retired?: SlotPlan;
}

/** The slot generation g lives in. */
export function slotOf(generation: number): Slot {
  return (generation % 2) as Slot;
}

/** Resource-name suffix of a slot. */
export function slotName(slot: Slot): "a" | "b" {
  return slot === 0 ? "a" : "b";
}

/**
 * What each slot holds at `generation`. The current generation is ACTIVE and delivered; the previous one
 * is kept INACTIVE for rollback (it is retired only after delivery of the current one). With `rollback`,
 * the roles swap: the previous generation is reactivated and delivered, the current one retired.
 */
export function planRotation(
  generation: number,
  opts: { rollback?: boolean; adopting?: boolean } = {},
): RotationPlan {
  if (!Number.isInteger(generation) || generation < 1) {
    throw new Error(`generation must be a whole number ≥ 1, got ${generation}`);
  }
  const current = { slot: slotOf(generation), generation };
  const hasPrevious = generation >= 2 || opts.adopting === true;
  const previous = hasPrevious
    ? {
        slot: slotOf(generation - 1),
        generation: generation - 1,
        // The secret the app had before this stack: it plays generation − 1 at onboarding, at any generation.
        // Once the slot exists the id is not used again (a slot's adoptSecretId only matters when it is made).
        ...(opts.adopting === true ? { adopts: true as const } : {}),
      }
    : undefined;
  if (opts.rollback) {
    if (!previous) throw new Error(`generation ${generation} has no previous secret to roll back to`);
    return {
      holder: { ...previous, status: "ACTIVE", role: "holder" },
      retired: { ...current, status: "INACTIVE", role: "retired" },
    };
  }
  return {
    holder: { ...current, status: "ACTIVE", role: "holder" },
    ...(previous ? { retired: { ...previous, status: "INACTIVE", role: "retired" } } : {}),
  };
}
