/**
 * What `npm start` runs before the stub: the build, only when dist/ is older than what it is built from, so
 * that a start with nothing changed answers at once (a build takes seconds, even to report a port in use).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the build reads. */
const SOURCES = ['src', 'scripts', 'openapi', 'fixtures', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
/** The build's last step writes this, so it is older than nothing the build wrote. */
const STAMP = join('dist', 'openapi.parsed.json');

function newestChange(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** Whether `root`'s dist/ is missing, or older than a source of the build. */
export function isStale(root) {
  const built = newestChange(join(root, STAMP));
  return built === 0 || SOURCES.some((source) => newestChange(join(root, source)) > built);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href && isStale(process.cwd())) {
  process.stderr.write('Building (the sources are newer than dist/)...\n');
  const { status } = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  process.exitCode = status ?? 1;
}
