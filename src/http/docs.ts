/** What a docs site's "try it" needs from the stub itself: the document, a console that calls this stub, a front page. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { OpenAPIV3 } from 'openapi-types';
import type { Contract } from '../contract/document.js';
import type { SandboxLimits } from '../sandbox/sandboxes.js';
import type { Store } from '../store/store.js';
import { landingPage } from './landing-page.js';

/** Headers of the console's answers that describe the connection, not the content: the outer reply sets its own. */
const HOP_BY_HOP = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding', 'date']);

export function registerDocs(app: FastifyInstance, contract: Contract, demo: { store: Store; sandbox: SandboxLimits | undefined }): void {
  // The console (@fastify/swagger and @fastify/swagger-ui) is an app of its own, loaded on the first visit:
  // loading those plugins was a quarter of the cold start, and a stub in CI never shows its console.
  let docsConsole: Promise<FastifyInstance> | undefined;
  const loadConsole = () => {
    // A console that failed to load is tried again on the next visit, and never stops the stub's close.
    docsConsole ??= consoleApp(contract).catch((error: unknown) => {
      docsConsole = undefined;
      throw error;
    });
    return docsConsole;
  };
  const forwardToConsole = async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await loadConsole().then((inner) => inner.inject({ method: 'GET', url: request.url, headers: request.headers }));
    for (const [name, value] of Object.entries(answer.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) reply.header(name, value);
    }
    return reply.code(answer.statusCode).send(answer.rawPayload);
  };
  app.addHook('onClose', async () => (await docsConsole?.catch(() => undefined))?.close());
  app.get('/docs', forwardToConsole);
  app.get('/docs/*', forwardToConsole);
  app.get('/openapi.json', forwardToConsole);
  // The file itself, comments and all: the YAML the contract is written in.
  app.get('/openapi.yaml', async (_request, reply) => reply.type('application/yaml').send(await readFile(contract.path, 'utf8')));
  app.get('/', (request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      landingPage({
        baseUrl: `${request.protocol}://${request.host}`,
        data: demo.store.directory.data,
        sandbox: demo.sandbox,
        nonce: randomBytes(4).toString('hex'),
      }),
    ),
  );
}

async function consoleApp(contract: Contract): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  const inner = Fastify({ logger: false });
  // Static mode serves the document the routes were bound from: its `servers: [{url: /}]` makes the
  // console's "try it" call this stub, wherever it is deployed. It is handed the document already parsed;
  // given the path, the plugin would parse the file again with a slower YAML library. (The plugin's types
  // stop at OpenAPI 3.0; it serves a 3.1 document as it is.)
  const document = contract.document as unknown as OpenAPIV3.Document;
  await inner.register(swagger, { mode: 'static', specification: { document } });
  await inner.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { tryItOutEnabled: true, persistAuthorization: true, displayRequestDuration: true },
    theme: { title: 'ep-cart-stub — try it' },
  });
  inner.get('/openapi.json', () => inner.swagger());
  await inner.ready();
  return inner;
}
