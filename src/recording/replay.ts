/**
 * Replay: sends a recording's Elastic Path requests, in order, to a fresh stub seeded from the recording (or
 * to a target of your own), and lists every way the answers differ from the recorded ones.
 */
import { StubClock } from '../clock.js';
import { startStub, type RunningStub } from '../stub.js';
import { junitXml } from '../reports/junit.js';
import { SECRET_HEADERS } from '../secrets.js';
import { Aliases, compareBodies, matchesPattern, pairValues, type Difference, type Found, type Origins } from './compare.js';
import { bodyValue, responseBodyOf, type HarEntry, type Recording } from './har.js';
import { HOP_BY_HOP } from './proxy.js';
import { inferSeed, type IndexedEntry, type Seed } from './seed.js';

export interface ReplayOptions {
  /** Where to send the requests; by default a fresh in-process stub, seeded from the recording. */
  target?: string;
  /** Fields whose differences do not count (`data.meta.timestamps.*`; matchesPattern says how they match). */
  ignore?: readonly string[];
}

export interface ReplayedEntry {
  entry: number;
  request: string;
  /** Those that count, after `ignore`. */
  differences: Difference[];
  /** False when the recording kept no body for the answer: then only its status was compared. */
  bodyCompared: boolean;
  durationMs: number;
}

export interface SkippedEntry {
  entry: number;
  request: string;
  reason: string;
}

export interface ReplayReport {
  target: string;
  replayed: ReplayedEntry[];
  skipped: SkippedEntry[];
  /** Every difference that counts, in entry order. */
  differences: Difference[];
  /** How many differences `ignore` dropped. */
  ignored: number;
  /** What the in-process stub was seeded with; undefined with a target of your own. */
  seed: Pick<Seed, 'inferred' | 'unknown'> | undefined;
}

const ELASTIC_PATH_PATH = /^\/(oauth|v2)\//;

/** Headers that describe the recorded connection and its framing, not the request: fetch writes its own. */
const CONNECTION_HEADERS = new Set([...HOP_BY_HOP, 'host', 'content-length', 'accept-encoding', 'expect']);

const requestLabel = (entry: HarEntry) => `${entry.request.method} ${URL.parse(entry.request.url)?.pathname ?? entry.request.url}`;

/** The entries to replay (Elastic Path calls to the recording's Elastic Path host), and the others with why. */
export function selectEntries(recording: Recording): { replayable: IndexedEntry[]; skipped: SkippedEntry[] } {
  const urlOf = (entry: HarEntry) => URL.parse(entry.request.url);
  const apiOrigin = recording.log.entries.map(urlOf).find((url) => url && ELASTIC_PATH_PATH.test(url.pathname))?.origin;
  const replayable: IndexedEntry[] = [];
  const skipped: SkippedEntry[] = [];
  recording.log.entries.forEach((entry, index) => {
    const url = urlOf(entry);
    const reason = !url || !ELASTIC_PATH_PATH.test(url.pathname)
      ? 'not an Elastic Path call'
      : url.origin !== apiOrigin
        ? `a call to another host than ${apiOrigin}`
        : entry.request.method === 'OPTIONS'
          ? 'a CORS preflight'
          : entry.response.status < 100
            ? 'no answer was recorded'
            : undefined;
    if (reason) skipped.push({ entry: index, request: requestLabel(entry), reason });
    else replayable.push({ index, entry });
  });
  return { replayable, skipped };
}

export async function replay(recording: Recording, options: ReplayOptions = {}): Promise<ReplayReport> {
  const { replayable, skipped } = selectEntries(recording);
  let stub: RunningStub | undefined;
  let seed: Seed | undefined;
  if (options.target === undefined) {
    seed = inferSeed(replayable);
    stub = await startStub({ port: 0, clock: clockAt(replayable[0]?.entry.startedDateTime) });
    await stub.reset(seed.state);
  }
  const target = options.target ?? stub!.url;
  const recordedOrigin = replayable[0] ? new URL(replayable[0].entry.request.url).origin : target;
  const aliases = new Aliases();
  const replayed: ReplayedEntry[] = [];
  let ignored = 0;
  try {
    for (const { index, entry } of replayable) {
      const started = performance.now();
      const found = await replayEntry(entry, aliases, { recorded: recordedOrigin, live: target });
      const counted = found.filter(({ field }) => !options.ignore?.some((pattern) => matchesPattern(field, pattern)));
      ignored += found.length - counted.length;
      const request = requestLabel(entry);
      replayed.push({
        entry: index,
        request,
        differences: counted.map((difference) => ({ entry: index, request, ...difference })),
        bodyCompared: bodyRecorded(entry),
        durationMs: performance.now() - started,
      });
    }
  } finally {
    await stub?.close();
  }
  return {
    target,
    replayed,
    skipped,
    differences: replayed.flatMap((entry) => entry.differences),
    ignored,
    seed: seed && { inferred: seed.inferred, unknown: seed.unknown },
  };
}

