// Waiter screen (a phone): pull calls (a cooked dish was cancelled: take it off the pass), serve
// calls (dishes at the pass, READY) oldest first, new calls flash and chime; tap a call once the
// dish is on the table, "Undo" takes a wrong "served" back. Below, the tables still cooking, with
// a Rush button to hurry the kitchen.
import {
  act, announce, claimsOf, connectFeed, createChime, el, fmtElapsed, param, renderScheduler, serverNow,
  tableLabel, takeToken, ticketLabel, watchExpiry,
} from './common.js';
import { createStore } from './store.js';

const token = takeToken('waiter');
const claims = token ? claimsOf(token) : null;
const calls = document.getElementById('calls');
const pullsBox = document.getElementById('pulls');
const cooking = document.getElementById('cooking');
const undoBar = document.getElementById('undo');
const fresh = new Set();
const pending = new Set();
/** itemId → dish of pull calls not yet dismissed */
const pulls = new Map();
const renderer = renderScheduler(() => render());
const store = createStore(token, () => renderer.schedule());
const chime = createChime('waiter');
let undoTimer = null;

const send = (method, path, what) => act(token, method, path, what);

function offerUndo(d) {
  clearTimeout(undoTimer);
  undoBar.hidden = false;
  undoBar.replaceChildren(
    el('span', {}, `Served ${d.quantity}× ${d.name}`),
    el('button', { class: 'undo-btn', 'data-undo': d.itemId, onclick: () => recallServed(d) }, 'Undo'),
  );
  undoTimer = setTimeout(() => (undoBar.hidden = true), 10_000);
}

async function recallServed(d) {
  undoBar.hidden = true;
  const body = await send('POST', `/api/dishes/${encodeURIComponent(d.itemId)}/recall`, d.name);
  if (body) store.dish(body, { onlyIfNewer: true });
}

async function markServed(d) {
  if (pending.has(d.itemId)) return;
  pending.add(d.itemId);
  renderer.schedule();
  const body = await send('POST', `/api/dishes/${encodeURIComponent(d.itemId)}/served`, d.name);
  if (body) {
    store.dish(body, { onlyIfNewer: true });
    offerUndo(body);
  }
  pending.delete(d.itemId);
  renderer.schedule();
}

async function toggleRush(o) {
  const body = await send(o.rush ? 'DELETE' : 'POST', `/api/orders/${encodeURIComponent(o.orderId)}/rush`, 'Rush');
  if (body) store.order(body);
}

function readyDishes() {
  const out = [];
  for (const o of store.orders.values()) {
    for (const d of o.dishes.values()) if (d.state === 'READY') out.push({ d, o });
  }
  return out.sort((a, b) => Number(b.o.rush) - Number(a.o.rush) || a.d.updatedAt.localeCompare(b.d.updatedAt));
}

function where(o) {
  return o ? `${tableLabel(o)} · ${ticketLabel(o)}` : '';
}

function render() {
  pullsBox.replaceChildren(...[...pulls.values()].map((d) => el(
    'div',
    { class: 'pull', 'data-pull': d.itemId, role: 'alert' },
    el('span', { class: 'where' }, where(store.orders.get(d.orderId) ?? { orderId: d.orderId })),
    el('span', { class: 'name' }, `Take off the pass: ${d.quantity}× ${d.name} (cancelled)`),
    el('button', { class: 'done-btn', onclick: () => { pulls.delete(d.itemId); renderer.schedule(); } }, 'Done'),
  )));

  const list = readyDishes();
  calls.replaceChildren(
    ...(list.length
      ? list.map(({ d, o }) =>
          el(
            'button',
            {
              class: `call${fresh.has(d.itemId) ? ' fresh' : ''}${pending.has(d.itemId) ? ' pending' : ''}${o.rush ? ' rush' : ''}`,
              'data-serve': d.itemId,
              onclick: () => markServed(d),
            },
            el('span', { class: 'table' }, tableLabel(o)),
            el('span', { class: 'waited', 'data-since': d.updatedAt }, fmtElapsed(serverNow() - Date.parse(d.updatedAt))),
            el('span', { class: 'name' }, `${d.quantity}× ${d.name}`),
            el('span', { class: 'hint' }, `${ticketLabel(o)} · tap when served`),
          ),
        )
      : [el('p', { class: 'empty' }, 'Nothing to take out')]),
  );

  const inKitchen = store.open(null).filter((o) => [...o.dishes.values()].some((d) => d.state === 'WAITING'));
  cooking.replaceChildren(...inKitchen.map((o) => {
    const n = [...o.dishes.values()].filter((d) => d.state === 'WAITING').reduce((s, d) => s + d.quantity, 0);
    return el(
      'div',
      { class: `cooking-row${o.rush ? ' rush' : ''}`, 'data-order': o.orderId },
      el('span', { class: 'where' }, where(o)),
      el('span', { class: 'n' }, `${n} cooking`),
      el('button', { class: `rush-btn${o.rush ? ' on' : ''}`, 'data-rush-btn': o.orderId, 'aria-pressed': String(o.rush), onclick: () => toggleRush(o) }, o.rush ? 'Rush ✕' : 'Rush'),
    );
  }));
}

setInterval(() => {
  for (const w of calls.querySelectorAll('.waited')) w.textContent = fmtElapsed(serverNow() - Date.parse(w.dataset.since));
}, 1000);

if (!token || !claims) {
  calls.replaceChildren(el('p', { class: 'empty' }, 'Open this page with ?token=<waiter token>'));
} else {
  document.getElementById('who').textContent = claims.merchantId ?? param('merchant') ?? '';
  watchExpiry(token);
  connectFeed({
    token,
    merchant: claims.role === 'admin' ? param('merchant') : null,
    gapCheck: true,
    onSnapshot: (m) => store.snapshot(m.orders),
    onChange: (m) => {
      if (m.type === 'dish') store.dish(m.dish);
      else store.order(m.order);
      if (m.type === 'dish' && m.dish.state !== 'CANCELLED') pulls.delete(m.dish.itemId);
    },
    onServe: (m) => {
      fresh.add(m.dish.itemId);
      setTimeout(() => {
        fresh.delete(m.dish.itemId);
        renderer.schedule();
      }, 8000);
      if (navigator.vibrate) navigator.vibrate(200);
      chime.play('serve');
      announce(`Serve: ${m.dish.quantity}× ${m.dish.name}`);
      renderer.schedule();
    },
    onPull: (m) => {
      pulls.set(m.dish.itemId, m.dish);
      if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
      chime.play('serve');
      announce(`Take off the pass: ${m.dish.name}`);
      renderer.schedule();
    },
  });
}
