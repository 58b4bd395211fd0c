/**
 * The behaviour table as scenarios: one or more per rule of the catalogue, each a request and what must come
 * back, written as data. The stub's own test suite runs every one against the stub; `ep-cart-stub verify`
 * runs the same ones against any target, so the table, the stub and a real store can be held side by side.
 *
 * The parties are the verify config's (verify/config.ts): two accounts A and B, each with a member; two
 * customers C and D. Strings may name them and what the set-up made: `{accountA}`, `{accountB}`,
 * `{customerC}`, `{customerD}`, `{cart}` (the scenario's cart), `{freshId}` (a cart id nobody used),
 * `{unknownId}` (an account or customer id nobody has).
 */
import type { BehaviourRuleId } from '../domain/rules.js';

export type Account = 'A' | 'B';
export type Customer = 'C' | 'D';

/** Who calls: the bearer, and any shopper token (`garbage` for one that is no valid token). */
export interface Caller {
  bearer: 'cc' | 'implicit' | 'none';
  account?: Account | 'garbage';
  customer?: Customer | 'garbage';
}

export interface ScenarioRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** With placeholders, e.g. `/v2/carts/{cart}/relationships/accounts`. */
  path: string;
  as: Caller;
  /** Sent as JSON, placeholders replaced in every string. */
  json?: unknown;
  /** Sent as it is, as application/json (malformed JSON). */
  raw?: string;
  /** Sent form-encoded (the token endpoint). */
  form?: Record<string, string>;
  /** Sent as they are, beside the caller's. */
  headers?: Record<string, string>;
}

export interface Expected {
  status: number;
  /** The first error's title, exactly. */
  title?: string;
  /** The first error's source. */
  source?: string;
  /** The first error's status as the body writes it (a string on the token endpoints). */
  errorStatus?: string | number;
  /** Members the body must have, compared as a subset: objects by member, arrays item by item. */
  body?: unknown;
  /** `data` is a list that holds this cart. */
  listsCart?: boolean;
}

export interface ScenarioSetup {
  /**
   * The scenario's cart, made fresh for it: by the administrator, or by a shopper (then it is theirs), with a
   * contact email, or with an id of the verify run's own. `false`: the scenario needs no cart.
   */
  cart?: false | { by?: Account | Customer; contactEmail?: true; ownId?: true };
  /** Associated with the cart by the administrator before the request. */
  associate?: (Account | Customer)[];
  /** The scenario needs customer D to have no cart at all (a store where D has some cannot say). */
  customerDWithoutCarts?: true;
}

export interface Scenario {
  /** The rule it proves; its name in reports, with `variant` where a rule has several. */
  rule: BehaviourRuleId;
  variant?: string;
  setup?: ScenarioSetup;
  request: ScenarioRequest;
  expect: Expected;
  /** The cart's owners afterwards, as the administrator reads them. */
  after?: { accounts?: Account[]; customers?: Customer[] };
}

const cc: Caller = { bearer: 'cc' };
const implicit: Caller = { bearer: 'implicit' };
const accounts = '/v2/carts/{cart}/relationships/accounts';
const customers = '/v2/carts/{cart}/relationships/customers';
const account = (id: string) => ({ data: [{ type: 'account', id }] });
const customer = (id: string) => ({ data: [{ type: 'customer', id }] });
const member = (which: Account) => ({
  data: {
    type: 'account_management_authentication_token',
    authentication_mechanism: 'password',
    password_profile_id: `{member${which}.passwordProfileId}`,
    username: `{member${which}.username}`,
    password: `{member${which}.password}`,
  },
});

