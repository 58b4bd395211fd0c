/**
 * What the bench asks the stub: the association POST and its body, tokens from the stub's own token
 * endpoint, and the readiness probe every server is started and cold-started against.
 */

export const ACME = 'a0000000-0000-4000-8000-000000000001';
export const PINNED_CLIENT_CREDENTIALS = 'Bearer demo-client-credentials-token';
export const ASSOCIATION_BODY = JSON.stringify({ data: [{ type: 'account', id: ACME }] });
export const associationPath = (cartId: string) => `/v2/carts/${cartId}/relationships/accounts`;

export function jsonHeaders(authorization: string): Record<string, string> {
  return { authorization, 'content-type': 'application/json' };
}

/** A real token from the stub's token endpoint, so the load exercises JWT verification and its cache. */
export async function issueToken(url: string, grant: 'client_credentials' | 'implicit'): Promise<string> {
  const form =
    grant === 'implicit'
      ? 'grant_type=implicit&client_id=demo-storefront'
      : 'grant_type=client_credentials&client_id=demo-backend&client_secret=demo-backend-secret';
  const response = await fetch(`${url}/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
  return `Bearer ${((await response.json()) as { access_token: string }).access_token}`;
}

/** Acme's carts, as its shopper lists them (one page of one; the total is in `meta`). */
export async function countAcmeCarts(url: string): Promise<number> {
  const response = await fetch(`${url}/v2/carts?page[limit]=1`, {
    headers: { authorization: 'Bearer demo-implicit-token', 'ep-account-management-authentication-token': 'demo-alice-acme-token' },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 200) throw new Error(`GET /v2/carts answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { meta: { results: { total: number } } }).meta.results.total;
}

/** The cold-start and readiness probe: the association POST with the pinned client-credentials token. */
export async function associationProbe(url: string): Promise<boolean> {
  const response = await fetch(`${url}${associationPath('demo-cart-empty')}`, {
    method: 'POST',
    headers: jsonHeaders(PINNED_CLIENT_CREDENTIALS),
    body: ASSOCIATION_BODY,
    signal: AbortSignal.timeout(5_000),
  });
  await response.arrayBuffer();
  return response.status >= 200 && response.status < 300;
}
