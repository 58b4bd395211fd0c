/**
 * The documents tell the truth: every fenced block of the README and of docs/, of any language or none, is
 * run or compared by a test, or says why not, in a comment just above it:
 * - `<!-- run: NAME -->`, on a shell block: run here. The blocks of a document that run do so in order, on
 *   one fresh stub, as a reader would run them; the address is the only change, and `ep-cart-stub` is the
 *   shipped command. Each `# > TEXT` line is output the block promises, found in order.
 * - `<!-- serves: NAME -->`, on a shell block that starts stubs: each line that starts one (`ep-cart-stub`,
 *   `node dist/cli.cjs` or `npm start`, after any `VAR=value`) is started from the repository, each port the
 *   block names being a free one, and must say it listens there and be ready; the block's other lines then
 *   run against them as a `run:` block's do. A Redis URL is the tests' redis-server (under a prefix of the
 *   block's own), and `./FILE` is in a scratch directory. The stubs are stopped by their process group.
 * - `<!-- file: PATH -->`: the block is that file of the repository, as it is.
 * - `<!-- checked by TEST -->`: the test file TEST reads the block (with `checkedBlock` of
 *   test/support/documents.ts) and compares it with what it shows.
 * - `<!-- not run: REASON -->` (or `not run verbatim:`): why no test can run it, and what covers it instead.
 * Whatever a block's marker, the repository's files it names exist.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startStub } from '../src/index.js';
import { DOCUMENTS, fencedBlocks, type FencedBlock } from './support/documents.js';
import { REPO_DIR, RunningProcess, cleanEnv, freePort } from './support/processes.js';
import { SHIPPED } from './support/shipped.js';

type Rule = { run: string } | { serves: string } | { file: string } | { checkedBy: string } | { notRun: string };

/** The rule the block's marker gives it; undefined for a block with none, or with one this test does not know. */
function ruleOf(block: FencedBlock): Rule | undefined {
  const marker = block.marker ?? '';
  const run = /^run: (.+)$/.exec(marker)?.[1];
  if (run !== undefined) return block.language === 'sh' ? { run } : undefined;
  const serves = /^serves: (.+)$/.exec(marker)?.[1];
  if (serves !== undefined) return block.language === 'sh' ? { serves } : undefined;
  const file = /^file: (\S+)$/.exec(marker)?.[1];
  if (file !== undefined) return { file };
  const checkedBy = /^checked by (test\/\S+\.test\.ts)$/.exec(marker)?.[1];
  if (checkedBy !== undefined) return { checkedBy };
  const notRun = /^not run(?: verbatim)?: (.+)$/.exec(marker)?.[1];
  if (notRun !== undefined) return { notRun };
  return undefined;
}

/** Paths of the repository's own folders, as a block would name them (`openapi/openapi.yaml`, `dist/cli.cjs`). */
const REPOSITORY_PATH = /(?<![\w./-])(?:bench|dist|docs|examples|fixtures|openapi|scripts|src|test)\/[\w./-]*\w/g;

const work = mkdtempSync(join(tmpdir(), 'ep-cart-stub-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Where a block's commands find `ep-cart-stub`: the shipped command. */
const blockEnv = (extra: Record<string, string> = {}) => cleanEnv({ PATH: `${dirname(SHIPPED.bin)}:${process.env.PATH ?? ''}`, ...extra });

/** Runs `script` as a reader's shell would, and finds each `# > ` line of `text` in what it printed, in order. */
async function expectPrinted(script: string, text: string, where: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd, env });
  const promised = text
    .split('\n')
    .filter((line) => line.startsWith('# > '))
    .map((line) => line.slice(4));
  expect(promised.length, `${where} promises no output (# > lines)`).toBeGreaterThan(0);
  let rest = stdout;
  for (const line of promised) {
    const at = rest.indexOf(line);
    expect(at, `${where} promises ${JSON.stringify(line)}; it printed:\n${stdout}`).toBeGreaterThanOrEqual(0);
    rest = rest.slice(at + line.length);
  }
}

/** A line of a `serves:` block that starts a stub. */
const STARTS_A_STUB = /^(?:\w+=\S+ )*(?:ep-cart-stub|node dist\/cli\.cjs|npm start)\b/;

async function serve(block: FencedBlock, where: string): Promise<void> {
  const cwd = mkdtempSync(join(work, 'serves-'));
  let text = block.text.replaceAll(/(?<![\w.])\.\/([\w.-]+)/g, `${cwd}/$1`).replaceAll('redis://127.0.0.1:6379/0', inject('redisUrl'));
  // Ports 4010 to 4099, not part of an id (a0000000-0000-4000-…); the stub's default, 4010, stands for a line that gives none.
  const portPattern = (port: string) => new RegExp(`(?<![\\w-])${port}(?![\\w-])`, 'g');
  const ports = new Map<string, string>();
  for (const port of new Set(['4010', ...(text.match(portPattern('40[1-9]\\d')) ?? [])])) ports.set(port, String(await freePort()));
  for (const [port, free] of ports) text = text.replaceAll(portPattern(port), free);
  const lines = text.split('\n');
  const starts = lines.filter((line) => STARTS_A_STUB.test(line));
  const others = lines.filter((line) => !STARTS_A_STUB.test(line)).join('\n');
  expect(starts.length, `${where} starts no stub`).toBeGreaterThan(0);
  const env = blockEnv({ STUB_REDIS_PREFIX: `readme-${randomUUID()}:` });
  const stubs: RunningProcess[] = [];
  try {
    for (const line of starts) {
      const port = /(?:--port |PORT=)(\d+)/.exec(line)?.[1] ?? ports.get('4010')!;
      const stub = new RunningProcess('bash', ['-c', line.replace(/\s*&\s*$/, '')], { cwd: REPO_DIR, env: { PORT: port, ...env }, detached: true });
      stubs.push(stub);
      const [, url] = await stub.waitFor(/"msg":"ep-cart-stub \S+ listening on (http:\/\/[^"]+)"/);
      expect(new URL(url!).port, `${where}: ${line}`).toBe(port);
      expect((await fetch(`${url}/readyz`)).status, `${where}: ${line} is ready`).toBe(200);
    }
    if (others.split('\n').some((line) => line.trim() !== '' && !line.startsWith('#'))) await expectPrinted(others, others, where, cwd, env);
  } finally {
    // The group: `npm start` runs the stub as a grandchild.
    for (const stub of stubs) {
      try {
        process.kill(-stub.pid, 'SIGTERM');
      } catch {
        // Exited already; the assertion above says why.
      }
      await stub.exited;
    }
  }
}

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

  const serving = blocks.flatMap((block) => (block.rule && 'serves' in block.rule ? [{ ...block, name: block.rule.serves }] : []));
  if (serving.length > 0) {
    it.each(serving)('its block $name starts the stubs it says, where it says, and its commands print what they promise', (block) => serve(block, where(block)), 60_000);
  }

  const runnable = blocks.flatMap((block) => (block.rule && 'run' in block.rule ? [{ ...block, name: block.rule.run }] : []));
  // A document with nothing to run (the behaviour table) has only the tests above.
  if (runnable.length === 0) return;
  it(`its blocks, run in order on a fresh stub, print what they promise: ${runnable.map((block) => block.name).join('; ')}`, async () => {
    const stub = await startStub({ port: 0 });
    const cwd = mkdtempSync(join(work, 'blocks-'));
    try {
      for (const block of runnable) {
        await expectPrinted(block.text.replaceAll('http://127.0.0.1:4010', stub.url), block.text, where(block), cwd, blockEnv());
      }
    } finally {
      await stub.close();
    }
  });
});
