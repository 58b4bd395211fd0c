/**
 * The rule catalogue: the behaviour table as data. Every answer of the stub names the rule that produced it
 * (the `EP-Stub-Rule` header, the journal, coverage); the behaviour document's tables are generated from
 * this table (docs/behaviour.md, `npm run docs`), and the verify scenarios use its ids. An id never changes: a new row takes the next free number of its section.
 */
import { StubError, type ErrorName } from './errors.js';

/** How sure the stub is of a row: Elastic Path's docs say so, official clients show it, or the stub chose. */
export type Basis = 'doc' | 'evidence' | 'decision';

const ASSOCIATION_OPERATIONS = [
  'createAccountCartAssociation',
  'deleteAccountCartAssociation',
  'createCustomerCartAssociation',
  'deleteCustomerCartAssociation',
] as const;
const ASSOCIATE = ['createAccountCartAssociation', 'createCustomerCartAssociation'] as const;
const DISSOCIATE = ['deleteAccountCartAssociation', 'deleteCustomerCartAssociation'] as const;

export interface Rule {
  /** `associations.14`: the section, then the row's number. */
  readonly id: string;
  /** The operations the row applies to. */
  readonly operations: readonly string[];
  readonly status: number;
  readonly basis: Basis;
  /** Where the basis is mixed or needs a word: `doc (object); decision (the rest)`. */
  readonly basisNote?: string;
  /** The condition, in one line. */
  readonly when: string;
  /** The errors the row answers with (one per kind of shopper where they differ); none for a success. */
  readonly errors?: readonly ErrorName[];
  /** Validation failures of these fields (as sources are written, `[]` for any index) belong to this row. */
  readonly sources?: readonly string[];
  /** What comes back, where the status and the errors' titles do not say it all. */
  readonly answer?: string;
}

const row = <const Id extends string>(rule: Rule & { id: Id }) => rule;

