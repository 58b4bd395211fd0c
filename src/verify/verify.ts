/**
 * Runs the behaviour scenarios against a target and says, for each, whether the target agrees. Safe on a
 * real store: it makes only its own carts (named with the run's id), deletes every one at the end (also after
 * a failure or an abort), touches no other cart, keeps to `concurrency` requests at a time and waits out
 * `429 Retry-After`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { behaviourRule, type Basis } from '../domain/rules.js';
import { RULE_HEADER } from '../http/trace.js';
import { SECRET_FIELDS, TOKEN_FIELDS, masked } from '../secrets.js';
import { secretsOf, VerifyConfigError, type VerifyConfig } from './config.js';
import { SCENARIOS, scenarioName, type Caller, type Scenario } from './scenarios.js';

export interface VerifyOptions {
  /** The base URL, e.g. `https://useast.api.elasticpath.com` or `http://127.0.0.1:4010`. */
  target: string;
  config: VerifyConfig;
  /** Scenario names or rule ids to run, `*` for any run of characters (`associations.*`); all when empty. */
  only?: readonly string[];
  /** Scenarios run at once, each one request at a time: at most this many requests in flight. Default 2. */
  concurrency?: number;
  /** Stops starting scenarios; what the run made is still deleted. */
  signal?: AbortSignal;
}

export type Verdict = 'agree' | 'differ' | 'skipped' | 'error';

export interface ScenarioResult {
  name: string;
  rule: string;
  basis: Basis;
  verdict: Verdict;
  /** `403 Cannot associate more than one account`, and the target's answer in the same words. */
  expected: string;
  observed: string;
  /** Why it differs, was skipped, or could not run. */
  reason?: string;
  /** The request (`POST /v2/carts/…/relationships/accounts` and its body) and the answer's body, secrets masked. */
  request: string;
  answer?: string;
  durationMs: number;
}

export interface VerifyReport {
  target: string;
  runId: string;
  results: ScenarioResult[];
  /** `37 agree, 2 differ (1 decision, 1 doc)`. */
  summary: string;
  /** Carts the run made and could not delete: they are left on the target. */
  leftBehind: string[];
}

const ACCOUNT_TOKEN = 'EP-Account-Management-Authentication-Token';
const CUSTOMER_TOKEN = 'X-Moltin-Customer-Token';
const NOT_A_TOKEN = 'not-a-token-of-this-store';
const RETRIES_ON_429 = 5;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

type Send = (method: string, path: string, headers: Record<string, string>, body?: string) => Promise<Answer>;
type Party = 'A' | 'B' | 'C' | 'D';

/** The run's view of the target: its tokens for each party, and what placeholders stand for. */
interface Session {
  runId: string;
  send: Send;
  bearer: { cc: string; implicit: string };
  shopperTokens: Record<Party, string>;
  values: Record<string, string>;
  /** Every cart the run made, to delete at the end. */
  made: Set<string>;
  mask(text: string): string;
}

export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const target = options.target.replace(/\/$/, '');
  const made = new Set<string>();
  const send: Send = async (method, path, headers, body) => {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${target}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      if (response.status === 429 && attempt < RETRIES_ON_429) {
        const seconds = Number(response.headers.get('retry-after') ?? 1);
        await new Promise((resolve) => setTimeout(resolve, Math.min(Number.isFinite(seconds) ? seconds : 1, 30) * 1000));
        continue;
      }
      const json = parseJson(text);
      // Every cart an answer shows as made is the run's.
      const data = (json as { data?: { type?: unknown; id?: unknown } } | undefined)?.data;
      if (response.ok && data?.type === 'cart' && typeof data.id === 'string') made.add(data.id);
      return { status: response.status, headers: response.headers, text, json };
    }
  };
  const session = await openSession(options.config, send, made);
  const scenarios = SCENARIOS.filter((scenario) => selected(scenario, options.only ?? []));
  const results: ScenarioResult[] = [];
  // A scenario that needs customer D without carts runs before any other could give D one.
  const first = scenarios.flatMap((scenario, index) => (scenario.setup?.customerDWithoutCarts ? [index] : []));
  const rest = scenarios.flatMap((scenario, index) => (scenario.setup?.customerDWithoutCarts ? [] : [index]));
  const worker = async () => {
    for (let index = rest.shift(); index !== undefined && !options.signal?.aborted; index = rest.shift()) {
      results[index] = await runScenario(scenarios[index]!, index, session);
    }
  };
  let leftBehind: string[] = [];
  try {
    for (const index of first) if (!options.signal?.aborted) results[index] = await runScenario(scenarios[index]!, index, session);
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  } finally {
    leftBehind = await deleteWhatWasMade(session);
  }
  const ran = results.filter(Boolean);
  return { target, runId: session.runId, results: ran, summary: summaryOf(ran), leftBehind };
}

