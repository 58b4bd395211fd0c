/** The control API (tag Stub Control in the document): the stub's own operations, for tests and CI. */
import { LATEST_CLOCK_MS, type StubClock } from '../../clock.js';
import { StubError } from '../../domain/errors.js';
import { completeState, referenceProblems, type FixtureData } from '../../fixtures.js';
import type { Faults } from '../faults.js';
import type { Journal, JournalFilter } from '../journal.js';
import type { OperationHandler } from '../operation.js';

export interface StubControls {
  journal: Journal;
  faults: Faults;
  clock: StubClock;
  /** The operationIds a fault may name: Elastic Path's, not the control API's. */
  apiOperations: ReadonlySet<string>;
  /** Back to the fixtures, or to `state`; clears the journal and the faults. */
  reset(state?: FixtureData): Promise<void>;
}

/** The control handlers, bound to one stub's journal, faults, clock and fixtures. */
export function controlHandlers({ journal, faults, clock, apiOperations, reset }: StubControls): Record<string, OperationHandler> {
  return {
    resetStub: async ({ body }) => {
      await reset(body === undefined ? undefined : consistent(body));
      return { status: 204 };
    },
    getStubState: ({ store }) => ({ status: 200, body: store.snapshot() }),
    putStubState: async ({ body, store, now }) => {
      await store.replace(completeState(consistent(body), now));
      return { status: 204 };
    },
    getStubRequests: ({ query }) => ({ status: 200, body: { data: journal.list(query as JournalFilter) } }),
    deleteStubRequests: () => {
      journal.clear();
      return { status: 204 };
    },
    createStubFaults: ({ body }) => {
      if (body.operationId !== undefined && !apiOperations.has(body.operationId)) {
        throw new StubError('UnknownOperation', { detail: `No Elastic Path operation has the id ${body.operationId}`, source: 'operationId' });
      }
      return { status: 201, body: { data: faults.add(body) } };
    },
    deleteStubFaults: () => {
      faults.clear();
      return { status: 204 };
    },
    setStubClock: ({ body }) => {
      // Checked before anything moves, so a refused request changes nothing.
      const at = body.freeze === true && body.at !== undefined ? Math.max(Date.parse(body.at), clock.now()) : clock.now();
      if (!(at + (body.advance_seconds ?? 0) * 1000 <= LATEST_CLOCK_MS)) {
        throw new StubError('ClockOutOfRange', { source: body.advance_seconds ? 'advance_seconds' : 'at' });
      }
      if (body.freeze === true) clock.freeze(body.at === undefined ? undefined : Date.parse(body.at));
      if (body.freeze === false) clock.resume();
      if (body.advance_seconds) clock.advance(body.advance_seconds * 1000);
      return { status: 200, body: { now: clock.iso(), frozen: clock.frozen } };
    },
  };
}

/** A state the schema accepts may still refer to what it does not hold (fixtures.ts, `referenceProblems`). */
function consistent(state: FixtureData): FixtureData {
  const [problem] = referenceProblems(state);
  if (problem) throw new StubError('FieldInvalid', { detail: problem, source: problem.split(' ')[0] });
  return state;
}
