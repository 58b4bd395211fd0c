import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root, where openapi/ and fixtures/ sit beside src/ and dist/. This module is one level below
 * the root in src/ and dist/ alike, and so is the bundled CLI (dist/main.bundle.cjs), where every module's
 * `import.meta.url` is the bundle's: one depth for all three.
 */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const packageFile = (path: string): string => join(PACKAGE_ROOT, path);
