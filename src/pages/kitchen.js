// Kitchen screen: a ticket per open order, rush first then oldest first, with a timer that turns
// amber and red by how close its most urgent fired dish is to its dueAt (see docs/screens.md). Tap a waiting dish when cooked,
// tap a cooked one to take it back; "Bump" cooks the whole ticket, "Rush" flags it.
// Keys (keyboard or bump bar): 1-9 / arrows select a ticket, Enter bumps it, Backspace or U
// recalls the last bump, R toggles rush.
// Only tickets whose content changed are rebuilt, and renders are coalesced (renderScheduler).
// Every word it shows comes from the message catalogues (./i18n/<lang>.js, keys `kitchen.*`); text
// from data (dish names, short names, notes, tables, ticket numbers, stations) is marked
// translate="no".
import {
  act, announce, api, claimsOf, connectFeed, createChime, dueInSeconds, el, fmtElapsed, learnMerchantLanguage, param, pickupLabel,
  renderScheduler, serverNow, setParam, tableLabel, takeToken, ticketLabel, toast, watchExpiry,
} from './common.js';
import { fmtNumber, t } from './i18n.js';
import { createStore, OPEN } from './store.js';
/** A ticket turns amber this many seconds before its most urgent dish is due. */
const WARN_AHEAD_S = Number(param('warnAhead', '120'));

const token = takeToken('kitchen');
const claims = token ? claimsOf(token) : null;
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
/** the feed; it names the station shown, so a kitchen printer knows this screen is watching it */
let feed = null;

const board = document.getElementById('board');
const allDay = document.getElementById('allday');
const stationSelect = document.getElementById('station');
const renderer = renderScheduler(() => render());
const store = createStore(token, () => renderer.schedule());
const chime = createChime('kitchen');

/** Seconds until the ticket's most urgent fired dish is due (null: nothing fired is waiting). */
function dueIn(dishes) {
  const now = serverNow();
  const list = dishes.map((d) => dueInSeconds(d, LATE_S, now)).filter((x) => x !== null);
  return list.length ? Math.min(...list) : null;
}

function timerClass(dishes) {
  const s = dueIn(dishes);
  if (s === null) return dishes.every((d) => d.held || !OPEN.has(d.state)) && dishes.some((d) => d.held) ? 'held' : 'ok';
  return s < 0 ? 'late' : s <= WARN_AHEAD_S ? 'warn' : 'ok';
}

/** When the ticket's clock starts: its first fired dish (a held course is not the kitchen's time). */
function firedSince(o, dishes) {
  return dishes.map((d) => d.firedAt).filter(Boolean).sort()[0] ?? (dishes.some((d) => d.held) ? null : o.placedAt);
}

async function fireCourse(o, course) {
  const body = await send('POST', `/api/orders/${encodeURIComponent(o.orderId)}/fire?course=${course}`, t('kitchen.fire'));
  if (body) for (const d of body.dishes) store.dish(d, { onlyIfNewer: true });
}

const send = (method, path, what, body) => act(token, method, path, what, body);

async function tapDish(d) {
  if (pending.has(d.itemId) || !OPEN.has(d.state)) return;
  pending.add(d.itemId);
  renderer.schedule();
  const verb = d.state === 'WAITING' ? 'ready' : 'recall';
  const body = await send('POST', `/api/dishes/${encodeURIComponent(d.itemId)}/${verb}`, dishName(d));
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
  const body = await send('POST', `/api/orders/${encodeURIComponent(o.orderId)}/ready${q}`, t('kitchen.ticket', { ticket: ticketLabel(o) }));
  if (body) {
    for (const d of body.dishes) store.dish(d, { onlyIfNewer: true });
    lastBump = { orderId: o.orderId, itemIds: waiting };
    announce(t('kitchen.bumped', { ticket: ticketLabel(o) }));
  }
  pending.delete(o.orderId);
  renderer.schedule();
}

async function recallLastBump() {
  if (!lastBump) return toast(t('kitchen.nothing_to_recall'));
  const { orderId, itemIds } = lastBump;
  lastBump = null;
  for (const id of itemIds) {
    const body = await send('POST', `/api/dishes/${encodeURIComponent(id)}/recall`, t('kitchen.recall'));
    if (body) store.dish(body, { onlyIfNewer: true });
  }
  selected = orderId;
  announce(t('kitchen.recalled'));
  renderer.schedule();
}

