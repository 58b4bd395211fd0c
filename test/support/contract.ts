/** Checks responses against the stub's own OpenAPI document and against Elastic Path's reference files. */
import { fileURLToPath } from 'node:url';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { loadContract, type Operation } from '../../src/contract/document.js';

/** Elastic Path's reference files, vendored in the repository (test/reference/README.md says which and whence). */
export const REFERENCE_DIR = fileURLToPath(new URL('../reference/', import.meta.url));

function newAjv(): Ajv2020 {
  // The reference files use OpenAPI-only keywords and loose `examples`; judge only what they constrain.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addFormat('string', true); // Elastic Path's files write `format: string`
  return ajv;
}

const ownAjv = newAjv();
const contract = await loadContract();
const operations = new Map(contract.operations.map((op) => [op.operationId, op]));

export function operation(operationId: string): Operation {
  const found = operations.get(operationId);
  if (!found) throw new Error(`no operation ${operationId}`);
  return found;
}

/** Why a response breaks its operation's documented responses, or undefined when it does not. */
export function ownContractViolation(operationId: string, status: number, body: unknown): string | undefined {
  const op = operation(operationId);
  const spec = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
  if (!spec) return `${operationId} does not document status ${status}`;
  if (!spec.schema) return body === undefined ? undefined : `${operationId} ${status} documents no body, got ${JSON.stringify(body)}`;
  const validate = ownAjv.compile(spec.schema);
  return validate(body) ? undefined : `${operationId} ${status}: ${ownAjv.errorsText(validate.errors)}`;
}

/** Elastic Path's own response schemas, where they are sound (BEHAVIOR.md says which to follow). */
async function referenceSchemas(): Promise<Map<string, ValidateFunction>> {
  const loadReference = async (file: string) =>
    (await $RefParser.dereference(load(readFileSync(`${REFERENCE_DIR}${file}`, 'utf8')))) as any;
  const carts = await loadReference('cartsorders.openapi.yaml');
  const auth = await loadReference('authentication.openapi.yaml');
  const accounts = await loadReference('accounts.openapi.yaml');
  const ajv = newAjv();
  const json = (response: any) => ajv.compile(response.content['application/json'].schema);
  const accountsPath = carts.paths['/v2/carts/{cartID}/relationships/accounts'];
  const customersPath = carts.paths['/v2/carts/{cartID}/relationships/customers'];
  return new Map([
    ['createAccountCartAssociation 200', json(accountsPath.post.responses['200'])],
    ['createCustomerCartAssociation 200', json(customersPath.post.responses['200'])],
    ['createAccessToken 200', json(auth.paths['/oauth/access_token'].post.responses['200'])],
    ['createAccessToken 400', json(auth.paths['/oauth/access_token'].post.responses['400'])],
    ['createAccessToken 401', json(auth.paths['/oauth/access_token'].post.responses['401'])],
    ['createAccountMemberTokens 201', json(withoutUnsoundLinks(accounts.paths['/v2/account-members/tokens'].post.responses['201']))],
    ['createAccountMemberTokens 401', json(accounts.paths['/v2/account-members/tokens'].post.responses['401'])],
  ]);
}
const reference = await referenceSchemas();

/**
 * Elastic Path's account-member-token `links` contradict their own examples (raw `[` `]` under `format: uri`,
 * `null` under `type: string`); BEHAVIOR.md says to follow the examples, so only the rest is checked.
 */
function withoutUnsoundLinks(response: any): any {
  const copy = structuredClone(response);
  delete copy.content['application/json'].schema.properties.links;
  return copy;
}

export function referenceViolation(operationId: string, status: number, body: unknown): string | undefined {
  const validate = reference.get(`${operationId} ${status}`);
  if (!validate || validate(body)) return undefined;
  return `Elastic Path's ${operationId} ${status} schema: ${JSON.stringify(validate.errors)}`;
}
