/**
 * The ceiling: a bare Fastify 5 route on the association path, parsing the JSON body and answering
 * constant JSON, with nothing else. Prints `{"url":…}`.
 */
import Fastify from 'fastify';

const answer = { data: [{ type: 'account', id: 'a0000000-0000-4000-8000-000000000001' }] };
const app = Fastify({ logger: false });
app.post('/v2/carts/:cartId/relationships/accounts', async () => answer);
const url = await app.listen({ port: Number(process.argv[2] ?? 0), host: '127.0.0.1' });
console.log(JSON.stringify({ url }));

process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
