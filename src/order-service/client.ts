// HTTP client of the order query API. Every failure is classified here, where it enters:
// 404/429/5xx/timeouts/connection errors are RetriableError, a broken body is PermanentError.
import { PermanentError, RetriableError } from '../errors';
import { parseOrderDetails, type OrderDetails } from './details';

/** What callers need of the order service (the pipeline and the retry job declare this port). */
export interface OrderSource {
  fetchOrder(orderId: string): Promise<OrderDetails>;
}

/** Caps calls to the order service (concurrency and rate); implemented in ./limiter. */
export interface CallGate {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export interface CallObserver {
  /** outcome: 'ok' or the RetriableError/PermanentError code */
  observe(outcome: string, seconds: number): void;
}

export interface OrderServiceClientOptions {
  baseUrl: string;
  timeoutMs: number;
  gate: CallGate;
  observer?: CallObserver;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PermanentError('contract', `order service answered ${res.status} with a body that is not JSON`);
  }
}

function classify(err: unknown): Error {
  if (err instanceof RetriableError || err instanceof PermanentError) return err;
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new RetriableError('timeout', 'order service did not answer in time', { cause: err });
  }
  const code = e.cause?.code ?? 'unknown';
  return new RetriableError('connection', `order service connection failed (${code})`, { cause: err });
}

export function createOrderServiceClient(opts: OrderServiceClientOptions): OrderSource {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const call = async (orderId: string): Promise<OrderDetails> => {
    const res = await fetch(`${base}/orders/${encodeURIComponent(orderId)}`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    if (res.status === 200) return parseOrderDetails(await readJson(res), orderId);
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 404) throw new RetriableError('not_found', 'order service does not know the order yet (404)');
    if (res.status === 429) throw new RetriableError('throttled', 'order service throttled the call (429)');
    if (res.status >= 500) throw new RetriableError('server_error', `order service failed (${res.status})`);
    throw new PermanentError('contract', `order service answered unexpected status ${res.status}`);
  };
  return {
    async fetchOrder(orderId) {
      return opts.gate.run(async () => {
        const started = performance.now();
        try {
          const details = await call(orderId);
          opts.observer?.observe('ok', (performance.now() - started) / 1000);
          return details;
        } catch (err) {
          const classified = classify(err);
          const code = (classified as RetriableError | PermanentError).code ?? 'unknown';
          opts.observer?.observe(code, (performance.now() - started) / 1000);
          throw classified;
        }
      });
    },
  };
}
