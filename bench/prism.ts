/**
 * Prism, the schema-only mock the stub is compared with. It is not a dependency of the project: the first
 * bench run installs a pinned version into bench/.cache (gitignored), so `npm ci` stays light for everyone.
 * 5.14.2 is the last release that runs on Node 20.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runToEnd } from './processes.js';

export const PRISM_VERSION = '5.14.2';
const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));
const BIN = `${CACHE}node_modules/@stoplight/prism-cli/dist/index.js`;

/** The path of Prism's CLI script, installing it first if the cache lacks this version. */
export async function ensurePrism(log: (line: string) => void): Promise<string> {
  if (installedVersion() !== PRISM_VERSION) {
    log(`installing @stoplight/prism-cli@${PRISM_VERSION} into bench/.cache (first run only)…`);
    await runToEnd({
      command: 'npm',
      args: ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', CACHE, `@stoplight/prism-cli@${PRISM_VERSION}`],
    });
  }
  if (!existsSync(BIN)) throw new Error(`Prism installed, but ${BIN} is missing`);
  return BIN;
}

function installedVersion(): string | undefined {
  const manifest = `${CACHE}node_modules/@stoplight/prism-cli/package.json`;
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
}
