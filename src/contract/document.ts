import { readFile } from 'node:fs/promises';
import type { OpenAPIV3_1 } from 'openapi-types';
import { load } from 'js-yaml';
import { packageFile } from '../package-files.js';
import { dereference } from './dereference.js';

/** openapi/ sits beside src/ and dist/ alike, so this resolves in the checkout and in the package. */
export const DOCUMENT_PATH = packageFile('openapi/openapi.yaml');

export type Schema = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}

export interface ResponseSpec {
  schema: Schema | undefined;
  examples: Record<string, unknown>;
}

/** One operation of the document, with every `$ref` resolved. */
export interface Operation {
  operationId: string;
  method: Uppercase<(typeof METHODS)[number]>;
  /** The path as the document writes it, e.g. `/v2/carts/{cartId}`. */
  path: string;
  /** The same path in Fastify's syntax, e.g. `/v2/carts/:cartId`. */
  url: string;
  tags: string[];
  parameters: Parameter[];
  /** Body schema by media type. */
  requestBodies: Record<string, Schema>;
  responses: Record<string, ResponseSpec>;
  secured: boolean;
  /** Elastic Path sends `status` as a string on some endpoints (BEHAVIOR.md, Error body). */
  errorStatusAsString: boolean;
}

export interface Contract {
  /** The document as written, for serving and for the docs console. */
  document: OpenAPIV3_1.Document;
  operations: Operation[];
}

export async function loadContract(path: string = DOCUMENT_PATH): Promise<Contract> {
  const document = load(await readFile(path, 'utf8')) as OpenAPIV3_1.Document;
  // `dereference` builds a new tree and leaves `document` as written, for serving.
  const resolved = dereference(document);
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(resolved.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (!operation) continue;
      if (!operation.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      operations.push(toOperation(path, method, item, operation, resolved.security));
    }
  }
  return { document, operations };
}

function toOperation(
  path: string,
  method: (typeof METHODS)[number],
  item: OpenAPIV3_1.PathItemObject,
  operation: OpenAPIV3_1.OperationObject,
  defaultSecurity: OpenAPIV3_1.SecurityRequirementObject[] | undefined,
): Operation {
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])] as unknown as Parameter[];
  const body = operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
  const requestBodies = Object.fromEntries(
    Object.entries(body?.content ?? {}).map(([mediaType, content]) => [mediaType, content.schema as Schema]),
  );
  const responses = Object.fromEntries(
    Object.entries(operation.responses ?? {}).map(([status, response]) => {
      const json = (response as OpenAPIV3_1.ResponseObject).content?.['application/json'];
      const examples = Object.fromEntries(
        Object.entries(json?.examples ?? {}).map(([name, example]) => [name, (example as OpenAPIV3_1.ExampleObject).value]),
      );
      return [status, { schema: json?.schema as Schema | undefined, examples }];
    }),
  );
  const security = operation.security ?? defaultSecurity ?? [];
  return {
    operationId: operation.operationId!,
    method: method.toUpperCase() as Operation['method'],
    path,
    url: path.replace(/\{([^}]+)\}/g, ':$1'),
    tags: operation.tags ?? [],
    parameters,
    requestBodies,
    responses,
    secured: security.length > 0,
    errorStatusAsString: (operation as Record<string, unknown>)['x-stub-error-status'] === 'string',
  };
}
