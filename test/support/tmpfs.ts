/**
 * A small tmpfs, for tests of a real full or read-only disk. Mounting needs root (or CAP_SYS_ADMIN) on Linux,
 * which every machine of this project has (developers and CI run as root); elsewhere the tests say why they cannot.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  remountReadOnly(): void;
  unmount(): void;
}

/** A tmpfs of `size` (e.g. `256k`) on a fresh folder; throws saying why when the machine refuses to mount one. */
export function mountTmpfs(size: string): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-tmpfs-'));
  const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });
  try {
    mount('-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`these tests need a real small file system, and mounting a tmpfs was refused: ${stderr || (error as Error).message} (run as root on Linux)`);
  }
  return {
    dir,
    remountReadOnly: () => mount('-o', 'remount,ro', dir),
    unmount: () => {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