export const SCENARIOS: readonly Scenario[] = [
  // Associations
  { rule: 'associations.1', request: { method: 'POST', path: accounts, as: { bearer: 'none' }, json: account('{accountA}') }, expect: { status: 401, title: 'Unable to validate access token' }, after: { accounts: [] } },
  { rule: 'associations.2', request: { method: 'POST', path: accounts, as: { bearer: 'implicit', account: 'garbage' }, json: account('{accountA}') }, expect: { status: 401, title: 'Unable to validate access token' }, after: { accounts: [] } },
  { rule: 'associations.3', request: { method: 'POST', path: accounts, as: cc, raw: '{"data": [' }, expect: { status: 400, title: 'Bad Request' }, after: { accounts: [] } },
  { rule: 'associations.4', request: { method: 'POST', path: accounts, as: cc, json: { data: { type: 'account', id: '{accountA}' } } }, expect: { status: 403, title: 'Invalid json payload' }, after: { accounts: [] } },
  { rule: 'associations.5', request: { method: 'POST', path: accounts, as: cc, json: { data: [{ type: 'customer', id: '{accountA}' }] } }, expect: { status: 400, title: 'The type does not exist or is not listed as account' } },
  { rule: 'associations.5', variant: 'customers', request: { method: 'POST', path: customers, as: cc, json: { data: [{ type: 'account', id: '{customerC}' }] } }, expect: { status: 400, title: 'The type does not exist or is not listed as customer' } },
  { rule: 'associations.6', request: { method: 'POST', path: accounts, as: cc, json: { data: [{ type: 'account' }] } }, expect: { status: 400, source: 'data[0].id' } },
  { rule: 'associations.7', request: { method: 'POST', path: accounts, as: cc, json: { data: [{ type: 'account', id: '{accountA}' }, { type: 'account', id: '{accountB}' }] } }, expect: { status: 403, title: 'Cannot associate more than one account' }, after: { accounts: [] } },
  { rule: 'associations.7', variant: 'customers', request: { method: 'POST', path: customers, as: cc, json: { data: [{ type: 'customer', id: '{customerC}' }, { type: 'customer', id: '{customerD}' }] } }, expect: { status: 403, title: 'Cannot associate more than one customer' }, after: { customers: [] } },
  { rule: 'associations.8', setup: { cart: false }, request: { method: 'POST', path: '/v2/carts/not!a*cart/relationships/accounts', as: cc, json: account('{accountA}') }, expect: { status: 400, title: 'Bad Request' } },
  { rule: 'associations.9', request: { method: 'POST', path: accounts, as: implicit, json: account('{accountA}') }, expect: { status: 403, title: 'Account does not have the required permissions to fulfill this request' }, after: { accounts: [] } },
  { rule: 'associations.9', variant: 'customers', request: { method: 'POST', path: customers, as: implicit, json: customer('{customerC}') }, expect: { status: 403, title: 'Customer does not have the required permissions to fulfill this request' }, after: { customers: [] } },
  { rule: 'associations.10', request: { method: 'POST', path: accounts, as: { bearer: 'implicit', account: 'A' }, json: account('{accountB}') }, expect: { status: 403, title: 'Account does not have the required permissions to fulfill this request' }, after: { accounts: [] } },
  { rule: 'associations.10', variant: 'customers', request: { method: 'POST', path: customers, as: { bearer: 'implicit', customer: 'C' }, json: customer('{customerD}') }, expect: { status: 403, title: 'Customer does not have the required permissions to fulfill this request' }, after: { customers: [] } },
  { rule: 'associations.11', setup: { cart: false }, request: { method: 'POST', path: '/v2/carts/{freshId}/relationships/accounts', as: cc, json: account('{accountA}') }, expect: { status: 404, title: 'Not Found' } },
  { rule: 'associations.12', request: { method: 'POST', path: accounts, as: cc, json: account('{unknownId}') }, expect: { status: 404, title: 'Not Found' }, after: { accounts: [] } },
  { rule: 'associations.13', setup: { cart: { contactEmail: true } }, request: { method: 'POST', path: accounts, as: cc, json: account('{accountA}') }, expect: { status: 422, title: 'Cannot associate accounts to carts with contact emails' }, after: { accounts: [] } },
  { rule: 'associations.14', setup: { associate: ['A'] }, request: { method: 'POST', path: accounts, as: cc, json: account('{accountB}') }, expect: { status: 403, title: 'Cannot associate more than one account' }, after: { accounts: ['A'] } },
  { rule: 'associations.15', setup: { associate: ['A'] }, request: { method: 'POST', path: accounts, as: cc, json: account('{accountA}') }, expect: { status: 204 }, after: { accounts: ['A'] } },
  { rule: 'associations.15', variant: 'customers', setup: { associate: ['C'] }, request: { method: 'POST', path: customers, as: cc, json: customer('{customerC}') }, expect: { status: 204 }, after: { customers: ['C'] } },
  { rule: 'associations.16', request: { method: 'POST', path: accounts, as: cc, json: account('{accountA}') }, expect: { status: 200, body: account('{accountA}') }, after: { accounts: ['A'] } },
  { rule: 'associations.16', variant: 'customers, with the shopper token', request: { method: 'POST', path: customers, as: { bearer: 'implicit', customer: 'C' }, json: customer('{customerC}') }, expect: { status: 200, body: customer('{customerC}') }, after: { customers: ['C'] } },
  { rule: 'associations.16', variant: 'a second customer', setup: { associate: ['C'] }, request: { method: 'POST', path: customers, as: cc, json: customer('{customerD}') }, expect: { status: 200, body: customer('{customerD}') }, after: { customers: ['C', 'D'] } },
  { rule: 'associations.17', setup: { associate: ['A'] }, request: { method: 'DELETE', path: accounts, as: cc, json: account('{accountA}') }, expect: { status: 204 }, after: { accounts: [] } },
  { rule: 'associations.17', variant: 'customers', setup: { associate: ['C', 'D'] }, request: { method: 'DELETE', path: customers, as: cc, json: customer('{customerC}') }, expect: { status: 204 }, after: { customers: ['D'] } },
  { rule: 'associations.18', request: { method: 'DELETE', path: accounts, as: cc, json: account('{accountA}') }, expect: { status: 204 }, after: { accounts: [] } },
  { rule: 'associations.19', setup: { cart: { by: 'C' } }, request: { method: 'POST', path: customers, as: { bearer: 'implicit', customer: 'D' }, json: customer('{customerD}') }, expect: { status: 403, title: 'Customer does not have the required permissions to fulfill this request' }, after: { customers: ['C'] } },

  // Carts
  { rule: 'carts.1', setup: { cart: false }, request: { method: 'POST', path: '/v2/carts', as: cc, json: { data: { name: '{cartName}' } } }, expect: { status: 201, body: { data: { type: 'cart', name: '{cartName}' } } } },
  { rule: 'carts.2', setup: { cart: false }, request: { method: 'POST', path: '/v2/carts', as: { bearer: 'implicit', customer: 'C' }, json: { data: { name: '{cartName}' } } }, expect: { status: 201, body: { data: { relationships: { customers: customer('{customerC}') } } } } },
  { rule: 'carts.3', setup: { cart: false }, request: { method: 'POST', path: '/v2/carts', as: cc, json: { data: { description: 'no name' } } }, expect: { status: 400, source: 'data.name' } },
  { rule: 'carts.4', setup: { cart: { ownId: true } }, request: { method: 'POST', path: '/v2/carts', as: cc, json: { data: { id: '{cart}', name: '{cartName}' } } }, expect: { status: 409 } },
  { rule: 'carts.5', setup: { cart: false }, request: { method: 'GET', path: '/v2/carts/{freshId}', as: cc }, expect: { status: 200, body: { data: { id: '{freshId}', type: 'cart', name: 'Cart' } } } },
  { rule: 'carts.6', request: { method: 'GET', path: '/v2/carts/{cart}', as: cc }, expect: { status: 200, body: { data: { id: '{cart}', name: '{cartName}' } } } },
  { rule: 'carts.7', setup: { cart: { by: 'C' } }, request: { method: 'GET', path: '/v2/carts/{cart}', as: { bearer: 'implicit', customer: 'D' } }, expect: { status: 403 } },
  { rule: 'carts.8', request: { method: 'PUT', path: '/v2/carts/{cart}', as: cc, json: { data: { name: '{cartName} renamed' } } }, expect: { status: 200, body: { data: { id: '{cart}', name: '{cartName} renamed' } } } },
  { rule: 'carts.9', setup: { cart: false }, request: { method: 'PUT', path: '/v2/carts/{freshId}', as: cc, json: { data: { name: 'nowhere' } } }, expect: { status: 404 } },
  { rule: 'carts.10', request: { method: 'DELETE', path: '/v2/carts/{cart}', as: cc }, expect: { status: 204 } },
  { rule: 'carts.11', setup: { cart: { by: 'D' }, customerDWithoutCarts: true }, request: { method: 'DELETE', path: '/v2/carts/{cart}', as: cc }, expect: { status: 400, title: 'Last cart' }, after: { customers: ['D'] } },
  { rule: 'carts.12', setup: { associate: ['A'] }, request: { method: 'GET', path: '/v2/carts', as: { bearer: 'implicit', account: 'A' } }, expect: { status: 200, listsCart: true } },
  { rule: 'carts.13', setup: { cart: false }, request: { method: 'GET', path: '/v2/carts', as: { bearer: 'implicit', account: 'A', customer: 'C' } }, expect: { status: 400 } },
  { rule: 'carts.14', setup: { cart: false }, request: { method: 'GET', path: '/v2/carts', as: implicit }, expect: { status: 403 } },
  { rule: 'carts.15', request: { method: 'GET', path: '/v2/carts?page[limit]=100', as: cc }, expect: { status: 200, body: { meta: { page: { limit: 100 } } } } },
  { rule: 'carts.16', setup: { cart: false }, request: { method: 'GET', path: '/v2/carts?page[limit]=101', as: cc }, expect: { status: 400 } },
  { rule: 'carts.17', setup: { cart: false }, request: { method: 'POST', path: '/v2/carts', as: { bearer: 'implicit', customer: 'C' }, json: { data: { name: '{cartName}', contact: { email: 'verify@example.com' } } } }, expect: { status: 422, title: 'Cannot associate customers to carts with contact emails' } },
  { rule: 'carts.18', setup: { associate: ['A'] }, request: { method: 'GET', path: '/v2/carts?filter=contains(account_ids,"{accountA}")', as: cc }, expect: { status: 200, listsCart: true } },
  { rule: 'carts.18', variant: 'ilike with a wildcard, any case', request: { method: 'GET', path: '/v2/carts?filter=ilike(name,"{cartName}*")&page[limit]=100', as: cc }, expect: { status: 200, listsCart: true } },
  { rule: 'carts.19', setup: { cart: false }, request: { method: 'GET', path: '/v2/carts?filter=contains(name,"x")', as: cc }, expect: { status: 400, source: 'filter' } },
  { rule: 'carts.20', request: { method: 'GET', path: '/v2/carts/{cart}?include=everything', as: cc }, expect: { status: 400, source: 'include' } },
  { rule: 'carts.21', setup: { associate: ['A'] }, request: { method: 'PUT', path: '/v2/carts/{cart}', as: cc, json: { data: { contact: { email: 'verify@example.com' } } } }, expect: { status: 422 }, after: { accounts: ['A'] } },
  { rule: 'carts.22', request: { method: 'PUT', path: '/v2/carts/{cart}', as: cc, json: { data: { custom_attributes: { tier: { type: 'integer', value: 'gold' } } } } }, expect: { status: 400 } },
  { rule: 'carts.23', request: { method: 'PUT', path: '/v2/carts/{cart}', as: cc, json: { data: { snapshot_date: '2001-01-01T00:00:00Z' } } }, expect: { status: 400 } },
  { rule: 'carts.24', request: { method: 'GET', path: '/v2/carts/{cart}', as: cc, headers: { 'X-MOLTIN-CURRENCY': 'ZZZ' } }, expect: { status: 400 } },

  // Tokens
  { rule: 'tokens.1', setup: { cart: false }, request: { method: 'POST', path: '/oauth/access_token', as: { bearer: 'none' }, form: { grant_type: 'implicit', client_id: '{implicitClientId}' } }, expect: { status: 200, body: { token_type: 'Bearer', identifier: 'implicit' } } },
  { rule: 'tokens.2', setup: { cart: false }, request: { method: 'POST', path: '/oauth/access_token', as: { bearer: 'none' }, form: { grant_type: 'client_credentials', client_id: '{clientId}', client_secret: '{clientSecret}' } }, expect: { status: 200, body: { token_type: 'Bearer', identifier: 'client_credentials' } } },
  { rule: 'tokens.3', setup: { cart: false }, request: { method: 'POST', path: '/oauth/access_token', as: { bearer: 'none' }, form: { client_id: '{implicitClientId}' } }, expect: { status: 400, errorStatus: '400' } },
  { rule: 'tokens.4', setup: { cart: false }, request: { method: 'POST', path: '/oauth/access_token', as: { bearer: 'none' }, form: { grant_type: 'client_credentials', client_id: '{clientId}', client_secret: 'not-the-secret' } }, expect: { status: 401, errorStatus: '401' } },
  { rule: 'tokens.5', setup: { cart: false }, request: { method: 'POST', path: '/v2/account-members/tokens', as: implicit, json: member('A') }, expect: { status: 201, body: { data: [{ type: 'account_management_authentication_token' }] } } },
  { rule: 'tokens.6', setup: { cart: false }, request: { method: 'POST', path: '/v2/account-members/tokens', as: { bearer: 'implicit', account: 'A' }, json: { data: { type: 'account_management_authentication_token', authentication_mechanism: 'account_management_authentication_token' } } }, expect: { status: 201, body: { data: [{ type: 'account_management_authentication_token' }] } } },
  { rule: 'tokens.7', setup: { cart: false }, request: { method: 'POST', path: '/v2/account-members/tokens', as: implicit, json: { data: { ...member('A').data, password: 'not-the-password' } } }, expect: { status: 401 } },
  { rule: 'tokens.8', setup: { cart: false }, request: { method: 'POST', path: '/v2/account-members/tokens', as: implicit, json: { data: { type: 'account_management_authentication_token', authentication_mechanism: 'account_management_authentication_token' } } }, expect: { status: 401 } },
  { rule: 'tokens.9', setup: { cart: false }, request: { method: 'POST', path: '/v2/customers/tokens', as: implicit, json: { data: { type: 'token', email: '{customerC.email}', password: '{customerC.password}' } } }, expect: { status: 200, body: { data: { type: 'token', customer_id: '{customerC}' } } } },
  { rule: 'tokens.10', setup: { cart: false }, request: { method: 'POST', path: '/v2/customers/tokens', as: implicit, json: { data: { type: 'token', email: '{customerC.email}', password: 'not-the-password' } } }, expect: { status: 401 } },
];

export const scenarioName = (scenario: Scenario): string => (scenario.variant ? `${scenario.rule} (${scenario.variant})` : scenario.rule);
