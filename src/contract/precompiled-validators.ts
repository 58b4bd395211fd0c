import type { ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Validators compiled ahead of time, by `validatorKey`. Empty here, where every schema compiles on first use;
 * the bundled CLI has in its place the request validators of Elastic Path's operations (precompile.ts).
 */
export const PRECOMPILED: ReadonlyMap<string, ValidateFunction> = new Map();
