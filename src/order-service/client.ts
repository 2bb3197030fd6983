// HTTP client of the order query API. Every failure is classified here, where it enters:
// 404/429/5xx/timeouts/connection errors are RetriableError, a broken body is PermanentError.
import http from 'node:http';
import https from 'node:https';
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

function parseJson(res: Answer): unknown {
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    throw new PermanentError('contract', `order service answered ${res.status} with a body that is not JSON`);
  }
}

/** A broken answer must not fill the heap: real orders are a few KiB. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface Answer {
  status: number;
  body: string;
}

interface Target {
  client: typeof http | typeof https;
  options: http.RequestOptions;
  /** path of the service's root, without a trailing slash */
  basePath: string;
}

function targetOf(baseUrl: string): Target {
  const u = new URL(baseUrl);
  const https_ = u.protocol === 'https:';
  if (!https_ && u.protocol !== 'http:') throw new Error(`order service URL must be http or https: ${baseUrl}`);
  // The gate caps calls in flight, so the agent needs no cap of its own. Idle sockets are closed
  // after 4 s, before a server's usual keep-alive timeout (5 s for Node, 10 s for the simulator).
  const agentOptions = { keepAlive: true, timeout: 4_000, scheduling: 'lifo' as const };
  return {
    client: https_ ? https : http,
    basePath: u.pathname.replace(/\/+$/, ''),
    options: {
      protocol: u.protocol,
      hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port === '' ? undefined : Number(u.port),
      agent: https_ ? new https.Agent(agentOptions) : new http.Agent(agentOptions),
      headers: { accept: 'application/json' },
      ...(u.username === '' ? {} : { auth: `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` }),
    },
  };
}

/**
 * node:http rather than fetch: the pipeline makes one call per event, and undici's fetch (web
 * streams, AbortSignal, header lists) took ~27 % of the service's CPU plus much of its GC at
 * ~1,000 events/s (`--cpu-prof` of the ceiling benchmark); a plain request on a keep-alive agent
 * costs a fraction of that.
 */
function get(target: Target, path: string, timeoutMs: number): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const req = target.client.get({ ...target.options, path }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy(new PermanentError('contract', `order service answer is larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
      // the connection ended before the whole body arrived
      res.on('close', () => {
        if (!res.complete) reject(Object.assign(new Error('order service answer cut off'), { code: 'ECONNRESET' }));
      });
    });
    const timer = setTimeout(() => {
      req.destroy(new RetriableError('timeout', `order service did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      reject(req.reusedSocket && err.code === 'ECONNRESET' ? new StaleKeepAlive(err) : err);
    });
    req.on('close', () => clearTimeout(timer));
  });
}

function classify(err: unknown): Error {
  if (err instanceof RetriableError || err instanceof PermanentError) return err;
  const code = (err as { code?: string }).code ?? 'unknown';
  return new RetriableError('connection', `order service connection failed (${code})`, { cause: err });
}

/** The server closed a kept-alive socket just as this request reused it. */
class StaleKeepAlive extends Error {
  readonly code = 'ECONNRESET';
  constructor(cause: Error) {
    super('reused keep-alive socket was reset', { cause });
  }
}

export function createOrderServiceClient(opts: OrderServiceClientOptions): OrderSource {
  const target = targetOf(opts.baseUrl);
  const call = async (orderId: string): Promise<OrderDetails> => {
    const path = `${target.basePath}/orders/${encodeURIComponent(orderId)}`;
    let res: Answer;
    try {
      res = await get(target, path, opts.timeoutMs);
    } catch (err) {
      // A keep-alive socket the server closed just as we reused it: GET is safe to send again
      // (what Node's http documentation recommends for reused sockets).
      if (!(err instanceof StaleKeepAlive)) throw err;
      res = await get(target, path, opts.timeoutMs);
    }
    if (res.status === 200) return parseOrderDetails(parseJson(res), orderId);
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
