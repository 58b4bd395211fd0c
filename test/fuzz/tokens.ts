/**
 * Tokens for generated requests, described as plain data (so fast-check can print and shrink them) and
 * minted only when a request is sent, against the stub's clock: real pinned and issued tokens, so that
 * requests reach the rules, and the attacks on them: expired, signed with another secret, `alg: none`,
 * a payload changed under a kept signature, a token of the wrong kind, and garbage.
 */
import fc from 'fast-check';
import { TokenService } from '../../src/auth/tokens.js';
import { StubClock } from '../../src/clock.js';
import type { Grant } from '../../src/domain/model.js';
import type { App } from '../../src/http/app.js';
import { ids } from '../support/fixtures.js';

export type Identity =
  | { typ: 'access'; client: string; grant: Grant }
  | { typ: 'account'; client: string; member: string; account: string }
  | { typ: 'customer'; client: string; customer: string };

export type TokenSpec =
  | { form: 'pinned'; token: string }
  | { form: 'valid' | 'expired' | 'other-secret' | 'alg-none' | 'tampered'; identity: Identity; tamper?: Partial<Record<string, string>> }
  | { form: 'garbage'; text: string };

const CLIENTS = ['demo-storefront', 'demo-backend'] as const;
/** Members and the accounts they belong to, as in fixtures/default.json. */
export const MEMBERSHIPS = [
  { member: ids.alice, account: ids.acme },
  { member: ids.alice, account: ids.globex },
  { member: ids.bob, account: ids.globex },
] as const;
export const ACCOUNTS = [ids.acme, ids.globex, ids.initech] as const;
export const CUSTOMERS = [ids.carol, ids.dave] as const;

const client = fc.constantFrom(...CLIENTS);
export const accessIdentity: fc.Arbitrary<Identity> = fc.record({
  typ: fc.constant('access' as const),
  client,
  grant: fc.constantFrom<Grant>('implicit', 'client_credentials'),
});
export const accountIdentity: fc.Arbitrary<Identity> = fc
  .tuple(client, fc.constantFrom(...MEMBERSHIPS))
  .map(([c, { member, account }]) => ({ typ: 'account' as const, client: c, member, account }));
export const customerIdentity: fc.Arbitrary<Identity> = fc
  .tuple(client, fc.constantFrom(...CUSTOMERS))
  .map(([c, customer]) => ({ typ: 'customer' as const, client: c, customer }));

/** Claims an attacker would change under a kept signature. */
const tamper = fc.oneof(
  fc.constant({ grant: 'client_credentials' }),
  fc.record({ sub: fc.constantFrom(ids.alice, ids.bob, ids.carol, ids.dave) }),
  fc.record({ scope: fc.constantFrom(...ACCOUNTS) }),
  fc.record({ typ: fc.constantFrom('access', 'account', 'customer') }),
  fc.record({ cid: fc.constantFrom('demo-backend', 'someone-else') }),
);

const garbage = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme-ascii' }),
  fc.constantFrom('null', 'undefined', '[object Object]', 'eyJhbGciOiJIUzI1NiJ9.e30.', '...', 'a.b.c', '__proto__', 'constructor'),
  fc.integer({ min: 1, max: 8000 }).map((n) => 'A'.repeat(n)),
);

/** A token of this kind: mostly real ones, so that requests get past authentication. */
export function tokenSpec(identity: fc.Arbitrary<Identity>, pinned: readonly string[]): fc.Arbitrary<TokenSpec> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...pinned).map((token) => ({ form: 'pinned' as const, token })) },
    { weight: 8, arbitrary: identity.map((i) => ({ form: 'valid' as const, identity: i })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('expired' as const, 'other-secret' as const, 'alg-none' as const), identity)
        .map(([form, i]) => ({ form, identity: i })),
    },
    { weight: 1, arbitrary: fc.tuple(identity, tamper).map(([i, t]) => ({ form: 'tampered' as const, identity: i, tamper: t })) },
    { weight: 1, arbitrary: garbage.map((text) => ({ form: 'garbage' as const, text })) },
  );
}

