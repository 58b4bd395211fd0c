/** What the CLI tells a person at start: where to point a client, where state lives, what to log in with. */
import { styleText } from 'node:util';
import { PROGRAM, VERSION, type Config } from './config.js';
import type { PinnedToken } from './domain/model.js';
import { redacted } from './store/redis-keys.js';
import type { Store } from './store/store.js';

/** The pages the banner names; docs/ ships in the package, so the paths hold in a clone and in node_modules alike. */
export const RUNNING_PAGE = 'docs/running.md';
export const CONTROL_PAGE = 'docs/control-api.md';

export interface StartFacts {
  /** Where a client on this machine reaches the stub (a wildcard host becomes 127.0.0.1). */
  url: string;
  docsUrl: string;
  /** Where state lives, in words. */
  state: string;
  fixtures: string;
  /** Sandbox mode in words, or undefined when it is off. */
  sandbox: string | undefined;
  /** Which browser origins may call the stub, in words. */
  cors: string;
  listeningOnEveryInterface: boolean;
}

export function startFacts(listeningUrl: string, config: Config): StartFacts {
  const url = new URL(listeningUrl);
  const wildcard = url.hostname === '0.0.0.0' || url.hostname === '[::]';
  if (wildcard) url.hostname = '127.0.0.1';
  const origin = url.origin;
  return {
    url: origin,
    docsUrl: `${origin}/docs`,
    state: config.redis
      ? `Redis ${redacted(config.redis)}, keys ${config.redisPrefix}* (shared by every instance given it)`
      : config.data
        ? `file ${config.data}`
        : 'in memory (gone when the stub stops)',
    fixtures: config.fixtures ? config.fixtures : 'bundled demo data (fixtures/default.json)',
    sandbox: config.sandbox ? 'on: each client id works in a sandbox of its own' : undefined,
    cors: config.corsOrigins.length === 0 || config.corsOrigins.includes('*') ? 'any origin' : config.corsOrigins.join(', '),
    listeningOnEveryInterface: wildcard,
  };
}

type Style = (format: Parameters<typeof styleText>[0], text: string) => string;
const plain: Style = (_format, text) => text;
export const colored: Style = (format, text) => styleText(format, text);

/** The banner printed on a terminal; the demo credentials are read from the store the stub loaded. */
export function banner(facts: StartFacts, store: Store, style: Style = plain): string {
  const { directory } = store;
  const label = (text: string) => style('dim', text.padEnd(10));
  const lines = [
    '',
    `  ${style('bold', PROGRAM)} ${VERSION} ${style('green', 'is ready')}`,
    '',
    `  ${label('URL')}${style('cyan', facts.url)}${facts.listeningOnEveryInterface ? style('dim', '  (listening on every interface)') : ''}`,
    `  ${label('Docs')}${style('cyan', facts.docsUrl)}`,
    `  ${label('State')}${facts.state}`,
    `  ${label('Fixtures')}${facts.fixtures}`,
    ...(facts.sandbox ? [`  ${label('Sandbox')}${facts.sandbox}`] : []),
    `  ${label('CORS')}${facts.cors}`,
  ];

  const clients = [...directory.clients.values()];
  if (clients.length > 0) {
    lines.push('', `  ${style('bold', 'Demo credentials')}`);
    for (const client of clients) {
      const secret = client.client_secret ? `client_secret ${style('yellow', client.client_secret)}` : 'implicit only';
      lines.push(`  ${label('client')}client_id ${style('yellow', client.client_id)}  ${secret}`);
    }
    const members = [...directory.members.values()].map((member) => `${member.username} / ${member.password}`);
    if (members.length > 0) lines.push(`  ${label('member')}${members.join(', ')}`);
    const customers = [...directory.customers.values()].map((customer) => `${customer.email} / ${customer.password}`);
    if (customers.length > 0) lines.push(`  ${label('customer')}${customers.join(', ')}`);
  }

  const pinned = [...directory.pinnedTokens.values()];
  if (pinned.length > 0) {
    lines.push('', `  ${style('bold', 'Pinned tokens')} ${style('dim', '(never expire)')}`);
    const width = Math.max(...pinned.map((token) => token.token.length)) + 2;
    for (const token of pinned) lines.push(`  ${style('yellow', token.token.padEnd(width))}${style('dim', actsAs(token, store))}`);
  }

  const tryIt = curlLine(facts.url, store);
  if (tryIt) lines.push('', `  ${style('bold', 'Try it')} ${style('dim', '(associate an account with a cart: 200, then 204)')}`, `  ${tryIt}`);
  lines.push(
    '',
    style('dim', `  Ctrl-C stops the stub. --help lists every flag (npx ${PROGRAM} --help; in a clone, npm start -- --help).`),
    style('dim', `  Flags, state and fixtures in full: ${RUNNING_PAGE}; the control API: ${CONTROL_PAGE}.`),
    '',
  );
  return lines.join('\n');
}

function actsAs(token: PinnedToken, store: Store): string {
  const { directory } = store;
  switch (token.kind) {
    case 'access':
      return `Authorization: Bearer, ${token.grant}, client ${token.client_id}`;
    case 'account': {
      const member = directory.members.get(token.member_id)?.username ?? token.member_id;
      const account = directory.accounts.get(token.account_id)?.name ?? token.account_id;
      return `EP-Account-Management-Authentication-Token, ${member} on ${account}`;
    }
    case 'customer':
      return `X-Moltin-Customer-Token, ${directory.customers.get(token.customer_id)?.email ?? token.customer_id}`;
  }
}

/** A ready-to-paste association, when the fixtures have a client-credentials token, a free cart and an account. */
export function curlLine(url: string, store: Store): string | undefined {
  const token = [...store.directory.pinnedTokens.values()].find((t) => t.kind === 'access' && t.grant === 'client_credentials');
  const cart = store
    .snapshot()
    .carts.find((c) => c.account_ids.length === 0 && c.customer_ids.length === 0 && !c.contact?.email);
  const account = store.directory.accounts.values().next().value;
  if (!token || !cart || !account) return undefined;
  const body = JSON.stringify({ data: [{ type: 'account', id: account.id }] });
  return (
    `curl -i -X POST ${url}/v2/carts/${cart.id}/relationships/accounts ` +
    `-H 'Authorization: Bearer ${token.token}' -H 'Content-Type: application/json' -d '${body}'`
  );
}
