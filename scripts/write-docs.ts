/**
 * `npm run docs`: writes the rule catalogue's tables into docs/behaviour.md, and the list of Elastic Path's
 * documented routes into src/http/elastic-path-routes.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DOCUMENTS_WITH_RULES, withRulesTables } from '../src/domain/rules-table.js';
import { elasticPathRoutesModule } from './elastic-path-routes.js';

for (const path of DOCUMENTS_WITH_RULES) writeFileSync(path, withRulesTables(readFileSync(path, 'utf8'), path));
writeFileSync('src/http/elastic-path-routes.ts', elasticPathRoutesModule('test/reference'));
