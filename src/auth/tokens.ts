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

/** How many verified tokens are remembered; past that the oldest is forgotten (and verified again if used). */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Issues and verifies HS256 tokens. A token's signature is checked once and its claims remembered by the
 * token itself (fast-jwt's own cache would hash every token to find it, which cost more than the rest of
 * authentication); expiry is checked on every use against the stub's clock, which tests may move, and so is
 * `admits` (in sandbox mode: is the sandbox the token was issued in still there).
 */
export class TokenService {
  private readonly sign: (claims: Claims) => string;
  private readonly verifySignature: (token: string) => Claims;
  private readonly verified = new Map<string, Claims>();

  constructor(
    private readonly clock: StubClock,
    private readonly pinned: (token: string) => PinnedToken | undefined,
    secret: string = randomBytes(32).toString('hex'),
    private readonly admits: (clientId: string, issuedAt: number) => boolean = () => true,
  ) {
    this.sign = createSigner({ key: secret, algorithm: 'HS256' });
    this.verifySignature = createVerifier({
      key: secret,
      algorithms: ['HS256'],
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

  /**
   * The client a bearer token names, its signature checked and nothing else: in sandbox mode on a shared
   * server, which sandbox to catch up before the token is checked in full.
   */
  clientOf(token: string): string | undefined {
    const pinned = this.pinned(token);
    return pinned ? (pinned.kind === 'access' ? pinned.client_id : undefined) : this.verify(token)?.cid;
  }

  private issue(claims: Pick<Claims, 'typ' | 'cid' | 'grant' | 'sub' | 'scope'>, ttlSeconds: number): IssuedToken {
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = iat + ttlSeconds;
    return { token: this.sign({ ...claims, iat, exp, jti: randomUUID() }), expires: exp };
  }

  private claims(token: string, typ: Claims['typ']): Claims | undefined {
    const claims = this.verify(token);
    if (!claims) return undefined;
    const live = typeof claims.exp === 'number' && claims.exp * 1000 > this.clock.now();
    return claims.typ === typ && typeof claims.cid === 'string' && live && this.admits(claims.cid, claims.iat) ? claims : undefined;
  }

  /** The claims of a token this stub signed, whatever its expiry; undefined for anything else. */
  private verify(token: string): Claims | undefined {
    const known = this.verified.get(token);
    if (known) return known;
    let claims: Claims;
    try {
      claims = this.verifySignature(token);
    } catch {
      return undefined;
    }
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }
}
