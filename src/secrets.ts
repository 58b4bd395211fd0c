/**
 * What counts as a secret, once for the whole stub: the request journal masks these when it is read, and a
 * recording (src/recording/masking.ts) replaces them with placeholders before it writes them.
 */
import { ACCOUNT_TOKEN_HEADER, CUSTOMER_TOKEN_HEADER } from './auth/authenticate.js';

/** Header names, lower-case. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', ACCOUNT_TOKEN_HEADER, CUSTOMER_TOKEN_HEADER]);

/** Body members that hold a credential, wherever they are (JSON and form-encoded bodies). */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['client_secret', 'password']);

/** Members of the token answers that hold the token issued. */
export const TOKEN_FIELDS: ReadonlySet<string> = new Set(['access_token', 'token']);

/** The operations that answer tokens. */
export const TOKEN_PATHS: ReadonlySet<string> = new Set(['/oauth/access_token', '/v2/account-members/tokens', '/v2/customers/tokens']);

/** `value` with the members named in `secrets` (any case) masked, wherever they are. */
export function masked(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => masked(item, secrets));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, secrets.has(key.toLowerCase()) ? '*****' : masked(item, secrets)]));
}
