/** node:fs/promises for a FileStore, on a disk that fails on cue as a full, broken or read-only disk does. */
import * as fs from 'node:fs/promises';
import type { DataFileHandle, DataFiles } from '../../src/store/file-store.js';

export type DiskFault = 'ENOSPC' | 'EIO' | 'EROFS';

function failure(code: DiskFault, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected by the test, ${syscall}`), { code, syscall });
}

export class FaultyDisk implements DataFiles {
  private fault: DiskFault | undefined;
  /** Bytes a full disk still takes before it fails. */
  private room = 0;
  private held: Promise<void> | undefined;
  private onHeld: (() => void) | undefined;

  /**
   * From now until `heal()`, writes fail with `code`. A full disk first takes `room` more bytes, so a write
   * may be cut short (a torn log line); truncation frees space, so only a broken or read-only disk refuses it.
   */
  fail(code: DiskFault, { room = 0 } = {}): void {
    this.fault = code;
    this.room = room;
  }

  heal(): void {
    this.fault = undefined;
  }

  /** Holds every write until the returned function is called; `waiting` resolves once a write is held. */
  hold(): { waiting: Promise<void>; release: () => void } {
    let release!: () => void;
    this.held = new Promise((resolve) => (release = resolve));
    const waiting = new Promise<void>((resolve) => (this.onHeld = resolve));
    return {
      waiting,
      release: () => {
        this.held = undefined;
        release();
      },
    };
  }

  readFile(path: string, encoding: 'utf8'): Promise<string> {
    return fs.readFile(path, encoding);
  }

  rename(from: string, to: string): Promise<void> {
    return fs.rename(from, to);
  }

  rm(path: string, options: { force: boolean }): Promise<void> {
    return fs.rm(path, options);
  }

  async open(path: string, flags: string): Promise<DataFileHandle> {
    const handle = await fs.open(path, flags);
    const refuse = (syscall: string) => {
      if (this.fault === 'EIO' || this.fault === 'EROFS') throw failure(this.fault, syscall);
    };
    return {
      write: async (buffer, offset) => {
        if (this.held) {
          this.onHeld?.();
          await this.held;
        }
        refuse('write');
        if (this.fault === 'ENOSPC') {
          if (this.room === 0) throw failure('ENOSPC', 'write');
          const length = Math.min(this.room, buffer.length - offset);
          this.room -= length;
          return handle.write(buffer, offset, length);
        }
        return handle.write(buffer, offset);
      },
      truncate: async (length) => {
        refuse('ftruncate');
        await handle.truncate(length);
      },
      sync: async () => {
        refuse('fsync');
        await handle.sync();
      },
      datasync: async () => {
        refuse('fdatasync');
        await handle.datasync();
      },
      stat: () => handle.stat(),
      close: () => handle.close(),
    };
  }
}
