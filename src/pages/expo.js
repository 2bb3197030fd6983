// The pass (打荷, /expo): a 1280x800 screen beside the pass. Every open ticket with ALL its dishes of
// every station, grouped by station; a complete ticket (every fired dish cooked) is green with a
// big ✓, a rush ticket magenta, a late one (a dish past its dueAt) red. Opened with a waiter token,
// each ticket has "Serve all" (POST /api/orders/{id}/served). It re-reads GET …/expo whenever the
// change feed says something changed (debounced), so it never drifts from the server's rule.
// Every word it shows comes from the message catalogues (./i18n/<lang>.js, keys `expo.*`); dish
// names, notes, stations and ticket numbers are marked translate="no".
import {
  act, api, claimsOf, connectFeed, dueInSeconds, el, fmtElapsed, learnMerchantLanguage, param, pickupLabel, renderScheduler,
  serverNow, showStatus, tableLabel, takeToken, ticketLabel, watchExpiry,
} from './common.js';
import { t } from './i18n.js';

const stateLabel = (s) => (s === 'WAITING' ? '' : t(`expo.state.${s}`));

const token = takeToken('expo');
const claims = token ? claimsOf(token) : null;
const merchant = claims?.merchantId ?? param('merchant');
const LATE_S = Number(param('late', '900'));
const box = document.getElementById('expo');
let tickets = [];
let fetchTimer = null;
const renderer = renderScheduler(() => render());

async function refresh() {
  const { status, body } = await api(token, 'GET', `/api/merchants/${encodeURIComponent(merchant)}/expo`);
  if (status !== 200) return showStatus(status === 401 ? 'expired' : 'behind', t('error.status', { status }));
  tickets = body;
  renderer.now();
}
const refreshSoon = () => {
  clearTimeout(fetchTimer);
  fetchTimer = setTimeout(() => void refresh(), 250);
};

const isLate = (ticket, now) => ticket.dishes.some((d) => {
  const due = dueInSeconds(d, LATE_S, now);
  return due !== null && due < 0;
});

function dish(d) {
  return el('li', { class: `xdish ${d.state.toLowerCase()}${d.held ? ' held' : ''}`, 'data-item': d.itemId, 'data-state': d.state },
    el('span', { class: 'qty' }, t('common.qty', { n: d.quantity })),
    el('span', { class: 'name' }, el('bdi', { translate: 'no' }, d.name), d.note ? el('small', { class: 'note', translate: 'no' }, d.note) : null),
    el('span', { class: 'state' }, d.held ? t('expo.held', { course: d.course }) : stateLabel(d.state)));
}

function ticket(x, now) {
  const stations = new Map();
  for (const d of x.dishes) {
    const k = d.station ?? null;
    stations.set(k, [...(stations.get(k) ?? []), d]);
  }
  const late = !x.complete && isLate(x, now);
  const firstFired = x.dishes.map((d) => d.firedAt).filter(Boolean).sort()[0] ?? x.placedAt;
  const waiterBtn = claims?.role === 'waiter' && x.dishes.some((d) => d.state === 'READY')
    ? el('button', { class: 'serve-all', 'data-serve-all': x.orderId, onclick: () => serveAll(x) }, t('expo.serve_all'))
    : null;
  return el('article', {
    class: `xticket${x.complete ? ' complete' : ''}${x.rush ? ' rush' : ''}${late ? ' late' : ''}`,
    'data-order': x.orderId, 'data-complete': String(x.complete),
  },
  el('header', {},
    el('span', { class: 'ticket-no', translate: 'no' }, ticketLabel(x)),
    el('span', { class: `table${x.channel && x.channel !== 'DINE_IN' ? ' takeaway' : ''}` }, x.pickupAt ? t('common.and', { a: tableLabel(x), b: pickupLabel(x) }) : tableLabel(x)),
    el('span', { class: 'timer' }, fmtElapsed(now - Date.parse(firstFired)))),
  el('div', { class: 'flags' },
    x.complete ? el('b', { class: 'complete-flag' }, t('expo.complete')) : el('span', {}, t('expo.ready', { ready: x.ready, total: x.total })),
    x.rush ? el('b', { class: 'rush-flag' }, t('expo.rush')) : null,
    late ? el('b', { class: 'late-flag' }, t('expo.late')) : null),
  ...[...stations].map(([s, list]) => el('section', { class: 'station' },
    s === null ? el('h3', {}, t('expo.no_station')) : el('h3', { translate: 'no' }, s), el('ul', {}, list.map(dish)))),
  waiterBtn ? el('footer', {}, waiterBtn) : null);
}

async function serveAll(x) {
  const body = await act(token, 'POST', `/api/orders/${encodeURIComponent(x.orderId)}/served`, t('expo.serve'));
  if (body) refreshSoon();
}

function render() {
  const now = serverNow();
  // English counts one ticket, not "1 tickets" (zh-CN has no plural: both keys say the same)
  document.getElementById('summary').textContent = t(tickets.length === 1 ? 'expo.summary_one' : 'expo.summary', { n: tickets.length, complete: tickets.filter((x) => x.complete).length });
  box.replaceChildren(...(tickets.length ? tickets.map((x) => ticket(x, now)) : [el('p', { class: 'empty' }, t('expo.empty'))]));
}

if (!token || !merchant) {
  box.replaceChildren(el('p', { class: 'empty' }, t('expo.no_token')));
} else {
  document.getElementById('who').textContent = merchant;
  watchExpiry(token);
  void learnMerchantLanguage(token, merchant);
  connectFeed({
    token,
    merchant: claims?.role === 'admin' ? merchant : null,
    gapCheck: true,
    onSnapshot: () => void refresh(),
    onChange: refreshSoon,
  });
  setInterval(() => renderer.schedule(), 5000);
}