/** The answer's body for a report: the tokens it issued and any credential masked, at most 2000 characters. */
function answerText(answer: Answer): string {
  const text = answer.json === undefined ? answer.text : JSON.stringify(masked(answer.json, ANSWER_SECRETS));
  return text.slice(0, 2000);
}
const ANSWER_SECRETS = new Set([...SECRET_FIELDS, ...TOKEN_FIELDS]);

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The tokens of every party, asked for once; a target that refuses the credentials stops the run. */
async function openSession(config: VerifyConfig, send: Send, made: Set<string>): Promise<Session> {
  const access = async (grant: 'client_credentials' | 'implicit') => {
    const fields: Record<string, string> =
      grant === 'implicit'
        ? { grant_type: grant, client_id: config.implicitClientId ?? config.clientId }
        : { grant_type: grant, client_id: config.clientId, client_secret: config.clientSecret };
    const answer = await send('POST', '/oauth/access_token', FORM, new URLSearchParams(fields).toString());
    if (answer.status === 401) throw new VerifyConfigError(`the target refused the client's ${grant} credentials (401): check clientId and clientSecret`);
    const token = (answer.json as { access_token?: unknown } | undefined)?.access_token;
    if (answer.status !== 200 || typeof token !== 'string') throw new VerifyConfigError(`the target gave no ${grant} token: it answered ${answer.status}`);
    return token;
  };
  const cc = await access('client_credentials');
  const implicit = await access('implicit');
  const asShopperClient = { authorization: `Bearer ${implicit}`, ...JSON_TYPE };
  const member = async (which: 0 | 1) => {
    const login = config.accounts[which];
    const body = { data: { type: 'account_management_authentication_token', authentication_mechanism: 'password', password_profile_id: login.passwordProfileId, username: login.username, password: login.password } };
    const answer = await send('POST', '/v2/account-members/tokens', asShopperClient, JSON.stringify(body));
    const issued = ((answer.json as { data?: { account_id: string; token: string }[] } | undefined)?.data ?? []).find((t) => login.id === undefined || t.account_id === login.id);
    if (answer.status !== 201 || !issued) throw new VerifyConfigError(`account member ${login.username} could not log in${login.id ? ` to account ${login.id}` : ''}: the target answered ${answer.status}`);
    return issued;
  };
  const customer = async (which: 0 | 1) => {
    const login = config.customers[which];
    const answer = await send('POST', '/v2/customers/tokens', asShopperClient, JSON.stringify({ data: { type: 'token', email: login.email, password: login.password } }));
    const issued = (answer.json as { data?: { customer_id: string; token: string } } | undefined)?.data;
    if (answer.status !== 200 || !issued) throw new VerifyConfigError(`customer ${login.email} could not log in: the target answered ${answer.status}`);
    return issued;
  };
  const [a, b, c, d] = [await member(0), await member(1), await customer(0), await customer(1)];
  if (a.account_id === b.account_id) throw new VerifyConfigError('the two accounts of the config are one: name two different accounts');
  const shopperTokens = { A: a.token, B: b.token, C: c.token, D: d.token };
  const secrets = [...secretsOf(config), cc, implicit, ...Object.values(shopperTokens)].filter((secret) => secret !== '');
  return {
    runId: `verify-${randomBytes(4).toString('hex')}`,
    send,
    bearer: { cc, implicit },
    shopperTokens,
    made,
    mask: (text) => secrets.reduce((masked, secret) => masked.split(secret).join('*****'), text),
    values: {
      accountA: a.account_id,
      accountB: b.account_id,
      customerC: c.customer_id,
      customerD: d.customer_id,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      implicitClientId: config.implicitClientId ?? config.clientId,
      'memberA.passwordProfileId': config.accounts[0].passwordProfileId,
      'memberA.username': config.accounts[0].username,
      'memberA.password': config.accounts[0].password,
      'customerC.email': config.customers[0].email,
      'customerC.password': config.customers[0].password,
    },
  };
}

function selected(scenario: Scenario, only: readonly string[]): boolean {
  if (only.length === 0) return true;
  const names = [scenario.rule, scenarioName(scenario)];
  return only.some((glob) => {
    const pattern = new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return names.some((name) => pattern.test(name));
  });
}

/** Placeholders in every string of `value`. */
function filled(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{([\w.]+)\}/g, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(value)) return value.map((item) => filled(item, values));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, filled(item, values)]));
}

