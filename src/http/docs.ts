/** What a docs site's "try it" needs from the stub itself: the document, a console that calls this stub, a front page. */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { Contract } from '../contract/document.js';
import type { SandboxLimits } from '../sandbox/sandboxes.js';
import type { Store } from '../store/store.js';
import { landingPage } from './landing-page.js';

export async function registerDocs(
  app: FastifyInstance,
  contract: Contract,
  demo: { store: Store; sandbox: SandboxLimits | undefined },
): Promise<void> {
  // Static mode serves the file the routes were bound from, as written: its `servers: [{url: /}]` makes
  // the console's "try it" call this stub, wherever it is deployed.
  await app.register(swagger, { mode: 'static', specification: { path: contract.path, baseDir: dirname(contract.path) } });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { tryItOutEnabled: true, persistAuthorization: true, displayRequestDuration: true },
    theme: { title: 'ep-cart-stub — try it' },
  });

  app.get('/openapi.json', () => app.swagger());
  app.get('/openapi.yaml', (_request, reply) => reply.type('application/yaml').send(app.swagger({ yaml: true })));
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
