import type { OperationHandler } from '../operation.js';

/** Liveness: the process answers HTTP. */
export const getHealth: OperationHandler = () => ({ status: 200, body: { status: 'ok' } });

/** Readiness: the fixtures are loaded (the store exists only once they are) and the store takes changes. */
export const getReadiness: OperationHandler = ({ store }) => {
  const readiness = store.readiness();
  return readiness.ready
    ? { status: 200, body: { status: 'ready' } }
    : { status: 503, body: { status: 'unavailable', detail: readiness.detail } };
};
