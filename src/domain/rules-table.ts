/** The rule catalogue as the Markdown tables of docs/behaviour.md (`npm run docs` writes them). */
import { catalogue } from './errors.js';
import { BEHAVIOUR_RULES, ORIGIN_RULES, type Rule } from './rules.js';

const SECTIONS = [
  { prefix: 'associations', heading: 'Associations: `POST|DELETE /v2/carts/:cartId/relationships/accounts` and `…/customers`', intro: 'Checked in this order; the first that fails answers.' },
  { prefix: 'carts', heading: 'Carts', intro: '' },
  { prefix: 'tokens', heading: 'Tokens', intro: '' },
] as const;

const cell = (text: string) => text.replaceAll('|', '\\|');

function answer(rule: Rule): string {
  const titles = [...new Set((rule.errors ?? []).map((name) => catalogue[name].title))].map((title) => `\`${title}\``);
  return [String(rule.status), titles.join(' / '), rule.answer ?? ''].filter(Boolean).join(' ');
}

/** One table per section, then the ids of answers no row decides. */
export function rulesMarkdown(): string {
  const parts: string[] = [];
  for (const { prefix, heading, intro } of SECTIONS) {
    const rules = BEHAVIOUR_RULES.filter((rule) => rule.id.startsWith(`${prefix}.`));
    parts.push(`### ${heading}`, '', ...(intro ? [intro, ''] : []), '| rule | when | answer | basis |', '|---|---|---|---|');
    for (const rule of rules) parts.push(`| \`${rule.id}\` | ${cell(rule.when)} | ${cell(answer(rule))} | ${cell(rule.basisNote ?? rule.basis)} |`);
    parts.push('');
  }
  parts.push(
    '### Answers no row decides',
    '',
    'They are named by where they came from; `contract.<keyword>` is request validation against the OpenAPI document, by the JSON Schema keyword that failed (`contract.required`, `contract.maxLength`, …).',
    '',
    '| rule | when |',
    '|---|---|',
    ...Object.entries(ORIGIN_RULES).map(([id, when]) => `| \`${id}\` | ${cell(when)} |`),
    '',
  );
  return parts.join('\n');
}

/** The documents that hold the generated tables. */
export const DOCUMENTS_WITH_RULES = ['docs/behaviour.md'] as const;

const BEGIN = '<!-- generated from src/domain/rules.ts by `npm run docs`: edit the catalogue, not this table -->';
const END = '<!-- end of generated rules -->';

/** `text` with its generated block replaced by the catalogue's tables; throws when it has no such block. */
export function withRulesTables(text: string, origin: string): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start === -1 || end < start) throw new Error(`${origin} has no block of generated rules (${BEGIN} … ${END})`);
  return `${text.slice(0, start + BEGIN.length)}\n\n${rulesMarkdown()}\n${text.slice(end)}`;
}
