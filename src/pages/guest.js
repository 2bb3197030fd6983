// Guest screen: each dish of the guest's order as being prepared / on its way / served.
import { claimsOf, connectFeed, el, takeToken } from './common.js';

const token = takeToken('guest');
const claims = token ? claimsOf(token) : null;
const main = document.getElementById('order');
let order = null;

const LABEL = { WAITING: 'Being prepared', READY: 'On its way', SERVED: 'Served', CANCELLED: 'Cancelled' };

function render() {
  if (!order) {
    main.replaceChildren(el('p', { class: 'empty' }, 'Looking up your order…'));
    return;
  }
  document.getElementById('who').textContent = order.tableNo ? `Table ${order.tableNo}` : '';
  main.replaceChildren(
    el('h2', {}, `Order ${order.orderId}`),
    el(
      'ul',
      { class: 'guest-dishes' },
      [...order.dishes.values()].map((d) =>
        el(
          'li',
          { class: `gdish ${d.state.toLowerCase()}`, 'data-item': d.itemId, 'data-state': d.state },
          el('span', { class: 'name' }, `${d.quantity}× ${d.name}`),
          el('span', { class: 'state' }, LABEL[d.state] ?? d.state),
        ),
      ),
    ),
  );
}

if (!token || !claims || claims.role !== 'guest') {
  main.replaceChildren(el('p', { class: 'empty' }, 'Open this page with the link from your receipt'));
} else {
  render();
  connectFeed({
    token,
    // a guest's seqs jump (other tables' changes are not sent): it resyncs by snapshot instead
    gapCheck: false,
    onSnapshot: (m) => {
      const o = m.orders[0];
      order = o ? { ...o, dishes: new Map(o.dishes.map((d) => [d.itemId, d])) } : null;
      if (!o) main.replaceChildren(el('p', { class: 'empty' }, 'Order not found'));
      else render();
    },
    onChange: (m) => {
      if (!order) return;
      if (m.type === 'dish') order.dishes.set(m.dish.itemId, m.dish);
      else Object.assign(order, { tableNo: m.order.tableNo, status: m.order.status, version: m.order.version });
      render();
    },
  });
}
