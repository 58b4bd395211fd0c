/**
 * Once per test run: the npm package as a user gets it, packed (which builds it) and installed from the
 * tarball into an empty project. Tests run its bin, so what they prove holds for the shipped command, not
 * only for the sources (test/support/shipped.ts hands it out).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_DIR, cleanEnv, run } from './support/processes.js';

export interface ShippedPackage {
  /** The packed tarball. */
  tarball: string;
  /** The paths the tarball holds. */
  files: string[];
  /** A project that installed the tarball, as a user's would. */
  projectDir: string;
  /** The installed `ep-cart-stub` command (node_modules/.bin). */
  bin: string;
  /** Where the rest of the run may make folders of its own, removed at the end. */
  workDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    shippedPackage: ShippedPackage;
  }
}

const npm = (args: string[], cwd: string) => run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, env: cleanEnv() });

export default async function setup(project: TestProject): Promise<() => void> {
  const workDir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-shipped-'));
  const packed = await npm(['pack', '--json', '--pack-destination', workDir], REPO_DIR);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const projectDir = join(workDir, 'a-storefront');
  mkdirSync(projectDir);
  writeFileSync(join(projectDir, 'package.json'), JSON.stringify({ name: 'a-storefront', private: true }));
  const tarball = join(workDir, info!.filename);
  const installed = await npm(['install', tarball], projectDir);
  if (installed.code !== 0) throw new Error(`npm install of the tarball failed:\n${installed.stderr}`);
  project.provide('shippedPackage', {
    tarball,
    files: info!.files.map((file) => file.path),
    projectDir,
    bin: join(projectDir, 'node_modules', '.bin', 'ep-cart-stub'),
    workDir,
  });
  return () => rmSync(workDir, { recursive: true, force: true });
}
