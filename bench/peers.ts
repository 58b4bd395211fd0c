/**
 * The servers a user could pick instead of the stub, each serving the association POST: Prism (a
 * schema-only mock of the same document) and WireMock (a stub mapping). Neither is a dependency of the
 * project: the first bench run installs a pinned version of each into bench/.cache (gitignored) with npm,
 * so `npm ci` stays light for everyone. WireMock's npm package is a 19 MB jar; as a devDependency every
 * clone, CI job and Docker build would download it for a benchmark run by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from './processes.js';
import { runToEnd } from './processes.js';
import { ACME } from './requests.js';

/** The last release that runs on Node 20. */
export const PRISM_VERSION = '5.14.2';
/** Bundles the standalone jar of WireMock 3.13.2; needs Java 11 or later (`java` on the PATH). */
export const WIREMOCK_VERSION = '3.13.2';
const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));

/** Prism's CLI, mocking the stub's own document, silent, in static mode (it answers the 200 example). */
export async function prismCommand(log: (line: string) => void): Promise<(port: number) => Command> {
  const bin = await ensureInstalled('@stoplight/prism-cli', PRISM_VERSION, 'dist/index.js', log);
  return (port) => ({
    command: process.execPath,
    args: [bin, 'mock', 'openapi/openapi.yaml', '-p', String(port), '-h', '127.0.0.1', '-v', 'silent'],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
}

/**
 * WireMock's standalone jar, run by `java` itself rather than by the package's bin (a Node script that
 * spawns java and does not pass SIGTERM on), so the bench starts and stops the JVM by its own PID. One stub
 * mapping answers the association POST on any cart (`urlPathPattern`) with a bearer token, the request
 * journal is off (`--no-request-journal`), and everything else is WireMock's default.
 */
export async function wiremockCommand(log: (line: string) => void): Promise<(port: number) => Command> {
  const jar = await ensureInstalled('wiremock', WIREMOCK_VERSION, `build/wiremock-standalone-${WIREMOCK_VERSION}.jar`, log);
  const root = join(CACHE, 'wiremock-root');
  mkdirSync(join(root, 'mappings'), { recursive: true });
  writeFileSync(join(root, 'mappings', 'association.json'), JSON.stringify(associationMapping(), null, 2));
  return (port) => ({
    command: 'java',
    args: ['-jar', jar, '--port', String(port), '--bind-address', '127.0.0.1', '--root-dir', root, '--no-request-journal', '--disable-banner'],
  });
}

function associationMapping() {
  return {
    request: {
      method: 'POST',
      urlPathPattern: '/v2/carts/[^/]+/relationships/accounts',
      headers: { Authorization: { matches: 'Bearer .+' } },
    },
    response: {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      jsonBody: { data: [{ type: 'account', id: ACME }] },
    },
  };
}

/** `java -version`'s first line, for the report's versions. */
export function javaVersion(): string {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return result.error ? 'java not found' : (result.stderr || result.stdout).split('\n')[0]!.trim();
}

/**
 * The path of `file` in the cached package, installing `name@version` first if the cache lacks it. Each
 * package has a folder of its own: npm prunes what it did not install itself from a folder it installs in.
 */
async function ensureInstalled(name: string, version: string, file: string, log: (line: string) => void): Promise<string> {
  const prefix = join(CACHE, name.replace(/^@/, '').replaceAll('/', '-'));
  const directory = join(prefix, 'node_modules', name);
  if (installedVersion(directory) !== version) {
    log(`installing ${name}@${version} into bench/.cache (first run only)…`);
    await runToEnd({
      command: 'npm',
      args: ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', prefix, `${name}@${version}`],
    });
  }
  const path = join(directory, file);
  if (!existsSync(path)) throw new Error(`${name} installed, but ${path} is missing`);
  return path;
}

function installedVersion(directory: string): string | undefined {
  const manifest = join(directory, 'package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
}
