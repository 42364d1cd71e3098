export interface CredentialView {
  id: string;
  status: "ACTIVE" | "INACTIVE";
}

export interface MonitorStats {
  samples: number;
  maxOnApp: number;
  minActive: number;
  /** Samples in which a credential some pod holds was not ACTIVE (or gone). */
  heldInactiveSamples: number;
}

/**
 * Samples an app's credentials every few milliseconds, straight from the local Okta's state (no API call, so
 * it costs no rate limit), and records the extremes the invariants are about.
 */
export class Monitor {
  readonly stats: MonitorStats = {
    samples: 0,
    maxOnApp: 0,
    minActive: Number.POSITIVE_INFINITY,
    heldInactiveSamples: 0,
  };
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly list: () => CredentialView[],
    private readonly heldIds: () => string[],
    private readonly everyMs = 2,
  ) {}

  sample(): void {
    const creds = this.list();
    const active = new Set(creds.filter((c) => c.status === "ACTIVE").map((c) => c.id));
    this.stats.samples++;
    this.stats.maxOnApp = Math.max(this.stats.maxOnApp, creds.length);
    this.stats.minActive = Math.min(this.stats.minActive, active.size);
    if (this.heldIds().some((id) => !active.has(id))) this.stats.heldInactiveSamples++;
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
  }

  stop(): MonitorStats {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return this.stats;
  }
}
