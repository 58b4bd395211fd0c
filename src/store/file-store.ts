import * as fs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StubError } from '../domain/errors.js';
import type { Cart, StubData } from '../domain/model.js';
import { parseJsonFile } from '../fixtures.js';
import { DataFileError, isOutOfSpace, storageProblem } from './data-file-problems.js';
import { MemoryStore } from './memory-store.js';
import type { CartWriter, PageQuery, Store, StoreReadiness } from './store.js';

/** Marks a data file as this stub's, so that a foreign JSON file is refused rather than overwritten. */
const FORMAT = 'ep-cart-stub';
const VERSION = 1;

interface DataFileContent {
  format: typeof FORMAT;
  version: typeof VERSION;
  state: StubData;
  /** Absent in files written before tokens outlived a restart: the next start adds it. */
  token_secret?: string;
}

/** One line of the change log: a cart written whole, or removed. */
type LogEntry = { put: Cart } | { remove: string };

/** The file operations a file store makes: node:fs/promises, or a test's disk that fails on cue. */
export interface DataFiles {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  open(path: string, flags: string): Promise<DataFileHandle>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
}

export interface DataFileHandle {
  /** Writes `buffer` from `offset` on; may write less than asked (a disk filling up), as write(2) does. */
  write(buffer: Uint8Array, offset: number): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
  stat(): Promise<{ nlink: number }>;
  close(): Promise<void>;
}

export interface FileStoreOptions {
  /** The state a new data file (missing, or empty) starts from. */
  seed: () => StubData;
  /** Checks the state found in the data file, naming `origin` in its errors, and completes it. */
  readState: (value: unknown, origin: string) => StubData;
  /** The log is compacted into the data file once it is larger than this and than the data file. */
  compactAfterBytes?: number;
  /**
   * Acknowledge a change only once it is on the disk itself (the log opened `O_SYNC`), so that it survives a
   * crash of the machine, not only of the stub. Off, a change is acknowledged once the operating system has
   * it: the stub may be killed at any moment and lose nothing it answered, at about twice the speed.
   */
  fsync?: boolean;
  /** Default node:fs/promises. */
  files?: DataFiles;
}

/** What undoes one change to memory: the cart as it was before a put or remove, or the whole state before a replace. */
type Undo = { id: string; previous: Cart | undefined } | { state: StubData };

interface Batch {
  /** The log lines of its changes, in order. */
  lines: string[];
  undos: Undo[];
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** Why writes fail: what a refused change is answered, and the cause in words. */
interface Fault {
  answer: StubError;
  problem: string;
}

/** While a write fault lasts, the store tries to write again after this long, doubling up to the longest. */
const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 5000;

/**
 * State in memory (a MemoryStore, which stays the read path), made durable in two files: `path`, a snapshot
 * replaced atomically (a synced temp file renamed over it), and `path.log`, one JSON line per cart put or
 * removed since that snapshot.
 *
 * Changes are group-committed: every change made while a batch is being written goes out in the next batch,
 * appended with one write (which returns once on disk with `fsync`), and each change settles when its batch
 * is written. When the log has grown larger than the snapshot it is compacted into a new one, so rewriting
 * the snapshot costs in proportion to writes.
 *
 * A batch that cannot be written (a full disk, an I/O error, a read-only or deleted folder) is undone in
 * memory with every change made on top of it, and refused, so memory holds exactly what is durable. Until a
 * write succeeds again the store is not ready, and the next batch is written as a fresh snapshot and a
 * reopened, empty log: that drops any torn line, and works in a folder deleted and made anew. So the next
 * change after the disk is back succeeds. The store also tries a snapshot on its own, backing off, so that
 * readiness comes back without a write: a probe that takes the stub out of service would otherwise wait
 * for a write that never comes.
 */
export class FileStore implements Store {
  /** Log syncs and snapshots written so far: what group commit keeps low. */
  readonly writes = { logSyncs: 0, snapshots: 0 };
  /** The batch that collects the changes being made now, and the one being written. */
  private next: Batch | undefined;
  private inFlight: Batch | undefined;
  /** The loop that writes batches, while it runs. */
  private writer: Promise<void> | undefined;
  private snapshotDue = false;
  private fault: Fault | undefined;
  private retry: NodeJS.Timeout | undefined;
  private retryAfterMs = FIRST_RETRY_MS;
  private closed = false;
  /** Open for appends; undefined until the next snapshot opens it again. */
  private log: DataFileHandle | undefined;
  /** How much of the log is durable: a failed append is cut back to it. */
  private logBytes = 0;
  private snapshotBytes = 0;

