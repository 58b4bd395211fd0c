/**
 * The error catalogue: every status, title and detail the stub sends is named here once. Which behaviour
 * row answers with which entry is the rule catalogue's to say (rules.ts); the comments name the rows.
 */
import type { RuleId } from './rules.js';

export interface ErrorEntry {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
}

export const catalogue = {
  // associations.1–2
  InvalidAccessToken: {
    status: 401,
    title: 'Unable to validate access token',
    detail: 'The access token is missing, unknown or expired',
  },
  InvalidShopperToken: {
    status: 401,
    title: 'Unable to validate access token',
    detail: 'The account or customer token is not a valid, unexpired token of this stub',
  },
  // associations.3
  MalformedJson: { status: 400, title: 'Bad Request', detail: 'The request body is not valid JSON' },
  JsonTooDeep: { status: 400, title: 'Bad Request', detail: 'The request body is nested deeper than 32 arrays and objects' },
  // associations.4
  InvalidJsonPayload: {
    status: 403,
    title: 'Invalid json payload',
    detail: 'The request body must be an object whose data is an array of related objects',
  },
  // associations.5
  AccountTypeNotListed: {
    status: 400,
    title: 'The type does not exist or is not listed as account',
    detail: "Each item's type must be account",
  },
  CustomerTypeNotListed: {
    status: 400,
    title: 'The type does not exist or is not listed as customer',
    detail: "Each item's type must be customer",
  },
  // associations.6, and every other schema failure without an entry of its own
  FieldRequired: { status: 400, title: 'required', detail: 'A required field is missing' },
  FieldInvalid: { status: 400, title: 'invalid', detail: 'A field has a value the contract does not allow' },
  // associations.7, and associations.14 for accounts
  MoreThanOneAccount: {
    status: 403,
    title: 'Cannot associate more than one account',
    detail: 'A cart can be associated with one account only',
  },
  MoreThanOneCustomer: {
    status: 403,
    title: 'Cannot associate more than one customer',
    detail: 'Associate one customer per request',
  },
  // associations.8
  InvalidCartId: {
    status: 400,
    title: 'Bad Request',
    detail: 'A cart id uses only A-Za-z0-9_- and has 1 to 64 characters',
  },
  // associations.9–10 and 19
  AccountPermissions: {
    status: 403,
    title: 'Account does not have the required permissions to fulfill this request',
    detail: "An implicit token needs the account's EP-Account-Management-Authentication-Token, for that account",
  },
  CustomerPermissions: {
    status: 403,
    title: 'Customer does not have the required permissions to fulfill this request',
    detail: "An implicit token needs the customer's X-Moltin-Customer-Token, for that customer",
  },
  // associations.11–12
  CartNotFound: { status: 404, title: 'Not Found', detail: 'Cart not found' },
  AccountNotFound: { status: 404, title: 'Not Found', detail: 'Account not found' },
  CustomerNotFound: { status: 404, title: 'Not Found', detail: 'Customer not found' },
  // associations.13
  AccountCartHasContactEmail: {
    status: 422,
    title: 'Cannot associate accounts to carts with contact emails',
    detail: 'The cart has a contact email; remove it before associating an account',
  },
  CustomerCartHasContactEmail: {
    status: 422,
    title: 'Cannot associate customers to carts with contact emails',
    detail: 'The cart has a contact email; remove it before associating a customer',
  },

  // Carts
  CartBelongsToAnotherShopper: { status: 403, title: 'Forbidden', detail: 'The cart belongs to another shopper' },
  CartIdTaken: { status: 409, title: 'Conflict', detail: 'A cart with this id already exists' },
  LastCart: {
    status: 400,
    title: 'Last cart',
    detail: 'This is the last cart associated with a customer and it cannot be deleted, try disassociating instead',
  },
  BothShopperTokens: {
    status: 400,
    title: 'Bad Request',
    detail: 'Send either an account token or a customer token, not both',
  },
  NoShopperToken: {
    status: 403,
    title: 'Forbidden',
    detail: 'An implicit token needs an account or customer token to list carts',
  },
  // carts.19–20, 22–24
  UnsupportedFilter: {
    status: 400,
    title: 'Bad Request',
    detail: 'The stub filters carts by contains(account_ids,"…") and ilike(name,"…"), joined by : (and) or | (or)',
  },
  UnknownInclude: {
    status: 400,
    title: 'Bad Request',
    detail: 'include takes a comma-separated list of items, tax_items, custom_discounts and promotions',
  },
  InvalidCustomAttributes: {
    status: 400,
    title: 'Bad Request',
    detail: 'custom_attributes holds at most 20 attributes, each {"type","value"}: string, integer, float or boolean, with a value of that type',
  },
  UnknownCurrency: {
    status: 400,
    title: 'Bad Request',
    detail: 'X-MOLTIN-CURRENCY takes an ISO 4217 currency code, such as USD or EUR',
  },
  InvalidSnapshotDate: {
    status: 400,
    title: 'Bad Request',
    detail: 'snapshot_date is a date-time in the future (2026-02-21T15:07:25Z); a preview cart cannot lose it',
  },

  // Sandbox mode (docs/deployment.md, "Sandbox mode")
  SandboxLimitReached: {
    status: 503,
    title: 'Sandbox limit reached',
    detail: 'The stub holds as many sandboxes as it may; an idle one is evicted after a while, try again then',
  },
  CartLimitReached: {
    status: 403,
    title: 'Cart limit reached',
    detail: 'This sandbox holds as many carts as it may; delete one before creating another',
  },

  // Tokens
  UnknownClient: { status: 401, title: 'Unauthorized', detail: 'The client id or secret is wrong' },
  // tokens.3: Elastic Path's authentication docs show only the title and the status
  TokenRequestInvalid: {
    status: 400,
    title: 'Bad Request',
    detail: 'Send grant_type (implicit or client_credentials) and client_id, and client_secret for client_credentials',
  },
  WrongMemberCredentials: { status: 401, title: 'Unauthorized', detail: 'The username, password or password profile is wrong' },
  SwitchNeedsAccountToken: {
    status: 401,
    title: 'Unauthorized',
    detail: 'Switching account needs a valid EP-Account-Management-Authentication-Token',
  },
  WrongCustomerCredentials: { status: 401, title: 'Unauthorized', detail: 'The email or password is wrong' },

  // Stub control (the /__stub/ API and the Prefer header)
  InvalidAdminToken: {
    status: 401,
    title: 'Unauthorized',
    detail: 'The control API needs the admin token: Authorization: Bearer <token>',
  },
  EmptyState: {
    status: 400,
    title: 'Bad Request',
    detail: 'The body is empty but has a Content-Type: send a state, or no body at all to reset to the fixtures',
  },
  InvalidStubInput: { status: 400, title: 'Bad Request', detail: 'The state or fault given to the stub fails its checks' },
  ClockOutOfRange: {
    status: 400,
    title: 'Bad Request',
    detail: 'The clock may not move past 9990-01-01T00:00:00Z: later timestamps do not fit RFC 3339',
  },
  NoPreferredExample: {
    status: 400,
    title: 'Bad Request',
    detail: 'The Prefer header asks for a response the document has no example of',
  },

  // The data file (--data)
  DataFileFull: {
    status: 507,
    title: 'Insufficient Storage',
    detail: 'The disk holding the data file is full, so nothing was changed',
  },
  DataFileUnwritable: {
    status: 503,
    title: 'Service Unavailable',
    detail: 'The data file cannot be written, so nothing was changed',
  },

  // The Redis or Valkey server (--redis)
  StateStoreUnavailable: {
    status: 503,
    title: 'Service Unavailable',
    detail: 'The state store (Redis) cannot be reached, so nothing was read or changed; the stub reconnects by itself',
  },

  // Transport
  RouteNotFound: { status: 404, title: 'Not Found', detail: 'No such route' },
  NotImplemented: {
    status: 501,
    title: 'Not Implemented',
    detail:
      'Elastic Path has this route, the stub does not: it covers tokens, carts and their account and customer ' +
      'associations (docs/behaviour.md, "What the stub covers")',
  },
  UnsupportedMediaType: {
    status: 415,
    title: 'Unsupported Media Type',
    detail: 'Send the body as application/json (or form-encoded where the contract allows it)',
  },
  PayloadTooLarge: { status: 413, title: 'Payload Too Large', detail: 'The request body is larger than the stub accepts' },
  RequestTimeout: { status: 408, title: 'Request Timeout', detail: 'The request was not received in time; the connection is closed' },
  HeadersTooLarge: {
    status: 431,
    title: 'Request Header Fields Too Large',
    detail: 'The request line and headers are larger than the stub accepts',
  },
  TooManyRequests: { status: 429, title: 'Too Many Requests', detail: 'Too many requests from this address; try again later' },
  BadRequest: { status: 400, title: 'Bad Request', detail: 'The request could not be understood' },
  Internal: { status: 500, title: 'Internal Server Error', detail: 'The stub failed unexpectedly; this is a bug in the stub' },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorName = keyof typeof catalogue;

/** An answer that is an error, thrown or returned by any layer and shaped in one place. */
export class StubError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly source: string | undefined;

  /** The row that decided this answer, where the thrower knows it (domain/rules.ts finds the rest). */
  readonly rule: RuleId | undefined;
  /** For a validation failure, the JSON Schema keyword that failed. */
  readonly keyword: string | undefined;

  constructor(
    override readonly name: ErrorName,
    overrides: { detail?: string; source?: string; rule?: RuleId; keyword?: string } = {},
  ) {
    const entry: ErrorEntry = catalogue[name];
    // An error answer is the stub working as it should, not a fault to trace back: capturing the stack
    // (ten frames, thrown from inside Fastify's hooks) cost about 7 µs of every error answer, measured alone.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${entry.title}: ${overrides.detail ?? entry.detail}`);
    Error.stackTraceLimit = stackTraceLimit;
    this.status = entry.status;
    this.title = entry.title;
    this.detail = overrides.detail ?? entry.detail;
    this.source = overrides.source;
    this.rule = overrides.rule;
    this.keyword = overrides.keyword;
  }
}

/** One thing wrong with input to the stub itself (a state, a fixture file, a fault): where, and what. */
export interface Problem {
  /** Where, as sources are written: `carts[2].account_ids[0]`; absent for the whole value. */
  source?: string;
  /** The problem in words, starting with where it is: `carts[2].account_ids[0] names no account: …`. */
  detail: string;
}

/**
 * A state or fault given to the stub, over HTTP or from code, that fails its one check: every problem at
 * once, so that one run lists them all. Over HTTP each problem is one error of the body.
 */
export class InvalidStubInput extends StubError {
  constructor(readonly problems: readonly Problem[]) {
    super('InvalidStubInput', { detail: problems.map((problem) => problem.detail).join('; ') });
  }
}

export function isErrorName(name: unknown): name is ErrorName {
  return typeof name === 'string' && Object.hasOwn(catalogue, name);
}
