/**
 * Security properties, over generated inputs:
 * - a shopper's tokens never read, list, change, associate, dissociate or delete another shopper's carts;
 * - tampered, expired, other-signature and `alg: none` JWTs, and tokens of the wrong kind, are refused;
 * - client secrets, passwords and tokens never appear in the logs (at trace level) or the request journal;
 * - with an admin token set, no control operation answers without it.
 */
import { createSigner } from 'fast-jwt';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../src/contract/document.js';
import { loadFixtures, type FixtureData } from '../src/fixtures.js';
import { auth, errorOf, ids, startTestStub, type TestStub } from './support/stub.js';
import { accessIdentity, accountIdentity, customerIdentity, TokenMint, type Identity } from './fuzz/tokens.js';

const contract = await loadContract();
const fixtures = await loadFixtures();
const seed = 20_260_707;

// ---------------------------------------------------------------- shoppers apart

interface Shopper {
  kind: 'account' | 'customer';
  id: string;
  /** Only accounts: the member whose token acts for the account. */
  member?: string;
  cart: string;
}

const shoppers: Shopper[] = [
  ...Array.from({ length: 4 }, (_, i) => ({ kind: 'account' as const, id: `pair-account-${i}`, member: `pair-member-${i}`, cart: `cart-of-account-${i}` })),
  ...Array.from({ length: 4 }, (_, i) => ({ kind: 'customer' as const, id: `pair-customer-${i}`, cart: `cart-of-customer-${i}` })),
];
const pairState: FixtureData = {
  ...fixtures,
  accounts: [...fixtures.accounts, ...shoppers.filter((s) => s.kind === 'account').map((s) => ({ id: s.id, name: s.id }))],
  account_members: [
    ...fixtures.account_members,
    // Every member also belongs to the next account: a token scoped to one account must not reach the other.
    ...shoppers
      .filter((s) => s.kind === 'account')
      .map((s, i) => ({
        id: s.member!,
        name: s.member!,
        email: `${s.member}@example.com`,
        username: `${s.member}@example.com`,
        password: 'pw',
        password_profile_id: ids.passwordProfile,
        account_ids: [s.id, `pair-account-${(i + 1) % 4}`],
      })),
  ],
  customers: [...fixtures.customers, ...shoppers.filter((s) => s.kind === 'customer').map((s) => ({ id: s.id, name: s.id, email: `${s.id}@example.com`, password: 'pw' }))],
  carts: [
    ...fixtures.carts,
    ...shoppers.map((s) => ({ id: s.cart, name: s.cart, [s.kind === 'account' ? 'account_ids' : 'customer_ids']: [s.id] })),
  ],
};

const ACTIONS = ['read', 'list', 'update', 'delete', 'associate-self', 'associate-other', 'dissociate-other', 'dissociate-self'] as const;
type Action = (typeof ACTIONS)[number];