export const PINNED_ACCESS = ['demo-client-credentials-token', 'demo-implicit-token'] as const;
export const PINNED_ACCOUNT = ['demo-alice-acme-token', 'demo-alice-globex-token', 'demo-bob-globex-token'] as const;
export const PINNED_CUSTOMER = ['demo-carol-token', 'demo-dave-token'] as const;
const PINNED: Record<Identity['typ'], readonly string[]> = { access: PINNED_ACCESS, account: PINNED_ACCOUNT, customer: PINNED_CUSTOMER };

export const bearerSpec = tokenSpec(accessIdentity, PINNED_ACCESS);
/** A shopper header may carry any kind of token: an access token there is an attack too. */
export const accountTokenSpec = fc.oneof(
  { weight: 6, arbitrary: tokenSpec(accountIdentity, PINNED_ACCOUNT) },
  { weight: 1, arbitrary: tokenSpec(fc.oneof(accessIdentity, customerIdentity), [...PINNED_ACCESS, ...PINNED_CUSTOMER]) },
);
export const customerTokenSpec = fc.oneof(
  { weight: 6, arbitrary: tokenSpec(customerIdentity, PINNED_CUSTOMER) },
  { weight: 1, arbitrary: tokenSpec(fc.oneof(accessIdentity, accountIdentity), [...PINNED_ACCESS, ...PINNED_ACCOUNT]) },
);

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Turns token descriptions into tokens for one stub, signed (or not) as the description says. */
export class TokenMint {
  private readonly past: TokenService;
  private readonly foreign: TokenService;

  constructor(private readonly app: App, secret: string) {
    // Two days behind the stub's clock: past any token's lifetime.
    const past = { now: () => app.clock.now() - 2 * 24 * 3600 * 1000 } as StubClock;
    this.past = new TokenService(past, () => undefined, secret);
    this.foreign = new TokenService(app.clock, () => undefined, `${secret}-but-another`);
  }

  /** The token, and whether the stub must refuse it in this header: forged, expired, or of another kind. */
  mint(spec: TokenSpec, slot: Identity['typ']): { token: string; forged: boolean } {
    switch (spec.form) {
      case 'pinned':
        return { token: spec.token, forged: !PINNED[slot].includes(spec.token) };
      case 'valid':
        return { token: this.token(spec), forged: spec.identity.typ !== slot };
      case 'tampered': {
        // A change that leaves every claim as it was leaves a valid token.
        const { token, changed } = this.tampered(spec.identity, spec.tamper ?? {});
        return { token, forged: changed || spec.identity.typ !== slot };
      }
      default:
        return { token: this.token(spec), forged: true };
    }
  }

  token(spec: TokenSpec): string {
    switch (spec.form) {
      case 'pinned':
        return spec.token;
      case 'garbage':
        return spec.text;
      case 'valid':
        return issue(this.app.tokens, spec.identity);
      case 'other-secret':
        return issue(this.foreign, spec.identity);
      case 'expired':
        return issue(this.past, spec.identity);
      case 'alg-none': {
        const [, payload] = issue(this.app.tokens, spec.identity).split('.');
        return `${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`;
      }
      case 'tampered':
        return this.tampered(spec.identity, spec.tamper ?? {}).token;
    }
  }

  /** A token issued for `identity` whose payload is then changed; its signature is the original's. */
  private tampered(identity: Identity, tamper: Partial<Record<string, string>>): { token: string; changed: boolean } {
    const [header, payload, signature] = issue(this.app.tokens, identity).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const changed = Object.entries(tamper).some(([claim, value]) => claims[claim] !== value);
    return { token: changed ? `${header}.${base64url({ ...claims, ...tamper })}.${signature}` : `${header}.${payload}.${signature}`, changed };
  }
}

function issue(tokens: TokenService, identity: Identity): string {
  switch (identity.typ) {
    case 'access':
      return tokens.issueAccess(identity.client, identity.grant).token;
    case 'account':
      return tokens.issueAccount(identity.client, identity.member, identity.account).token;
    case 'customer':
      return tokens.issueCustomer(identity.client, identity.customer).token;
  }
}