export const BEHAVIOUR_RULES = [
  // Associations: checked in this order; the first that fails answers.
  row({ id: 'associations.1', operations: ASSOCIATION_OPERATIONS, status: 401, basis: 'doc', when: 'bearer missing, unknown or expired', errors: ['InvalidAccessToken'] }),
  row({ id: 'associations.2', operations: ASSOCIATION_OPERATIONS, status: 401, basis: 'decision', when: 'AT/CT present but not a valid, unexpired token of this stub, or naming an account, member or customer the state no longer holds', errors: ['InvalidShopperToken'] }),
  row({ id: 'associations.3', operations: ASSOCIATION_OPERATIONS, status: 400, basis: 'doc', basisNote: 'doc (general errors guide)', when: 'body is not valid JSON', errors: ['MalformedJson'] }),
  row({ id: 'associations.4', operations: ASSOCIATION_OPERATIONS, status: 403, basis: 'doc', basisNote: 'doc (object); decision (the rest)', when: '`data` is an object, or missing, or empty, or the body is not an object', errors: ['InvalidJsonPayload'] }),
  row({ id: 'associations.5', operations: ASSOCIATION_OPERATIONS, status: 400, basis: 'doc', when: "an item's `type` missing or not `account` (`customer`)", errors: ['AccountTypeNotListed', 'CustomerTypeNotListed'] }),
  row({ id: 'associations.6', operations: ASSOCIATION_OPERATIONS, status: 400, basis: 'decision', when: "an item's `id` missing, not a string, or empty", errors: ['FieldRequired', 'FieldInvalid'], sources: ['data[].id'], answer: 'with `source` (`data[0].id`)' }),
  row({ id: 'associations.7', operations: ASSOCIATE, status: 403, basis: 'doc', basisNote: 'doc phrase, evidence for the trigger', when: 'POST with more than one item in `data`', errors: ['MoreThanOneAccount', 'MoreThanOneCustomer'] }),
  row({ id: 'associations.8', operations: ASSOCIATION_OPERATIONS, status: 400, basis: 'doc', basisNote: 'doc (safe characters), decision (length)', when: 'cart id outside `A-Za-z0-9_-` or longer than 64', errors: ['InvalidCartId'] }),
  row({ id: 'associations.9', operations: ASSOCIATION_OPERATIONS, status: 403, basis: 'doc', when: 'implicit token without AT (accounts) / CT (customers)', errors: ['AccountPermissions', 'CustomerPermissions'] }),
  row({ id: 'associations.10', operations: ASSOCIATION_OPERATIONS, status: 403, basis: 'doc', basisNote: 'doc phrase, evidence for the trigger', when: "shopper token for another account (customer) than the item's", errors: ['AccountPermissions', 'CustomerPermissions'] }),
  row({ id: 'associations.11', operations: ASSOCIATION_OPERATIONS, status: 404, basis: 'decision', basisNote: "decision (stricter than GET's auto-create: safe for a test double)", when: 'cart does not exist', errors: ['CartNotFound'] }),
  row({ id: 'associations.12', operations: ASSOCIATION_OPERATIONS, status: 404, basis: 'decision', basisNote: 'decision (JSON:API: a related resource missing is 404)', when: 'account (customer) unknown to the stub', errors: ['AccountNotFound', 'CustomerNotFound'] }),
  row({ id: 'associations.13', operations: ASSOCIATE, status: 422, basis: 'doc', basisNote: 'doc (newer carts spec)', when: 'POST: the cart has a contact email', errors: ['AccountCartHasContactEmail', 'CustomerCartHasContactEmail'] }),
  row({ id: 'associations.14', operations: ['createAccountCartAssociation'], status: 403, basis: 'doc', basisNote: 'doc phrase; required by the project brief', when: 'POST accounts: the cart already has a *different* account', errors: ['MoreThanOneAccount'] }),
  row({ id: 'associations.15', operations: ASSOCIATE, status: 204, basis: 'doc', when: 'POST: the same account (customer) is already associated', answer: 'no body' }),
  row({ id: 'associations.16', operations: ASSOCIATE, status: 200, basis: 'doc', when: 'POST: a new association', answer: '`{"data":[{"type":"account","id":"…"}]}`' }),
  row({ id: 'associations.17', operations: DISSOCIATE, status: 204, basis: 'doc', when: 'DELETE of an existing association', answer: 'no body' }),
  row({ id: 'associations.18', operations: DISSOCIATE, status: 204, basis: 'decision', when: 'DELETE of an association that does not exist', answer: 'no body (idempotent)' }),
  row({ id: 'associations.19', operations: ASSOCIATE, status: 403, basis: 'decision', basisNote: 'decision (keeps shoppers apart)', when: 'POST with a shopper token: the cart belongs to other shoppers only', errors: ['AccountPermissions', 'CustomerPermissions'] }),

  // Carts
  row({ id: 'carts.1', operations: ['createACart'], status: 201, basis: 'doc', basisNote: 'doc (201 per the newer spec and the SDK tests)', when: '`POST /v2/carts` `{"data":{"name","description","id"?,"contact"?}}`', answer: '`{"data":Cart}`' }),
  row({ id: 'carts.2', operations: ['createACart'], status: 201, basis: 'doc', basisNote: 'doc (CT), newer spec (AT)', when: '`POST /v2/carts` with a CT (AT)', answer: 'the cart, created associated with that customer (account)' }),
  row({ id: 'carts.3', operations: ['createACart', 'updateACart'], status: 400, basis: 'doc', when: '`POST` or `PUT`: `name` missing, blank or over 255 characters; `id` not `A-Za-z0-9_-`', errors: ['FieldRequired', 'FieldInvalid'], sources: ['data.name', 'data.id'], answer: 'with `source` `data.name` / `data.id`' }),
  row({ id: 'carts.4', operations: ['createACart'], status: 409, basis: 'decision', basisNote: 'decision (JSON:API)', when: '`POST /v2/carts`: the `id` is already used', errors: ['CartIdTaken'] }),
  row({ id: 'carts.5', operations: ['getACart'], status: 200, basis: 'doc', basisNote: 'doc (auto-create)', when: '`GET /v2/carts/:id` of an unknown id', answer: 'a new empty cart named `Cart`' }),
  row({ id: 'carts.6', operations: ['getACart'], status: 200, basis: 'doc', when: '`GET /v2/carts/:id` of a cart the caller may read', answer: '`{"data":Cart}`; with `include`, `included` holds an empty list of each (the stub keeps no items)' }),
  row({ id: 'carts.7', operations: ['getACart', 'updateACart', 'deleteACart'], status: 403, basis: 'decision', basisNote: 'decision (keeps shoppers apart)', when: 'a cart with owners, asked for with neither `client_credentials` alone nor a shopper token of an owner', errors: ['CartBelongsToAnotherShopper'] }),
  row({ id: 'carts.8', operations: ['updateACart'], status: 200, basis: 'doc', when: '`PUT /v2/carts/:id`', answer: '`{"data":Cart}`' }),
  row({ id: 'carts.9', operations: ['updateACart', 'deleteACart'], status: 404, basis: 'decision', when: '`PUT` or `DELETE` of a cart that does not exist', errors: ['CartNotFound'] }),
  row({ id: 'carts.10', operations: ['deleteACart'], status: 204, basis: 'doc', when: '`DELETE /v2/carts/:id`', answer: 'no body; its associations go with it' }),
  row({ id: 'carts.11', operations: ['deleteACart'], status: 400, basis: 'doc', when: "`DELETE` of a customer's last cart", errors: ['LastCart'] }),
  row({ id: 'carts.12', operations: ['getCarts'], status: 200, basis: 'doc', when: '`GET /v2/carts`, implicit + AT / + CT', answer: "that shopper's carts, newest `updated_at` first" }),
  row({ id: 'carts.13', operations: ['getCarts'], status: 400, basis: 'decision', when: '`GET /v2/carts`, implicit with both AT and CT', errors: ['BothShopperTokens'] }),
  row({ id: 'carts.14', operations: ['getCarts'], status: 403, basis: 'decision', when: '`GET /v2/carts`, implicit with neither AT nor CT', errors: ['NoShopperToken'] }),
  row({ id: 'carts.15', operations: ['getCarts'], status: 200, basis: 'doc', when: '`GET /v2/carts`, `client_credentials` with no shopper token', answer: 'every cart' }),
  row({ id: 'carts.16', operations: ['getCarts'], status: 400, basis: 'doc', basisNote: 'doc (limits), decision (400)', when: '`page[limit]` outside 1–100 (default 20) or `page[offset]` outside 0–10000; brackets raw or `%5B%5D`', errors: ['FieldInvalid'], sources: ['page[limit]', 'page[offset]'] }),
  row({ id: 'carts.17', operations: ['createACart'], status: 422, basis: 'doc', basisNote: 'doc (newer carts spec: a cart with a contact email has no shopper)', when: '`POST /v2/carts` with a contact email and a shopper token', errors: ['AccountCartHasContactEmail', 'CustomerCartHasContactEmail'] }),
  row({ id: 'carts.18', operations: ['getCarts'], status: 200, basis: 'doc', basisNote: 'doc (newest carts spec); decision (`:` before `|`)', when: '`GET /v2/carts?filter=…`: `contains(account_ids,"…")`, `ilike(name,"…")` (`*` any run, any case), `:` and, `|` or', answer: 'the caller\'s carts that match, newest first' }),
  row({ id: 'carts.19', operations: ['getCarts'], status: 400, basis: 'decision', basisNote: 'doc (the fields and operators), decision (400 naming the rest)', when: '`filter` with another field or operator, or one the stub cannot read', errors: ['UnsupportedFilter'], answer: 'with `source` `filter`, the detail naming it' }),
  row({ id: 'carts.20', operations: ['getCarts', 'getACart'], status: 400, basis: 'decision', basisNote: 'doc (the names), decision (400)', when: '`include` names something other than `items`, `tax_items`, `custom_discounts`, `promotions`', errors: ['UnknownInclude'], answer: 'with `source` `include`' }),
  row({ id: 'carts.21', operations: ['updateACart'], status: 422, basis: 'doc', basisNote: 'doc (newest carts spec: "and vice versa")', when: '`PUT` of a contact email on a cart with an account (customer)', errors: ['AccountCartHasContactEmail', 'CustomerCartHasContactEmail'] }),
  row({ id: 'carts.22', operations: ['createACart', 'updateACart'], status: 400, basis: 'doc', when: '`custom_attributes`: more than 20, or an attribute without `type` and `value`, or a value not of its type', errors: ['InvalidCustomAttributes'], answer: 'with `source` naming the attribute' }),
  row({ id: 'carts.23', operations: ['createACart', 'updateACart'], status: 400, basis: 'doc', when: '`snapshot_date` not a date-time, not in the future, or removed (`null`, empty)', errors: ['InvalidSnapshotDate'], answer: 'with `source` `data.snapshot_date`' }),
  row({ id: 'carts.24', operations: ['getCarts', 'createACart', 'getACart', 'updateACart'], status: 400, basis: 'decision', basisNote: 'doc (the header), decision (every ISO 4217 currency is enabled; 400 for the rest)', when: '`X-MOLTIN-CURRENCY` is not an ISO 4217 code', errors: ['UnknownCurrency'], answer: 'with `source` `x-moltin-currency`; a known one shows every price in it (`€0.00`)' }),

  // Tokens
  row({ id: 'tokens.1', operations: ['createAccessToken'], status: 200, basis: 'doc', when: '`POST /oauth/access_token` (form or JSON), `grant_type=implicit&client_id=…`', answer: '`{"access_token","token_type":"Bearer","expires_in":3600,"expires","identifier":"implicit"}`' }),
  row({ id: 'tokens.2', operations: ['createAccessToken'], status: 200, basis: 'doc', when: '… `grant_type=client_credentials&client_id&client_secret`', answer: 'the same, `identifier: client_credentials`' }),
  row({ id: 'tokens.3', operations: ['createAccessToken'], status: 400, basis: 'doc', basisNote: 'doc (the authentication docs\' error example)', when: '… `grant_type` missing or unknown, `client_id` missing or blank', errors: ['TokenRequestInvalid'], answer: '`status` as a string, `source` naming the field' }),
  row({ id: 'tokens.4', operations: ['createAccessToken'], status: 401, basis: 'doc', basisNote: 'doc (shapes)', when: '… client unknown, or its secret wrong', errors: ['UnknownClient'], answer: '`status` as a string' }),
  row({ id: 'tokens.5', operations: ['createAccountMemberTokens'], status: 201, basis: 'doc', when: '`POST /v2/account-members/tokens` with the password mechanism', answer: 'one token per account of the member, with `meta` and `links`' }),
  row({ id: 'tokens.6', operations: ['createAccountMemberTokens'], status: 201, basis: 'doc', when: '… switching account (`authentication_mechanism: account_management_authentication_token` + AT)', answer: "fresh tokens for all the member's accounts" }),
  row({ id: 'tokens.7', operations: ['createAccountMemberTokens'], status: 401, basis: 'doc', basisNote: 'doc (shape)', when: '… wrong username, password or password profile', errors: ['WrongMemberCredentials'] }),
  row({ id: 'tokens.8', operations: ['createAccountMemberTokens'], status: 401, basis: 'decision', when: '… switching account without a valid AT', errors: ['SwitchNeedsAccountToken'] }),
  row({ id: 'tokens.9', operations: ['createCustomerToken'], status: 200, basis: 'doc', when: '`POST /v2/customers/tokens`', answer: '`{"data":{"type":"token","id","customer_id","token","expires"}}`' }),
  row({ id: 'tokens.10', operations: ['createCustomerToken'], status: 401, basis: 'decision', when: '… wrong email or password', errors: ['WrongCustomerCredentials'] }),
] as const;

