/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the format browsers' devtools, Playwright's
 * `recordHar` and the recorder all write: the types replay reads, and the append-safe writer the recorder uses.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarContent {
  size: number;
  mimeType: string;
  text?: string;
  /** `base64` when `text` holds bytes that are not text. */
  encoding?: string;
}

/** One request and its answer. */
export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: unknown[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text?: string; params?: HarNameValue[] };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: unknown[];
    headers: HarNameValue[];
    content: HarContent;
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, unknown>;
  timings: { send: number; wait: number; receive: number };
}

/** A HAR document: what `record` writes and `replay` reads. */
export interface Recording {
  log: {
    version: string;
    creator: { name: string; version: string };
    entries: HarEntry[];
  };
}

/** A file replay cannot read as a HAR: the CLI says why and exits 2. */
export class RecordingError extends Error {}

export function readRecording(path: string): Recording {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RecordingError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RecordingError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const entries = (value as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) throw new RecordingError(`${path} is not a HAR file: it has no log.entries list`);
  entries.forEach((entry: Partial<HarEntry> | null, i) => {
    const fits =
      typeof entry?.request?.method === 'string' && typeof entry.request.url === 'string' && typeof entry.response?.status === 'number';
    if (!fits) throw new RecordingError(`${path}: log.entries[${i}] has no request method and URL or no response status`);
  });
  return value as Recording;
}

/** A body's text as the HAR holds it (bytes when base64), or undefined when it kept none. */
export function contentBytes(content: { text?: string; encoding?: string }): Buffer | undefined {
  if (content.text === undefined) return undefined;
  return Buffer.from(content.text, content.encoding === 'base64' ? 'base64' : 'utf8');
}

/** Closes the document after the last entry; each append writes over it, so the file always ends with it. */
const TAIL = '\n]}}\n';

/**
 * Writes a HAR that is a complete JSON document after every entry: an entry and a new tail are written in one
 * positional write over the previous tail. A recorder that is killed leaves every entry it finished; a write
 * is synchronous, so two exchanges that finish together never interleave.
 */
export class HarWriter {
  private tailAt: number;
  private entries = 0;

  private constructor(
    private readonly fd: number,
    head: string,
  ) {
    const start = Buffer.from(head + TAIL);
    writeSync(fd, start, 0, start.length, 0);
    this.tailAt = Buffer.byteLength(head);
  }

  /** Creates (or empties) the file and writes an empty log. */
  static create(path: string, creator: Recording['log']['creator']): HarWriter {
    const head = `{"log":{"version":"1.2","creator":${JSON.stringify(creator)},"entries":[`;
    return new HarWriter(openSync(path, 'w'), head);
  }

  get count(): number {
    return this.entries;
  }

  append(entry: HarEntry): void {
    const text = `${this.entries === 0 ? '\n' : ',\n'}${JSON.stringify(entry)}`;
    const bytes = Buffer.from(text + TAIL);
    writeSync(this.fd, bytes, 0, bytes.length, this.tailAt);
    this.tailAt += bytes.length - TAIL.length;
    this.entries += 1;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * A request's or an answer's body as a value: JSON parsed, a form as an object of strings, other text as it
 * is; undefined when there is none.
 */
export function bodyValue(text: string | undefined, mimeType: string): unknown {
  if (text === undefined || text === '') return undefined;
  if (/x-www-form-urlencoded/i.test(mimeType)) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const requestBodyOf = (entry: HarEntry): unknown =>
  entry.request.postData?.text === undefined && entry.request.postData?.params
    ? Object.fromEntries(entry.request.postData.params.map(({ name, value }) => [name, value]))
    : bodyValue(entry.request.postData?.text, entry.request.postData?.mimeType ?? '');

export const responseBodyOf = (entry: HarEntry): unknown =>
  bodyValue(contentBytes(entry.response.content)?.toString('utf8'), entry.response.content.mimeType ?? '');

export const headerOf = (headers: readonly HarNameValue[], name: string): string | undefined =>
  headers.find((header) => header.name.toLowerCase() === name)?.value;
