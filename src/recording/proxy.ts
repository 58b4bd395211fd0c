/**
 * The recorder: a proxy that forwards every request to the target as it came and every answer back as it
 * came (streamed), and appends each exchange, its secrets masked, to a HAR file.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { VERSION } from '../config.js';
import { HarWriter, type HarEntry, type HarNameValue } from './har.js';
import { Masker } from './masking.js';

export interface RecorderOptions {
  /** Where requests go, e.g. https://useast.api.elasticpath.com. */
  target: string;
  /** The HAR file to write; emptied first. */
  out: string;
  /** 0 picks a free port. Default 4010. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Told when the target cannot be reached (the client then gets a 502). */
  onProblem?: (message: string) => void;
}

export interface RunningRecorder {
  url: string;
  /** How many exchanges the file holds. */
  readonly count: number;
  /** Stops taking requests, lets those in flight finish (and be written), then closes the file. */
  close(): Promise<void>;
}

/** Connection-level headers: they describe one hop, and Node writes its own for the next. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

export async function startRecorder(options: RecorderOptions): Promise<RunningRecorder> {
  const target = new URL(options.target);
  const client = target.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true });
  const writer = HarWriter.create(options.out, { name: 'ep-cart-stub', version: VERSION });
  const masker = new Masker();

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const startedDateTime = new Date().toISOString();
    const started = performance.now();
    const url = new URL(target.pathname.replace(/\/$/, '') + (incoming.url ?? '/'), target.origin);
    // The target's own name as Host: a virtual host or TLS front end routes by it, and links it writes name it.
    const headers: [string, string][] = [...withoutHopByHop(incoming.rawHeaders).filter(([name]) => name.toLowerCase() !== 'host'), ['Host', url.host]];
    const requestBody: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => requestBody.push(chunk));
    const upstream = client.request(url, { method: incoming.method, headers: headers.flat(), agent }, (answer) => {
      const answered = performance.now();
      outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutHopByHop(answer.rawHeaders).flat());
      const responseBody: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => {
        responseBody.push(chunk);
        outgoing.write(chunk);
      });
      answer.on('end', () => {
        const request = { method: incoming.method ?? 'GET', url, httpVersion: incoming.httpVersion, headers, body: Buffer.concat(requestBody) };
        const timings = { send: 0, wait: answered - started, receive: performance.now() - answered };
        // Written before the answer ends: a client that has its whole answer finds the exchange in the file.
        writer.append(masker.entry(harEntry(startedDateTime, request, answer, Buffer.concat(responseBody), timings)));
        outgoing.end();
      });
      answer.on('error', () => outgoing.destroy());
    });
    // A client that goes away mid-exchange takes the forwarded request with it; nothing is recorded.
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) upstream.destroy();
    });
    upstream.on('error', (error) => {
      if (outgoing.destroyed) return;
      options.onProblem?.(`${incoming.method} ${url.href}: ${error.message}`);
      if (outgoing.headersSent) outgoing.destroy();
      else {
        outgoing.writeHead(502, { 'content-type': 'application/json' });
        outgoing.end(JSON.stringify({ errors: [{ status: 502, title: 'Bad Gateway', detail: `The recorder could not reach ${target.origin}: ${error.message}` }] }));
      }
    });
    incoming.pipe(upstream);
  };

  const server = http.createServer(forward);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    get count() {
      return writer.count;
    },
    async close() {
      // Connections a client keeps alive would hold the server open: end each as soon as it is idle.
      const draining = setInterval(() => server.closeIdleConnections(), 50);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      clearInterval(draining);
      agent.destroy();
      writer.close();
    },
  };
}

/** rawHeaders as name–value pairs, without the hop-by-hop ones. */
function withoutHopByHop(raw: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

interface ForwardedRequest {
  method: string;
  url: URL;
  httpVersion: string;
  headers: [string, string][];
  body: Buffer;
}

function harEntry(
  startedDateTime: string,
  request: ForwardedRequest,
  answer: IncomingMessage,
  body: Buffer,
  timings: HarEntry['timings'],
): HarEntry {
  const nameValues = (pairs: [string, string][]): HarNameValue[] => pairs.map(([name, value]) => ({ name, value }));
  const requestType = request.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  const responseType = answer.headers['content-type'] ?? '';
  const decoded = decodedBody(body, answer.headers['content-encoding']);
  const textual = /json|text|xml|javascript|x-www-form-urlencoded/i.test(responseType) || decoded.length === 0;
  return {
    startedDateTime,
    time: timings.send + timings.wait + timings.receive,
    request: {
      method: request.method,
      url: request.url.href,
      httpVersion: `HTTP/${request.httpVersion}`,
      cookies: [],
      headers: nameValues(request.headers),
      queryString: [...request.url.searchParams].map(([name, value]) => ({ name, value })),
      ...(request.body.length > 0 ? { postData: { mimeType: requestType, text: request.body.toString('utf8') } } : {}),
      headersSize: -1,
      bodySize: request.body.length,
    },
    response: {
      status: answer.statusCode ?? 0,
      statusText: answer.statusMessage ?? '',
      httpVersion: `HTTP/${answer.httpVersion}`,
      cookies: [],
      headers: nameValues(withoutHopByHop(answer.rawHeaders)),
      content: {
        size: decoded.length,
        mimeType: responseType,
        ...(textual ? { text: decoded.toString('utf8') } : { text: decoded.toString('base64'), encoding: 'base64' }),
      },
      redirectURL: answer.headers.location ?? '',
      headersSize: -1,
      bodySize: body.length,
    },
    cache: {},
    timings,
  };
}

/** The body as the HAR keeps it: decompressed, as a browser's devtools show it. */
function decodedBody(body: Buffer, encoding: string | undefined): Buffer {
  try {
    switch (encoding?.trim().toLowerCase()) {
      case 'gzip':
        return gunzipSync(body);
      case 'deflate':
        return inflateSync(body);
      case 'br':
        return brotliDecompressSync(body);
      default:
        return body;
    }
  } catch {
    return body;
  }
}
