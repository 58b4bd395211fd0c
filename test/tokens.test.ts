/**
 * BEHAVIOR.md › Tokens: access tokens, account-member tokens and customer tokens, how long they live, and
 * that only tokens this stub signed, unchanged and of the right kind, are accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../src/contract/document.js';
import { auth, errorOf, ids, loginMember, startTestStub, type MemberCredentials, type TestStub } from './support/stub.js';

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;
const UNABLE_TO_VALIDATE = 'Unable to validate access token';

/** Loaded once; each stub still has its own store, clock and token secret. */
const contract = await loadContract();

let stub: TestStub;

/**
 * Gives the enclosing describe a stub of its own, with a frozen clock, and gives the outer stub back after.
 * Tests that move the clock sit in a describe of their own, so the others never see expired fixtures.
 */
function ownStub(): void {
  let outer: TestStub | undefined;
  beforeAll(async () => {
    outer = stub;
    stub = await startTestStub({ contract });
    stub.clock.freeze();
  });
  afterAll(async () => {
    await stub.close();
    stub = outer!;
  });
}

/** Moves the frozen clock to the next whole second, so that epoch-second expiries are exact; returns it in ms. */
function wholeSecond(): number {
  stub.clock.advance(1000 - (stub.clock.now() % 1000));
  return stub.clock.now();
}

