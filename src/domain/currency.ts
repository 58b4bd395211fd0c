/** `X-MOLTIN-CURRENCY` (carts.24): the store has every ISO 4217 currency enabled, USD its default (a decision: the stub keeps no store settings). */
import { breaks } from './rules.js';

export const DEFAULT_CURRENCY = 'USD';

let known: ReadonlySet<string> | undefined;

export function displayCurrency(header: string | undefined): string {
  if (header === undefined) return DEFAULT_CURRENCY;
  const code = header.toUpperCase();
  known ??= new Set(Intl.supportedValuesOf('currency'));
  if (!known.has(code)) throw breaks('carts.24', 'UnknownCurrency', { detail: `X-MOLTIN-CURRENCY ${header} is not an ISO 4217 currency code`, source: 'x-moltin-currency' });
  return code;
}