function headersOf(caller: Caller, session: Session): Record<string, string> {
  const headers: Record<string, string> = {};
  if (caller.bearer !== 'none') headers.authorization = `Bearer ${session.bearer[caller.bearer]}`;
  if (caller.account) headers[ACCOUNT_TOKEN] = caller.account === 'garbage' ? NOT_A_TOKEN : session.shopperTokens[caller.account];
  if (caller.customer) headers[CUSTOMER_TOKEN] = caller.customer === 'garbage' ? NOT_A_TOKEN : session.shopperTokens[caller.customer];
  return headers;
}

const errorOf = (answer: Answer) => (answer.json as { errors?: { title?: string; source?: string; status?: unknown }[] } | undefined)?.errors?.[0];
const describe = (status: number, title: string | undefined) => (title ? `${status} ${title}` : String(status));

/** Why `actual` lacks what `expected` has, or undefined: objects by member, arrays item by item. */
function missing(expected: unknown, actual: unknown, at = 'body'): string | undefined {
  if (expected === null || typeof expected !== 'object') {
    return expected === actual ? undefined : `${at} is ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`;
  }
  if (typeof actual !== 'object' || actual === null || Array.isArray(expected) !== Array.isArray(actual)) return `${at} is ${JSON.stringify(actual)}`;
  for (const [key, value] of Object.entries(expected)) {
    const why = missing(value, (actual as Record<string, unknown>)[key], Array.isArray(expected) ? `${at}[${key}]` : `${at}.${key}`);
    if (why) return why;
  }
  return undefined;
}

async function runScenario(scenario: Scenario, index: number, session: Session): Promise<ScenarioResult> {
  const started = performance.now();
  const { basis } = behaviourRule(scenario.rule);
  const { expect: expected, request } = scenario;
  const cartName = `ep-cart-stub ${session.runId} ${scenarioName(scenario)}`;
  const freshId = `${session.runId}-${index}-fresh`;
  const values: Record<string, string> = { ...session.values, cartName, freshId, unknownId: randomUUID() };
  const base = { name: scenarioName(scenario), rule: scenario.rule, basis, expected: describe(expected.status, expected.title) };
  const admin = { authorization: `Bearer ${session.bearer.cc}` };
  const done = (verdict: Verdict, observed: string, reason: string | undefined, sent: string, answer?: Answer): ScenarioResult => ({
    ...base,
    verdict,
    observed,
    ...(reason ? { reason: session.mask(reason) } : {}),
    request: session.mask(sent),
    ...(answer ? { answer: session.mask(answerText(answer)) } : {}),
    durationMs: performance.now() - started,
  });

  // Set-up: the preconditions, the scenario's cart and its owners.
  const setup = scenario.setup ?? {};
  if (setup.customerDWithoutCarts) {
    const carts = await session.send('GET', '/v2/carts', { authorization: `Bearer ${session.bearer.implicit}`, [CUSTOMER_TOKEN]: session.shopperTokens.D });
    const total = (carts.json as { meta?: { results?: { total?: number } } } | undefined)?.meta?.results?.total;
    if (total !== 0) return done('skipped', '-', `needs customer ${values.customerD} to have no cart, and the target lists ${total ?? 'an unknown number of'}`, '');
  }
  if (setup.cart !== false) {
    const by = setup.cart?.by;
    const caller: Caller = by === undefined ? { bearer: 'cc' } : by === 'A' || by === 'B' ? { bearer: 'implicit', account: by } : { bearer: 'implicit', customer: by };
    const data = { name: cartName, ...(setup.cart?.ownId ? { id: `${session.runId}-${index}` } : {}), ...(setup.cart?.contactEmail ? { contact: { email: 'verify@example.com' } } : {}) };
    const created = await session.send('POST', '/v2/carts', { ...headersOf(caller, session), ...JSON_TYPE }, JSON.stringify({ data }));
    const id = (created.json as { data?: { id?: string } } | undefined)?.data?.id;
    if (created.status !== 201 || !id) return done('error', '-', `set-up: POST /v2/carts answered ${created.status}`, '', created);
    values.cart = id;
  }
  for (const party of setup.associate ?? []) {
    const kind = party === 'A' || party === 'B' ? 'account' : 'customer';
    const id = values[kind === 'account' ? `account${party}` : `customer${party}`]!;
    const answered = await session.send('POST', `/v2/carts/${values.cart}/relationships/${kind}s`, { ...admin, ...JSON_TYPE }, JSON.stringify({ data: [{ type: kind, id }] }));
    if (answered.status !== 200) return done('error', '-', `set-up: associating ${kind} ${id} answered ${answered.status}`, '', answered);
  }

  // The request, and its answer against what the rule says.
  if (request.path.includes('{freshId}')) session.made.add(freshId);
  const path = filled(request.path, values) as string;
  const body = request.raw ?? (request.form ? new URLSearchParams(filled(request.form, values) as Record<string, string>).toString() : request.json === undefined ? undefined : JSON.stringify(filled(request.json, values)));
  const type = request.form ? FORM : body === undefined ? {} : JSON_TYPE;
  const sent = `${request.method} ${path}${body === undefined ? '' : ` ${body}`}`;
  const answer = await session.send(request.method, path, { ...headersOf(request.as, session), ...request.headers, ...type }, body);
  const error = errorOf(answer);
  const observed = describe(answer.status, error?.title);
  const want = filled(expected, values) as typeof expected;
  const reasons: string[] = [];
  if (answer.status !== want.status) reasons.push(`status ${answer.status}, not ${want.status}`);
  else {
    if (want.title !== undefined && error?.title !== want.title) reasons.push(`title ${JSON.stringify(error?.title)}, not ${JSON.stringify(want.title)}`);
    if (want.source !== undefined && error?.source !== want.source) reasons.push(`source ${JSON.stringify(error?.source)}, not ${JSON.stringify(want.source)}`);
    if (want.errorStatus !== undefined && error?.status !== want.errorStatus) reasons.push(`errors[0].status ${JSON.stringify(error?.status)}, not ${JSON.stringify(want.errorStatus)}`);
    const why = want.body === undefined ? undefined : missing(want.body, answer.json);
    if (why) reasons.push(why);
    if (want.listsCart) {
      const listed = (answer.json as { data?: { id?: string }[] } | undefined)?.data?.some((cart) => cart.id === values.cart);
      if (!listed) reasons.push(`the list does not hold the cart ${values.cart}`);
    }
  }
  // A stub names the rule it answered by: it must be this one.
  const rule = answer.headers.get(RULE_HEADER);
  if (rule !== null && rule !== scenario.rule) reasons.push(`the stub answered by rule ${rule}`);

  // The state afterwards, where the rule is about state.
  if (reasons.length === 0 && scenario.after) {
    const cart = await session.send('GET', `/v2/carts/${values.cart}`, admin);
    const relationships = (cart.json as { data?: { relationships?: Record<string, { data?: { id: string }[] }> } } | undefined)?.data?.relationships ?? {};
    const owners = (kind: 'accounts' | 'customers') => (relationships[kind]?.data ?? []).map((item) => item.id).sort();
    for (const [kind, parties, prefix] of [['accounts', scenario.after.accounts, 'account'], ['customers', scenario.after.customers, 'customer']] as const) {
      if (parties === undefined) continue;
      const wanted = parties.map((party) => values[`${prefix}${party}`]!).sort();
      const actual = owners(kind);
      if (JSON.stringify(actual) !== JSON.stringify(wanted)) reasons.push(`afterwards the cart's ${kind} are ${JSON.stringify(actual)}, not ${JSON.stringify(wanted)}`);
    }
  }
  return done(reasons.length === 0 ? 'agree' : 'differ', observed, reasons.join('; ') || undefined, sent, answer);
}

