/**
 * The documents tell the truth: every shell block of the README and of docs/ is either run here or says why
 * not (`<!-- run: NAME -->` or `<!-- not run: REASON -->` just above it). The blocks of a document that run
 * do so in order, on one fresh stub, as a reader would run them; the address is the only change, and
 * `ep-cart-stub` is the shipped command. Each `# > TEXT` line is output the block promises, found in order.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startStub } from '../src/index.js';
import { REPO_DIR, cleanEnv } from './support/processes.js';
import { SHIPPED } from './support/shipped.js';

const DOCUMENTS = ['README.md', ...readdirSync(join(REPO_DIR, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

interface Block {
  line: number;
  /** What the comment above it says: run (with its name) or not (with why). */
  marker: { run: string } | { notRun: string } | undefined;
  script: string;
}

function shellBlocks(path: string): Block[] {
  const lines = readFileSync(join(REPO_DIR, path), 'utf8').split('\n');
  const blocks: Block[] = [];
  lines.forEach((line, i) => {
    if (line !== '```sh') return;
    const end = lines.indexOf('```', i + 1);
    const above = lines.slice(0, i).reverse().find((text) => text.trim() !== '') ?? '';
    const run = /^<!-- run: (.+) -->$/.exec(above)?.[1];
    const notRun = /^<!-- not run(?: verbatim)?: (.+) -->$/.exec(above)?.[1];
    blocks.push({ line: i + 1, marker: run ? { run } : notRun ? { notRun } : undefined, script: lines.slice(i + 1, end).join('\n') });
  });
  return blocks;
}

const work = mkdtempSync(join(tmpdir(), 'ep-cart-stub-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(DOCUMENTS)('%s', (path) => {
  const blocks = shellBlocks(path);

  it('every shell block is run by this test, or says why not', () => {
    expect(blocks.filter((block) => block.marker === undefined).map((block) => `${path}:${block.line}`)).toEqual([]);
  });

  const runnable = blocks.filter((block) => block.marker && 'run' in block.marker);
  // A document with nothing to run (the behaviour table) has only the test above.
  if (runnable.length === 0) return;
  it(`its blocks, run in order on a fresh stub, print what they promise: ${runnable.map((b) => (b.marker as { run: string }).run).join('; ')}`, async () => {
    const stub = await startStub({ port: 0 });
    const cwd = mkdtempSync(join(work, 'blocks-'));
    try {
      for (const block of runnable) {
        const script = block.script.replaceAll('http://127.0.0.1:4010', stub.url);
        const env = cleanEnv({ PATH: `${dirname(SHIPPED.bin)}:${process.env.PATH ?? ''}` });
        const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd, env });
        const promised = block.script
          .split('\n')
          .filter((line) => line.startsWith('# > '))
          .map((line) => line.slice(4));
        expect(promised.length, `${path}:${block.line} promises no output (# > lines)`).toBeGreaterThan(0);
        let rest = stdout;
        for (const line of promised) {
          const at = rest.indexOf(line);
          expect(at, `${path}:${block.line} promises ${JSON.stringify(line)}; it printed:\n${stdout}`).toBeGreaterThanOrEqual(0);
          rest = rest.slice(at + line.length);
        }
      }
    } finally {
      await stub.close();
    }
  });
});
