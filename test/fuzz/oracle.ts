/**
 * What every answer of the stub must be, whatever was asked, and what its state must be afterwards.
 * - never a 5xx (sandbox mode may answer its documented 503 `Sandbox limit reached`);
 * - an error is `{"errors":[{status,title,detail,…}]}`, `status` equal to the HTTP status (a string on the two
 *   token endpoints), and the status is one the operation documents or one docs/robustness.md lists for the transport;
 * - a success is valid against the operation's response schema;
 * - the store: no cart with two accounts, no association to an unknown account or customer, no id twice in a
 *   cart's lists, the recency indexes agree with the carts, and no prototype has gained a property.
 */
import type { Operation } from '../../src/contract/document.js';
import type { Owner } from '../../src/domain/model.js';
import type { Store } from '../../src/store/store.js';
import { ownContractViolation } from '../support/contract.js';

/** Answered by the transport whatever the operation: malformed JSON, body too large, unsupported media type. */
export const TRANSPORT_STATUSES = [400, 413, 415] as const;
/** Sandbox mode adds its rate limit and its sandbox cap (docs/deployment.md, "Sandbox mode"). Over a socket, 408 and 431 are added. */
export const SANDBOX_STATUSES = [429, 503] as const;
const CART_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface Answer {
  /** The operation the stub routed the request to; undefined when no route matched. */
  operation: Operation | undefined;
  /** The path the request was sent to, before any damage. */
  path: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Why this answer breaks the rules above, or undefined when it keeps them. */
export function answerViolation({ operation, path, status, contentType, body }: Answer, { sandbox = false, socket = false } = {}): string | undefined {
  if (status >= 500 && !(status === 501 && !operation) && !(sandbox && status === 503)) return `status ${status}: ${body.slice(0, 300)}`;
  const parsed = parse(body, contentType);
  if (status >= 400) {
    // With no route, the stub's 404 (or 501) under /oauth/ writes its status as a string, as the token endpoint
    // does; a request that never became one (408, 431) is answered before any path is known.
    const statusAsString = operation ? operation.errorStatusAsString : (status === 404 || status === 501) && path.startsWith('/oauth/');
    const shape = errorShapeViolation(parsed, status, statusAsString);
    if (shape) return `status ${status}: ${shape}`;
    const allowed = new Set<number>([...TRANSPORT_STATUSES, ...(sandbox ? SANDBOX_STATUSES : [])]);
    if (operation) {
      for (const code of Object.keys(operation.responses)) if (/^\d{3}$/.test(code)) allowed.add(Number(code));
    } else {
      // No route: 404, or 501 for a route Elastic Path has and the stub does not.
      allowed.add(404);
      allowed.add(501);
      // Over a socket, a request that never became one: not received in time, or headers too large.
      if (socket) [408, 431].forEach((code) => allowed.add(code));
    }
    if (!allowed.has(status)) return `status ${status} is neither documented for ${operation?.operationId ?? 'an unknown route'} nor a transport status`;
    if (operation && operation.responses[String(status)]) return ownContractViolation(operation.operationId, status, parsed.value);
    return undefined;
  }
  if (!operation) return `status ${status} from no operation`;
  if (body === '') return ownContractViolation(operation.operationId, status, undefined);
  if (!parsed.ok) return `${status} with a body that is not JSON: ${body.slice(0, 100)}`;
  return ownContractViolation(operation.operationId, status, parsed.value);
}

function parse(body: string, contentType: string | undefined): { ok: boolean; value: unknown } {
  if (!contentType?.includes('json') || body === '') return { ok: false, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, value: undefined };
  }
}

function errorShapeViolation(parsed: { ok: boolean; value: unknown }, status: number, statusAsString: boolean): string | undefined {
  if (!parsed.ok) return 'the error body is not JSON';
  const errors = (parsed.value as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return `no errors array: ${JSON.stringify(parsed.value).slice(0, 200)}`;
  const [first] = errors as Record<string, unknown>[];
  const expected = statusAsString ? String(status) : status;
  if (first?.status !== expected) return `errors[0].status is ${JSON.stringify(first?.status)}, not ${JSON.stringify(expected)}`;
  if (typeof first.title !== 'string' || first.title === '') return 'errors[0].title is not a non-empty string';
  if (typeof first.detail !== 'string') return 'errors[0].detail is not a string';
  return undefined;
}

const prototypes = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype };
const pristine = Object.fromEntries(Object.entries(prototypes).map(([name, proto]) => [name, Object.getOwnPropertyNames(proto).sort().join()]));

/** Every way the store (and the process's prototypes) break the invariants; empty when they hold. */
export function invariantViolations(store: Store): string[] {
  const problems: string[] = [];
  for (const [name, proto] of Object.entries(prototypes)) {
    if (Object.getOwnPropertyNames(proto).sort().join() !== pristine[name]) problems.push(`${name}.prototype has changed`);
  }
  if (({} as Record<string, unknown>).polluted !== undefined) problems.push('({}).polluted is defined');

  const state = store.snapshot();
  const accounts = new Set(state.accounts.map((a) => a.id));
  const customers = new Set(state.customers.map((c) => c.id));
  const owned = new Map<string, number>();
  const key = (owner: Owner) => `${owner.kind}:${owner.id}`;
  for (const cart of state.carts) {
    if (!CART_ID.test(cart.id)) problems.push(`cart id ${JSON.stringify(cart.id)} is not a safe id`);
    if (cart.account_ids.length > 1) problems.push(`cart ${cart.id} has ${cart.account_ids.length} accounts`);
    for (const [kind, list, known] of [['account', cart.account_ids, accounts], ['customer', cart.customer_ids, customers]] as const) {
      if (new Set(list).size !== list.length) problems.push(`cart ${cart.id} lists a ${kind} twice: ${list.join(', ')}`);
      for (const id of new Set(list)) {
        if (!known.has(id)) problems.push(`cart ${cart.id} is associated with the unknown ${kind} ${id}`);
        owned.set(key({ kind, id }), (owned.get(key({ kind, id })) ?? 0) + 1);
      }
    }
  }
  const everyCart = store.page({ owner: undefined, offset: 0, limit: Number.MAX_SAFE_INTEGER, updatedAfter: '' });
  if (everyCart.total !== state.carts.length) problems.push(`the recency index holds ${everyCart.total} carts, the store ${state.carts.length}`);
  const owners: Owner[] = [
    ...[...accounts].map((id) => ({ kind: 'account' as const, id })),
    ...[...customers].map((id) => ({ kind: 'customer' as const, id })),
  ];
  for (const owner of owners) {
    const { carts, total } = store.page({ owner, offset: 0, limit: Number.MAX_SAFE_INTEGER, updatedAfter: '' });
    const expected = owned.get(key(owner)) ?? 0;
    if (total !== expected || carts.length !== expected) problems.push(`${key(owner)} owns ${expected} carts, its index lists ${total}`);
    const listed = owner.kind === 'account' ? (c: (typeof carts)[number]) => c.account_ids : (c: (typeof carts)[number]) => c.customer_ids;
    for (const cart of carts) if (!listed(cart).includes(owner.id)) problems.push(`${key(owner)}'s index lists cart ${cart.id}, which it does not own`);
  }
  return problems;
}
