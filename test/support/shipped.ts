/** The shipped command, as test/global-setup.ts packed and installed it for this run. */
import { inject } from 'vitest';

export const SHIPPED = inject('shippedPackage');

/** The installed `ep-cart-stub`, as a command and its leading arguments. */
export const SHIPPED_CLI = { command: SHIPPED.bin, args: [] as string[] };
