/**
 * What the scenarios need on a target: a client that may obtain both grants, two accounts with a member's
 * password credentials each, and two customers' logins. Secrets may be written as `{"env": "NAME"}` to come
 * from the environment; they are never printed.
 */
import { readFile } from 'node:fs/promises';
import type { StubData } from '../domain/model.js';

export interface MemberLogin {
  /** The account to act for; the member's first account when left out. */
  id?: string;
  passwordProfileId: string;
  username: string;
  password: string;
}

export interface CustomerLogin {
  email: string;
  password: string;
}

export interface VerifyConfig {
  clientId: string;
  clientSecret: string;
  /** The client implicit tokens are asked for; `clientId` when left out. */
  implicitClientId?: string;
  accounts: [MemberLogin, MemberLogin];
  customers: [CustomerLogin, CustomerLogin];
}

/** A config that cannot be used: the command says it and exits 2. */
export class VerifyConfigError extends Error {}

type Secret = string | { env: string };

/** Reads a config file, taking `{"env": …}` values from `env`; every problem is named with its place. */
export async function readVerifyConfig(path: string, env: NodeJS.ProcessEnv): Promise<VerifyConfig> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new VerifyConfigError(`cannot read the config ${path}: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  const text = (at: string, raw: unknown, secret = false): string => {
    const given = raw as Secret | undefined;
    if (secret && typeof given === 'object' && given !== null && typeof given.env === 'string') {
      const fromEnv = env[given.env];
      if (fromEnv === undefined || fromEnv === '') problems.push(`${at} names the environment variable ${given.env}, which is not set`);
      return fromEnv ?? '';
    }
    if (typeof given !== 'string' || given === '') problems.push(`${at} must be a string${secret ? ' or {"env": "NAME"}' : ''}`);
    return typeof given === 'string' ? given : '';
  };
  const config = (value ?? {}) as Record<string, unknown>;
  const list = (name: string) => {
    const items = config[name];
    if (!Array.isArray(items) || items.length < 2) problems.push(`${name} must list two`);
    return (Array.isArray(items) ? items : []) as Record<string, unknown>[];
  };
  const accounts = list('accounts').slice(0, 2).map((item, i) => ({
    ...(item.id === undefined ? {} : { id: text(`accounts[${i}].id`, item.id) }),
    passwordProfileId: text(`accounts[${i}].passwordProfileId`, item.passwordProfileId),
    username: text(`accounts[${i}].username`, item.username),
    password: text(`accounts[${i}].password`, item.password, true),
  }));
  const customers = list('customers').slice(0, 2).map((item, i) => ({
    email: text(`customers[${i}].email`, item.email),
    password: text(`customers[${i}].password`, item.password, true),
  }));
  const result = {
    clientId: text('clientId', config.clientId),
    clientSecret: text('clientSecret', config.clientSecret, true),
    ...(config.implicitClientId === undefined ? {} : { implicitClientId: text('implicitClientId', config.implicitClientId) }),
    accounts: accounts as VerifyConfig['accounts'],
    customers: customers as VerifyConfig['customers'],
  };
  if (problems.length > 0) throw new VerifyConfigError(`the config ${path} cannot be used: ${problems.join('; ')}`);
  return result;
}

/**
 * The config that fits a stub started with these fixtures (by default the bundled demo data): its
 * confidential client, two members of different accounts, and its first two customers.
 */
export function demoConfig(data: Pick<StubData, 'clients' | 'account_members' | 'customers'>): VerifyConfig {
  const confidential = data.clients.find((client) => client.client_secret !== undefined);
  const implicitOnly = data.clients.find((client) => client.client_secret === undefined);
  const [first] = data.account_members;
  const accountA = first?.account_ids[0];
  const second = data.account_members.find((member) => member !== first && member.account_ids.some((id) => id !== accountA));
  const [c, d] = data.customers;
  if (!confidential || !first || !accountA || !second || !c || !d) {
    throw new VerifyConfigError('the fixtures lack what verify needs: a client with a secret, two members of different accounts and two customers');
  }
  const login = (member: typeof first, id: string): MemberLogin => ({
    id,
    passwordProfileId: member.password_profile_id,
    username: member.username,
    password: member.password,
  });
  return {
    clientId: confidential.client_id,
    clientSecret: confidential.client_secret!,
    ...(implicitOnly ? { implicitClientId: implicitOnly.client_id } : {}),
    accounts: [login(first, accountA), login(second, second.account_ids.find((id) => id !== accountA)!)],
    customers: [
      { email: c.email, password: c.password },
      { email: d.email, password: d.password },
    ],
  };
}

/** Every secret of a config, to mask wherever a report could show it. */
export function secretsOf(config: VerifyConfig): string[] {
  return [config.clientSecret, ...config.accounts.map((a) => a.password), ...config.customers.map((c) => c.password)];
}
