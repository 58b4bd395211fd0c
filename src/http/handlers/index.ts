import type { OperationHandler } from '../operation.js';
import * as associations from './associations.js';
import * as carts from './carts.js';
import * as health from './health.js';
import * as tokens from './tokens.js';

/** Every handler, by the operationId it serves. */
export const handlers: Record<string, OperationHandler> = { ...tokens, ...carts, ...associations, ...health };
