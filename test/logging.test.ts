import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { auth, startTestStub } from './support/stub.js';

function collector(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('request logs', () => {
  it('at info, one line per request with the method, URL, status and time', async () => {
    const { lines, stream } = collector();
    const stub = await startTestStub({ logger: { level: 'info', stream } });
    await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc });
    const requests = lines.filter((line) => line.req);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ msg: 'request completed', req: { method: 'GET', url: '/v2/carts' }, res: { statusCode: 200 } });
    expect(requests[0]!.responseTime).toEqual(expect.any(Number));
    await stub.close();
  });

  it('probes log at debug only, so a container health check does not fill the log', async () => {
    const { lines, stream } = collector();
    const stub = await startTestStub({ logger: { level: 'info', stream } });
    await stub.request({ method: 'GET', url: '/healthz' });
    await stub.request({ method: 'GET', url: '/readyz' });
    expect(lines.filter((line) => line.req)).toEqual([]);
    await stub.close();
  });

  it('at warn (the CLI default), no request lines', async () => {
    const { lines, stream } = collector();
    const stub = await startTestStub({ logger: { level: 'warn', stream } });
    await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc });
    expect(lines).toEqual([]);
    await stub.close();
  });
});