/**
 * The in-process stub's clock starts when the recording did: carts that were there before it are then as
 * old as they were (a cart a week old would have expired by today), and tokens live as long as they did.
 */
function clockAt(startedDateTime: string | undefined): StubClock {
  const start = startedDateTime === undefined ? NaN : Date.parse(startedDateTime);
  return new StubClock(start < Date.now() ? start : undefined);
}

/**
 * A HAR may leave an answer's body out (`content.text` absent): a browser records none for a body the page
 * never read, or read after it closed. Such a body is unknown, not empty.
 */
const bodyRecorded = (entry: HarEntry) => entry.response.content.text !== undefined;

async function replayEntry(entry: HarEntry, aliases: Aliases, origins: Origins): Promise<Found[]> {
  const { request, response } = entry;
  const headers = new Headers();
  for (const { name, value } of request.headers) {
    const lower = name.toLowerCase();
    if (name.startsWith(':') || CONNECTION_HEADERS.has(lower)) continue;
    // `Bearer <token:1>`: the token is mapped, the scheme kept.
    const scheme = SECRET_HEADERS.has(lower) ? /^(\S+\s+)(\S.*)$/.exec(value) : null;
    headers.append(name, scheme ? scheme[1]! + aliases.map(scheme[2]!) : aliases.map(value));
  }
  let answer: Response;
  try {
    answer = await fetch(aliases.mapUrl(request.url, origins.recorded, origins.live), {
      method: request.method,
      headers,
      body: requestBody(entry, aliases),
      redirect: 'manual',
    });
  } catch (error) {
    return [{ field: 'status', expected: response.status, actual: `no answer: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}` }];
  }
  const live = bodyValue(await answer.text(), answer.headers.get('content-type') ?? '');
  if (answer.status !== response.status) return [{ field: 'status', expected: response.status, actual: answer.status }];
  if (!bodyRecorded(entry)) return [];
  const recorded = responseBodyOf(entry);
  pairValues(recorded, live, aliases);
  return compareBodies(recorded, live, aliases, origins);
}

/** The recorded body with every mapped id and token rewritten, in the same encoding. */
function requestBody(entry: HarEntry, aliases: Aliases): string | undefined {
  const postData = entry.request.postData;
  if (!postData) return undefined;
  if (postData.text === undefined) {
    return postData.params && new URLSearchParams(postData.params.map(({ name, value }): [string, string] => [name, aliases.map(value)])).toString();
  }
  if (/x-www-form-urlencoded/i.test(postData.mimeType)) {
    return new URLSearchParams([...new URLSearchParams(postData.text)].map(([name, value]): [string, string] => [name, aliases.map(value)])).toString();
  }
  const value = bodyValue(postData.text, postData.mimeType);
  return typeof value === 'object' && value !== null ? JSON.stringify(mapStrings(value, aliases)) : postData.text;
}

function mapStrings(value: unknown, aliases: Aliases): unknown {
  if (typeof value === 'string') return aliases.map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, aliases));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, aliases)]));
}

// ---------------------------------------------------------------------------------------------------------
// Reports

const shown = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));

/** `#4 POST /v2/carts/…: errors[0].title: expected "…", got "…"` */
export function describeDifference(difference: Difference): string {
  return `#${difference.entry} ${difference.request}: ${difference.field}: expected ${shown(difference.expected)}, got ${shown(difference.actual)}`;
}

export function summaryLine(report: ReplayReport): string {
  const reasons = new Map<string, number>();
  for (const { reason } of report.skipped) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  const skipped = report.skipped.length
    ? `; ${report.skipped.length} skipped (${[...reasons].map(([reason, count]) => `${count} ${reason}`).join(', ')})`
    : '';
  const ignored = report.ignored ? `; ${report.ignored} ignored` : '';
  const entries = new Set(report.differences.map((difference) => difference.entry)).size;
  const differences = `${report.differences.length} difference(s)${report.differences.length ? ` in ${entries} entr${entries === 1 ? 'y' : 'ies'}` : ''}`;
  return `replayed ${report.replayed.length} entr${report.replayed.length === 1 ? 'y' : 'ies'} against ${report.target}: ${differences}${ignored}${skipped}`;
}

/** One test case per replayed entry, failed with its differences. */
export function replayJunit(report: ReplayReport, suiteName: string): string {
  return junitXml([
    {
      name: suiteName,
      testcases: report.replayed.map((entry) => ({
        name: `#${entry.entry} ${entry.request}`,
        classname: 'ep-cart-stub.replay',
        time: entry.durationMs / 1000,
        ...(entry.differences.length
          ? { failure: { message: `${entry.differences.length} difference(s)`, text: entry.differences.map(describeDifference).join('\n') } }
          : {}),
      })),
    },
  ]);
}

/** The report as JSON: the same content as the JUnit file, with the summary and what was skipped and seeded. */
export function replayJson(report: ReplayReport): string {
  return `${JSON.stringify({ summary: summaryLine(report), ...report }, null, 2)}\n`;
}
