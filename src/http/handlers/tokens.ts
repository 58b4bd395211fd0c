import { randomUUID } from 'node:crypto';
import { authenticateClient, authenticateCustomer, authenticateMember } from '../../domain/credentials.js';
import { StubError } from '../../domain/errors.js';
import type { AccountMember, Grant } from '../../domain/model.js';
import { ACCESS_TOKEN_TTL_S } from '../../auth/tokens.js';
import type { OperationContext, OperationHandler } from '../operation.js';
import { pagination } from '../present.js';

export const createAccessToken: OperationHandler = ({ body, store, tokens }) => {
  const grant = body.grant_type as Grant;
  const client = authenticateClient(store.directory.clients, grant, body.client_id, body.client_secret);
  const { token, expires } = tokens.issueAccess(client.client_id, grant);
  return {
    status: 200,
    body: { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, expires, identifier: grant },
    rule: grant === 'implicit' ? 'tokens.1' : 'tokens.2',
  };
};

/** The page size of Elastic Path's answer, as its documented links show it (`page[limit]=25`). */
const MEMBER_TOKENS_PAGE_SIZE = 25;

export const createAccountMemberTokens: OperationHandler = (context) => {
  const { body, store, tokens, principal, baseUrl } = context;
  const byPassword = body.data.authentication_mechanism === 'password';
  const member = byPassword ? authenticateMember(store.directory.members.values(), body.data) : switchingMember(context);
  const accounts = member.account_ids.flatMap((id) => {
    const account = store.directory.accounts.get(id);
    return account ? [account] : [];
  });
  const data = accounts.map((account) => {
    const { token, expires } = tokens.issueAccount(principal!.clientId, member.id, account.id);
    return {
      type: 'account_management_authentication_token',
      account_id: account.id,
      account_name: account.name,
      token,
      expires: new Date(expires * 1000).toISOString(),
    };
  });
  const { links, meta } = pagination(`${baseUrl}/v2/account-members/tokens`, { offset: 0, limit: MEMBER_TOKENS_PAGE_SIZE }, data.length);
  return {
    status: 201,
    body: { data, links, meta: { account_member_id: member.id, ...meta } },
    rule: byPassword ? 'tokens.5' : 'tokens.6',
  };
};

/** Switching account: the member is whoever the current account token names. */
function switchingMember({ principal, store }: OperationContext): AccountMember {
  const member = principal?.account && store.directory.members.get(principal.account.memberId);
  if (!member) throw new StubError('SwitchNeedsAccountToken');
  return member;
}

export const createCustomerToken: OperationHandler = ({ body, store, tokens, principal }) => {
  const customer = authenticateCustomer(store.directory.customers.values(), body.data.email, body.data.password);
  const { token, expires } = tokens.issueCustomer(principal!.clientId, customer.id);
  return { status: 200, body: { data: { type: 'token', id: randomUUID(), customer_id: customer.id, token, expires } }, rule: 'tokens.9' };
};