describe("a shopper's tokens never act on another shopper's carts", () => {
  let stub: TestStub;
  beforeAll(async () => {
    stub = await startTestStub();
    await stub.reset(pairState);
  });
  afterAll(() => stub.close());

  const tokenHeaders = (shopper: Shopper): Record<string, string> =>
    shopper.kind === 'account'
      ? { 'ep-account-management-authentication-token': stub.tokens.issueAccount('demo-storefront', shopper.member!, shopper.id).token }
      : { 'x-moltin-customer-token': stub.tokens.issueCustomer('demo-storefront', shopper.id).token };

  function requestFor(action: Action, a: Shopper, b: Shopper, headers: Record<string, string>) {
    const relationship = (who: Shopper) => ({ data: [{ type: who.kind, id: who.id }] });
    switch (action) {
      case 'read':
        return { method: 'GET' as const, url: `/v2/carts/${b.cart}`, headers };
      case 'list':
        return { method: 'GET' as const, url: '/v2/carts?page[limit]=100', headers };
      case 'update':
        return { method: 'PUT' as const, url: `/v2/carts/${b.cart}`, headers, json: { data: { name: 'taken over' } } };
      case 'delete':
        return { method: 'DELETE' as const, url: `/v2/carts/${b.cart}`, headers };
      case 'associate-self':
        return { method: 'POST' as const, url: `/v2/carts/${b.cart}/relationships/${a.kind}s`, headers, json: relationship(a) };
      case 'associate-other':
        return { method: 'POST' as const, url: `/v2/carts/${b.cart}/relationships/${b.kind}s`, headers, json: relationship(b) };
      case 'dissociate-other':
        return { method: 'DELETE' as const, url: `/v2/carts/${b.cart}/relationships/${b.kind}s`, headers, json: relationship(b) };
      case 'dissociate-self':
        return { method: 'DELETE' as const, url: `/v2/carts/${b.cart}/relationships/${a.kind}s`, headers, json: relationship(a) };
    }
  }

  it('for generated pairs, bearers and actions: 403 (or a listing of only their own carts), and the other cart unchanged', async () => {
    const pair = fc
      .tuple(fc.nat({ max: shoppers.length - 1 }), fc.nat({ max: shoppers.length - 2 }))
      .map(([i, j]) => [shoppers[i]!, shoppers[j >= i ? j + 1 : j]!] as const);
    await fc.assert(
      fc.asyncProperty(pair, fc.constantFrom(...ACTIONS), fc.constantFrom(auth.implicit, auth.cc), async ([a, b], action, bearer) => {
        const before = structuredClone(stub.store.cart(b.cart));
        const response = await stub.request(requestFor(action, a, b, { ...bearer, ...tokenHeaders(a) }));
        if (action === 'list') {
          expect(response.statusCode).toBe(200);
          expect(response.data.data.map((c: { id: string }) => c.id)).toEqual([a.cart]);
        } else if (action === 'dissociate-self') {
          // Removing oneself from a cart one is not on is a no-op (row 18), and changes nothing of B's.
          expect(response.statusCode).toBe(204);
        } else {
          expect(response.statusCode, `${a.id} ${action} on ${b.cart}`).toBe(403);
        }
        expect(stub.store.cart(b.cart)).toEqual(before);
      }),
      { seed, numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------- forged tokens

describe('forged, tampered, expired and misplaced tokens are refused', () => {
  let stub: TestStub;
  let mint: TokenMint;
  const secret = 'security-test-secret';
  beforeAll(async () => {
    stub = await startTestStub({ tokenSecret: secret });
    mint = new TokenMint(stub, secret);
  });
  afterAll(() => stub.close());

  const slotOf = (identity: Identity) => identity.typ;
  /** Where a token of this kind goes, on a request that succeeds with a valid one. */
  const requestWith = (identity: Identity, token: string) =>
    identity.typ === 'access'
      ? { method: 'GET' as const, url: '/v2/carts/demo-cart-empty', headers: { authorization: `Bearer ${token}` } }
      : { method: 'GET' as const, url: '/v2/carts', headers: { ...auth.implicit, [identity.typ === 'account' ? 'ep-account-management-authentication-token' : 'x-moltin-customer-token']: token } };

  const segments = (token: string) => token.split('.') as [string, string, string];
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claimsOf = (token: string) => JSON.parse(Buffer.from(segments(token)[1], 'base64url').toString());
  const attacks: Record<string, (valid: string) => string> = {
    'alg none': (t) => `${b64({ alg: 'none', typ: 'JWT' })}.${segments(t)[1]}.`,
    'alg None, no signature': (t) => `${b64({ alg: 'None' })}.${segments(t)[1]}`,
    'grant raised to client_credentials': (t) => `${segments(t)[0]}.${b64({ ...claimsOf(t), grant: 'client_credentials' })}.${segments(t)[2]}`,
    'subject changed': (t) => `${segments(t)[0]}.${b64({ ...claimsOf(t), sub: ids.carol, scope: ids.globex })}.${segments(t)[2]}`,
    'expiry extended': (t) => `${segments(t)[0]}.${b64({ ...claimsOf(t), exp: claimsOf(t).exp + 1 })}.${segments(t)[2]}`,
    'signed with another secret': (t) => createSigner({ key: 'another-secret', algorithm: 'HS256' })(claimsOf(t)),
    'HS512 with the same secret': (t) => createSigner({ key: secret, algorithm: 'HS512' })(claimsOf(t)),
    'signature cut short': (t) => t.slice(0, -3),
    'signature of another token': (t) => `${segments(t)[0]}.${segments(t)[1]}.${segments(stub.tokens.issueAccess('demo-backend', 'client_credentials').token)[2]}`,
    'an extra segment': (t) => `${t}.x`,
  };

  it('every attack on a valid token of every kind answers 401 Unable to validate access token', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(accessIdentity, accountIdentity, customerIdentity), fc.constantFrom(...Object.keys(attacks)), async (identity, attack) => {
        const { token } = mint.mint({ form: 'valid', identity }, slotOf(identity));
        expect((await stub.request(requestWith(identity, token))).statusCode, 'the valid token works').toBe(200);
        const attacked = attacks[attack]!(token);
        fc.pre(attacked !== token); // raising a client_credentials grant changes nothing
        const response = await stub.request(requestWith(identity, attacked));
        expect(response.statusCode, attack).toBe(401);
        expect(errorOf(response).title).toBe('Unable to validate access token');
      }),
      { seed, numRuns: 120 },
    );
  });

  it('a token of one kind in another kind\'s place answers 401', async () => {
    const kinds = fc.oneof(accessIdentity, accountIdentity, customerIdentity);
    await fc.assert(
      fc.asyncProperty(kinds, kinds, async (issued, slot) => {
        fc.pre(issued.typ !== slot.typ);
        const { token } = mint.mint({ form: 'valid', identity: issued }, issued.typ);
        expect((await stub.request(requestWith(slot, token))).statusCode).toBe(401);
      }),
      { seed, numRuns: 60 },
    );
  });

  it('tokens past their lifetime on the stub clock answer 401: bearers after 3600 s, shopper tokens after 24 h', async () => {
    const clocked = await startTestStub();
    try {
      clocked.clock.freeze();
      const bearer = clocked.tokens.issueAccess('demo-backend', 'client_credentials').token;
      const account = clocked.tokens.issueAccount('demo-storefront', ids.alice, ids.acme).token;
      const get = (headers: Record<string, string>) => clocked.request({ method: 'GET', url: '/v2/carts', headers });
      clocked.clock.advance(3599_000);
      expect((await get({ authorization: `Bearer ${bearer}` })).statusCode).toBe(200);
      clocked.clock.advance(2_000);
      expect((await get({ authorization: `Bearer ${bearer}` })).statusCode).toBe(401);
      expect((await get({ ...auth.implicit, 'ep-account-management-authentication-token': account })).statusCode).toBe(200);
      clocked.clock.advance(24 * 3600_000);
      expect((await get({ ...auth.implicit, 'ep-account-management-authentication-token': account })).statusCode).toBe(401);
    } finally {
      await clocked.close();
    }
  });
});

// ---------------------------------------------------------------- secrets

describe('secrets never reach the logs or the request journal', () => {
  it('client secrets, passwords and every token sent or issued, over generated requests, at log level trace', async () => {
    const lines: string[] = [];
    const stub = await startTestStub({ logger: { level: 'trace', stream: { write: (line: string) => lines.push(line) } } });
    const secrets = new Set(['demo-backend-secret', 'alice-password', 'bob-password', 'carol-password', 'dave-password']);
    for (const pinned of fixtures.pinned_tokens) secrets.add(pinned.token);
    const caseVariant = fc.constantFrom((k: string) => k, (k: string) => k.toUpperCase(), (k: string) => k[0]!.toUpperCase() + k.slice(1));
    const request = fc.oneof(
      fc.record({ kind: fc.constant('access-form' as const), grant: fc.constantFrom('implicit', 'client_credentials'), secretKey: caseVariant }),
      fc.record({ kind: fc.constant('access-json' as const), grant: fc.constantFrom('implicit', 'client_credentials'), secretKey: caseVariant }),
      fc.record({ kind: fc.constant('member' as const), user: fc.constantFrom('alice', 'bob'), broken: fc.boolean() }),
      fc.record({ kind: fc.constant('customer' as const), user: fc.constantFrom('carol', 'dave'), broken: fc.boolean() }),
      fc.record({ kind: fc.constant('with-tokens' as const), pinned: fc.constantFrom(...fixtures.pinned_tokens.map((p) => p.token)) }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          let response;
          switch (r.kind) {
            case 'access-form':
              response = await stub.request({
                method: 'POST',
                url: '/oauth/access_token',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                payload: `grant_type=${r.grant}&client_id=demo-backend&${r.secretKey('client_secret')}=demo-backend-secret`,
              });
              break;
            case 'access-json':
              response = await stub.request({
                method: 'POST',
                url: '/oauth/access_token',
                json: { grant_type: r.grant, client_id: 'demo-backend', [r.secretKey('client_secret')]: 'demo-backend-secret' },
              });
              break;
            case 'member': {
              const body = { data: { type: 'account_management_authentication_token', authentication_mechanism: 'password', password_profile_id: ids.passwordProfile, username: `${r.user}@example.com`, password: `${r.user}-password` } };
              response = await stub.request({ method: 'POST', url: '/v2/account-members/tokens', headers: { ...auth.implicit, 'content-type': 'application/json' }, payload: r.broken ? JSON.stringify(body).slice(0, -2) : JSON.stringify(body) });
              break;
            }
            case 'customer': {
              const body = { data: { type: 'token', email: `${r.user}@example.com`, password: `${r.user}-password` } };
              response = await stub.request({ method: 'POST', url: '/v2/customers/tokens', headers: { ...auth.implicit, 'content-type': 'application/json' }, payload: r.broken ? JSON.stringify(body).slice(0, -2) : JSON.stringify(body) });
              break;
            }
            case 'with-tokens':
              response = await stub.request({
                method: 'GET',
                url: '/v2/carts',
                headers: { authorization: `Bearer ${r.pinned}`, 'ep-account-management-authentication-token': r.pinned, 'x-moltin-customer-token': r.pinned },
              });
              break;
          }
          // Every token the stub issues is a secret too.
          const issued = response.data?.access_token ?? response.data?.data?.token ?? response.data?.data?.map?.((t: { token: string }) => t.token);
          for (const token of [issued].flat()) if (typeof token === 'string') secrets.add(token);
        }),
        { seed, numRuns: 150 },
      );
      const journal = JSON.stringify((await stub.request({ method: 'GET', url: '/__stub/requests' })).data);
      const logs = lines.join('');
      expect(lines.length).toBeGreaterThan(150);
      for (const secret of secrets) {
        expect(logs.includes(secret), `the logs hold ${secret}`).toBe(false);
        expect(journal.includes(secret), `the journal holds ${secret}`).toBe(false);
      }
    } finally {
      await stub.close();
    }
  });
});

// ---------------------------------------------------------------- the control API

describe('with an admin token set, the control API answers no one without it', () => {
  const adminToken = 'admin-9f8e7d6c5b4a';
  const control = contract.operations.filter((op) => op.control);
  const wrong = fc.oneof(
    fc.constant<Record<string, string>>({}),
    fc.constantFrom<Record<string, string>>(
      { authorization: 'Bearer' },
      { authorization: `Bearer ${adminToken}x` },
      { authorization: `Bearer ${adminToken.slice(0, -1)}` },
      { authorization: `Basic ${adminToken}` },
      { authorization: adminToken },
      { authorization: `Bearer ${adminToken.toUpperCase()}` },
      { 'x-admin-token': adminToken },
      auth.cc,
      auth.implicit,
    ),
    fc.string({ maxLength: 40, unit: 'grapheme-ascii' }).map((token) => ({ authorization: `Bearer ${token.trim()}` })),
  );

  for (const sandbox of [false, true]) {
    it(`every control operation answers 401 to any other credentials${sandbox ? ' (sandbox mode)' : ''}, and to the admin token only`, async () => {
      const stub = await startTestStub({ adminToken, sandbox });
      try {
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...control), wrong, async (operation, headers) => {
            const response = await stub.request({ method: operation.method, url: operation.path, headers });
            expect(response.statusCode, `${operation.operationId} ${JSON.stringify(headers)}`).toBe(401);
            expect(errorOf(response)).toMatchObject({ status: 401, title: 'Unauthorized' });
          }),
          { seed, numRuns: 150 },
        );
        for (const operation of control) {
          const response = await stub.request({ method: operation.method, url: operation.path, headers: { authorization: `Bearer ${adminToken}` } });
          expect(response.statusCode, operation.operationId).not.toBe(401);
        }
      } finally {
        await stub.close();
      }
    });
  }

  it('in sandbox mode without an admin token, the control API does not exist (404)', async () => {
    const stub = await startTestStub({ sandbox: true });
    try {
      for (const operation of control) {
        expect((await stub.request({ method: operation.method, url: operation.path, headers: auth.cc })).statusCode, operation.operationId).toBe(404);
      }
    } finally {
      await stub.close();
    }
  });
});
