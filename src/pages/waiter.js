// Waiter screen (a phone): pull calls (a cooked dish was cancelled: take it off the pass), serve
// calls (dishes at the pass, READY) oldest first, new calls flash and chime; tap a call once the
// dish is on the table, "Undo" takes a wrong "served" back. Below, the tables still cooking, with
// a Rush button to hurry the kitchen.
// Every word it shows comes from the message catalogues (./i18n/<lang>.js, keys `waiter.*`); dish
// names are marked translate="no".
import {
  act, announce, api, claimsOf, connectFeed, createChime, el, fmtElapsed, learnMerchantLanguage, param, pickupLabel,
  renderScheduler, serverNow, tableLabel, takeToken, ticketLabel, watchExpiry,
} from './common.js';
import { t } from './i18n.js';
import { createStore } from './store.js';

/** A dish as the page names it: its quantity (catalogued) and its name (data, isolated). */
const portion = (key, d) => [t(key, { n: d.quantity }), ' ', el('bdi', { translate: 'no' }, d.name)];

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
    el('span', {}, portion('waiter.served', d)),
    el('button', { class: 'undo-btn', 'data-undo': d.itemId, onclick: () => recallServed(d) }, t('waiter.undo')),
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

async function courseAction(o, verb, course) {
  const q = course === undefined ? '' : `?course=${course}`;
  const body = await send('POST', `/api/orders/${encodeURIComponent(o.orderId)}/${verb}${q}`, t(verb === 'hold' ? 'waiter.hold' : verb === 'fire' ? 'waiter.fire' : 'waiter.serve'));
  if (body) for (const d of body.dishes) store.dish(d, { onlyIfNewer: true });
}

/** One line per course still in the kitchen: how many portions cook or wait, and Hold or Fire. */
function courseLines(o) {
  const waiting = [...o.dishes.values()].filter((d) => d.state === 'WAITING');
  const courses = [...new Set(waiting.map((d) => d.course ?? 1))].sort();
  return courses.map((c) => {
    const of = waiting.filter((d) => (d.course ?? 1) === c);
    const held = of.filter((d) => d.held).reduce((s, d) => s + d.quantity, 0);
    const cooking = of.filter((d) => !d.held).reduce((s, d) => s + d.quantity, 0);
    return el('div', { class: 'course-line', 'data-course': `${o.orderId}:${c}` },
      el('span', { class: 'c' }, t('waiter.course', { course: c })),
      el('span', { class: 'n' }, cooking && held
        ? t('common.and', { a: t('waiter.cooking', { n: cooking }), b: t('waiter.held', { n: held }) })
        : cooking ? t('waiter.cooking', { n: cooking }) : t('waiter.held', { n: held })),
      held
        ? el('button', { class: 'fire-btn', 'data-fire': `${o.orderId}:${c}`, onclick: () => courseAction(o, 'fire', c) }, t('waiter.fire'))
        : el('button', { class: 'hold-btn', 'data-hold': `${o.orderId}:${c}`, onclick: () => courseAction(o, 'hold', c) }, t('waiter.hold')));
  });
}

async function toggleRush(o) {
  const body = await send(o.rush ? 'DELETE' : 'POST', `/api/orders/${encodeURIComponent(o.orderId)}/rush`, t('waiter.rush'));
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
  return o ? t('common.and', { a: tableLabel(o), b: ticketLabel(o) }) : '';
}

function render() {
  pullsBox.replaceChildren(...[...pulls.values()].map((d) => el(
    'div',
    { class: 'pull', 'data-pull': d.itemId, role: 'alert' },
    el('span', { class: 'where' }, where(store.orders.get(d.orderId) ?? { orderId: d.orderId })),
    el('span', { class: 'name' }, portion('waiter.pull', d)),
    el('button', { class: 'done-btn', onclick: () => { pulls.delete(d.itemId); renderer.schedule(); } }, t('waiter.done')),
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
            el('span', { class: 'name' }, portion('common.qty', d)),
            el('span', { class: 'hint' }, t('waiter.hint', { ticket: ticketLabel(o) })),
          ),
        )
      : [el('p', { class: 'empty' }, t('waiter.nothing_to_serve'))]),
  );

  const inKitchen = store.open(null).filter((o) => [...o.dishes.values()].some((d) => d.state === 'WAITING' || d.state === 'READY'));
  if (inKitchen.length === 0) {
    cooking.replaceChildren(el('p', { class: 'empty' }, t('waiter.nothing_cooking')));
    return;
  }
  cooking.replaceChildren(...inKitchen.map((o) => {
    const ready = [...o.dishes.values()].filter((d) => d.state === 'READY').length;
    return el(
      'div',
      { class: `cooking-row${o.rush ? ' rush' : ''}`, 'data-order': o.orderId },
      el('span', { class: 'where' }, o.pickupAt ? t('common.and', { a: where(o), b: pickupLabel(o) }) : where(o)),
      el('button', { class: `rush-btn${o.rush ? ' on' : ''}`, 'data-rush-btn': o.orderId, 'aria-pressed': String(o.rush), onclick: () => toggleRush(o) },
        t(o.rush ? 'waiter.unrush' : 'waiter.rush')),
      el('div', { class: 'courses' }, courseLines(o)),
      ready > 1 ? el('button', { class: 'serve-all', 'data-serve-all': o.orderId, onclick: () => courseAction(o, 'served') }, t('waiter.serve_all', { n: ready })) : null,
    );
  }));
}

setInterval(() => {
  for (const w of calls.querySelectorAll('.waited')) w.textContent = fmtElapsed(serverNow() - Date.parse(w.dataset.since));
}, 1000);

if (!token || !claims) {
  calls.replaceChildren(el('p', { class: 'empty' }, t('waiter.no_token')));
} else {
  document.getElementById('who').textContent = claims.merchantId ?? param('merchant') ?? '';
  watchExpiry(token);
  void learnMerchantLanguage(token, claims.merchantId ?? param('merchant'));
  connectFeed({
    token,
    merchant: claims.role === 'admin' ? param('merchant') : null,
    gapCheck: true,
    onSnapshot: (m) => {
      store.snapshot(m.orders);
      // orders whose every dish is held are not on the board: the waiter must still fire them
      void api(token, 'GET', `/api/merchants/${encodeURIComponent(claims.merchantId ?? param('merchant'))}/held`)
        .then(({ status, body }) => status === 200 && store.merge(body));
    },
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
      announce(t('waiter.announce_serve', { n: m.dish.quantity, name: m.dish.name }));
      renderer.schedule();
    },
    onPull: (m) => {
      pulls.set(m.dish.itemId, m.dish);
      if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
      chime.play('serve');
      announce(t('waiter.announce_pull', { name: m.dish.name }));
      renderer.schedule();
    },
  });
}
