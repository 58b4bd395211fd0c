/** The pages a reader reads, README.md and docs/*.md, and the fenced blocks in them with the marker above each. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_DIR } from './processes.js';

export const DOCUMENTS = ['README.md', ...readdirSync(join(REPO_DIR, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

export interface FencedBlock {
  document: string;
  /** The line of the opening fence, counted from 1. */
  line: number;
  /** The fence's info string (`sh`, `ts`, …); empty for a bare fence. */
  language: string;
  /** What the `<!-- … -->` comment on the last non-blank line above the fence says, if there is one. */
  marker: string | undefined;
  text: string;
}

/** Every fenced block of `document`, indented ones and ```` ~~~ ```` fences included, so none escapes a rule. */
export function fencedBlocks(document: string): FencedBlock[] {
  const lines = readFileSync(join(REPO_DIR, document), 'utf8').split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const [, fence, language] = open as unknown as [string, string, string];
    let end = i + 1;
    while (end < lines.length && !new RegExp(`^ {0,3}${fence}${fence[0]}*\\s*$`).test(lines[end]!)) end++;
    const above = lines.slice(0, i).reverse().find((text) => text.trim() !== '') ?? '';
    blocks.push({
      document,
      line: i + 1,
      language,
      marker: /^<!-- (.+) -->$/.exec(above.trim())?.[1],
      text: lines.slice(i + 1, end).map((text) => text + '\n').join(''),
    });
    i = end;
  }
  return blocks;
}

/**
 * The blocks of `document` marked `<!-- checked by TEST -->`, TEST being the calling test file (`import.meta.url`),
 * in the order they come. test/readme.test.ts holds such a block checked only when TEST reads it with this.
 */
export function checkedBlocks(document: string, test: string): FencedBlock[] {
  const name = relative(REPO_DIR, fileURLToPath(test));
  return fencedBlocks(document).filter((block) => block.marker === `checked by ${name}`);
}

/** The one block of `document` that `test` checks; a test that checks one must not leave a second unread. */
export function checkedBlock(document: string, test: string): FencedBlock {
  const blocks = checkedBlocks(document, test);
  if (blocks.length !== 1) throw new Error(`${document} has ${blocks.length} blocks checked by ${relative(REPO_DIR, fileURLToPath(test))}, not one`);
  return blocks[0]!;
}
