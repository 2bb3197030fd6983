// Kitchen screen: a ticket per open order, rush first then oldest first, with a timer that turns
// amber and red at ?warn= and ?late= seconds (defaults 600/900). Tap a waiting dish when cooked,
// tap a cooked one to take it back; "Bump" cooks the whole ticket, "Rush" flags it.
// Keys (keyboard or bump bar): 1-9 / arrows select a ticket, Enter bumps it, Backspace or U
// recalls the last bump, R toggles rush.
// Only tickets whose content changed are rebuilt, and renders are coalesced (renderScheduler).
import {
  act, announce, claimsOf, connectFeed, createChime, el, fmtElapsed, param, renderScheduler, serverNow,
  setParam, tableLabel, takeToken, ticketLabel, toast, watchExpiry,
} from './common.js';
import { createStore, OPEN } from './store.js';

const token = takeToken('kitchen');
const claims = token ? claimsOf(token) : null;
const WARN_S = Number(param('warn', '600'));
const LATE_S = Number(param('late', '900'));
let station = param('station');
const pending = new Set();
/** orderId → { el, sig } of the tickets on the board */
const shownTickets = new Map();
let selected = null;
/** the last bump: { orderId, itemIds } (the dishes it moved), for the recall key */
let lastBump = null;
let live = false;
let lastChime = 0;

const board = document.getElementById('board');
const allDay = document.getElementById('allday');
const stationSelect = document.getElementById('station');
const renderer = renderScheduler(() => render());
const store = createStore(token, () => renderer.schedule());
const chime = createChime('kitchen');

function timerClass(placedAt) {
  if (!placedAt) return 'ok';
  const s = (serverNow() - Date.parse(placedAt)) / 1000;
  return s >= LATE_S ? 'late' : s >= WARN_S ? 'warn' : 'ok';
}

const send = (method, path, what) => act(token, method, path, what);

async function tapDish(d) {
  if (pending.has(d.itemId) || !OPEN.has(d.state)) return;
  pending.add(d.itemId);
  renderer.schedule();
  const verb = d.state === 'WAITING' ? 'ready' : 'recall';
  const body = await send('POST', `/api/dishes/${encodeURIComponent(d.itemId)}/${verb}`, d.name);
  if (body) store.dish(body, { onlyIfNewer: true });
  pending.delete(d.itemId);
  renderer.schedule();
}

async function bump(o) {
  const waiting = store.shown(o, station).filter((d) => d.state === 'WAITING').map((d) => d.itemId);
  if (waiting.length === 0 || pending.has(o.orderId)) return;
  pending.add(o.orderId);
  renderer.schedule();
  const q = station ? `?station=${encodeURIComponent(station)}` : '';
  const body = await send('POST', `/api/orders/${encodeURIComponent(o.orderId)}/ready${q}`, `Ticket ${ticketLabel(o)}`);
  if (body) {
    for (const d of body.dishes) store.dish(d, { onlyIfNewer: true });
    lastBump = { orderId: o.orderId, itemIds: waiting };
    announce(`Ticket ${ticketLabel(o)} bumped`);
  }
  pending.delete(o.orderId);
  renderer.schedule();
}

async function recallLastBump() {
  if (!lastBump) return toast('Nothing to recall');
  const { orderId, itemIds } = lastBump;
  lastBump = null;
  for (const id of itemIds) {
    const body = await send('POST', `/api/dishes/${encodeURIComponent(id)}/recall`, 'Recall');
    if (body) store.dish(body, { onlyIfNewer: true });
  }
  selected = orderId;
  announce('Last bump recalled');
  renderer.schedule();
}

async function toggleRush(o) {
  const body = await send(o.rush ? 'DELETE' : 'POST', `/api/orders/${encodeURIComponent(o.orderId)}/rush`, 'Rush');
  if (body) store.order(body);
}

// WAITING needs no word (the row's colour says it): the name gets the width
const LABEL = { WAITING: '', READY: 'ready ↺', SERVED: 'served', CANCELLED: 'cancelled' };

