/**
 * Why the data file (`--data`) cannot be kept, in words that name the user's path rather than an error code
 * or a file the user never mentioned: the start-up error and the answers to writes both say it this way.
 * Kept apart from the file store so the CLI can name these errors without loading the store.
 */
import { dirname, join } from 'node:path';

/** The cause of a failed file operation on the data file at `path`, as a clause: "the disk holding /x/state.json is full". */
export function storageProblem(error: unknown, path: string): string {
  const { code, path: failed = path, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOSPC':
      return `the disk holding ${path} is full`;
    case 'EDQUOT':
      return `the disk quota of the folder holding ${path} is used up`;
    case 'EROFS':
      return `the file system holding ${path} is read-only`;
    case 'EIO':
      return `the disk holding ${path} failed to write (an I/O error)`;
    case 'ENOENT':
      return `the folder ${dirname(path)} does not exist`;
    case 'ENOTDIR':
      return `a part of ${dirname(path)} is a file, not a folder`;
    case 'EISDIR':
      return `${failed} is a folder, not a file`;
    case 'EACCES':
    case 'EPERM':
      return `the stub may not write to ${failed}`;
    default:
      return message;
  }
}

/** Whether the failure is lack of space, which Elastic Path's answers would call 507 Insufficient Storage. */
export function isOutOfSpace(error: unknown): boolean {
  const { code } = error as NodeJS.ErrnoException;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** What a user can do about a problem found at start, before any other --data path is chosen. */
function remedy(error: unknown, path: string): string {
  const { code, path: failed = path } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'free some space';
    case 'EROFS':
      return 'make it writable';
    case 'EIO':
      return 'check the disk';
    case 'ENOENT':
      return 'create it';
    case 'EISDIR':
      return `name a file in it, such as ${join(failed, 'state.json')}`;
    case 'EACCES':
    case 'EPERM':
      return "let the stub's user write there";
    default:
      return 'check the path';
  }
}

/** The data file cannot be used, so the stub does not start; nothing on the disk was changed. */
export class DataFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly remedy: string,
  ) {
    super(cannotKeepState(path, problem, remedy));
  }

  /** The failure of a file operation on the data file at `path`. */
  static of(error: unknown, path: string): DataFileError {
    return new DataFileError(path, storageProblem(error, path), remedy(error, path));
  }
}

export function cannotKeepState(path: string, problem: string, remedy: string): string {
  return `cannot keep state in ${path}: ${problem} (${remedy})`;
}
