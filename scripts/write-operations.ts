/** `npm run operations`: writes src/operations.ts, the operations' types, from the document and the rule catalogue. */
import { writeFileSync } from 'node:fs';
import { loadContract } from '../src/contract/document.js';
import { OPERATION_TYPES_PATH, operationTypes } from '../src/contract/operation-types.js';

writeFileSync(OPERATION_TYPES_PATH, operationTypes(await loadContract()));
