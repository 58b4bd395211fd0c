import { InvalidStubInput, catalogue } from './domain/errors.js';

/**
 * The latest the clock may stand: the stub writes timestamps up to a week ahead of now (`expires_at`), and
 * RFC 3339 has no year after 9999. A clock past it would answer every later request with a 500.
 */
export const LATEST_CLOCK_MS = Date.UTC(9990, 0, 1);

/** What `POST /__stub/clock` asks for: freezing or resuming happens before advancing. */
export interface ClockRequest {
  /** true stops the clock; false lets a stopped clock run on. */
  freeze?: boolean;
  /** With `freeze: true`, where to stop it (RFC 3339; never earlier than now). */
  at?: string;
  advance_seconds?: number;
}

/** Where the clock stands, as `GET /__stub/clock` answers it. */
export interface ClockReading {
  now: string;
  frozen: boolean;
}

/**
 * Where a clock stands apart from the real time: stopped at an instant, or running this far ahead of the
 * real time. What instances sharing one state share of their clocks (the Redis store).
 */
export type ClockState = { frozenAt: number } | { offsetMs: number };

/**
 * The stub's notion of now, which tests can freeze or move forward to expire tokens and carts. Every move,
 * from code or from `POST /__stub/clock`, passes one check (`set`): a refused move throws InvalidStubInput
 * and moves nothing.
 */
export class StubClock {
  private frozenAt: number | undefined;
  private offsetMs = 0;
  /** The last `iso()` answer and its instant: requests in the same millisecond share one string. */
  private isoAt = NaN;
  private isoText = '';
  /** Told of every move: a store that shares the clock with other instances publishes it. */
  onMove: ((state: ClockState) => void) | undefined;

  /** A running clock that reads `startsAt` (epoch ms) now, earlier than the real time if need be: a replay's clock starts when its recording did. */
  constructor(startsAt?: number) {
    if (startsAt !== undefined) this.offsetMs = startsAt - Date.now();
  }

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

  state(): ClockState {
    return this.frozenAt === undefined ? { offsetMs: this.offsetMs } : { frozenAt: this.frozenAt };
  }

  /** Stands where another instance's clock stands; not a move, so nobody is told. */
  adopt(state: ClockState): void {
    if ('frozenAt' in state) {
      this.frozenAt = state.frozenAt;
    } else {
      this.frozenAt = undefined;
      this.offsetMs = state.offsetMs;
    }
  }

  reading(): ClockReading {
    return { now: this.iso(), frozen: this.frozen };
  }

  /** Freezes or resumes, then advances: what `POST /__stub/clock` does with its body. */
  set({ freeze, at, advance_seconds: seconds }: ClockRequest): ClockReading {
    const atMs = at === undefined ? undefined : Date.parse(at);
    if (atMs !== undefined && Number.isNaN(atMs)) throw new InvalidStubInput([{ source: 'at', detail: `at is not a date-time: ${at}` }]);
    this.move(freeze, atMs, (seconds ?? 0) * 1000, seconds ? 'advance_seconds' : 'at');
    return this.reading();
  }

  /** Stops the clock, at `at` (epoch ms) or where it stands. It never moves backwards. */
  freeze(at?: number): void {
    this.move(true, at, 0, 'at');
  }

  /** Moves the clock forward by `ms`, frozen or not. */
  advance(ms: number): void {
    this.move(undefined, undefined, ms, 'advance_seconds');
  }

  /** Lets a frozen clock run on from where it stands. */
  resume(): void {
    this.move(false, undefined, 0, 'freeze');
  }

  /** Checked before anything moves, so that a refused move changes nothing; `source` names the input at fault. */
  private move(freeze: boolean | undefined, at: number | undefined, forwardMs: number, source: string): void {
    const from = freeze === true && at !== undefined ? Math.max(at, this.now()) : this.now();
    if (!(forwardMs >= 0)) throw new InvalidStubInput([{ source, detail: `${source} must not move the clock backwards` }]);
    if (!(from + forwardMs <= LATEST_CLOCK_MS)) throw new InvalidStubInput([{ source, detail: catalogue.ClockOutOfRange.detail }]);
    if (freeze === true) this.frozenAt = from;
    if (freeze === false && this.frozenAt !== undefined) {
      this.offsetMs = this.frozenAt - Date.now();
      this.frozenAt = undefined;
    }
    if (this.frozenAt !== undefined) this.frozenAt += forwardMs;
    else this.offsetMs += forwardMs;
    this.onMove?.(this.state());
  }
}
