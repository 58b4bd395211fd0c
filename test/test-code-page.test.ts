/**
 * docs/test-code.md shows the examples' code as it is (test/readme.test.ts compares each block marked
 * `<!-- file: PATH -->` with its file), and the tests a reader is promised (a vitest, a jest and a Playwright
 * test that seed a cart, associate it, wait for the 204 and assert on it) are among them. Its table names a
 * door in code for every control operation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../src/contract/document.js';
import { fencedBlocks } from './support/documents.js';
import { REPO_DIR } from './support/processes.js';

const PAGE = 'docs/test-code.md';
const text = readFileSync(join(REPO_DIR, PAGE), 'utf8');

describe(PAGE, () => {
  it('shows the vitest, the jest and the Playwright test that CI runs, each as its file', () => {
    const shown = fencedBlocks(PAGE).flatMap((block) => /^file: (\S+)$/.exec(block.marker ?? '')?.[1] ?? []);
    expect(shown).toEqual(
      expect.arrayContaining(['examples/vitest/association.test.ts', 'examples/jest/association.test.js', 'examples/playwright/tests/association.spec.ts']),
    );
  });

  it('its table of the code API names every control operation of the document', async () => {
    const control = (await loadContract()).operations.filter((operation) => operation.control);
    expect(control.length).toBeGreaterThan(0);
    for (const { operationId, method, path } of control) expect(text, operationId).toContain(`| \`${method} ${path}\` (\`${operationId}\`) |`);
  });
});
