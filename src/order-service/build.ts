// The order-service feature's builder: one call gate (both caps) shared by the consumer and the
// retry job, the HTTP client behind it, and the circuit breaker in front of both. Everything that
// reads orders (the pipeline, the retry job, operator replays) goes through `orders`.
import { createBreaker, type BreakingOrderSource } from './breaker';
import { createOrderServiceClient, type CallObserver, type OrderSource } from './client';
import { createCallGate, type LimitedGate } from './limiter';

export interface OrderServiceOptions {
  url: string;
  /** Per call; a timeout is a retriable failure. */
  timeoutMs: number;
  /** Starting caps; live settings move them later (see buildPipeline's `settings`). */
  limits: { orderServiceMaxConcurrent: number; orderServiceMaxPerSecond: number };
  observer?: CallObserver;
  /**
   * Stands in front of the HTTP client, behind the breaker: what a test substitutes for the
   * order service's answers (it still calls through the real client, gate and breaker).
   */
  wrapClient?: (client: OrderSource) => OrderSource;
}

export interface OrderServiceAccess {
  readonly gate: LimitedGate;
  /** The breaker over the client: what callers use. */
  readonly orders: BreakingOrderSource;
}

export function buildOrderService(o: OrderServiceOptions): OrderServiceAccess {
  const gate = createCallGate({ maxConcurrent: o.limits.orderServiceMaxConcurrent, maxPerSecond: o.limits.orderServiceMaxPerSecond });
  const client = createOrderServiceClient({
    baseUrl: o.url,
    timeoutMs: o.timeoutMs,
    gate,
    observer: o.observer,
  });
  // When the order service fails for everyone: stop calling it (one probe every few seconds), park
  // and defer without spending attempts (src/order-service/breaker.ts). Its turns are subscribed to
  // by whoever reports them (the outage notices, src/alerts/build.ts).
  // autoProbe: while open it probes on its own, so it closes (and "recovered" is mailed) when nothing calls
  const orders = createBreaker(o.wrapClient ? o.wrapClient(client) : client, { autoProbe: true });
  return { gate, orders };
}