/**
 * Answers no behaviour row decides, named by where they came from. `contract.<keyword>` is request validation
 * (the JSON Schema keyword that failed: `contract.required`, `contract.maxLength`, …); the others are fixed.
 */
export const ORIGIN_RULES = {
  'auth.access-token': 'the bearer token is missing, unknown or expired',
  'auth.shopper-token': 'an AT/CT is not a valid, unexpired token of this stub',
  'auth.admin-token': 'the control API needs the admin token',
  'contract.json': 'the body is not valid JSON',
  'contract.media-type': 'the body is of a media type the operation does not take',
  'contract.http': 'the request is not one the stub can read (no Host, a URL that does not decode, not HTTP)',
  'route.unknown': 'no route has this method and path',
  'route.not-implemented': 'a route Elastic Path documents that the stub does not have (items, checkout, orders, …): 501, a decision, so that a storefront does not take it for a wrong URL',
  'limit.body': 'the body is larger than the stub accepts',
  'limit.headers': 'the request line and headers are larger than the stub accepts',
  'limit.time': 'the request did not arrive in time',
  'limit.json-depth': 'the body is nested deeper than 32 arrays and objects',
  'limit.rate': 'too many requests from one address (sandbox mode)',
  'limit.sandboxes': 'as many sandboxes as the stub may hold (sandbox mode)',
  'limit.carts': 'as many carts as a sandbox may hold (sandbox mode)',
  'store.full': 'the disk holding the data file (`--data`) is full: nothing was changed',
  'store.unavailable': 'the data file (`--data`) cannot be written: nothing was changed',
  'store.unreachable': 'the Redis or Valkey server holding the state (`--redis`) cannot be reached: nothing was read or changed',
  fault: 'a fault injected through the control API',
  prefer: "the `Prefer` header asked for one of the document's examples",
  control: "the stub's control API (`/__stub/…`)",
  probe: 'the liveness and readiness probes',
  docs: 'the docs: the landing page, the console and the document',
  'cors.preflight': 'a CORS preflight',
  internal: 'a failure of the stub itself (a bug)',
} as const;

