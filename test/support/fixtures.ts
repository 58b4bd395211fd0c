/** Ids and pinned tokens of fixtures/default.json, for tests. */
export const ids = {
  acme: 'a0000000-0000-4000-8000-000000000001',
  globex: 'b0000000-0000-4000-8000-000000000002',
  initech: 'c0000000-0000-4000-8000-000000000003',
  alice: 'a1000000-0000-4000-8000-0000000000a1',
  bob: 'b1000000-0000-4000-8000-0000000000b1',
  carol: 'c1000000-0000-4000-8000-0000000000c1',
  dave: 'd1000000-0000-4000-8000-0000000000d1',
  passwordProfile: '9f1b5c3e-0000-4000-8000-0000000000f1',
  /** The demo back end's client_secret (client demo-backend); in sandbox mode, every visitor's client's too. */
  backendSecret: 'demo-backend-secret',
} as const;

/** Pinned tokens from fixtures/default.json. */
export const auth = {
  cc: { authorization: 'Bearer demo-client-credentials-token' },
  implicit: { authorization: 'Bearer demo-implicit-token' },
  aliceAcme: { 'ep-account-management-authentication-token': 'demo-alice-acme-token' },
  aliceGlobex: { 'ep-account-management-authentication-token': 'demo-alice-globex-token' },
  bobGlobex: { 'ep-account-management-authentication-token': 'demo-bob-globex-token' },
  carol: { 'x-moltin-customer-token': 'demo-carol-token' },
  dave: { 'x-moltin-customer-token': 'demo-dave-token' },
} as const;