async function toggleRush(o) {
  const body = await send(o.rush ? 'DELETE' : 'POST', `/api/orders/${encodeURIComponent(o.orderId)}/rush`, t('kitchen.rush'));
  if (body) store.order(body);
}

// WAITING needs no word (the row's colour says it): the name gets the width
const stateLabel = (state) => (state === 'WAITING' ? '' : t(`kitchen.state.${state}`));

/** What the cook reads: the menu's short name when the merchant gave one (PUT …/menu), else the dish's name. */
const dishName = (d) => d.shortName ?? d.name;

function dishRow(d) {
  return el(
    'button',
    {
      class: `dish ${d.state.toLowerCase()}${pending.has(d.itemId) ? ' pending' : ''}${d.addedTo ? ' added' : ''}${d.held ? ' held' : ''}`,
      'data-item': d.itemId,
      'data-state': d.state,
      'data-held': d.held ? 'true' : 'false',
      disabled: !OPEN.has(d.state) || d.held,
      onclick: () => tapDish(d),
    },
    el('span', { class: 'qty' }, t('common.qty', { n: d.quantity })),
    el('span', { class: 'name' }, d.addedTo ? el('b', { class: 'tag' }, `${t('kitchen.added')} `) : null,
      el('bdi', { translate: 'no', ...(d.shortName ? { title: d.name, 'data-short': 'true' } : {}) }, dishName(d)),
      d.note ? el('small', { class: 'note', dir: 'auto', translate: 'no' }, d.note) : null),
    el('span', { class: 'state', title: d.state === 'READY' ? t('kitchen.take_back') : null }, stateLabel(d.state)),
  );
}

/** An order status other than PLACED, as the flags show it (an unknown one by its code). */
const orderStatus = (s) => (s === 'CANCELLED' || s === 'COMPLETED' ? t(`kitchen.order.${s}`) : t('kitchen.order.other', { status: s }));

function ticketSig(o, dishes, index) {
  return JSON.stringify([o.tableNo, o.rush, o.status, o.ticketNo, o.placedAt, o.channel, o.platform, o.pickupAt, selected === o.orderId, index,
    pending.has(o.orderId), dishes.map((d) => [d.itemId, d.state, d.quantity, d.name, d.shortName, d.note, d.held, d.firedAt, d.dueAt, pending.has(d.itemId)])]);
}