export type BehaviourRuleId = (typeof BEHAVIOUR_RULES)[number]['id'];
export type RuleId = BehaviourRuleId | keyof typeof ORIGIN_RULES | `contract.${string}`;

const byId = new Map<string, Rule>(BEHAVIOUR_RULES.map((rule) => [rule.id, rule]));

export function behaviourRule(id: BehaviourRuleId): Rule {
  return byId.get(id)!;
}

/** The error a row answers with: `StubError(name)` that names the row, so that nothing has to guess it later. */
export function breaks(id: BehaviourRuleId, name: ErrorName, overrides: { detail?: string; source?: string } = {}): StubError {
  return new StubError(name, { ...overrides, rule: id });
}

/** Errors that always come from one place, whatever the operation, when no row of that operation claims them. */
const ORIGIN_OF_ERROR: Partial<Record<ErrorName, RuleId>> = {
  InvalidAccessToken: 'auth.access-token',
  InvalidShopperToken: 'auth.shopper-token',
  InvalidAdminToken: 'auth.admin-token',
  MalformedJson: 'contract.json',
  UnsupportedMediaType: 'contract.media-type',
  BadRequest: 'contract.http',
  RouteNotFound: 'route.unknown',
  NotImplemented: 'route.not-implemented',
  PayloadTooLarge: 'limit.body',
  HeadersTooLarge: 'limit.headers',
  RequestTimeout: 'limit.time',
  JsonTooDeep: 'limit.json-depth',
  TooManyRequests: 'limit.rate',
  SandboxLimitReached: 'limit.sandboxes',
  CartLimitReached: 'limit.carts',
  DataFileFull: 'store.full',
  DataFileUnwritable: 'store.unavailable',
  StateStoreUnavailable: 'store.unreachable',
  NoPreferredExample: 'prefer',
  InvalidStubInput: 'control',
  EmptyState: 'control',
  ClockOutOfRange: 'control',
  Internal: 'internal',
};

/** Which rows claim an error, by operation: built once, looked up on every error answer. */
const claims = new Map<string, Rule[]>();
for (const rule of BEHAVIOUR_RULES) {
  for (const operation of rule.operations) {
    for (const name of rule.errors ?? []) {
      const key = `${operation} ${name}`;
      claims.set(key, [...(claims.get(key) ?? []), rule]);
    }
  }
}

/**
 * The rule behind an error answer: the one it names; else the first row of the operation that claims the
 * error (and, for validation, the field); else where it came from. `keyword` is the JSON Schema keyword of
 * a validation failure.
 */
export function ruleOfError(error: { name: string; rule?: RuleId | undefined; source?: string | undefined; keyword?: string | undefined }, operationId: string | undefined): RuleId {
  if (error.rule) return error.rule;
  const field = error.source?.replace(/\[\d+\]/g, '[]');
  const rows = operationId === undefined ? undefined : claims.get(`${operationId} ${error.name}`);
  const row = rows?.find((rule) => !rule.sources || (field !== undefined && rule.sources.includes(field)));
  if (row) return row.id as RuleId;
  if (error.keyword) return `contract.${error.keyword}`;
  return ORIGIN_OF_ERROR[error.name as ErrorName] ?? 'internal';
}
