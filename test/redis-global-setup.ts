/** Once per test project: a redis-server for the tests of the Redis store and, in the `redis` project, every test stub's state. */
import type { TestProject } from 'vitest/node';
import { RedisServer } from './support/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await RedisServer.start();
  project.provide('redisUrl', server.url);
  return () => server.stop();
}