function ticket(o, dishes, index) {
  const fired = dishes.filter((d) => !d.held);
  const held = dishes.filter((d) => d.held);
  const courses = [...new Set(held.map((d) => d.course))].sort();
  const waiting = fired.some((d) => d.state === 'WAITING');
  const since = firedSince(o, dishes);
  const elapsed = since ? fmtElapsed(serverNow() - Date.parse(since)) : t('common.no_time');
  return el(
    'article',
    {
      class: `ticket ${timerClass(dishes)}${o.rush ? ' rush' : ''}${selected === o.orderId ? ' selected' : ''}`,
      'data-channel': o.channel ?? '',
      'data-order': o.orderId,
      'data-rush': o.rush ? 'true' : 'false',
      'aria-label': t(o.rush ? 'kitchen.ticket_label_rush' : 'kitchen.ticket_label', { ticket: ticketLabel(o), where: tableLabel(o) }),
    },
    el(
      'header',
      { onclick: () => { selected = o.orderId; renderer.schedule(); } },
      el('span', { class: 'key', translate: 'no' }, index < 9 ? fmtNumber(index + 1) : ''),
      el('span', { class: 'ticket-no', translate: 'no' }, ticketLabel(o)),
      el('span', { class: `table${o.channel === 'DINE_IN' ? '' : ' takeaway'}` },
        o.pickupAt ? t('common.and', { a: tableLabel(o), b: pickupLabel(o) }) : tableLabel(o)),
      el('span', { class: 'timer', 'data-placed': since ?? '' }, elapsed),
    ),
    o.rush || (o.status && o.status !== 'PLACED')
      ? el('div', { class: 'flags' }, o.rush ? el('b', { class: 'rush-flag' }, t('kitchen.rush_flag')) : null,
        o.status && o.status !== 'PLACED' ? el('span', { class: 'order-status' }, orderStatus(o.status)) : null)
      : null,
    el('div', { class: 'dishes' }, fired.map(dishRow)),
    held.length ? el('div', { class: 'held-dishes', 'data-held-of': o.orderId }, courses.map((c) => el('div', { class: 'held-course' },
      el('span', { class: 'held-title' }, t('kitchen.held', { course: c })),
      el('button', { class: 'fire-btn', 'data-fire': `${o.orderId}:${c}`, onclick: () => fireCourse(o, c) }, t('kitchen.fire')))),
    held.map(dishRow)) : null,
    el(
      'footer',
      {},
      el('button', { class: 'bump', 'data-bump': o.orderId, disabled: !waiting || pending.has(o.orderId), onclick: () => bump(o) }, t('kitchen.bump')),
      el('button', { class: `rush-btn${o.rush ? ' on' : ''}`, 'data-rush-btn': o.orderId, 'aria-pressed': String(o.rush), onclick: () => toggleRush(o) },
        t(o.rush ? 'kitchen.unrush' : 'kitchen.rush')),
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
  stationSelect.replaceChildren(...want.map((s) => el('option', { value: s, selected: s === (station ?? ''), translate: s ? 'no' : null }, s || t('kitchen.all_stations'))));
}

/** All-day counts: open portions per dish at this station, most waiting first (as GET …/all-day). */
function renderAllDay() {
  const counts = new Map();
  for (const o of store.open(station)) {
    for (const d of o.dishes.values()) {
      if (!OPEN.has(d.state) || (station && d.station !== station)) continue;
      const k = `${d.name}\u0000${d.station ?? ''}`;
      const c = counts.get(k) ?? { name: dishName(d), waiting: 0, ready: 0 };
      if (d.state === 'WAITING') c.waiting += d.quantity;
      else c.ready += d.quantity;
      counts.set(k, c);
    }
  }
  const lines = [...counts.values()].filter((c) => c.waiting > 0).sort((a, b) => b.waiting - a.waiting || a.name.localeCompare(b.name));
  const sig = JSON.stringify(lines);
  if (allDay.dataset.sig === sig) return;
  allDay.dataset.sig = sig;
  allDay.replaceChildren(el('b', {}, t('kitchen.all_day')), ...(lines.length
    ? lines.map((c) => el('span', { class: 'count', 'data-dish': c.name, translate: 'no' }, el('b', {}, fmtNumber(c.waiting)), ' ', el('bdi', {}, c.name)))
    : [el('span', { class: 'muted' }, t('kitchen.nothing_to_cook'))]));
}

/** Rush first, then the ticket closest to (or furthest past) its due time; all-held tickets last. */
function sortByDue(list) {
  const key = (o) => dueIn(store.shown(o, station)) ?? Number.MAX_SAFE_INTEGER;
  return [...list].sort((a, b) => Number(b.rush) - Number(a.rush) || key(a) - key(b));
}

// The view by dish (并菜): GET …/batches, one card per batch, the cook picks the portions and taps once.
const batchesBox = document.getElementById('batches');
const viewBtn = document.getElementById('view');
let byDish = param('view') === 'dish';
let batchList = [];
const chosenPortions = new Map();
let batchTimer = null;
const batchKey = (b) => JSON.stringify([b.dishId, b.dishId ? null : b.name, b.station, b.note]);

async function loadBatches() {
  if (!byDish) return;
  const q = station ? `?station=${encodeURIComponent(station)}` : '';
  const { status, body } = await api(token, 'GET', `/api/merchants/${encodeURIComponent(claims.merchantId ?? param('merchant'))}/batches${q}`);
  if (status !== 200) return;
  batchList = body;
  renderBatches();
}
const loadBatchesSoon = () => {
  clearTimeout(batchTimer);
  batchTimer = setTimeout(() => void loadBatches(), 250);
};

async function markBatch(b, n) {
  const merchant = claims.merchantId ?? param('merchant');
  const res = await send('POST', `/api/merchants/${encodeURIComponent(merchant)}/batches/ready`, b.shortName ?? b.name, {
    ...(b.dishId ? { dishId: b.dishId } : { name: b.name }), station: b.station, note: b.note, portions: n,
  });
  if (res) {
    for (const d of res.marked) store.dish(d, { onlyIfNewer: true });
    chosenPortions.delete(batchKey(b));
    announce(t('kitchen.marked', { n: res.marked.reduce((s, d) => s + d.quantity, 0), name: b.shortName ?? b.name }));
    void loadBatches();
  }
}

function batchCard(b) {
  const k = batchKey(b);
  const n = Math.min(chosenPortions.get(k) ?? b.portions, b.portions);
  const step = (delta) => {
    chosenPortions.set(k, Math.max(1, Math.min(b.portions, n + delta)));
    renderBatches();
  };
  return el('article', { class: 'batch', 'data-batch': b.dishId ?? b.name },
    el('header', {}, el('span', { class: 'portions', translate: 'no' }, fmtNumber(b.portions)),
      el('span', { class: 'name', translate: 'no', ...(b.shortName ? { title: b.name } : {}) }, b.shortName ?? b.name),
      b.note ? el('small', { class: 'note', translate: 'no' }, b.note) : null),
    el('div', { class: 'tickets' }, b.dishes.map((d) => {
      const ticket = d.ticketNo !== null ? ticketLabel(d) : d.orderId.slice(-4);
      return el('span', { class: `bt${d.rush ? ' rush' : ''}` },
        d.tableNo ? t('kitchen.batch_ticket_table', { n: d.quantity, ticket, table: d.tableNo }) : t('kitchen.batch_ticket', { n: d.quantity, ticket }));
    })),
    el('footer', {},
      el('button', { class: 'step', 'aria-label': t('kitchen.fewer'), onclick: () => step(-1) }, t('kitchen.fewer_sign')),
      el('span', { class: 'chosen', 'data-chosen': String(n) }, t(n === 1 ? 'kitchen.portion' : 'kitchen.portions', { n })),
      el('button', { class: 'step', 'aria-label': t('kitchen.more'), onclick: () => step(1) }, t('kitchen.more_sign')),
      el('button', { class: 'batch-ready', 'data-batch-ready': b.dishId ?? b.name, onclick: () => markBatch(b, n) }, t('kitchen.batch_ready', { n }))));
}

function renderBatches() {
  batchesBox.replaceChildren(...(batchList.length ? batchList.map(batchCard) : [el('p', { class: 'empty' }, t('kitchen.no_batches'))]));
}

function showView() {
  board.hidden = byDish;
  batchesBox.hidden = !byDish;
  viewBtn.textContent = t(byDish ? 'kitchen.by_ticket' : 'kitchen.by_dish');
  viewBtn.dataset.view = byDish ? 'dish' : 'tickets';
  if (byDish) void loadBatches();
}
viewBtn.addEventListener('click', () => {
  byDish = !byDish;
  setParam('view', byDish ? 'dish' : null);
  showView();
});
showView();

function render() {
  renderStations();
  renderAllDay();
  const open = sortByDue(store.open(station));
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
    if (!board.querySelector('.empty')) board.replaceChildren(el('p', { class: 'empty' }, t('kitchen.no_orders')));
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
  }
  renderer.schedule();
}, 5000);