  private constructor(
    private readonly memory: MemoryStore,
    private readonly path: string,
    private readonly files: DataFiles,
    private readonly logFlags: string,
    private readonly compactAfterBytes: number,
  ) {}

  /**
   * Loads `path` and replays its log. A file that is not the stub's, or a folder the stub cannot write in,
   * stops the start with a DataFileError or a message naming the file, and leaves the folder as it was.
   */
  static async open(
    path: string,
    { seed, readState, compactAfterBytes = 8 * 1024 * 1024, fsync = false, files = fs }: FileStoreOptions,
  ): Promise<FileStore> {
    try {
      const text = await readText(files, path);
      const content = text === null || text.trim() === '' ? undefined : dataFileContent(text, path);
      const memory = new MemoryStore(content ? readState(content.state, path) : seed(), content?.token_secret ? { tokenSecret: content.token_secret } : {});
      const logText = (await readText(files, logPath(path))) ?? '';
      await memory.change((carts) => replay(logText, path, carts));
      // With O_SYNC each batch is one write that returns once on disk, not a write and then a sync.
      const store = new FileStore(memory, path, files, fsync ? 'as' : 'a', compactAfterBytes);
      // A fresh snapshot makes the seed or the replayed log durable, and leaves no torn line for appends to follow.
      await store.compact();
      return store;
    } catch (error) {
      throw (error as NodeJS.ErrnoException).code === undefined ? error : DataFileError.of(error, path);
    }
  }

  get directory() {
    return this.memory.directory;
  }

  get tokenSecret() {
    return this.memory.tokenSecret;
  }

  cart(id: string) {
    return this.memory.cart(id);
  }

  page(query: PageQuery) {
    return this.memory.page(query);
  }

  snapshot(): StubData {
    return this.memory.snapshot();
  }

  readiness(): StoreReadiness {
    if (!this.fault) return { ready: true };
    return {
      ready: false,
      detail: `${this.fault.problem}: changes are refused until the data file can be written again (the stub keeps trying)`,
    };
  }

  change<T>(mutation: (carts: CartWriter) => T): Promise<T> {
    const changed = this.memory.change((carts) => mutation(this.recording(carts)));
    const durable = this.settled();
    return changed.finally(() => durable);
  }

  settled(): Promise<void> {
    if (this.snapshotDue) this.collecting();
    return (this.next ?? this.inFlight)?.promise ?? Promise.resolve();
  }

  replace(data: StubData): Promise<void> {
    const batch = this.collecting();
    batch.undos.push({ state: this.memory.snapshot() });
    // The next snapshot holds the new state whole; lines of earlier changes would only be replayed over it.
    this.snapshotDue = true;
    return this.memory.replace(data).then(() => batch.promise);
  }

  /** Writes what is pending and compacts, so a clean shutdown leaves the state in the snapshot alone. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.snapshotDue = true;
    try {
      await this.settled();
    } finally {
      await this.log?.close();
    }
  }

  private recording(carts: CartWriter): CartWriter {
    return {
      cart: (id) => carts.cart(id),
      put: (cart) => {
        const previous = carts.cart(cart.id);
        carts.put(cart);
        this.record({ put: cart }, { id: cart.id, previous });
      },
      remove: (id) => {
        const previous = carts.cart(id);
        carts.remove(id);
        this.record({ remove: id }, { id, previous });
      },
    };
  }

  private record(entry: LogEntry, undo: Undo): void {
    const batch = this.collecting();
    batch.lines.push(`${JSON.stringify(entry)}\n`);
    batch.undos.push(undo);
  }

  private collecting(): Batch {
    if (!this.next) {
      this.next = newBatch();
      this.writer ??= this.writeBatches();
    }
    return this.next;
  }

  private async writeBatches(): Promise<void> {
    // Starting on the next turn of the event loop lets every change of this turn join the first batch.
    await new Promise(setImmediate);
    while (this.next) {
      const batch = (this.inFlight = this.next);
      this.next = undefined;
      try {
        await this.persist(batch.lines);
        if (this.fault) this.healed();
        batch.resolve();
      } catch (error) {
        await this.refuse(batch, error);
      }
    }
    this.inFlight = undefined;
    this.writer = undefined;
  }

  /**
   * The batch is not durable, nor is any change made on top of it while it was being written: each is undone
   * in memory and answered with the fault.
   */
  private async refuse(batch: Batch, error: unknown): Promise<void> {
    await this.faulted(error);
    const later = this.next;
    this.next = undefined;
    this.revert([...batch.undos, ...(later?.undos ?? [])]);
    batch.reject(this.fault!.answer);
    later?.reject(this.fault!.answer);
  }

