import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { StubError } from '../domain/errors.js';
import type { Principal } from '../domain/model.js';
import type { Directory } from '../store/directory.js';
import type { TokenService } from './tokens.js';

export const ACCOUNT_TOKEN_HEADER = 'ep-account-management-authentication-token';
export const CUSTOMER_TOKEN_HEADER = 'x-moltin-customer-token';

const bearerOf = (headers: IncomingHttpHeaders) => /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];

/**
 * BEHAVIOR.md rows 1–2: the bearer token, then any shopper token, or 401. In sandbox mode a shopper token
 * issued in another sandbox than the bearer's is refused too (docs/deployment.md, "Sandbox mode").
 */
export function authenticate(headers: IncomingHttpHeaders, tokens: TokenService, sandboxed = false): Principal {
  const bearer = bearerOf(headers);
  const access = bearer === undefined ? undefined : tokens.access(bearer);
  if (!access) throw new StubError('InvalidAccessToken');
  const principal: Principal = { clientId: access.clientId, grant: access.grant };
  const atHome = (shopper: { clientId: string | undefined }) =>
    !sandboxed || shopper.clientId === undefined || shopper.clientId === access.clientId;

  const accountToken = headers[ACCOUNT_TOKEN_HEADER];
  if (accountToken !== undefined) {
    const account = typeof accountToken === 'string' ? tokens.account(accountToken) : undefined;
    if (!account || !atHome(account)) throw new StubError('InvalidShopperToken', { source: 'EP-Account-Management-Authentication-Token' });
    principal.account = { accountId: account.accountId, memberId: account.memberId };
  }
  const customerToken = headers[CUSTOMER_TOKEN_HEADER];
  if (customerToken !== undefined) {
    const customer = typeof customerToken === 'string' ? tokens.customer(customerToken) : undefined;
    if (!customer || !atHome(customer)) throw new StubError('InvalidShopperToken', { source: 'X-Moltin-Customer-Token' });
    principal.customer = { customerId: customer.customerId };
  }
  return principal;
}

/**
 * Row 2, against the state: a shopper token outlives a reset or a loaded state that no longer holds its
 * account, member or customer. Such a token is no longer valid; taken at its word, it would create carts
 * associated with a shopper the stub does not know.
 */
export function assertShoppersKnown(principal: Principal, directory: Directory): void {
  const { account, customer } = principal;
  if (account && !(directory.accounts.has(account.accountId) && directory.members.has(account.memberId))) {
    throw new StubError('InvalidShopperToken', { source: 'EP-Account-Management-Authentication-Token' });
  }
  if (customer && !directory.customers.has(customer.customerId)) {
    throw new StubError('InvalidShopperToken', { source: 'X-Moltin-Customer-Token' });
  }
}

/** The client the request's bearer token names, before the token is checked in full (`TokenService.clientOf`). */
export function bearerClientOf(headers: IncomingHttpHeaders, tokens: TokenService): string | undefined {
  const bearer = bearerOf(headers);
  return bearer === undefined ? undefined : tokens.clientOf(bearer);
}

/** The control API is open unless the stub was given an admin token; then it needs that token as bearer. */
export function authorizeAdmin(headers: IncomingHttpHeaders, adminToken: string | undefined): void {
  if (adminToken === undefined) return;
  const sent = Buffer.from(bearerOf(headers) ?? '');
  const expected = Buffer.from(adminToken);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new StubError('InvalidAdminToken');
}
