import { randomBytes, randomUUID } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import type { Grant, PinnedToken } from '../domain/model.js';
import type { StubClock } from '../clock.js';

export const ACCESS_TOKEN_TTL_S = 3600;
export const SHOPPER_TOKEN_TTL_S = 24 * 3600;

export interface AccessIdentity {
  clientId: string;
  grant: Grant;
}
/** The client a shopper token was issued under; undefined for a pinned token, which belongs to every sandbox. */
interface IssuedUnder {
  clientId: string | undefined;
}
export interface AccountIdentity extends IssuedUnder {
  memberId: string;
  accountId: string;
}
export interface CustomerIdentity extends IssuedUnder {
  customerId: string;
}
export interface IssuedToken {
  token: string;
  /** Epoch seconds. */
  expires: number;
}

/** The claims of every token this stub signs. BEHAVIOR.md: AT `sub` = member, `scope` = account; CT `sub` = customer. */
interface Claims {
  typ: 'access' | 'account' | 'customer';
  cid: string;
  grant?: Grant;
  sub?: string;
  scope?: string;
  iat: number;
  exp: number;
  jti: string;
}

/**
 * Issues and verifies HS256 tokens. Verified tokens are cached by fast-jwt, so a token's signature is
 * checked once; expiry is checked on every use against the stub's clock, which tests may move, and so is
 * `admits` (in sandbox mode: is the sandbox the token was issued in still there).
 */
export class TokenService {
  private readonly sign: (claims: Claims) => string;
  private readonly verify: (token: string) => Claims;

  constructor(
    private readonly clock: StubClock,
    private readonly pinned: (token: string) => PinnedToken | undefined,
    secret: string = randomBytes(32).toString('hex'),
    private readonly admits: (clientId: string, issuedAt: number) => boolean = () => true,
  ) {
    this.sign = createSigner({ key: secret, algorithm: 'HS256' });
    this.verify = createVerifier({
      key: secret,
      algorithms: ['HS256'],
      cache: 10_000,
      ignoreExpiration: true,
      ignoreNotBefore: true,
    });
  }

  issueAccess(clientId: string, grant: Grant): IssuedToken {
    return this.issue({ typ: 'access', cid: clientId, grant }, ACCESS_TOKEN_TTL_S);
  }

  issueAccount(clientId: string, memberId: string, accountId: string): IssuedToken {
    return this.issue({ typ: 'account', cid: clientId, sub: memberId, scope: accountId }, SHOPPER_TOKEN_TTL_S);
  }

  issueCustomer(clientId: string, customerId: string): IssuedToken {
    return this.issue({ typ: 'customer', cid: clientId, sub: customerId }, SHOPPER_TOKEN_TTL_S);
  }

  access(token: string): AccessIdentity | undefined {
    const pinned = this.pinned(token);
    if (pinned) return pinned.kind === 'access' ? { clientId: pinned.client_id, grant: pinned.grant } : undefined;
    const claims = this.claims(token, 'access');
    return claims?.grant ? { clientId: claims.cid, grant: claims.grant } : undefined;
  }

  account(token: string): AccountIdentity | undefined {
    const pinned = this.pinned(token);
    if (pinned) {
      return pinned.kind === 'account' ? { memberId: pinned.member_id, accountId: pinned.account_id, clientId: undefined } : undefined;
    }
    const claims = this.claims(token, 'account');
    return claims?.sub && claims.scope ? { memberId: claims.sub, accountId: claims.scope, clientId: claims.cid } : undefined;
  }

  customer(token: string): CustomerIdentity | undefined {
    const pinned = this.pinned(token);
    if (pinned) return pinned.kind === 'customer' ? { customerId: pinned.customer_id, clientId: undefined } : undefined;
    const claims = this.claims(token, 'customer');
    return claims?.sub ? { customerId: claims.sub, clientId: claims.cid } : undefined;
  }

  private issue(claims: Pick<Claims, 'typ' | 'cid' | 'grant' | 'sub' | 'scope'>, ttlSeconds: number): IssuedToken {
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = iat + ttlSeconds;
    return { token: this.sign({ ...claims, iat, exp, jti: randomUUID() }), expires: exp };
  }

  private claims(token: string, typ: Claims['typ']): Claims | undefined {
    let claims: Claims;
    try {
      claims = this.verify(token);
    } catch (error) {
      // fast-jwt keeps the error in its cache (up to 10 000 of them). Until its stack is formatted, V8 keeps the
      // stack's frames, and with them the whole request that sent the token: format it, so only text is kept.
      void (error as Error).stack;
      return undefined;
    }
    const live = typeof claims.exp === 'number' && claims.exp * 1000 > this.clock.now();
    return claims.typ === typ && typeof claims.cid === 'string' && live && this.admits(claims.cid, claims.iat) ? claims : undefined;
  }
}
