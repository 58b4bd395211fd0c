/** Where the Redis store keeps the state: the server, named without its password, and every key under one prefix, so that stubs can share a server. */
export const DEFAULT_REDIS_PREFIX = 'ep-cart-stub:';

export interface RedisKeys {
  /** Made anew by every seed and replace: an instance holding another id reloads. */
  stateId: string;
  /** The number of the latest change; never goes back, across replaces too. */
  seq: string;
  /** A hash: each cart's JSON by its id. */
  carts: string;
  /** The accounts, customers, clients and pinned tokens, as one JSON document. */
  directory: string;
  /** A list of the latest changes, oldest first, for instances to catch up from. */
  changes: string;
  clock: string;
  tokenSecret: string;
  /** Sandbox mode: a sorted set of the sandboxes alive, each by its client id, scored by its last use. */
  sandboxes: string;
}

/** The keys of one visitor's sandbox: a state of its own under the stub's prefix, sharing the stub's list of sandboxes. */
export function sandboxKeys(prefix: string, clientId: string): RedisKeys {
  return { ...redisKeys(`${prefix}sandbox:${clientId}:`), sandboxes: redisKeys(prefix).sandboxes };
}

export function redisKeys(prefix: string): RedisKeys {
  const key = (name: string) => `${prefix}${name}`;
  return {
    sandboxes: key('sandboxes'),
    stateId: key('state-id'),
    seq: key('seq'),
    carts: key('carts'),
    directory: key('directory'),
    changes: key('changes'),
    clock: key('clock'),
    tokenSecret: key('token-secret'),
  };
}

/** The URL without its password, for messages and logs. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
