/**
 * The latest the clock may stand: the stub writes timestamps up to a week ahead of now (`expires_at`), and
 * RFC 3339 has no year after 9999. A clock past it would answer every later request with a 500.
 */
export const LATEST_CLOCK_MS = Date.UTC(9990, 0, 1);

/** The stub's notion of now, which tests can freeze or move forward to expire tokens and carts. */
export class StubClock {
  private frozenAt: number | undefined;
  private offsetMs = 0;
  /** The last `iso()` answer and its instant: requests in the same millisecond share one string. */
  private isoAt = NaN;
  private isoText = '';

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  iso(): string {
    const now = this.now();
    if (now !== this.isoAt) {
      this.isoAt = now;
      this.isoText = new Date(now).toISOString();
    }
    return this.isoText;
  }

  /** Stops the clock, at `at` (epoch ms) or where it stands. It never moves backwards. */
  freeze(at: number = this.now()): void {
    this.frozenAt = Math.max(at, this.now());
  }

  advance(ms: number): void {
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  /** Lets a frozen clock run on from where it stands. */
  resume(): void {
    if (this.frozenAt === undefined) return;
    this.offsetMs = this.frozenAt - Date.now();
    this.frozenAt = undefined;
  }
}