/** The claims of a JWT, read without checking its signature. */
function jwtPayload(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  expect(payload, `${token} is not a JWT`).toBeDefined();
  return JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function accessTokenRequest(form: string) {
  return stub.request({ method: 'POST', url: '/oauth/access_token', headers: FORM, payload: form });
}

async function issueBearer(on: TestStub, grant: 'implicit' | 'client_credentials'): Promise<string> {
  const form =
    grant === 'implicit'
      ? 'grant_type=implicit&client_id=demo-storefront'
      : 'grant_type=client_credentials&client_id=demo-backend&client_secret=demo-backend-secret';
  const response = await on.request({ method: 'POST', url: '/oauth/access_token', headers: FORM, payload: form });
  expect(response.statusCode).toBe(200);
  return response.data.access_token as string;
}

function listCarts(headers: Record<string, string>) {
  return stub.request({ method: 'GET', url: '/v2/carts', headers });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Alice's password login, with fields overridden. */
function memberLogin(overrides: MemberCredentials = {}, headers: Record<string, string> = auth.implicit) {
  return loginMember(stub, overrides, headers);
}

function switchAccount(headers: Record<string, string>) {
  return stub.request({
    method: 'POST',
    url: '/v2/account-members/tokens',
    headers,
    json: {
      data: {
        type: 'account_management_authentication_token',
        authentication_mechanism: 'account_management_authentication_token',
      },
    },
  });
}

/** Alice's token for one of her accounts, issued by the stub. */
async function aliceTokenFor(accountId: string): Promise<string> {
  const response = await memberLogin();
  expect(response.statusCode).toBe(201);
  const entry = (response.data.data as { account_id: string; token: string }[]).find((t) => t.account_id === accountId);
  expect(entry, `no token for account ${accountId}`).toBeDefined();
  return entry!.token;
}

function customerLogin(data: Record<string, unknown>, headers: Record<string, string> = auth.implicit) {
  return stub.request({ method: 'POST', url: '/v2/customers/tokens', headers, json: { data: { type: 'token', ...data } } });
}

async function carolToken(): Promise<string> {
  const response = await customerLogin({ email: 'carol@example.com', password: 'carol-password' });
  expect(response.statusCode).toBe(200);
  return response.data.data.token as string;
}

const cartIds = (response: { data: any }) => (response.data.data as { id: string }[]).map((cart) => cart.id);

/** A token with its payload replaced and its signature kept. */
function withClaims(token: string, change: (claims: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, , signature] = token.split('.') as [string, string, string];
  return `${header}.${Buffer.from(JSON.stringify(change(jwtPayload(token)))).toString('base64url')}.${signature}`;
}

const asAccountToken = (token: string) => ({ 'ep-account-management-authentication-token': token });
const asCustomerToken = (token: string) => ({ 'x-moltin-customer-token': token });

describe('POST /oauth/access_token', () => {
  ownStub();

  it('implicit, form-encoded, answers 200 with a flat Bearer token that lives 3600 s', async () => {
    const now = wholeSecond();
    const response = await accessTokenRequest('grant_type=implicit&client_id=demo-storefront');
    expect(response.statusCode).toBe(200);
    expect(response.data).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      expires: now / 1000 + 3600,
      identifier: 'implicit',
    });
    expect(response.data.access_token).not.toBe('');
  });

  it('implicit as JSON answers the same', async () => {
    const now = wholeSecond();
    const response = await stub.request({
      method: 'POST',
      url: '/oauth/access_token',
      json: { grant_type: 'implicit', client_id: 'demo-storefront' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.data).toMatchObject({ token_type: 'Bearer', expires_in: 3600, expires: now / 1000 + 3600, identifier: 'implicit' });
  });

  it('client_credentials with the right secret answers 200 (form and JSON)', async () => {
    const now = wholeSecond();
    const form = await accessTokenRequest('grant_type=client_credentials&client_id=demo-backend&client_secret=demo-backend-secret');
    expect(form.statusCode).toBe(200);
    expect(form.data).toMatchObject({ token_type: 'Bearer', expires_in: 3600, expires: now / 1000 + 3600, identifier: 'client_credentials' });
    const json = await stub.request({
      method: 'POST',
      url: '/oauth/access_token',
      json: { grant_type: 'client_credentials', client_id: 'demo-backend', client_secret: 'demo-backend-secret' },
    });
    expect(json.statusCode).toBe(200);
    expect(json.data.identifier).toBe('client_credentials');
  });

  it('a missing grant_type answers 400 with status as the string "400"', async () => {
    const response = await accessTokenRequest('client_id=demo-storefront');
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).status).toBe('400');
  });

  it('an unknown grant_type answers 400 with status "400"', async () => {
    const response = await accessTokenRequest('grant_type=password&client_id=demo-storefront');
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).status).toBe('400');
  });

  it('an unknown client answers 401 with status as the string "401"', async () => {
    const response = await accessTokenRequest('grant_type=implicit&client_id=no-such-client');
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).status).toBe('401');
  });

  it('client_credentials with a wrong secret answers 401', async () => {
    const response = await accessTokenRequest('grant_type=client_credentials&client_id=demo-backend&client_secret=wrong');
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).status).toBe('401');
  });

  it('client_credentials for a client without a secret (demo-storefront) answers 401', async () => {
    const withoutSecret = await accessTokenRequest('grant_type=client_credentials&client_id=demo-storefront');
    expect(withoutSecret.statusCode).toBe(401);
    expect(errorOf(withoutSecret).status).toBe('401');
    const withSomeSecret = await accessTokenRequest('grant_type=client_credentials&client_id=demo-storefront&client_secret=x');
    expect(withSomeSecret.statusCode).toBe(401);
  });

  it('an issued client_credentials bearer works on GET /v2/carts and lists every cart', async () => {
    const response = await listCarts(bearer(await issueBearer(stub, 'client_credentials')));
    expect(response.statusCode).toBe(200);
    expect(cartIds(response)).toEqual(expect.arrayContaining(['demo-cart-empty', 'demo-cart-acme', 'demo-cart-carol']));
  });

  it('an issued implicit bearer works on GET /v2/carts with a shopper token', async () => {
    const response = await listCarts({ ...bearer(await issueBearer(stub, 'implicit')), ...auth.carol });
    expect(response.statusCode).toBe(200);
    expect(cartIds(response)).toEqual(['demo-cart-carol']);
  });

  it('a token with one character of its signature changed answers 401', async () => {
    const token = await issueBearer(stub, 'client_credentials');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // The first character carries six whole bits of the signature; the last may carry only padding bits.
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    const response = await listCarts(bearer(`${header}.${payload}.${flipped}`));
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
  });

  it('a token whose payload was changed (implicit made client_credentials) answers 401', async () => {
    const forged = withClaims(await issueBearer(stub, 'implicit'), (claims) => ({ ...claims, grant: 'client_credentials' }));
    const response = await listCarts(bearer(forged));
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
  });

  it('a token signed by another stub instance answers 401', async () => {
    const other = await startTestStub({ contract });
    try {
      const foreign = await issueBearer(other, 'client_credentials');
      expect((await other.request({ method: 'GET', url: '/v2/carts', headers: bearer(foreign) })).statusCode).toBe(200);
      const response = await listCarts(bearer(foreign));
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
    } finally {
      await other.close();
    }
  });

  it('a customer token sent as the bearer answers 401', async () => {
    const issued = await listCarts(bearer(await carolToken()));
    expect(issued.statusCode).toBe(401);
    expect(errorOf(issued).title).toBe(UNABLE_TO_VALIDATE);
    expect((await listCarts(bearer('demo-carol-token'))).statusCode).toBe(401);
  });

  it('an account token sent as the bearer answers 401', async () => {
    expect((await listCarts(bearer('demo-alice-acme-token'))).statusCode).toBe(401);
    expect((await listCarts(bearer(await aliceTokenFor(ids.acme)))).statusCode).toBe(401);
  });

  it('a missing or unknown bearer answers 401', async () => {
    expect((await listCarts({})).statusCode).toBe(401);
    const unknown = await listCarts(bearer('not-a-token'));
    expect(unknown.statusCode).toBe(401);
    expect(errorOf(unknown)).toMatchObject({ status: 401, title: UNABLE_TO_VALIDATE });
  });

  describe('as time passes', () => {
    ownStub();

    it('an issued bearer still works 1 ms before its 3600 s are up', async () => {
      wholeSecond();
      const token = await issueBearer(stub, 'client_credentials');
      stub.clock.advance(HOUR_MS - 1);
      expect((await listCarts(bearer(token))).statusCode).toBe(200);
    });

    it('an issued client_credentials bearer expires after 3600 s: 401 Unable to validate access token', async () => {
      const token = await issueBearer(stub, 'client_credentials');
      stub.clock.advance(HOUR_MS);
      const response = await listCarts(bearer(token));
      expect(response.statusCode).toBe(401);
      expect(errorOf(response)).toMatchObject({ status: 401, title: UNABLE_TO_VALIDATE });
    });

    it('an issued implicit bearer expires after 3600 s too', async () => {
      const token = await issueBearer(stub, 'implicit');
      stub.clock.advance(HOUR_MS);
      const response = await listCarts({ ...bearer(token), ...auth.carol });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
    });

    it('a token whose expiry was pushed forward answers 401', async () => {
      const forged = withClaims(await issueBearer(stub, 'client_credentials'), (claims) => ({
        ...claims,
        exp: Number(claims.exp) + 365 * 24 * 3600,
      }));
      expect((await listCarts(bearer(forged))).statusCode).toBe(401);
    });

    it('pinned tokens never expire (a year later they still work)', async () => {
      stub.clock.advance(365 * DAY_MS);
      expect((await listCarts(auth.cc)).statusCode).toBe(200);
      expect((await listCarts({ ...auth.implicit, ...auth.carol })).statusCode).toBe(200);
      expect((await listCarts({ ...auth.implicit, ...auth.aliceAcme })).statusCode).toBe(200);
    });
  });
});

