// What the storefront does when a shopper presses "Add to my company's carts".
export async function addCartToAccount(api: string, cartId: string, accountId: string, accountToken: string): Promise<'added' | 'already'> {
  const response = await fetch(`${api}/v2/carts/${cartId}/relationships/accounts`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer demo-implicit-token',
      'ep-account-management-authentication-token': accountToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ data: [{ type: 'account', id: accountId }] }),
  });
  if (response.status === 200) return 'added';
  if (response.status === 204) return 'already';
  throw new Error(`the association failed: ${response.status}`);
}
