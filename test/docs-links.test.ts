/**
 * A reader can follow the documents: every relative link of README.md and docs/*.md names a file that exists,
 * and every `#anchor` a heading of that page, by GitHub's rule for heading ids. The commands' help and the
 * start banner name pages that exist, in the repository and in the package a user installs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { banner, startFacts } from '../src/banner.js';
import { loadFixtures } from '../src/fixtures.js';
import { parseConfig } from '../src/config.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { DOCUMENTS } from './support/documents.js';
import { REPO_DIR, cleanEnv, run } from './support/processes.js';
import { SHIPPED, SHIPPED_CLI as CLI } from './support/shipped.js';

/** The text a reader sees, without code: a `[x](y)` or `# heading` inside a fence or backticks is not one. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/<!--[\s\S]*?-->/g, '');
}

/** GitHub's id for a heading: its rendered text lower-cased, punctuation dropped, each space a hyphen. */
function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every id a page's headings get, the second of two equal ones suffixed -1, as GitHub does. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const ids = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = slug(heading!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/**
 * What is wrong with the links of `pages` (path → text), one line each. `read` gives a linked file's text, or
 * undefined when there is no such file; an anchor is checked only in Markdown files.
 */
function brokenLinks(pages: Record<string, string>, read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const [path, text] of Object.entries(pages)) {
    for (const [, target] of prose(text).replace(/`[^`\n]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z+.-]*:/i.test(target!)) continue; // https:, mailto: and the like are not ours to check
      const [file, anchor] = target!.split('#', 2) as [string, string | undefined];
      const linked = file === '' ? path : normalize(join(dirname(path), file));
      const linkedText = file === '' ? text : read(linked);
      if (linkedText === undefined) {
        problems.push(`${path}: ${target} names no file (${linked})`);
        continue;
      }
      if (anchor !== undefined && linked.endsWith('.md') && !anchors(linkedText).has(anchor)) {
        problems.push(`${path}: ${target} names no heading of ${linked}`);
      }
    }
  }
  return problems;
}

function readRepoFile(path: string): string | undefined {
  const absolute = join(REPO_DIR, path);
  if (!existsSync(absolute)) return undefined;
  try {
    return readFileSync(absolute, 'utf8');
  } catch {
    return ''; // a directory: the link names it, and it exists
  }
}

describe('links between the documents', () => {
  it('GitHub ids: lower case, spaces to hyphens, punctuation and code marks dropped, underscores kept', () => {
    expect(slug('Control API (`/__stub/…`)')).toBe('control-api-__stub');
    expect(slug('The `Prefer` header')).toBe('the-prefer-header');
    expect(slug('With npm, from a clone')).toBe('with-npm-from-a-clone');
    expect(slug('Docs mode: the spec, a "try it" console and a landing page')).toBe('docs-mode-the-spec-a-try-it-console-and-a-landing-page');
    expect([...anchors('# A\n## Same\n```sh\n# not a heading\n```\n## Same\n')]).toEqual(['a', 'same', 'same-1']);
  });

  it('finds a link to a missing file, to a missing heading, and to a heading only inside a code block', () => {
    const pages = {
      'README.md': '# Top\n[ok](docs/a.md#there) [gone](docs/missing.md) [typo](docs/a.md#nowhere) [here](#top) [web](https://example.com/x#y)',
      'docs/a.md': '# Top\n## There\n```sh\n# fenced\n```\n[back](../README.md#top) [fenced](#fenced)\n',
    };
    const read = (path: string) => (pages as Record<string, string>)[path];
    expect(brokenLinks(pages, read)).toEqual([
      'README.md: docs/missing.md names no file (docs/missing.md)',
      'README.md: docs/a.md#nowhere names no heading of docs/a.md',
      'docs/a.md: #fenced names no heading of docs/a.md',
    ]);
  });

  it('every relative link of README.md and docs/ names a file that exists, and every anchor a heading of it', () => {
    const pages = Object.fromEntries(DOCUMENTS.map((path) => [path, readFileSync(join(REPO_DIR, path), 'utf8')]));
    expect(brokenLinks(pages, readRepoFile)).toEqual([]);
  });

  it('every page of docs/ starts with its title and a line of purpose, and links back to the README', () => {
    for (const path of DOCUMENTS.filter((name) => name.startsWith('docs/'))) {
      const text = readFileSync(join(REPO_DIR, path), 'utf8');
      expect(text, path).toMatch(/^# .+\n\n\S/);
      expect(text, path).toContain('](../README.md');
    }
  });

  it('the README links to every page of docs/', () => {
    const readme = readFileSync(join(REPO_DIR, 'README.md'), 'utf8');
    for (const path of DOCUMENTS.filter((name) => name.startsWith('docs/'))) expect(readme, path).toContain(`](${path})`);
  });
});

/** The `docs/….md` and `docs/….md#anchor` a text names, and README.md. */
function namedPages(text: string): string[] {
  return [...text.matchAll(/\b(?:docs\/[\w-]+\.md(?:#[\w-]+)?|README\.md)/g)].map(([page]) => page);
}

describe('the help and the banner point to pages that exist', () => {
  const commands = [[], ['verify'], ['record'], ['replay'], ['coverage']];

  it.each(commands.map((command) => [command.join(' ') || 'serve', command] as const))('%s --help', async (_name, command) => {
    const { code, stdout } = await run(CLI.command, [...CLI.args, ...command, '--help'], { cwd: REPO_DIR, env: cleanEnv() });
    expect(code).toBe(0);
    const pages = namedPages(stdout);
    expect(pages.length, stdout).toBeGreaterThan(0);
    expect(brokenLinks({ 'help.md': pages.map((page) => `[page](${page})`).join(' ') }, readRepoFile)).toEqual([]);
  });

  it('the serve help names the page with every flag, which has the flags table', async () => {
    const { stdout } = await run(CLI.command, [...CLI.args, '--help'], { cwd: REPO_DIR, env: cleanEnv() });
    expect(namedPages(stdout)).toContain('docs/running.md');
    expect(readFileSync(join(REPO_DIR, 'docs/running.md'), 'utf8')).toContain('## Flags and environment variables');
  });

  it('the banner names the running and control pages, and they exist', async () => {
    const text = banner(startFacts('http://127.0.0.1:4010', parseConfig([], {})), new MemoryStore(await loadFixtures()));
    expect(namedPages(text)).toEqual(expect.arrayContaining(['docs/running.md', 'docs/control-api.md']));
    for (const page of namedPages(text)) expect(existsSync(join(REPO_DIR, page)), page).toBe(true);
  });

  it('the pages they name are in the package a user installs', () => {
    for (const path of DOCUMENTS) expect(SHIPPED.files, path).toContain(path);
  });
});
