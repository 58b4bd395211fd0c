import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { OpenAPIV3_1 } from 'openapi-types';
import { packageFile } from '../package-files.js';
import { dereference } from './dereference.js';

/** openapi/ sits beside src/ and dist/ alike, so this resolves in the checkout and in the package. */
export const DOCUMENT_PATH = packageFile('openapi/openapi.yaml');

export type Schema = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** The tag of the stub's own operations (`/__stub/…`), as opposed to Elastic Path's. */
export const CONTROL_TAG = 'Stub Control';
/** Liveness and readiness probes: the stub's own, like the control API. */
export const PROBES_TAG = 'Operations';

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
  /** Whether a request must have a body; an optional body is validated only when one is sent. */
  bodyRequired: boolean;
  responses: Record<string, ResponseSpec>;
  /** The security scheme the operation requires (`bearerAuth`, `adminToken`); undefined when it is open. */
  scheme: string | undefined;
  /** One of the stub's control operations. */
  control: boolean;
  /** Elastic Path's, not the stub's own (control, probes): only these meet the journal, faults, latency and `Prefer`. */
  elasticPath: boolean;
  /** Elastic Path sends `status` as a string on some endpoints (BEHAVIOR.md, Error body). */
  errorStatusAsString: boolean;
}

export interface Contract {
  /** The file it was read from, which the docs serve as written. */
  path: string;
  /** The document as written. */
  document: OpenAPIV3_1.Document;
  operations: Operation[];
  /** The document's component schemas, with every `$ref` resolved. */
  schemas: Record<string, Schema>;
}

/** Written by `npm run build` (scripts/parse-document.mjs): the document parsed and resolved, with the hash of its text. */
export const PARSED_DOCUMENT_PATH = packageFile('dist/openapi.parsed.json');

interface ReadDocument {
  document: OpenAPIV3_1.Document;
  resolved: OpenAPIV3_1.Document;
}

/**
 * The document, parsed and resolved: the build's copy when it was made from exactly this text, else the YAML
 * itself. Parsing the YAML, then resolving its refs, were the largest parts of building the app in the cold
 * start `npm run bench` measures. The hash keeps an edit from going unseen. In the build's copy a target used
 * twice is two equal objects, not one shared: nothing compares schemas by identity.
 */
async function readDocument(path: string): Promise<ReadDocument> {
  const text = await readFile(path, 'utf8');
  const parsed = await readFile(PARSED_DOCUMENT_PATH, 'utf8').then(
    (json) => JSON.parse(json) as Partial<ReadDocument> & { sha256: string },
    () => undefined,
  );
  if (parsed?.sha256 === createHash('sha256').update(text).digest('hex') && parsed.document && parsed.resolved) {
    return { document: parsed.document, resolved: parsed.resolved };
  }
  const { load } = await import('js-yaml');
  const document = load(text) as OpenAPIV3_1.Document;
  // `dereference` builds a new tree and leaves `document` as written, for serving.
  return { document, resolved: dereference(document) };
}

export async function loadContract(path: string = DOCUMENT_PATH): Promise<Contract> {
  const { document, resolved } = await readDocument(path);
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(resolved.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (!operation) continue;
      if (!operation.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      operations.push(toOperation(path, method, item, operation, resolved.security));
    }
  }
  return { path, document, operations, schemas: (resolved.components?.schemas ?? {}) as Record<string, Schema> };
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
  const tags = operation.tags ?? [];
  return {
    operationId: operation.operationId!,
    method: method.toUpperCase() as Operation['method'],
    path,
    url: path.replace(/\{([^}]+)\}/g, ':$1'),
    tags,
    parameters,
    requestBodies,
    bodyRequired: body?.required ?? false,
    responses,
    scheme: Object.keys(security[0] ?? {})[0],
    control: tags.includes(CONTROL_TAG),
    elasticPath: !tags.includes(CONTROL_TAG) && !tags.includes(PROBES_TAG),
    errorStatusAsString: (operation as Record<string, unknown>)['x-stub-error-status'] === 'string',
  };
}
