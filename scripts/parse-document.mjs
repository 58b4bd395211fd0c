/**
 * Writes dist/openapi.parsed.json: openapi/openapi.yaml parsed, with the SHA-256 of its text. The stub reads
 * it instead of parsing the YAML at every start when the hash still matches (src/contract/document.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { load } from 'js-yaml';

const text = readFileSync('openapi/openapi.yaml', 'utf8');
const sha256 = createHash('sha256').update(text).digest('hex');
writeFileSync('dist/openapi.parsed.json', JSON.stringify({ sha256, document: load(text) }));
