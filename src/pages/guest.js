// Guest screen: each dish of the guest's order as being prepared / on its way / served.
import { claimsOf, connectFeed, el, learnMerchantLanguage, tableLabel, takeToken } from './common.js';
import { fmtNumber, t } from './i18n.js';

const token = takeToken('guest');
const claims = token ? claimsOf(token) : null;
const main = document.getElementById('order');
let order = null;

const LABELS = new Set(['WAITING', 'READY', 'SERVED', 'CANCELLED']);

function render() {
  if (!order) {
    main.replaceChildren(el('p', { class: 'empty' }, t('guest.looking')));
    return;
  }
  document.getElementById('who').textContent = order.tableNo ? tableLabel(order) : '';
  main.replaceChildren(
    el('h2', {}, t('guest.order', { orderId: order.orderId })),
    el(
      'ul',
      { class: 'guest-dishes' },
      [...order.dishes.values()].map((d) =>
        el(
          'li',
          { class: `gdish ${d.state.toLowerCase()}`, 'data-item': d.itemId, 'data-state': d.state },
          el('span', { class: 'name', translate: 'no' }, `${fmtNumber(d.quantity)}× ${d.name}`),
          el('span', { class: 'state' }, LABELS.has(d.state) ? t(`guest.${d.state}`) : d.state),
        ),
      ),
    ),
  );
}

if (!token || !claims || claims.role !== 'guest') {
  main.replaceChildren(el('p', { class: 'empty' }, t('guest.no_token')));
} else {
  render();
  void learnMerchantLanguage(token, claims.merchantId);
  connectFeed({
    token,
    // a guest's seqs jump (other tables' changes are not sent): it resyncs by snapshot instead
    gapCheck: false,
    onSnapshot: (m) => {
      const o = m.orders[0];
      order = o ? { ...o, dishes: new Map(o.dishes.map((d) => [d.itemId, d])) } : null;
      if (!o) main.replaceChildren(el('p', { class: 'empty' }, t('guest.not_found')));
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
