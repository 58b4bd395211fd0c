/**
 * Writes dist/openapi.parsed.json: openapi/openapi.yaml parsed and with its `$ref`s resolved, with the SHA-256
 * of its text. The stub reads it instead of parsing and resolving the YAML at every start when the hash still
 * matches (src/contract/document.ts). Runs after tsc, whose dereference.js it uses, as the stub would.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { dereference } from '../dist/contract/dereference.js';

const text = readFileSync('openapi/openapi.yaml', 'utf8');
const sha256 = createHash('sha256').update(text).digest('hex');
const document = load(text);
writeFileSync('dist/openapi.parsed.json', JSON.stringify({ sha256, document, resolved: dereference(document) }));
