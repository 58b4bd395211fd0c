/** A small tmpfs, for tests of a real full or read-only disk. Mounting needs root (or CAP_SYS_ADMIN) on Linux. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  remountReadOnly(): void;
  unmount(): void;
}

/** A tmpfs of `size` (e.g. `256k`) on a fresh folder, or why this machine refuses to mount one. */
export function mountTmpfs(size: string): Tmpfs | { refused: string } {
  if (process.platform !== 'linux') return { refused: 'tmpfs mounts are a Linux test' };
  const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-tmpfs-'));
  const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });
  try {
    mount('-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { refused: `mounting a tmpfs was refused: ${stderr || (error as Error).message}` };
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
