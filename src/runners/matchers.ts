/**
 * `expect(stub).toHaveReceived(operationId, { status, rule, times })`: one matcher, registered by the vitest,
 * jest and Playwright integrations alike (their `expect.extend` take the same function). A failure lists the journal.
 */
import type { RuleId } from '../domain/rules.js';
import { describeEntries, describeFilter, type JournalEntry, type JournalFilter } from '../http/journal.js';
import type { ElasticPathOperationId } from '../operations.js';

export interface ReceivedOptions {
  status?: number | null;
  rule?: RuleId;
  /** Exactly this many; at least one when left out. */
  times?: number;
}

/** What the matcher reads: a RunningStub, or anything else with its `requests`. */
interface Journaled {
  requests(filter?: JournalFilter): readonly JournalEntry[];
}

const isJournaled = (value: unknown): value is Journaled => typeof (value as Partial<Journaled> | null)?.requests === 'function';
const timesOf = (count: number) => (count === 1 ? 'once' : `${count} times`);

export function toHaveReceived(this: { isNot?: boolean }, received: unknown, operationId: ElasticPathOperationId, options: ReceivedOptions = {}) {
  if (!isJournaled(received)) {
    return { pass: false, message: () => `toHaveReceived expects a stub (startStub's, or a fixture's), not ${JSON.stringify(received)}` };
  }
  const { times, ...answer } = options;
  const filter: JournalFilter = { operationId, ...answer };
  const count = received.requests(filter).length;
  const pass = times === undefined ? count > 0 : count === times;
  const expected = `${describeFilter(filter)} ${times === undefined ? 'at least once' : timesOf(times)}`;
  return {
    pass,
    message: () =>
      `expected the stub ${this.isNot ? 'not ' : ''}to have received ${expected}, and it received that ${timesOf(count)}; ${describeEntries(received.requests())}`,
  };
}
