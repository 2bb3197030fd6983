// Who may see what: pure rules shared by the HTTP API and the WebSocket hub.
import type { Claims } from './token';

/** Kitchen and waiter screens see their own merchant; admin sees every merchant. */
export function mayUseMerchant(c: Claims, merchantId: string): boolean {
  return c.role === 'admin' || c.merchantId === merchantId;
}

/** A guest sees only the order its token names. */
export function mayReadOrder(c: Claims, order: { orderId: string; merchantId: string }): boolean {
  if (c.role === 'guest') return c.orderId === order.orderId && c.merchantId === order.merchantId;
  return mayUseMerchant(c, order.merchantId);
}
