/** The control API (tag Stub Control in the document): the stub's own operations, for tests and CI. */
import type { StubClock } from '../../clock.js';
import { StubError } from '../../domain/errors.js';
import { completeState, validState, type FixtureData, type StateCheck } from '../../fixtures.js';
import type { CoverageReport } from '../../coverage/coverage.js';
import type { Faults } from '../faults.js';
import type { Journal, JournalFilter } from '../journal.js';
import type { OperationHandler } from '../operation.js';

export interface StubControls {
  journal: Journal;
  faults: Faults;
  clock: StubClock;
  /** The check of a state, the same as `reset(state)` makes. */
  check: StateCheck;
  /** Back to the fixtures, or to `state`; clears the journal, the faults and the coverage. */
  reset(state?: FixtureData): Promise<void>;
  coverage(): CoverageReport;
  clearCoverage(): void;
}

/** The control handlers, bound to one stub's journal, faults, clock and fixtures. */
export function controlHandlers({ journal, faults, clock, check, reset, coverage, clearCoverage }: StubControls): Record<string, OperationHandler> {
  return {
    resetStub: async ({ body, headers }) => {
      // No body resets to the fixtures; an empty JSON one is a state that went missing (curl -d @typo), not a wish.
      if (body === undefined && headers['content-type'] !== undefined) throw new StubError('EmptyState');
      await reset(body);
      return { status: 204 };
    },
    getStubState: ({ store }) => ({ status: 200, body: store.snapshot() }),
    putStubState: async ({ body, store, now }) => {
      await store.replace(completeState(validState(body, check), now));
      return { status: 204 };
    },
    getStubRequests: ({ query }) => ({ status: 200, body: { data: journal.list(query as JournalFilter) } }),
    deleteStubRequests: () => {
      journal.clear();
      return { status: 204 };
    },
    getStubCoverage: () => ({ status: 200, body: coverage() }),
    deleteStubCoverage: () => {
      clearCoverage();
      return { status: 204 };
    },
    createStubFaults: ({ body }) => ({ status: 201, body: { data: faults.add(body) } }),
    deleteStubFaults: () => {
      faults.clear();
      return { status: 204 };
    },
    getStubFaults: () => ({ status: 200, body: { data: faults.list() } }),
    setStubClock: ({ body }) => ({ status: 200, body: clock.set(body) }),
    getStubClock: () => ({ status: 200, body: clock.reading() }),
  };
}