describe('POST /v2/account-members/tokens', () => {
  ownStub();

  it('password login (username case-insensitive) answers 201 with one token per account of the member, expiring in 24 h', async () => {
    const now = wholeSecond();
    const response = await memberLogin({ username: 'ALICE@example.com' });
    expect(response.statusCode).toBe(201);
    const expires = new Date(now + DAY_MS).toISOString();
    expect(response.data.data).toHaveLength(2);
    expect(response.data.data).toEqual(
      expect.arrayContaining([
        { type: 'account_management_authentication_token', account_id: ids.acme, account_name: 'Acme Corp', token: expect.any(String), expires },
        { type: 'account_management_authentication_token', account_id: ids.globex, account_name: 'Globex', token: expect.any(String), expires },
      ]),
    );
    expect(response.data.meta.results.total).toBe(2);
    expect(response.data.links).toBeTypeOf('object');
    expect(response.data.links).not.toBeNull();
  });

  it('a member of one account gets one token', async () => {
    const response = await memberLogin({ username: 'bob@example.com', password: 'bob-password' });
    expect(response.statusCode).toBe(201);
    expect(response.data.data.map((t: { account_id: string }) => t.account_id)).toEqual([ids.globex]);
    expect(response.data.meta.results.total).toBe(1);
  });

  it('the issued tokens are JWTs with sub = member id and scope = account id', async () => {
    const response = await memberLogin();
    expect(response.statusCode).toBe(201);
    for (const entry of response.data.data as { account_id: string; token: string }[]) {
      expect(jwtPayload(entry.token)).toMatchObject({ sub: ids.alice, scope: entry.account_id });
    }
  });

  it.each([
    ['a wrong password', { password: 'wrong-password' }],
    ['a wrong password profile', { password_profile_id: '00000000-0000-4000-8000-000000000000' }],
    ['an unknown user', { username: 'mallory@example.com' }],
    ["another member's password", { password: 'bob-password' }],
  ])('%s answers 401 with status as the string "401"', async (_, overrides) => {
    const response = await memberLogin(overrides);
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).status).toBe('401');
  });

  it('a request without a bearer answers 401 with status "401"', async () => {
    const response = await memberLogin({}, {});
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).status).toBe('401');
  });

  it('a password login without the password fields answers 400 with status as the string "400"', async () => {
    const response = await stub.request({
      method: 'POST',
      url: '/v2/account-members/tokens',
      headers: auth.implicit,
      json: { data: { type: 'account_management_authentication_token', authentication_mechanism: 'password' } },
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).status).toBe('400');
  });

  it("the issued token works as EP-Account-Management-Authentication-Token and lists that account's carts", async () => {
    const acme = await listCarts({ ...auth.implicit, ...asAccountToken(await aliceTokenFor(ids.acme)) });
    expect(acme.statusCode).toBe(200);
    expect(cartIds(acme)).toEqual(['demo-cart-acme']);
    const globex = await listCarts({ ...auth.implicit, ...asAccountToken(await aliceTokenFor(ids.globex)) });
    expect(globex.statusCode).toBe(200);
    expect(cartIds(globex)).toEqual([]);
  });

  it('the header name is case-insensitive (the JS SDK sends it upper-cased)', async () => {
    const token = await aliceTokenFor(ids.acme);
    const response = await listCarts({ ...auth.implicit, 'EP-ACCOUNT-MANAGEMENT-AUTHENTICATION-TOKEN': token });
    expect(response.statusCode).toBe(200);
    expect(cartIds(response)).toEqual(['demo-cart-acme']);
  });

  it("switching account with a current account token answers 201 with fresh tokens for all the member's accounts", async () => {
    const current = await aliceTokenFor(ids.acme);
    const now = wholeSecond();
    const response = await switchAccount({ ...auth.implicit, ...asAccountToken(current) });
    expect(response.statusCode).toBe(201);
    const tokens = response.data.data as { account_id: string; token: string; expires: string }[];
    expect(tokens.map((t) => t.account_id).sort()).toEqual([ids.acme, ids.globex].sort());
    for (const entry of tokens) {
      expect(entry.token).not.toBe(current);
      expect(entry.expires).toBe(new Date(now + DAY_MS).toISOString());
      expect(jwtPayload(entry.token)).toMatchObject({ sub: ids.alice, scope: entry.account_id });
    }
    const globex = tokens.find((t) => t.account_id === ids.globex)!.token;
    expect((await listCarts({ ...auth.implicit, ...asAccountToken(globex) })).statusCode).toBe(200);
  });

  it('switching account with a pinned account token answers the member’s accounts', async () => {
    const response = await switchAccount({ ...auth.implicit, ...auth.bobGlobex });
    expect(response.statusCode).toBe(201);
    expect(response.data.data.map((t: { account_id: string }) => t.account_id)).toEqual([ids.globex]);
  });

  it('switching account without an account token answers 401 with status "401"', async () => {
    const response = await switchAccount(auth.implicit);
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).status).toBe('401');
  });

  it('a tampered account token (scope changed to another account) answers 401', async () => {
    const forged = withClaims(await aliceTokenFor(ids.acme), (claims) => ({ ...claims, scope: ids.initech }));
    const response = await listCarts({ ...auth.implicit, ...asAccountToken(forged) });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
  });

  it('a customer token sent as the account token answers 401', async () => {
    const response = await listCarts({ ...auth.implicit, ...asAccountToken(await carolToken()) });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
  });

  describe('as time passes', () => {
    ownStub();

    it('an account token still works 1 ms before its 24 h are up', async () => {
      wholeSecond();
      const token = await aliceTokenFor(ids.acme);
      stub.clock.advance(DAY_MS - 1);
      expect((await listCarts({ ...auth.implicit, ...asAccountToken(token) })).statusCode).toBe(200);
    });

    it('an account token expires after 24 h: 401 Unable to validate access token', async () => {
      const token = await aliceTokenFor(ids.acme);
      stub.clock.advance(DAY_MS);
      const response = await listCarts({ ...auth.implicit, ...asAccountToken(token) });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
    });

    it('switching account with an expired account token answers 401 with status "401"', async () => {
      const token = await aliceTokenFor(ids.acme);
      stub.clock.advance(DAY_MS);
      const response = await switchAccount({ ...auth.implicit, ...asAccountToken(token) });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).status).toBe('401');
    });
  });
});

