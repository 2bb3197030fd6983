// Kitchen screen: a ticket per open order, oldest first, with a timer that turns amber and red
// at ?warn= and ?late= seconds (defaults 600/900). Tap a waiting dish to mark it cooked.
import { api, claimsOf, connectFeed, el, fmtElapsed, param, serverNow, setParam, takeToken, toast } from './common.js';
import { createStore, OPEN } from './store.js';

const token = takeToken('kitchen');
const claims = token ? claimsOf(token) : null;
const WARN_S = Number(param('warn', '600'));
const LATE_S = Number(param('late', '900'));
let station = param('station');
const pending = new Set();

const board = document.getElementById('board');
const stationSelect = document.getElementById('station');
const store = createStore(token, () => render());

function timerClass(placedAt) {
  if (!placedAt) return 'ok';
  const s = (serverNow() - Date.parse(placedAt)) / 1000;
  return s >= LATE_S ? 'late' : s >= WARN_S ? 'warn' : 'ok';
}

async function markReady(d) {
  if (d.state !== 'WAITING' || pending.has(d.itemId)) return;
  pending.add(d.itemId);
  render();
  try {
    const { status, body } = await api(token, 'POST', `/api/dishes/${encodeURIComponent(d.itemId)}/ready`);
    if (status === 200) store.dish(body, { onlyIfNewer: true });
    else toast(`${d.name}: ${body?.message ?? `error ${status}`}`);
  } catch {
    toast(`${d.name}: not sent — no connection`);
  } finally {
    pending.delete(d.itemId);
    render();
  }
}

const LABEL = { WAITING: 'cooking', READY: 'at the pass', SERVED: 'served', CANCELLED: 'cancelled' };

function dishRow(d) {
  return el(
    'button',
    {
      class: `dish ${d.state.toLowerCase()}${pending.has(d.itemId) ? ' pending' : ''}`,
      'data-item': d.itemId,
      'data-state': d.state,
      disabled: d.state !== 'WAITING',
      onclick: () => markReady(d),
    },
    el('span', { class: 'qty' }, `${d.quantity}×`),
    el('span', { class: 'name' }, d.name, d.note ? el('small', { class: 'note' }, d.note) : null),
    el('span', { class: 'state' }, LABEL[d.state] ?? d.state),
  );
}

function ticket(o) {
  const dishes = [...o.dishes.values()].filter((d) => !station || d.station === station);
  return el(
    'article',
    { class: `ticket ${timerClass(o.placedAt)}`, 'data-order': o.orderId },
    el(
      'header',
      {},
      el('span', { class: 'table' }, o.tableNo ? `Table ${o.tableNo}` : o.orderId),
      el('span', { class: 'timer', 'data-placed': o.placedAt ?? '' }, o.placedAt ? fmtElapsed(serverNow() - Date.parse(o.placedAt)) : '…'),
    ),
    el('div', { class: 'order-id' }, o.orderId, o.status && o.status !== 'PLACED' ? ` · ${o.status}` : ''),
    el('div', { class: 'dishes' }, dishes.map(dishRow)),
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

function render() {
  renderStations();
  const open = store.open(station);
  board.replaceChildren(...(open.length ? open.map(ticket) : [el('p', { class: 'empty' }, 'No open orders')]));
}

// timers tick without re-rendering the whole board
setInterval(() => {
  for (const t of board.querySelectorAll('.ticket')) {
    const placed = t.querySelector('.timer')?.dataset.placed;
    if (!placed) continue;
    t.querySelector('.timer').textContent = fmtElapsed(serverNow() - Date.parse(placed));
    t.classList.remove('ok', 'warn', 'late');
    t.classList.add(timerClass(placed));
  }
}, 1000);

stationSelect.addEventListener('change', () => {
  station = stationSelect.value || null;
  setParam('station', station);
  render();
});

if (!token || !claims) {
  board.replaceChildren(el('p', { class: 'empty' }, 'Open this page with ?token=<kitchen token>'));
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
      if (m.type === 'dish' && !OPEN.has(m.dish.state)) store.prune();
    },
  });
}
