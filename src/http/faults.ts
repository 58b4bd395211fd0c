import { STATUS_CODES } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Operation } from '../contract/document.js';
import { InvalidStubInput, type Problem } from '../domain/errors.js';
import { sendError } from './errors.js';
import { operationOf } from './routes.js';

/** What `POST /__stub/faults` asks for. */
export interface FaultRequest {
  operationId?: string;
  count?: number;
  status?: number;
  title?: string;
  detail?: string;
  latency_ms?: number;
  drop?: boolean;
}

export type Fault = Omit<FaultRequest, 'operationId' | 'count'> & {
  /** Null: every Elastic Path operation. */
  operationId: string | null;
  /** Null: every request until the faults are cleared. */
  remaining: number | null;
};

/** Active faults, in the order they were added; the first that matches a request applies to it. */
export class Faults {
  private active: Fault[] = [];

  /** `check` lists what is wrong with a fault request, whether it comes over HTTP or from code. */
  constructor(private readonly check: (request: FaultRequest) => Problem[]) {}

  add(request: FaultRequest): Fault {
    const problems = this.check(request);
    if (problems.length > 0) throw new InvalidStubInput(problems);
    const { operationId, count, ...effect } = request;
    const fault = { operationId: operationId ?? null, remaining: count ?? null, ...effect };
    this.active.push(fault);
    return { ...fault };
  }

  /** The active faults, in the order they apply, with what each has left (`GET /__stub/faults`). */
  list(): Fault[] {
    return this.active.map((fault) => ({ ...fault }));
  }

  /** The fault a request of this operation meets, if any, counted as used. */
  take(operationId: string): Fault | undefined {
    const index = this.active.findIndex((fault) => fault.operationId === null || fault.operationId === operationId);
    const fault = this.active[index];
    if (fault && fault.remaining !== null && --fault.remaining === 0) this.active.splice(index, 1);
    return fault;
  }

  clear(): void {
    this.active = [];
  }
}

/**
 * Slows and breaks Elastic Path operations, never the control API: a fixed latency on every response
 * (`latencyMs`, for UI work), then any fault, which answers before the handler runs and so never touches state.
 */
export function installFaults(app: FastifyInstance, faults: Faults, latencyMs: number): void {
  if (latencyMs > 0) {
    app.addHook('onRequest', async (request) => {
      const operation = operationOf(request);
      if (operation?.elasticPath) await delay(latencyMs);
    });
  }
  // A callback hook: with no fault active, as nearly always, the request goes on without a promise.
  app.addHook('preValidation', (request, reply, done) => {
    const operation = operationOf(request);
    const fault = operation?.elasticPath ? faults.take(operation.operationId) : undefined;
    if (!fault) {
      done();
      return;
    }
    void applyFault(fault, reply, operation!).then((answered) => answered || done(), done);
  });
}

/** Waits, then drops the connection or answers; false when the request should go on. */
async function applyFault(fault: Fault, reply: FastifyReply, operation: Operation): Promise<boolean> {
  if (fault.latency_ms) await delay(fault.latency_ms);
  if (fault.drop) {
    reply.request.rule = 'fault';
    reply.hijack();
    reply.raw.destroy();
    return true;
  }
  if (fault.status === undefined) return false;
  const title = fault.title ?? STATUS_CODES[fault.status] ?? 'Error';
  sendError(reply, { status: fault.status, title, detail: fault.detail ?? 'Injected by POST /__stub/faults' }, operation.errorStatusAsString, 'fault');
  return true;
}