  /** Puts memory back as it was before `undos`, newest first, and indexed as a restart would read it. */
  private revert(undos: Undo[]): void {
    if (undos.length === 0) return;
    let state = this.memory.snapshot();
    let carts = new Map(state.carts.map((cart) => [cart.id, cart]));
    for (const undo of undos.toReversed()) {
      if ('state' in undo) {
        state = undo.state;
        carts = new Map(state.carts.map((cart) => [cart.id, cart]));
      } else if (undo.previous) carts.set(undo.id, undo.previous);
      else carts.delete(undo.id);
    }
    void this.memory.replace({ ...state, carts: [...carts.values()] });
  }

  private async faulted(error: unknown): Promise<void> {
    const problem = storageProblem(error, this.path);
    const detail = `${problem[0]!.toUpperCase()}${problem.slice(1)}, so nothing was changed; the stub takes changes again once it can write there`;
    this.fault = { answer: new StubError(isOutOfSpace(error) ? 'DataFileFull' : 'DataFileUnwritable', { detail }), problem };
    await this.dropLog();
    this.scheduleRetry();
  }

  private healed(): void {
    this.fault = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.retryAfterMs = FIRST_RETRY_MS;
  }

  /**
   * Lets go of the log, cut back to what is durable: a short write may have left part of a refused batch in
   * it, which neither a restart nor the next append may follow. Both steps are best effort on a failing disk;
   * without a log, the next write is a snapshot, which empties the log anyway.
   */
  private async dropLog(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    await log?.truncate(this.logBytes).catch(() => undefined);
    await log?.close().catch(() => undefined);
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      // While a batch is being written, that batch is the try.
      this.writer ??= this.retryWriting();
    }, this.retryAfterMs).unref();
    this.retryAfterMs = Math.min(this.retryAfterMs * 2, LONGEST_RETRY_MS);
  }

  /** A snapshot alone, outside any batch, so that no answer waits for it; then the changes made meanwhile. */
  private async retryWriting(): Promise<void> {
    try {
      await this.compact();
      this.healed();
    } catch (error) {
      await this.faulted(error);
    }
    await this.writeBatches();
  }

  private async persist(lines: string[]): Promise<void> {
    const log = this.log;
    if (!log || this.snapshotDue || this.logBytes > Math.max(this.compactAfterBytes, this.snapshotBytes)) return this.compact();
    const bytes = Buffer.from(lines.join(''));
    // Appends to a log whose folder was deleted succeed, and are lost: the file must still have a name. Asked
    // beside the write, not after it, so that it adds no wait.
    const [, { nlink }] = await Promise.all([writeAll(log, bytes), log.stat()]);
    if (nlink === 0) throw new Error(`${logPath(this.path)} was deleted`);
    this.logBytes += bytes.length;
    this.writes.logSyncs += 1;
  }

  /** A snapshot of memory as it is now, which holds every pending line; then an empty log. */
  private async compact(): Promise<void> {
    this.snapshotDue = false;
    const content: DataFileContent = { format: FORMAT, version: VERSION, state: this.memory.snapshot(), token_secret: this.tokenSecret };
    const text = JSON.stringify(content);
    await this.writeSnapshot(text);
    // Opened after the snapshot is written, so that a start which cannot write creates no log either.
    this.log ??= await this.files.open(logPath(this.path), this.logFlags);
    // A crash before the truncation is harmless: replaying puts and removes over the state they led to changes nothing.
    await this.log.truncate(0);
    this.logBytes = 0;
    await this.log.datasync();
    this.snapshotBytes = text.length;
    this.writes.snapshots += 1;
  }

  /**
   * Replaces the data file atomically: a temp file beside it, synced, renamed over it, then the folder synced.
   * Synced even without `fsync`: it is rare, and a snapshot torn by a machine crash would lose all the state.
   */
  private async writeSnapshot(text: string): Promise<void> {
    const temp = join(dirname(this.path), `.${basename(this.path)}.tmp`);
    try {
      const handle = await this.files.open(temp, 'w');
      try {
        await writeAll(handle, Buffer.from(text));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.files.rename(temp, this.path);
    } catch (error) {
      // A temp file cut short by a full disk holds the very space the next try needs.
      await this.files.rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
    await syncFolder(this.files, dirname(this.path));
  }
}

function logPath(path: string): string {
  return `${path}.log`;
}

/** The file's text, or null when there is no such file. */
async function readText(files: DataFiles, path: string): Promise<string | null> {
  try {
    return await files.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A data file's content (its state still to be checked), or an error naming the file: never a guess at a foreign file. */
function dataFileContent(text: string, path: string): { state: unknown; token_secret?: string } {
  const content = parseJsonFile(text, path) as Partial<DataFileContent> | null;
  if (content?.format !== FORMAT) {
    throw new Error(`${path} is not an ep-cart-stub data file (it has no "format": "${FORMAT}"); the stub leaves it as it is`);
  }
  if (content.version !== VERSION) {
    throw new Error(`${path} is version ${String(content.version)} of the data file format; this stub reads version ${VERSION}`);
  }
  return { state: content.state, ...(typeof content.token_secret === 'string' && content.token_secret !== '' ? { token_secret: content.token_secret } : {}) };
}

/** Applies the log's lines in order. A last line without its newline was cut short by a crash before it
 * was acknowledged, so it is dropped; a damaged line anywhere else stops the start. */
function replay(text: string, path: string, carts: CartWriter): void {
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, i) => {
    const entry = parseLogLine(line);
    if (!entry) {
      throw new DataFileError(
        path,
        `${logPath(path)} line ${i + 1} is damaged: it is neither {"put": <a cart>} nor {"remove": "<a cart id>"}`,
        'the stub leaves the file as it is: repair or delete that line',
      );
    }
    if ('put' in entry) carts.put(entry.put);
    else carts.remove(entry.remove);
  });
}

/** A line as the store writes it, or undefined: a line that parses but is not a put or remove is damaged too. */
function parseLogLine(line: string): LogEntry | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null || Object.keys(entry).length !== 1) return undefined;
  const { put, remove } = entry as { put?: unknown; remove?: unknown };
  if (isCart(put)) return { put };
  if (typeof remove === 'string') return { remove };
  return undefined;
}

/** Whether `value` has a cart's fields with their types: what the indexes and the answers rely on. */
function isCart(value: unknown): value is Cart {
  if (typeof value !== 'object' || value === null) return false;
  const cart = value as Record<string, unknown>;
  const isObject = (field: unknown) => typeof field === 'object' && field !== null && !Array.isArray(field);
  const areStrings = (field: unknown) => Array.isArray(field) && field.every((item) => typeof item === 'string');
  return (
    ['id', 'name', 'description', 'created_at', 'updated_at'].every((key) => typeof cart[key] === 'string') &&
    isObject(cart.discount_settings) &&
    (cart.contact === undefined || isObject(cart.contact)) &&
    areStrings(cart.account_ids) &&
    areStrings(cart.customer_ids)
  );
}

async function writeAll(handle: DataFileHandle, bytes: Buffer): Promise<void> {
  for (let written = 0; written < bytes.length; ) written += (await handle.write(bytes, written)).bytesWritten;
}

async function syncFolder(files: DataFiles, path: string): Promise<void> {
  try {
    const handle = await files.open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    // Windows cannot open a directory to sync it; there the rename is as durable as the platform makes it.
    if (!['EISDIR', 'EPERM', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { lines: [], undos: [], promise, resolve, reject };
}
