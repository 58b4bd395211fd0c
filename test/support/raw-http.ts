/**
 * HTTP over a bare socket, for what `inject` and `fetch` cannot send: duplicated headers, a Content-Length
 * that lies, bytes that are not HTTP, a body that trickles in.
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  responses: RawResponse[];
  /** Whether the server closed the connection before `waitMs` ran out. */
  closedByServer: boolean;
  elapsedMs: number;
}

/**
 * Writes `chunks` (waiting `gapMs` between them), then reads until the server closes the connection or
 * `waitMs` has passed since the first byte was written, and parses every response that came back.
 */
export function exchange(port: number, chunks: (string | Buffer)[], { waitMs = 2000, gapMs = 0 } = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    const received: Buffer[] = [];
    let closedByServer = false;
    const socket = net.connect(port, '127.0.0.1');
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses: parseResponses(Buffer.concat(received)), closedByServer, elapsedMs: performance.now() - started });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (data) => received.push(data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedByServer = true;
      finish();
    });
    socket.once('connect', async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (socket.destroyed) return;
        socket.write(chunk);
      }
    });
  });
}

/** The responses in a byte stream (Content-Length or chunked bodies). */
export function parseResponses(bytes: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = bytes.toString('latin1');
  while (rest.startsWith('HTTP/')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    rest = rest.slice(end + 4);
    let body = '';
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        const size = parseInt(rest.slice(0, lineEnd), 16);
        if (lineEnd < 0 || Number.isNaN(size)) break;
        body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
        rest = rest.slice(lineEnd + 2 + size + 2);
        if (size === 0) break;
      }
    } else {
      const length = Number(headers['content-length'] ?? 0);
      body = rest.slice(0, length);
      rest = rest.slice(length);
    }
    responses.push({ status: Number(statusLine!.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') });
  }
  return responses;
}
