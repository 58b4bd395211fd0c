/** A coverage report as a file: JSON, JUnit XML or a self-contained HTML page, chosen by the file's extension. */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { junitXml } from '../reports/junit.js';
import type { CoverageReport } from './coverage.js';

export const COVERAGE_FILE_EXTENSIONS = ['.json', '.xml', '.html'] as const;

export async function writeCoverageFile(path: string, report: CoverageReport): Promise<void> {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  if (extension === '.xml') return writeFile(path, coverageJunit(report));
  if (extension === '.html') return writeFile(path, coverageHtml(report));
  throw new Error(`cannot tell the format of ${path}: name it .json, .xml (JUnit) or .html`);
}

/**
 * One suite per operation, one test case per rule. A rule never answered is a skipped case, not a failure:
 * the gate is `ep-cart-stub coverage check`, and the CI page shows what was never exercised.
 */
export function coverageJunit(report: CoverageReport): string {
  return junitXml(
    report.operations.map((operation) => ({
      name: `${operation.operationId} (${operation.method} ${operation.path})`,
      testcases: operation.rules.map((rule) => ({
        classname: operation.operationId,
        name: `${rule.rule} (${rule.status}, ${rule.basis}): ${rule.when}`,
        ...(rule.hits === 0 ? { skipped: 'never answered by this rule' } : {}),
      })),
    })),
  );
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Code spans as the catalogue writes them (`name`), shown as code. */
const inline = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

/** For a person: per operation, the rules with their hit counts; never-hit rules stand out, decisions are marked. */
export function coverageHtml(report: CoverageReport): string {
  const sections = report.operations
    .map((operation) => {
      const rows = operation.rules
        .map(
          (rule) =>
            `<tr class="${rule.hits === 0 ? 'never' : 'hit'}"><td><code>${escapeHtml(rule.rule)}</code></td><td>${rule.status}</td>` +
            `<td>${rule.basis === 'decision' ? '<span class="decision">decision</span>' : escapeHtml(rule.basis)}</td>` +
            `<td>${inline(rule.when)}</td><td class="hits">${rule.hits === 0 ? 'never' : rule.hits}</td></tr>`,
        )
        .join('\n');
      return `<section><h2><code>${escapeHtml(operation.method)} ${escapeHtml(operation.path)}</code> ${escapeHtml(operation.operationId)}</h2>
<p>${operation.covered} of ${operation.total} rules answered (${operation.percent}%)</p>
<table><thead><tr><th>rule</th><th>status</th><th>basis</th><th>when</th><th>hits</th></tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ep-cart-stub rule coverage</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
  tr.never { background: #fde2e1; } tr.never .hits { font-weight: bold; color: #a40000; }
  .decision { background: #fff3c4; padding: 0 .25rem; border-radius: 3px; }
  code { font: 13px ui-monospace, monospace; }
</style>
</head>
<body>
<h1>Rule coverage</h1>
<p><strong>${report.total.covered} of ${report.total.total}</strong> (operation, rule) pairs answered: ${report.total.percent}%.
Rows never answered are red; <span class="decision">decision</span> marks a rule where Elastic Path's docs are silent and the stub chose.
Catalogue ${escapeHtml(report.catalogue)}.</p>
${sections}
</body>
</html>
`;
}
