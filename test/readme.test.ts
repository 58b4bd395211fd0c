/**
 * The documents tell the truth: every fenced block of the README and of docs/, of any language or none, is
 * run or compared by a test, or says why not, in a comment just above it:
 * - `<!-- run: NAME -->`, on a shell block: run here. The blocks of a document that run do so in order, on
 *   one fresh stub, as a reader would run them; the address is the only change, and `ep-cart-stub` is the
 *   shipped command. Each `# > TEXT` line is output the block promises, found in order.
 * - `<!-- file: PATH -->`: the block is that file of the repository, as it is.
 * - `<!-- checked by TEST -->`: the test file TEST reads the block (with `checkedBlock` of
 *   test/support/documents.ts) and compares it with what it shows.
 * - `<!-- not run: REASON -->` (or `not run verbatim:`): why no test can run it, and what covers it instead.
 * Whatever a block's marker, the repository's files it names exist.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startStub } from '../src/index.js';
import { DOCUMENTS, fencedBlocks, type FencedBlock } from './support/documents.js';
import { REPO_DIR, cleanEnv } from './support/processes.js';
import { SHIPPED } from './support/shipped.js';

type Rule = { run: string } | { file: string } | { checkedBy: string } | { notRun: string };

/** The rule the block's marker gives it; undefined for a block with none, or with one this test does not know. */
function ruleOf(block: FencedBlock): Rule | undefined {
  const marker = block.marker ?? '';
  const run = /^run: (.+)$/.exec(marker)?.[1];
  if (run !== undefined) return block.language === 'sh' ? { run } : undefined;
  const file = /^file: (\S+)$/.exec(marker)?.[1];
  if (file !== undefined) return { file };
  const checkedBy = /^checked by (test\/\S+\.test\.ts)$/.exec(marker)?.[1];
  if (checkedBy !== undefined) return { checkedBy };
  const notRun = /^not run(?: verbatim)?: (.+)$/.exec(marker)?.[1];
  if (notRun !== undefined) return { notRun };
  return undefined;
}

/** Paths of the repository's own folders, as a block would name them (`openapi/openapi.yaml`, `dist/cli.js`). */
const REPOSITORY_PATH = /(?<![\w./-])(?:bench|dist|docs|examples|fixtures|openapi|scripts|src|test)\/[\w./-]*\w/g;

const work = mkdtempSync(join(tmpdir(), 'ep-cart-stub-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(DOCUMENTS)('%s', (path) => {
  const blocks = fencedBlocks(path).map((block) => ({ ...block, rule: ruleOf(block) }));
  const where = (block: FencedBlock) => `${path}:${block.line}`;

  it('every block, of any language or none, is run or compared by a test, or says why not', () => {
    const why = (block: FencedBlock) => (block.marker === undefined ? 'no marker' : `<!-- ${block.marker} --> is no marker this test knows, or not for this language`);
    expect(blocks.filter((block) => block.rule === undefined).map((block) => `${where(block)} (\`\`\`${block.language}): ${why(block)}`)).toEqual([]);
  });

  it('the files of the repository its blocks name exist', () => {
    const named = blocks.flatMap((block) => [...block.text.matchAll(REPOSITORY_PATH)].map(([file]) => ({ block, file: file! })));
    expect(named.filter(({ file }) => !existsSync(join(REPO_DIR, file))).map(({ block, file }) => `${where(block)}: ${file}`)).toEqual([]);
  });

  const files = blocks.flatMap((block) => (block.rule && 'file' in block.rule ? [{ file: block.rule.file, text: block.text }] : []));
  if (files.length > 0) {
    it.each(files)('the block marked file: $file is that file, as it is', ({ file, text }) => {
      expect(text).toBe(readFileSync(join(REPO_DIR, file), 'utf8'));
    });
  }

  const checkers = [...new Set(blocks.flatMap((block) => (block.rule && 'checkedBy' in block.rule ? [block.rule.checkedBy] : [])))];
  if (checkers.length > 0) {
    it.each(checkers)('%s reads the blocks marked as checked by it', (test) => {
      expect(existsSync(join(REPO_DIR, test)), `${test} exists`).toBe(true);
      const reads = `checkedBlock('${path}', import.meta.url)`;
      const source = readFileSync(join(REPO_DIR, test), 'utf8');
      expect(source.includes(reads) || source.includes(reads.replace('Block(', 'Blocks(')), `${test} calls ${reads} or checkedBlocks`).toBe(true);
    });
  }

  const runnable = blocks.flatMap((block) => (block.rule && 'run' in block.rule ? [{ ...block, name: block.rule.run }] : []));
  // A document with nothing to run (the behaviour table) has only the tests above.
  if (runnable.length === 0) return;
  it(`its blocks, run in order on a fresh stub, print what they promise: ${runnable.map((block) => block.name).join('; ')}`, async () => {
    const stub = await startStub({ port: 0 });
    const cwd = mkdtempSync(join(work, 'blocks-'));
    try {
      for (const block of runnable) {
        const script = block.text.replaceAll('http://127.0.0.1:4010', stub.url);
        const env = cleanEnv({ PATH: `${dirname(SHIPPED.bin)}:${process.env.PATH ?? ''}` });
        const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd, env });
        const promised = block.text
          .split('\n')
          .filter((line) => line.startsWith('# > '))
          .map((line) => line.slice(4));
        expect(promised.length, `${where(block)} promises no output (# > lines)`).toBeGreaterThan(0);
        let rest = stdout;
        for (const line of promised) {
          const at = rest.indexOf(line);
          expect(at, `${where(block)} promises ${JSON.stringify(line)}; it printed:\n${stdout}`).toBeGreaterThanOrEqual(0);
          rest = rest.slice(at + line.length);
        }
      }
    } finally {
      await stub.close();
    }
  });
});