function dishRow(d) {
  return el(
    'button',
    {
      class: `dish ${d.state.toLowerCase()}${pending.has(d.itemId) ? ' pending' : ''}${d.addedTo ? ' added' : ''}`,
      'data-item': d.itemId,
      'data-state': d.state,
      disabled: !OPEN.has(d.state),
      onclick: () => tapDish(d),
    },
    el('span', { class: 'qty' }, `${d.quantity}×`),
    el('span', { class: 'name' }, d.addedTo ? el('b', { class: 'tag' }, '+ added ') : null, d.name,
      d.note ? el('small', { class: 'note' }, d.note) : null),
    el('span', { class: 'state', title: d.state === 'READY' ? 'tap to take back' : null }, LABEL[d.state] ?? d.state),
  );
}

function ticketSig(o, dishes, index) {
  return JSON.stringify([o.tableNo, o.rush, o.status, o.ticketNo, o.placedAt, selected === o.orderId, index,
    pending.has(o.orderId), dishes.map((d) => [d.itemId, d.state, d.quantity, d.name, d.note, pending.has(d.itemId)])]);
}

function ticket(o, dishes, index) {
  const waiting = dishes.some((d) => d.state === 'WAITING');
  const elapsed = o.placedAt ? fmtElapsed(serverNow() - Date.parse(o.placedAt)) : '…';
  return el(
    'article',
    {
      class: `ticket ${timerClass(o.placedAt)}${o.rush ? ' rush' : ''}${selected === o.orderId ? ' selected' : ''}`,
      'data-order': o.orderId,
      'data-rush': o.rush ? 'true' : 'false',
      'aria-label': `${ticketLabel(o)} ${tableLabel(o)}${o.rush ? ', rush' : ''}`,
    },
    el(
      'header',
      { onclick: () => { selected = o.orderId; renderer.schedule(); } },
      el('span', { class: 'key' }, index < 9 ? String(index + 1) : ''),
      el('span', { class: 'ticket-no' }, ticketLabel(o)),
      el('span', { class: `table${o.tableNo ? '' : ' takeaway'}` }, tableLabel(o)),
      el('span', { class: 'timer', 'data-placed': o.placedAt ?? '' }, elapsed),
    ),
    o.rush || (o.status && o.status !== 'PLACED')
      ? el('div', { class: 'flags' }, o.rush ? el('b', { class: 'rush-flag' }, 'RUSH') : null,
        o.status && o.status !== 'PLACED' ? ` ${o.status}` : '')
      : null,
    el('div', { class: 'dishes' }, dishes.map(dishRow)),
    el(
      'footer',
      {},
      el('button', { class: 'bump', 'data-bump': o.orderId, disabled: !waiting || pending.has(o.orderId), onclick: () => bump(o) }, 'Bump ✓'),
      el('button', { class: `rush-btn${o.rush ? ' on' : ''}`, 'data-rush-btn': o.orderId, 'aria-pressed': String(o.rush), onclick: () => toggleRush(o) }, o.rush ? 'Rush ✕' : 'Rush'),
    ),
  );
}

function renderStations() {
  const seen = new Set();
  for (const o of store.orders.values()) for (const d of o.dishes.values()) if (d.station) seen.add(d.station);
  if (station) seen.add(station);
  const want = ['', ...[...seen].sort()];
  const have = [...stationSelect.options].map((x) => x.value);
  if (want.join('\n') === have.join('\n')) return;
  stationSelect.replaceChildren(...want.map((s) => el('option', { value: s, selected: s === (station ?? '') }, s || 'All stations')));
}

/** All-day counts: open portions per dish at this station, most waiting first (as GET …/all-day). */
function renderAllDay() {
  const counts = new Map();
  for (const o of store.open(station)) {
    for (const d of o.dishes.values()) {
      if (!OPEN.has(d.state) || (station && d.station !== station)) continue;
      const k = `${d.name}\u0000${d.station ?? ''}`;
      const c = counts.get(k) ?? { name: d.name, waiting: 0, ready: 0 };
      if (d.state === 'WAITING') c.waiting += d.quantity;
      else c.ready += d.quantity;
      counts.set(k, c);
    }
  }
  const lines = [...counts.values()].filter((c) => c.waiting > 0).sort((a, b) => b.waiting - a.waiting || a.name.localeCompare(b.name));
  const sig = JSON.stringify(lines);
  if (allDay.dataset.sig === sig) return;
  allDay.dataset.sig = sig;
  allDay.replaceChildren(el('b', {}, 'All day'), ...(lines.length
    ? lines.map((c) => el('span', { class: 'count', 'data-dish': c.name }, el('b', {}, String(c.waiting)), ` ${c.name}`))
    : [el('span', { class: 'muted' }, 'nothing to cook')]));
}

