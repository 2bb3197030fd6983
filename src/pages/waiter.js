// Waiter screen: serve calls (dishes at the pass, READY) oldest first; new calls flash. Tap a
// call once the dish is on the table to mark it served.
import { api, claimsOf, connectFeed, el, fmtElapsed, param, serverNow, takeToken, toast } from './common.js';
import { createStore } from './store.js';

const token = takeToken('waiter');
const claims = token ? claimsOf(token) : null;
const calls = document.getElementById('calls');
const fresh = new Set();
const pending = new Set();
const store = createStore(token, () => render());

async function markServed(d) {
  if (pending.has(d.itemId)) return;
  pending.add(d.itemId);
  render();
  try {
    const { status, body } = await api(token, 'POST', `/api/dishes/${encodeURIComponent(d.itemId)}/served`);
    if (status === 200) store.dish(body, { onlyIfNewer: true });
    else toast(`${d.name}: ${body?.message ?? `error ${status}`}`);
  } catch {
    toast(`${d.name}: not sent — no connection`);
  } finally {
    pending.delete(d.itemId);
    render();
  }
}

function readyDishes() {
  const out = [];
  for (const o of store.orders.values()) {
    for (const d of o.dishes.values()) if (d.state === 'READY') out.push({ d, o });
  }
  return out.sort((a, b) => a.d.updatedAt.localeCompare(b.d.updatedAt));
}

function render() {
  const list = readyDishes();
  calls.replaceChildren(
    ...(list.length
      ? list.map(({ d, o }) =>
          el(
            'button',
            {
              class: `call${fresh.has(d.itemId) ? ' fresh' : ''}${pending.has(d.itemId) ? ' pending' : ''}`,
              'data-serve': d.itemId,
              onclick: () => markServed(d),
            },
            el('span', { class: 'table' }, o.tableNo ? `Table ${o.tableNo}` : o.orderId),
            el('span', { class: 'name' }, `${d.quantity}× ${d.name}`),
            el('span', { class: 'waited', 'data-since': d.updatedAt }, fmtElapsed(serverNow() - Date.parse(d.updatedAt))),
          ),
        )
      : [el('p', { class: 'empty' }, 'Nothing to take out')]),
  );
}

setInterval(() => {
  for (const w of calls.querySelectorAll('.waited')) w.textContent = fmtElapsed(serverNow() - Date.parse(w.dataset.since));
}, 1000);

if (!token || !claims) {
  calls.replaceChildren(el('p', { class: 'empty' }, 'Open this page with ?token=<waiter token>'));
} else {
  document.getElementById('who').textContent = claims.merchantId ?? param('merchant') ?? '';
  connectFeed({
    token,
    merchant: claims.role === 'admin' ? param('merchant') : null,
    gapCheck: true,
    onSnapshot: (m) => store.snapshot(m.orders),
    onChange: (m) => {
      if (m.type === 'dish') store.dish(m.dish);
      else store.order(m.order);
    },
    onServe: (m) => {
      fresh.add(m.dish.itemId);
      setTimeout(() => {
        fresh.delete(m.dish.itemId);
        render();
      }, 8000);
      if (navigator.vibrate) navigator.vibrate(200);
      render();
    },
  });
}