/**
 * Deletes every cart the run made. A customer's last cart cannot be deleted (`carts.11`): its customers are
 * dissociated first. Answers the ids that are still there.
 */
async function deleteWhatWasMade(session: Session): Promise<string[]> {
  const admin = { authorization: `Bearer ${session.bearer.cc}` };
  const left: string[] = [];
  for (const id of session.made) {
    let deleted = await session.send('DELETE', `/v2/carts/${id}`, admin);
    if (deleted.status === 400) {
      const cart = await session.send('GET', `/v2/carts/${id}`, admin);
      const customers = (cart.json as { data?: { relationships?: { customers?: { data?: unknown[] } } } } | undefined)?.data?.relationships?.customers?.data ?? [];
      if (customers.length > 0) await session.send('DELETE', `/v2/carts/${id}/relationships/customers`, { ...admin, ...JSON_TYPE }, JSON.stringify({ data: customers }));
      deleted = await session.send('DELETE', `/v2/carts/${id}`, admin);
    }
    if (deleted.status !== 204 && deleted.status !== 404) left.push(id);
  }
  return left;
}

function summaryOf(results: readonly ScenarioResult[]): string {
  const count = (verdict: Verdict) => results.filter((result) => result.verdict === verdict);
  const differ = count('differ');
  const bases = (['decision', 'doc', 'evidence'] as const).map((basis) => [basis, differ.filter((result) => result.basis === basis).length] as const).filter(([, n]) => n > 0);
  const parts = [`${count('agree').length} agree`, `${differ.length} differ${bases.length ? ` (${bases.map(([basis, n]) => `${n} ${basis}`).join(', ')})` : ''}`];
  if (count('skipped').length) parts.push(`${count('skipped').length} skipped`);
  if (count('error').length) parts.push(`${count('error').length} could not run`);
  return parts.join(', ');
}
