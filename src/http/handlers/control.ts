/** The control API (tag Stub Control in the document): the stub's own operations, for tests and CI. */
import { StubError } from '../../domain/errors.js';
import type { App } from '../app.js';
import type { JournalFilter } from '../journal.js';
import type { OperationHandler } from '../operation.js';

/** What the handlers call: the stub's code API itself, so that either door runs the same check. */
export type StubControls = Pick<App, 'journal' | 'faults' | 'clock' | 'reset' | 'state' | 'loadState' | 'seed' | 'coverage' | 'clearCoverage'>;

/** The control handlers, bound to one stub's journal, faults, clock and fixtures. */
export function controlHandlers({ journal, faults, clock, reset, state, loadState, seed, coverage, clearCoverage }: StubControls): Record<string, OperationHandler> {
  return {
    resetStub: async ({ body, headers }) => {
      // No body resets to the fixtures; an empty JSON one is a state that went missing (curl -d @typo), not a wish.
      if (body === undefined && headers['content-type'] !== undefined) throw new StubError('EmptyState');
      await reset(body);
      return { status: 204 };
    },
    getStubState: () => ({ status: 200, body: state() }),
    putStubState: async ({ body }) => {
      await loadState(body);
      return { status: 204 };
    },
    seedStub: async ({ body }) => {
      await seed(body);
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
