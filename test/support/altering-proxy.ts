/**
 * A target that differs on purpose: a proxy in front of a stub that passes every request on and may change
 * an answer's status or JSON body. Answers keep only their content type (as a real store's would carry no
 * `EP-Stub-Rule`); the Host header passes as it came, so the stub's links name the proxy.
 */
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedAnswer {
  method: string;
  path: string;
  status: number;
  /** The rule the stub named (EP-Stub-Rule), so that a test can change the answer of one rule. */
  rule: string | undefined;
  // The tests alter whatever the answer holds.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export type Alteration = (answer: ProxiedAnswer) => { status: number; body: unknown } | undefined;

export async function startAlteringProxy(backend: string, alter: Alteration): Promise<{ url: string; close(): Promise<void> }> {
  const backendUrl = new URL(backend);
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const upstream = http.request(
        { host: backendUrl.hostname, port: backendUrl.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer: IncomingMessage) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            const text = Buffer.concat(body).toString('utf8');
            const original = {
              method: incoming.method!,
              path: incoming.url!.split('?')[0]!,
              status: answer.statusCode!,
              rule: answer.headers['ep-stub-rule'] as string | undefined,
              body: text ? JSON.parse(text) : undefined,
            };
            const altered = alter(original);
            const sent = altered ? (altered.body === undefined ? '' : JSON.stringify(altered.body)) : text;
            outgoing.writeHead(altered?.status ?? original.status, { 'content-type': 'application/json' });
            outgoing.end(sent);
          });
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