stationSelect.addEventListener('change', () => {
  station = stationSelect.value || null;
  setParam('station', station);
  feed?.reopen();
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
  board.replaceChildren(el('p', { class: 'empty' }, t('kitchen.no_token')));
} else {
  document.getElementById('who').textContent = claims.merchantId ?? param('merchant') ?? '';
  watchExpiry(token);
  void learnMerchantLanguage(token, claims.merchantId ?? param('merchant'));
  feed = connectFeed({
    token,
    merchant: claims.role === 'admin' ? param('merchant') : null,
    gapCheck: true,
    extraParams: () => ({ station }),
    onSnapshot: (m) => {
      store.snapshot(m.orders);
      live = true;
      // orders whose every dish is held are not on the board: the kitchen sees them apart, greyed
      void api(token, 'GET', `/api/merchants/${encodeURIComponent(claims.merchantId ?? param('merchant'))}/held`)
        .then(({ status, body }) => status === 200 && store.merge(body));
      loadBatchesSoon();
    },
    onChange: (m) => {
      const orderId = m.type === 'dish' ? m.dish.orderId : m.order.orderId;
      const isNew = !store.orders.has(orderId) && (m.type === 'order' ? m.order.status === 'PLACED' : m.dish.state === 'WAITING');
      if (m.type === 'dish') store.dish(m.dish);
      else store.order(m.order);
      if (m.type === 'dish' && !OPEN.has(m.dish.state)) store.prune();
      loadBatchesSoon();
      if (isNew && live) {
        // a replay after a reconnect brings many new tickets at once: one chime, not a burst
        if (Date.now() - lastChime > 2000) chime.play('ticket');
        lastChime = Date.now();
        announce(t('kitchen.new_ticket', { ticket: ticketLabel(store.orders.get(orderId) ?? { orderId }) }));
      }
    },
  });
}
