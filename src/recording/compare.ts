/**
 * How a replayed answer is judged against the recorded one: status, then the JSON shape (members, types,
 * array lengths), then values. Values that differ by nature are not compared as they are: ids and tokens are
 * mapped (the recorded one must be the live one it was paired with), timestamps compare by format, links
 * after their origin and ids are mapped.
 */
import { TOKEN_FIELDS } from '../secrets.js';

/** One way a replayed answer differs from the recorded one. `expected` or `actual` is left out where the member is absent. */
export interface Difference {
  /** The entry's index in the HAR file. */
  entry: number;
  /** Method and recorded path, e.g. `POST /v2/carts/…/relationships/accounts`. */
  request: string;
  /** `status`, `body`, or a path into the JSON body such as `errors[0].title`. */
  field: string;
  expected?: unknown;
  actual?: unknown;
}

export type Found = Pick<Difference, 'field' | 'expected' | 'actual'>;

/** Recorded ids and tokens, each paired with the live value that stands for it in the replay (one to one). */
export class Aliases {
  private readonly live = new Map<string, string>();
  private readonly recorded = new Map<string, string>();

  /** Pairs the two unless either is paired already: the first place a value appears decides. */
  pair(recorded: string, live: string): void {
    if (this.live.has(recorded) || this.recorded.has(live)) return;
    this.live.set(recorded, live);
    this.recorded.set(live, recorded);
  }

  /** The live value for a recorded one; the value itself when it was never paired. */
  map(value: string): string {
    return this.live.get(value) ?? value;
  }

  /** A recorded URL or path with its origin replaced and every mapped path segment and query value rewritten. */
  mapUrl(url: string, from: string, to: string): string {
    const rest = url.startsWith(from) ? url.slice(from.length) : url;
    const queryAt = rest.indexOf('?');
    const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
    const query = queryAt === -1 ? '' : rest.slice(queryAt);
    const mapped = path.split('/').map((segment) => this.mapEncoded(segment)).join('/');
    const mappedQuery = query.replace(/=([^&]*)/g, (_, value: string) => `=${this.mapEncoded(value)}`);
    return (url.startsWith(from) ? to : '') + mapped + mappedQuery;
  }

  /** A piece of a URL, rewritten only when it names a mapped value, so that the rest keeps its spelling. */
  private mapEncoded(piece: string): string {
    let decoded: string;
    try {
      decoded = decodeURIComponent(piece);
    } catch {
      return piece;
    }
    const mapped = this.map(decoded);
    return mapped === decoded ? piece : encodeURIComponent(mapped);
  }
}

type Nature = 'mapped' | 'timestamp' | 'link' | 'value';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const LINK = /^https?:\/\//;

/** What a member's value is, from its name and the recorded value. */
function natureOf(key: string, value: unknown): Nature {
  if (typeof value === 'string') {
    if (key === 'id' || key.endsWith('_id') || TOKEN_FIELDS.has(key)) return 'mapped';
    if (LINK.test(value)) return 'link';
    if (RFC3339.test(value)) return 'timestamp';
  }
  if (typeof value === 'number' && (key === 'expires' || key.endsWith('_at'))) return 'timestamp';
  return 'value';
}

function timestampFormat(value: unknown): string {
  if (typeof value === 'string' && RFC3339.test(value)) return 'RFC 3339';
  if (typeof value === 'number' && Number.isInteger(value)) return 'epoch seconds';
  return typeof value;
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

export interface Origins {
  /** The origin the recording's links name (its target's). */
  recorded: string;
  /** The origin of the replay target. */
  live: string;
}

/** Pairs every id and token of the recorded body with the live one at the same place, where the shapes agree. */
export function pairValues(recorded: unknown, live: unknown, aliases: Aliases, key = ''): void {
  if (Array.isArray(recorded) && Array.isArray(live)) {
    recorded.forEach((item, i) => i < live.length && pairValues(item, live[i], aliases));
  } else if (kindOf(recorded) === 'object' && kindOf(live) === 'object') {
    const liveObject = live as Record<string, unknown>;
    for (const [name, item] of Object.entries(recorded as Record<string, unknown>)) {
      if (Object.hasOwn(liveObject, name)) pairValues(item, liveObject[name], aliases, name);
    }
  } else if (typeof recorded === 'string' && typeof live === 'string' && natureOf(key, recorded) === 'mapped') {
    aliases.pair(recorded, live);
  }
}

/** Every difference between the recorded and the live body, once `pairValues` has paired what it could. */
export function compareBodies(recorded: unknown, live: unknown, aliases: Aliases, origins: Origins): Found[] {
  const found: Found[] = [];
  const walk = (expected: unknown, actual: unknown, field: string, key: string): void => {
    const at = field === '' ? 'body' : field;
    if (kindOf(expected) !== kindOf(actual)) {
      found.push({ field: at, expected, actual });
    } else if (Array.isArray(expected) && Array.isArray(actual)) {
      const longest = Math.max(expected.length, actual.length);
      for (let i = 0; i < longest; i++) {
        if (i >= actual.length) found.push({ field: `${field}[${i}]`, expected: expected[i] });
        else if (i >= expected.length) found.push({ field: `${field}[${i}]`, actual: actual[i] });
        else walk(expected[i], actual[i], `${field}[${i}]`, '');
      }
    } else if (kindOf(expected) === 'object') {
      const want = expected as Record<string, unknown>;
      const got = actual as Record<string, unknown>;
      const member = (name: string) => (field === '' ? name : `${field}.${name}`);
      for (const name of Object.keys(want)) {
        if (!Object.hasOwn(got, name)) found.push({ field: member(name), expected: want[name] });
        else walk(want[name], got[name], member(name), name);
      }
      for (const name of Object.keys(got)) if (!Object.hasOwn(want, name)) found.push({ field: member(name), actual: got[name] });
    } else {
      switch (natureOf(key, expected)) {
        case 'mapped': {
          const mapped = aliases.map(expected as string);
          if (mapped !== actual) found.push({ field: at, expected: mapped, actual });
          break;
        }
        case 'timestamp':
          if (timestampFormat(expected) !== timestampFormat(actual)) found.push({ field: at, expected, actual });
          break;
        case 'link': {
          const mapped = aliases.mapUrl(expected as string, origins.recorded, origins.live);
          if (mapped !== actual) found.push({ field: at, expected: mapped, actual });
          break;
        }
        case 'value':
          if (expected !== actual) found.push({ field: at, expected, actual });
      }
    }
  };
  walk(recorded, live, '', '');
  return found;
}

/**
 * Whether a field matches an `--ignore` pattern: dot-separated segments, `*` for any one segment; an array
 * index is a segment (`data.*.id` matches `data[3].id`). A pattern also covers what lies under what it matches.
 */
export function matchesPattern(field: string, pattern: string): boolean {
  const segments = (path: string) => path.replace(/\[([^\]]*)\]/g, '.$1').split('.').filter((segment) => segment !== '');
  const fieldSegments = segments(field);
  const patternSegments = segments(pattern);
  return (
    patternSegments.length <= fieldSegments.length &&
    patternSegments.every((segment, i) => segment === '*' || segment === fieldSegments[i])
  );
}
