/** The README's curl blocks, run verbatim (only the address differs) against a fresh stub. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startStub, type RunningStub } from '../src/index.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function block(name: string): string {
  const match = new RegExp(`<!-- readme-test: ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (!match) throw new Error(`README has no block marked readme-test: ${name}`);
  return match[1]!;
}

let stub: RunningStub | undefined;
afterEach(() => stub?.close());

async function run(script: string): Promise<string> {
  stub = await startStub({ port: 0 });
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script.replaceAll('http://127.0.0.1:4010', stub.url)]);
  return stdout;
}

describe('the README tells the truth', () => {
  it('the quick-start curl examples print the statuses and bodies their comments promise, in order', async () => {
    const script = block('quick-start');
    const promised = script
      .split('\n')
      .filter((line) => /^# (HTTP\/1\.1 |\{)/.test(line))
      .map((line) => line.slice(2));
    expect(promised.length).toBeGreaterThanOrEqual(6);
    let output = await run(script);
    for (const line of promised) {
      const at = output.indexOf(line);
      expect(at, `README promises: ${line}`).toBeGreaterThanOrEqual(0);
      output = output.slice(at + line.length);
    }
  });

  it('the full-flow walk-through prints 200, 204, the new cart then demo-cart-acme, 204, 204', async () => {
    const lines = (await run(block('full-flow'))).trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 2)).toEqual(['200', '204']);
    expect(lines[2]).toMatch(/^[0-9a-f-]{36} demo-cart-acme$/);
    expect(lines.slice(3)).toEqual(['204', '204']);
  });
});
