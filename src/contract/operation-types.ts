/**
 * The TypeScript of src/operations.ts (`npm run operations` writes it): the document's operationIds as a union,
 * each Elastic Path operation's request body as a type, and the successes the rule catalogue names for it.
 */
import type { OpenAPIV3_1 } from 'openapi-types';
import { BEHAVIOUR_RULES } from '../domain/rules.js';
import type { Contract, Schema } from './document.js';

export const OPERATION_TYPES_PATH = 'src/operations.ts';

const HEADER = `/**
 * Generated from openapi/openapi.yaml and the rule catalogue (src/domain/rules.ts) by \`npm run operations\`:
 * edit those, not this file. test/contract.test.ts fails when it is stale.
 */`;

const literal = (value: unknown) => JSON.stringify(value);
const union = (parts: string[]) => (parts.length === 0 ? 'never' : [...new Set(parts)].join(' | '));

export function operationTypes(contract: Contract): string {
  const elasticPath = contract.operations.filter((operation) => operation.elasticPath);
  const named = new Map<string, string>();
  const components = (contract.document.components?.schemas ?? {}) as Record<string, Schema>;
  const name = (ref: string) => {
    const component = ref.slice(ref.lastIndexOf('/') + 1);
    if (!named.has(component)) {
      named.set(component, ''); // taken before converting, so that a schema that refers to itself ends
      named.set(component, typeOf(components[component] ?? {}, name));
    }
    return component;
  };
  const bodies = elasticPath.map((operation) => {
    const written = contract.document.paths?.[operation.path]?.[operation.method.toLowerCase() as OpenAPIV3_1.HttpMethods];
    const content = (written?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content ?? {};
    const types = Object.values(content).map((media) => typeOf((media.schema ?? {}) as Schema, name));
    return `  ${operation.operationId}: ${types.length === 0 ? 'null' : union(types)};`;
  });
  const rulesOf = (operationId: string, success: boolean) =>
    BEHAVIOUR_RULES.filter((rule) => rule.status < 300 === success && rule.operations.includes(operationId));
  const successes = elasticPath.map(({ operationId }) => {
    const rules = rulesOf(operationId, true).map((rule) => `{ status: ${rule.status}; rule: ${literal(rule.id)} }`);
    return `  ${operationId}: ${union(rules)};`;
  });
  const refusals = elasticPath.map(({ operationId }) => `  ${operationId}: ${union(rulesOf(operationId, false).map((rule) => literal(rule.id)))};`);
  return [
    HEADER,
    '',
    `export type OperationId = ${union(contract.operations.map((operation) => literal(operation.operationId)))};`,
    '',
    '/** The operations of Elastic Path\'s API, not the stub\'s own: the journal records these, and faults apply to them. */',
    `export type ElasticPathOperationId = ${union(elasticPath.map((operation) => literal(operation.operationId)))};`,
    '',
    '/** The body each operation takes, by its schema in the document (null: it takes none). */',
    'export interface RequestBodies {',
    ...bodies,
    '}',
    '',
    '/** The successful answers of each operation, by the behaviour rule that gives them. */',
    'export interface Successes {',
    ...successes,
    '}',
    '',
    '/** The behaviour rules that refuse each operation\'s requests. */',
    'export interface Refusals {',
    ...refusals,
    '}',
    '',
    ...[...named].sort(([a], [b]) => a.localeCompare(b)).map(([component, type]) => `export type ${component} = ${type};\n`),
  ].join('\n');
}

/** A TypeScript type for the part of JSON Schema the document uses; `if`/`then` and the limits (lengths, counts) are left to validation. */
function typeOf(schema: Schema, name: (ref: string) => string): string {
  if (typeof schema.$ref === 'string') return name(schema.$ref);
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives) return union(alternatives.map((part) => `(${typeOf({ ...schema, anyOf: undefined, oneOf: undefined, ...part }, name)})`));
  if (Array.isArray(schema.allOf)) {
    const rest = { ...schema, allOf: undefined };
    const parts = [...(Object.keys(rest).some(isTypeKeyword) ? [rest] : []), ...(schema.allOf as Schema[])];
    return parts.map((part) => typeOf(part, name)).filter((type) => type !== 'unknown').map(parenthesised).join(' & ') || 'unknown';
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : schema.properties ? ['object'] : [];
  if (types.length === 0) return 'unknown';
  return union(
    types.map((type) => {
      switch (type) {
        case 'object':
          return objectType(schema, name);
        case 'array':
          return `${parenthesised(typeOf((schema.items ?? {}) as Schema, name))}[]`;
        case 'integer':
          return 'number';
        default:
          return type;
      }
    }),
  );
}

function objectType(schema: Schema, name: (ref: string) => string): string {
  const required = new Set((schema.required ?? []) as string[]);
  const properties = Object.entries((schema.properties ?? {}) as Record<string, Schema>).map(
    ([key, property]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : literal(key)}${required.has(key) ? '' : '?'}: ${typeOf(property, name)}`,
  );
  const extra = schema.additionalProperties;
  if (typeof extra === 'object' && extra !== null) properties.push(`[key: string]: ${typeOf(extra as Schema, name)}`);
  return properties.length === 0 ? 'Record<string, unknown>' : `{ ${properties.join('; ')} }`;
}

const isTypeKeyword = (key: string) => ['type', 'properties', 'items', 'enum', 'const', '$ref'].includes(key);
const parenthesised = (type: string) => (/^[\w"]+$/.test(type) || /^\{.*\}$/.test(type) ? type : `(${type})`);
