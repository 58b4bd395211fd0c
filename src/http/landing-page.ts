/** The page at `/`: what this is, where the console is, the demo credentials and a curl walk-through. */
import type { StubData } from '../domain/model.js';
import type { SandboxLimits } from '../sandbox/sandboxes.js';

export interface LandingPageFacts {
  /** Scheme and host the visitor called. */
  baseUrl: string;
  /** The demo data: the fixtures (every sandbox's seed, in sandbox mode). */
  data: Omit<StubData, 'carts'>;
  /** Undefined outside sandbox mode. */
  sandbox: SandboxLimits | undefined;
  /** Makes this view's client id and cart id its own, so that copied commands do not collide. */
  nonce: string;
}

export function landingPage({ baseUrl, data, sandbox, nonce }: LandingPageFacts): string {
  const confidential = data.clients.find((client) => client.client_secret !== undefined);
  const clientId = sandbox ? `visitor-${nonce}` : (confidential?.client_id ?? '');
  const [first, second] = data.accounts;
  const accountName = (id: string) => data.accounts.find((account) => account.id === id)?.name ?? id;
  const curl = walkThrough(baseUrl, clientId, confidential?.client_secret ?? '', `cart-${nonce}`, first?.id ?? '', second?.id ?? '');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ep-cart-stub</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  code, pre { font: 14px/1.4 ui-monospace, monospace; }
  pre { background: #f4f4f4; padding: 1rem; overflow-x: auto; }
  table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; }
</style>
</head>
<body>
<h1>ep-cart-stub</h1>
<p>A stateful stub of Elastic Path Commerce Cloud's <strong>cart-association API</strong>, with the access tokens,
shopper tokens and carts a storefront needs around it. It answers like the real service: a first association 200,
the same again 204, a second account on a cart 403, and so on.</p>
<p><a href="/docs">Open the interactive console</a> · <a href="/openapi.json">openapi.json</a> ·
<a href="/openapi.yaml">openapi.yaml</a></p>
${sandbox ? sandboxNotice(sandbox) : '<p>This stub keeps one state for every caller.</p>'}
<h2>Demo credentials</h2>
<table>
<tr><th>client_id</th><th>client_secret</th></tr>
${rows(data.clients.map((client) => [client.client_id, client.client_secret ?? '(implicit only)']))}
${sandbox ? rows([['any other id, e.g. ' + clientId, `${confidential?.client_secret ?? '(implicit only)'} — your own sandbox`]]) : ''}
</table>
<p>Account members (<code>POST /v2/account-members/tokens</code>, password profile
<code>${escape(data.password_profiles[0]?.id ?? '')}</code>) and customers (<code>POST /v2/customers/tokens</code>):</p>
<table>
<tr><th>username / email</th><th>password</th><th>accounts</th></tr>
${rows(data.account_members.map((member) => [member.username, member.password, member.account_ids.map(accountName).join(', ')]))}
${rows(data.customers.map((customer) => [customer.email, customer.password, '(customer)']))}
</table>
<p>Tokens that never expire, to paste as they are:</p>
<table>
<tr><th>token</th><th>send it as</th></tr>
${rows(data.pinned_tokens.map((pinned) => [pinned.token, pinnedUse(pinned, accountName)]))}
</table>
<h2>Try it with curl</h2>
<pre>${escape(curl)}</pre>
</body>
</html>
`;
}

function sandboxNotice({ idleMs, maxCartsPerSandbox, rateLimitPerMinute }: SandboxLimits): string {
  return `<p><strong>Sandbox mode.</strong> Every client id has a sandbox of its own, a fresh copy of the demo data
below: pick a client id nobody else uses and what you do is yours alone. A sandbox is wiped after
${Math.round(idleMs / 60_000)} minutes without a request; it holds at most ${maxCartsPerSandbox} carts, and one address
may send ${rateLimitPerMinute} requests a minute. The pinned tokens below belong to the demo clients' sandboxes, which
everyone who uses them shares; the shopper tokens work in any sandbox.</p>`;
}

function pinnedUse(pinned: StubData['pinned_tokens'][number], accountName: (id: string) => string): string {
  switch (pinned.kind) {
    case 'access':
      return `Authorization: Bearer (${pinned.grant}, ${pinned.client_id})`;
    case 'account':
      return `EP-Account-Management-Authentication-Token (${accountName(pinned.account_id)})`;
    case 'customer':
      return 'X-Moltin-Customer-Token';
  }
}

function walkThrough(base: string, clientId: string, secret: string, cartId: string, account: string, otherAccount: string): string {
  const associate = (id: string) =>
    `curl -i -w '\\n' -X POST "$BASE/v2/carts/${cartId}/relationships/accounts" \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"data":[{"type":"account","id":"${id}"}]}'`;
  return `BASE=${base}
# 1. A client_credentials token
TOKEN=$(curl -s "$BASE/oauth/access_token" -d grant_type=client_credentials \\
  -d client_id=${clientId} -d client_secret=${secret} \\
  | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')

# 2. A cart: 201
curl -i -w '\\n' "$BASE/v2/carts" \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"data":{"id":"${cartId}","name":"My cart"}}'

# 3. Associate an account: 200
${associate(account)}

# 4. The same again: 204
${associate(account)}

# 5. A second account: 403 Cannot associate more than one account
${associate(otherAccount)}`;
}

function rows(cells: string[][]): string {
  return cells.map((row) => `<tr>${row.map((cell) => `<td><code>${escape(cell)}</code></td>`).join('')}</tr>`).join('\n');
}

/** The base URL comes from the Host header: everything shown is escaped. */
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