function render() {
  renderStations();
  renderAllDay();
  const open = store.open(station);
  if (selected !== null && !open.some((o) => o.orderId === selected)) selected = null;
  const wanted = [];
  const seen = new Set();
  open.forEach((o, i) => {
    const dishes = store.shown(o, station);
    const sig = ticketSig(o, dishes, i);
    let t = shownTickets.get(o.orderId);
    if (!t || t.sig !== sig) {
      const fresh = ticket(o, dishes, i);
      if (t) t.el.replaceWith(fresh);
      t = { el: fresh, sig };
      shownTickets.set(o.orderId, t);
    }
    seen.add(o.orderId);
    wanted.push(t.el);
  });
  for (const [id, t] of shownTickets) {
    if (!seen.has(id)) {
      t.el.remove();
      shownTickets.delete(id);
    }
  }
  if (wanted.length === 0) {
    if (!board.querySelector('.empty')) board.replaceChildren(el('p', { class: 'empty' }, 'No open orders'));
    return;
  }
  board.querySelector('.empty')?.remove();
  // move only what is out of place: nodes that stay keep their focus and their pressed state
  wanted.forEach((node, i) => {
    if (board.children[i] !== node) board.insertBefore(node, board.children[i] ?? null);
  });
}

// timers tick without re-rendering the board; done dishes leave their ticket after a while
setInterval(() => {
  for (const t of board.querySelectorAll('.ticket')) {
    const timer = t.querySelector('.timer');
    const placed = timer?.dataset.placed;
    if (!placed) continue;
    timer.textContent = fmtElapsed(serverNow() - Date.parse(placed));
    for (const c of ['ok', 'warn', 'late']) t.classList.toggle(c, c === timerClass(placed));
  }
  renderer.schedule();
}, 5000);

stationSelect.addEventListener('change', () => {
  station = stationSelect.value || null;
  setParam('station', station);
  renderer.now();
});

document.addEventListener('keydown', (ev) => {
  if (ev.target?.tagName === 'SELECT' || ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const open = store.open(station);
  const at = open.findIndex((o) => o.orderId === selected);
  const choose = (i) => {
    const o = open[Math.max(0, Math.min(open.length - 1, i))];
    if (o) selected = o.orderId;
    renderer.now();
    shownTickets.get(selected)?.el.scrollIntoView({ block: 'nearest' });
  };
  if (/^[1-9]$/.test(ev.key)) choose(Number(ev.key) - 1);
  else if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') choose(at + 1);
  else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') choose(at - 1);
  else if (ev.key === 'Enter') {
    const o = open[at];
    if (o) void bump(o);
  } else if (ev.key === 'Backspace' || ev.key === 'u' || ev.key === 'U') void recallLastBump();
  else if (ev.key === 'r' || ev.key === 'R') {
    const o = open[at];
    if (o) void toggleRush(o);
  } else return;
  ev.preventDefault();
});

if (!token || !claims) {
  board.replaceChildren(el('p', { class: 'empty' }, 'Open this page with ?token=<kitchen token>'));
} else {
  document.getElementById('who').textContent = claims.merchantId ?? param('merchant') ?? '';
  watchExpiry(token);
  connectFeed({
    token,
    merchant: claims.role === 'admin' ? param('merchant') : null,
    gapCheck: true,
    onSnapshot: (m) => {
      store.snapshot(m.orders);
      live = true;
    },
    onChange: (m) => {
      const orderId = m.type === 'dish' ? m.dish.orderId : m.order.orderId;
      const isNew = !store.orders.has(orderId) && (m.type === 'order' ? m.order.status === 'PLACED' : m.dish.state === 'WAITING');
      if (m.type === 'dish') store.dish(m.dish);
      else store.order(m.order);
      if (m.type === 'dish' && !OPEN.has(m.dish.state)) store.prune();
      if (isNew && live) {
        // a replay after a reconnect brings many new tickets at once: one chime, not a burst
        if (Date.now() - lastChime > 2000) chime.play('ticket');
        lastChime = Date.now();
        announce(`New ticket ${ticketLabel(store.orders.get(orderId) ?? { orderId })}`);
      }
    },
  });
}
