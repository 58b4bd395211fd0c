/** `npm run docs`: writes the rule catalogue's tables into docs/behaviour.md and the README's Behaviour section. */
import { readFileSync, writeFileSync } from 'node:fs';
import { DOCUMENTS_WITH_RULES, withRulesTables } from '../src/domain/rules-table.js';

for (const path of DOCUMENTS_WITH_RULES) writeFileSync(path, withRulesTables(readFileSync(path, 'utf8'), path));
