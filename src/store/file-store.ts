import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TextFile } from 'lowdb/node';
import type { Cart, StubData } from '../domain/model.js';
import { parseJsonFile } from '../fixtures.js';
import { MemoryStore } from './memory-store.js';
import type { CartWriter, PageQuery, Store, StoreReadiness } from './store.js';

/** Marks a data file as this stub's, so that a foreign JSON file is refused rather than overwritten. */
const FORMAT = 'ep-cart-stub';
const VERSION = 1;

interface DataFileContent {
  format: typeof FORMAT;
  version: typeof VERSION;
  state: StubData;
}

/** One line of the change log: a cart written whole, or removed. */
type LogEntry = { put: Cart } | { remove: string };

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
}

interface Batch {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * State in memory (a MemoryStore, which stays the read path), made durable in two files: `path`, a snapshot
 * replaced atomically (lowdb's TextFile: temp file, then rename) and synced, and `path.log`, one JSON line
 * per cart put or removed since that snapshot.
 *
 * Changes are group-committed: every change made while a batch is being written goes out in the next batch,
 * appended with one write (which returns once on disk with `fsync`), and each change settles when its batch
 * is written. When the log has grown larger than the snapshot it is compacted into a new one, so rewriting
 * the snapshot costs in proportion to writes.
 */
export class FileStore implements Store {
  /** Log syncs and snapshots written so far: what group commit keeps low. */
  readonly writes = { logSyncs: 0, snapshots: 0 };
  /** Log lines of changes made since the last batch was taken. */
  private pending: string[] = [];
  private snapshotDue = false;
  /** The batch that collects the changes being made now, and the one being written. */
  private next: Batch | undefined;
  private inFlight: Batch | undefined;
  private writing = false;
  private failure: unknown;
  private logBytes = 0;
  private snapshotBytes = 0;

  private constructor(
    private readonly memory: MemoryStore,
    private readonly path: string,
    private readonly snapshotFile: TextFile,
    private readonly log: FileHandle,
    private readonly compactAfterBytes: number,
  ) {}

  /** Loads `path` and replays its log; a file that is not the stub's stops the start and is left untouched. */
  static async open(path: string, { seed, readState, compactAfterBytes = 8 * 1024 * 1024, fsync = false }: FileStoreOptions): Promise<FileStore> {
    const snapshotFile = new TextFile(path);
    const text = await snapshotFile.read();
    const memory = new MemoryStore(text === null || text.trim() === '' ? seed() : readState(dataFileState(text, path), path));
    const logPath = `${path}.log`;
    const logText = (await new TextFile(logPath).read()) ?? '';
    await memory.change((carts) => replay(logText, logPath, carts));
    // With O_SYNC each batch is one write that returns once on disk, not a write and then a sync (issue #6).
    const store = new FileStore(memory, path, snapshotFile, await open(logPath, fsync ? 'as' : 'a'), compactAfterBytes);
    // A fresh snapshot makes the seed or the replayed log durable, and leaves no torn line for appends to follow.
    store.snapshotDue = true;
    await store.settled();
    return store;
  }

  get directory() {
    return this.memory.directory;
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

  /** Not ready once a write has failed: memory may hold changes the disk does not, and no change is acknowledged. */
  readiness(): StoreReadiness {
    if (this.failure === undefined) return { ready: true };
    return { ready: false, detail: `writing ${this.path} failed: ${(this.failure as Error).message ?? String(this.failure)}` };
  }

  change<T>(mutation: (carts: CartWriter) => T): Promise<T> {
    const changed = this.memory.change((carts) => mutation(this.recording(carts)));
    return changed.finally(() => this.settled());
  }

  settled(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending.length === 0 && !this.snapshotDue) return this.inFlight?.promise ?? Promise.resolve();
    if (!this.next) {
      this.next = newBatch();
      this.startWriting();
    }
    return this.next.promise;
  }

  replace(data: StubData): Promise<void> {
    // The next snapshot holds the new state whole; lines of earlier changes would only be replayed over it.
    this.pending = [];
    this.snapshotDue = true;
    return this.memory.replace(data).then(() => this.settled());
  }

  /** Writes what is pending and compacts, so a clean shutdown leaves the state in the snapshot alone. */
  async close(): Promise<void> {
    this.snapshotDue = true;
    try {
      await this.settled();
    } finally {
      await this.log.close();
    }
  }

  private recording(carts: CartWriter): CartWriter {
    return {
      cart: (id) => carts.cart(id),
      put: (cart) => {
        carts.put(cart);
        this.record({ put: cart });
      },
      remove: (id) => {
        carts.remove(id);
        this.record({ remove: id });
      },
    };
  }

  private record(entry: LogEntry): void {
    this.pending.push(`${JSON.stringify(entry)}\n`);
  }

  private startWriting(): void {
    if (this.writing) return;
    this.writing = true;
    // Starting on the next turn of the event loop lets every change of this turn join the first batch.
    setImmediate(() => void this.writeBatches());
  }

  private async writeBatches(): Promise<void> {
    while (this.next && !this.failure) {
      const batch = (this.inFlight = this.next);
      const lines = this.pending;
      this.next = undefined;
      this.pending = [];
      try {
        await this.persist(lines);
        batch.resolve();
      } catch (error) {
        this.fail(error, batch);
      }
    }
    this.inFlight = undefined;
    this.writing = false;
  }

  /** Memory now holds changes the disk may not: every later change fails rather than be acknowledged. */
  private fail(error: unknown, batch: Batch): void {
    this.failure = error;
    batch.reject(error);
    this.next?.reject(error);
    this.next = undefined;
  }

  private async persist(lines: string[]): Promise<void> {
    if (this.snapshotDue || this.logBytes > Math.max(this.compactAfterBytes, this.snapshotBytes)) return this.compact();
    const bytes = Buffer.from(lines.join(''));
    for (let written = 0; written < bytes.length; ) written += (await this.log.write(bytes, written)).bytesWritten;
    this.logBytes += bytes.length;
    this.writes.logSyncs += 1;
  }

  /** A snapshot of memory as it is now, which holds every pending line; then an empty log. */
  private async compact(): Promise<void> {
    this.snapshotDue = false;
    const content: DataFileContent = { format: FORMAT, version: VERSION, state: this.memory.snapshot() };
    const text = JSON.stringify(content);
    await this.snapshotFile.write(text);
    // lowdb renames without syncing; the snapshot must be on disk before the log that it replaces is emptied.
    // Synced even without `fsync`: it is rare, and a snapshot torn by a machine crash would lose all the state.
    await syncPath(this.path);
    await syncPath(dirname(this.path)).catch(ignoreWhereDirectoriesCannotSync);
    // A crash before the truncation is harmless: replaying puts and removes over the state they led to changes nothing.
    await this.log.truncate(0);
    await this.log.datasync();
    this.snapshotBytes = text.length;
    this.logBytes = 0;
    this.writes.snapshots += 1;
  }
}

/** The state in a data file's text, or an error naming the file: never a guess at a foreign file. */
function dataFileState(text: string, path: string): unknown {
  const content = parseJsonFile(text, path) as Partial<DataFileContent> | null;
  if (content?.format !== FORMAT) {
    throw new Error(`${path} is not an ep-cart-stub data file (it has no "format": "${FORMAT}"); the stub leaves it as it is`);
  }
  if (content.version !== VERSION) {
    throw new Error(`${path} is version ${String(content.version)} of the data file format; this stub reads version ${VERSION}`);
  }
  return content.state;
}

/** Applies the log's lines in order. A last line without its newline was cut short by a crash before it
 * was acknowledged, so it is dropped; a damaged line anywhere else stops the start. */
function replay(text: string, path: string, carts: CartWriter): void {
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, i) => {
    const entry = parseLogLine(line);
    if (!entry) throw new Error(`${path} line ${i + 1} is damaged; the stub leaves the file as it is`);
    if ('put' in entry) carts.put(entry.put);
    else carts.remove(entry.remove);
  });
}

function parseLogLine(line: string): LogEntry | undefined {
  try {
    const entry = JSON.parse(line) as Partial<{ put: Partial<Cart>; remove: unknown }> | null;
    if (typeof entry?.put?.id === 'string' || typeof entry?.remove === 'string') return entry as LogEntry;
  } catch {
    // a damaged line: reported by the caller, with its number
  }
  return undefined;
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Windows cannot open a directory to sync it; there the rename is as durable as the platform makes it. */
function ignoreWhereDirectoriesCannotSync(error: NodeJS.ErrnoException): void {
  if (!['EISDIR', 'EPERM', 'EACCES'].includes(error.code ?? '')) throw error;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