describe('POST /v2/customers/tokens', () => {
  ownStub();

  it('answers 200 with a token that expires in 24 h (epoch seconds)', async () => {
    const now = wholeSecond();
    const response = await customerLogin({ email: 'carol@example.com', password: 'carol-password' });
    expect(response.statusCode).toBe(200);
    expect(response.data).toEqual({
      data: {
        type: 'token',
        id: expect.any(String),
        customer_id: ids.carol,
        token: expect.any(String),
        expires: now / 1000 + 24 * 3600,
      },
    });
  });

  it('matches the email case-insensitively', async () => {
    const response = await customerLogin({ email: 'Carol@EXAMPLE.com', password: 'carol-password' });
    expect(response.statusCode).toBe(200);
    expect(response.data.data.customer_id).toBe(ids.carol);
  });

  it('the token is a JWT with sub = customer id', async () => {
    const response = await customerLogin({ email: 'dave@example.com', password: 'dave-password' });
    expect(response.statusCode).toBe(200);
    expect(jwtPayload(response.data.data.token)).toMatchObject({ sub: ids.dave });
  });

  it.each([
    ['a wrong password', { email: 'carol@example.com', password: 'wrong-password' }],
    ["another customer's password", { email: 'carol@example.com', password: 'dave-password' }],
    ['an unknown email', { email: 'mallory@example.com', password: 'carol-password' }],
  ])('%s answers 401', async (_, data) => {
    const response = await customerLogin(data);
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).status).toBe(401);
  });

  it('a missing email answers 400 required with source data.email', async () => {
    const response = await customerLogin({ password: 'carol-password' });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ status: 400, title: 'required', source: 'data.email' });
  });

  it('a request without a bearer answers 401', async () => {
    const response = await customerLogin({ email: 'carol@example.com', password: 'carol-password' }, {});
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
  });

  it("the token works as X-Moltin-Customer-Token and lists that customer's carts", async () => {
    const response = await listCarts({ ...auth.implicit, ...asCustomerToken(await carolToken()) });
    expect(response.statusCode).toBe(200);
    expect(cartIds(response)).toEqual(['demo-cart-carol']);
  });

  it('the header name is case-insensitive (the JS SDK sends it upper-cased)', async () => {
    const response = await listCarts({ ...auth.implicit, 'X-MOLTIN-CUSTOMER-TOKEN': await carolToken() });
    expect(response.statusCode).toBe(200);
    expect(cartIds(response)).toEqual(['demo-cart-carol']);
  });

  it('a tampered customer token (sub changed to another customer) answers 401', async () => {
    const forged = withClaims(await carolToken(), (claims) => ({ ...claims, sub: ids.dave }));
    const response = await listCarts({ ...auth.implicit, ...asCustomerToken(forged) });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
  });

  it('an account token sent as the customer token answers 401', async () => {
    expect((await listCarts({ ...auth.implicit, ...asCustomerToken('demo-alice-acme-token') })).statusCode).toBe(401);
    expect((await listCarts({ ...auth.implicit, ...asCustomerToken(await aliceTokenFor(ids.acme)) })).statusCode).toBe(401);
  });

  describe('as time passes', () => {
    ownStub();

    it('a customer token still works 1 ms before its 24 h are up', async () => {
      wholeSecond();
      const token = await carolToken();
      stub.clock.advance(DAY_MS - 1);
      expect((await listCarts({ ...auth.implicit, ...asCustomerToken(token) })).statusCode).toBe(200);
    });

    it('a customer token expires after 24 h: 401 Unable to validate access token', async () => {
      const token = await carolToken();
      stub.clock.advance(DAY_MS);
      const response = await listCarts({ ...auth.implicit, ...asCustomerToken(token) });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).title).toBe(UNABLE_TO_VALIDATE);
    });
  });
});
