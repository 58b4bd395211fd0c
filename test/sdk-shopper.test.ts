/**
 * Official-client compatibility, the generated one: `@epcc-sdk/sdks-shopper` (Hey API over Elastic Path's
 * OpenAPI files), unmodified, pointed at the packed tarball's bin. Its implicit-token wrapper
 * (`createShopperClient`) fetches the access token itself and, on any 401, fetches a new one and retries once
 * (`dist/auth/make-auth-fetch`). Each answer is then checked against the SDK's own response types by the
 * TypeScript compiler: the answers, as JSON, are assigned to those types in a file `tsc` must accept.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createACart,
  createAccountCartAssociation,
  createCustomerCartAssociation,
  createShopperClient,
  deleteAccountCartAssociation,
  deleteCustomerCartAssociation,
  getACart,
  getCarts,
  postV2AccountMembersTokens,
  updateACart,
} from '@epcc-sdk/sdks-shopper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from './support/fixtures.js';
import { REPO_DIR, RunningProcess, cleanEnv, run } from './support/processes.js';
import { startShippedStub } from './support/shipped.js';

let child: RunningProcess;
let stubUrl: string;
let shopper: ReturnType<typeof createShopperClient>;
let tokenRequests = 0;

/** The answers to check against the SDK's types: the name of the type, and the answer's body. */
const answers: { type: string; body: unknown }[] = [];
function checked<T>(type: string, body: T): T {
  answers.push({ type, body });
  return body;
}

beforeAll(async () => {
  const started = await startShippedStub();
  child = started.process;
  stubUrl = started.url;
  let token: string | undefined;
  const counting: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.includes('/oauth/access_token')) tokenRequests += 1;
    return fetch(input, init);
  };
  shopper = createShopperClient(
    { baseUrl: started.url, fetch: counting },
    { clientId: 'demo-storefront', storage: { get: () => token, set: (value) => void (token = value) } },
  );
});

afterAll(() => child?.stop());

describe('@epcc-sdk/sdks-shopper against the shipped command', () => {
  it('the implicit-token wrapper gets its own token, and carts are created, read with include, and renamed', async () => {
    const created = await createACart({ client: shopper.client, body: { data: { name: 'SDK cart', description: 'from the generated SDK' } } });
    expect(created.response.status).toBe(201);
    expect(tokenRequests).toBe(1);
    const id = checked('CartEntityResponse', created.data!).data!.id!;
    const read = await getACart({ client: shopper.client, path: { cartID: id }, query: { include: ['promotions'] } });
    expect(checked('CartEntityResponse', read.data!).included).toEqual({ promotions: [] });
    const renamed = await updateACart({ client: shopper.client, path: { cartID: id }, body: { data: { name: 'Renamed SDK cart' } } });
    expect(checked('CartEntityResponse', renamed.data!).data!.name).toBe('Renamed SDK cart');
  });

  it('an account member logs in, associates the account with a cart (200, then 204), lists it and dissociates it', async () => {
    const login = await postV2AccountMembersTokens({
      client: shopper.client,
      body: { data: { type: 'account_management_authentication_token', authentication_mechanism: 'password', password_profile_id: ids.passwordProfile, username: 'alice@example.com', password: 'alice-password' } },
    });
    expect(login.response.status).toBe(201);
    const tokens = checked('PostV2AccountMembersTokensResponse', login.data!);
    expect(tokens.meta?.account_member_id).toBe(ids.alice);
    const accountToken = tokens.data!.find((token) => token.account_id === ids.acme)!.token!;
    const cartId = (await createACart({ client: shopper.client, body: { data: { name: 'Acme via SDK' } } })).data!.data!.id!;
    const association = { client: shopper.client, path: { cartID: cartId }, headers: { 'EP-Account-Management-Authentication-Token': accountToken }, body: { data: [{ type: 'account' as const, id: ids.acme }] } };
    const first = await createAccountCartAssociation(association);
    expect(first.response.status).toBe(200);
    expect(checked('CreateAccountCartAssociationResponse', first.data!)).toEqual({ data: [{ type: 'account', id: ids.acme }] });
    expect((await createAccountCartAssociation(association)).response.status).toBe(204);
    const listed = await getCarts({ client: shopper.client, headers: { 'EP-Account-Management-Authentication-Token': accountToken } });
    expect(checked('CartCollectionResponse', listed.data!).data!.map((cart) => cart.id)).toContain(cartId);
    expect((await deleteAccountCartAssociation(association)).response.status).toBe(204);
  });

  it('a customer logs in (through the SDK client: the SDK has no customer-token operation) and associates and dissociates a cart', async () => {
    const login = await shopper.client.post<{ data: { token: string } }>({
      url: '/v2/customers/tokens',
      body: { data: { type: 'token', email: 'carol@example.com', password: 'carol-password' } },
    });
    expect(login.response.status).toBe(200);
    const customerToken = login.data!.data.token;
    const cartId = (await createACart({ client: shopper.client, body: { data: { name: 'Carol via SDK' } } })).data!.data!.id!;
    const association = { client: shopper.client, path: { cartID: cartId }, headers: { 'x-moltin-customer-token': customerToken }, body: { data: [{ type: 'customer' as const, id: ids.carol }] } };
    const first = await createCustomerCartAssociation(association);
    expect(first.response.status).toBe(200);
    expect(checked('CreateCustomerCartAssociationResponse', first.data!)).toEqual({ data: [{ type: 'customer', id: ids.carol }] });
    expect((await deleteCustomerCartAssociation(association)).response.status).toBe(204);
  });

  it('a 401 makes the wrapper fetch a new token and retry once, then hand the 401 to the caller', async () => {
    const before = tokenRequests;
    const refused = await getCarts({ client: shopper.client, headers: { 'x-moltin-customer-token': 'not-a-token' } });
    expect(refused.response.status).toBe(401);
    expect(tokenRequests).toBe(before + 1);
    const journal = (await (await fetch(`${stubUrl}/__stub/requests?operationId=getCarts`)).json()) as { data: { status: number }[] };
    expect(journal.data.filter((entry) => entry.status === 401)).toHaveLength(2);
  });

  it("every answer above is of the SDK's own response type, as tsc judges it", async () => {
    const dir = mkdtempSync(join(REPO_DIR, 'node_modules', '.cache-sdk-types-'));
    try {
      const types = [...new Set(answers.map((answer) => answer.type))];
      const lines = [
        `import type { ${types.join(', ')} } from '@epcc-sdk/sdks-shopper';`,
        // The SDK's types describe what its response transformers make of an answer: date-times become Dates.
        // On the wire they are strings. And the pagination links `prev` and `next` are null at the ends, as
        // Elastic Path's docs and examples say ("Always null if there is only one page"), where the generated
        // types allow only a string: the stub follows the docs there.
        'type Wire<T> = T extends Date ? string : T extends (infer U)[] ? Wire<U>[] : T extends object',
        "  ? { [K in keyof T]: K extends 'prev' | 'next' ? Wire<T[K]> | null : Wire<T[K]> } : T;",
        ...answers.map((answer, i) => `export const answer${i}: Wire<${answer.type}> = ${JSON.stringify(answer.body)};`),
      ];
      writeFileSync(join(dir, 'answers.ts'), `${lines.join('\n')}\n`);
      const tsc = join(REPO_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
      const compiled = await run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', join(dir, 'answers.ts')], { cwd: dir, env: cleanEnv() });
      expect((compiled.stdout + compiled.stderr).split('\n').map((line) => line.slice(0, 400))).toEqual(['']);
      expect(compiled.code).toBe(0);
      expect(answers).toHaveLength(7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
