// Manager dashboard: today's figures in the merchant's time zone, refreshed every few seconds; at
// local midnight it shows the new day at once (zeros, "no orders yet today"), never yesterday's
// numbers: a figure is shown only for the day it belongs to. Charts: uPlot, served by the KDS.
/* global uPlot */
const POLL_MS = 4000;
const TREND_MS = 5 * 60_000;

const params = new URLSearchParams(location.search);
function takeToken() {
  const key = 'kds.token.dashboard';
  const fromUrl = params.get('token');
  if (fromUrl) {
    localStorage.setItem(key, fromUrl);
    params.delete('token');
    const q = params.toString();
    history.replaceState(null, '', location.pathname + (q ? `?${q}` : ''));
    return fromUrl;
  }
  return localStorage.getItem(key);
}
function claimsOf(t) {
  try {
    return JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return null;
  }
}
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}
const $ = (id) => document.getElementById(id);

const token = takeToken();
const claims = token ? claimsOf(token) : null;
const merchant = claims?.merchantId ?? params.get('merchant');
let offsetMs = 0; // server clock minus ours, from the last live answer
let zone = null;
let shown = null; // the stats object on screen (always of `shownDay`)
let live = null;
let trend = null;
let trendAt = 0;
const charts = {};

function status(state, text) {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text;
}

async function get(path) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(body?.message ?? `HTTP ${res.status}`), { status: res.status });
  return body;
}

function localDay(ms) {
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms))) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}`;
}
const today = () => (zone === null ? null : localDay(Date.now() + offsetMs));
function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The figures of a day with nothing recorded: what the page shows the moment a day begins. */
function zeros(date) {
  const none = { p50: null, p90: null };
  return { merchantId: merchant, date, timeZone: zone, orders: 0, dishes: 0, served: 0, cancelled: 0, late: 0,
    ticketSeconds: none, serveSeconds: none, byStation: [], byHour: [], lastWeek: null, placeholder: true };
}

function dur(s) {
  if (s === null || s === undefined) return '—';
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function tile(label, value, cmp, bad = false) {
  return el('div', { class: 'tile' }, el('div', { class: 'label' }, label), el('div', { class: `value${bad ? ' bad' : ''}` }, String(value)),
    el('div', { class: 'cmp' }, cmp));
}

function renderTiles(s) {
  const lw = s.lastWeek;
  const cmp = (f) => (s.placeholder ? ' ' : lw ? `last week ${f(lw)}` : 'last week: no data');
  $('tiles').replaceChildren(
    tile('Orders', s.orders, cmp((w) => w.orders)),
    tile('Dishes', s.dishes, cmp((w) => w.dishes)),
    tile('Served', s.served, cmp((w) => w.served)),
    tile('Cancelled', s.cancelled, cmp((w) => w.cancelled)),
    tile('Late', s.late, cmp((w) => w.late), s.late > 0),
    tile('Ticket p50', dur(s.ticketSeconds.p50), cmp((w) => dur(w.ticketSeconds.p50))),
    tile('Ticket p90', dur(s.ticketSeconds.p90), cmp((w) => dur(w.ticketSeconds.p90))),
    tile('Serve p50', dur(s.serveSeconds.p50), cmp((w) => dur(w.serveSeconds.p50))),
  );
  $('day').textContent = `${s.date} · ${zone}${s.placeholder ? ' · updating…' : ''}`;
  $('empty-day').hidden = s.orders > 0;
}

function chart(id, opts, data) {
  const box = $(id);
  const key = JSON.stringify([opts.labels, data]);
  if (charts[id]?.key === key && charts[id].width === box.clientWidth) return;
  charts[id]?.plot.destroy();
  const width = Math.max(200, box.clientWidth);
  const labels = opts.labels;
  const plot = new uPlot({
    width, height: 200, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(1, max ?? 1)] } },
    axes: [
      { stroke: '#b8b8b8', grid: { stroke: '#333' }, values: (u, vals) => vals.map((v) => labels[v] ?? '') },
      { stroke: '#b8b8b8', grid: { stroke: '#333' }, values: opts.yValues },
    ],
    series: [{}, ...opts.series],
  }, data, box);
  charts[id] = { plot, key, width: box.clientWidth };
}

function renderHours(s) {
  const hours = s.byHour;
  const nowMs = Date.now() + offsetMs;
  const lastWeek = new Map();
  for (const h of s.lastWeek?.byHour ?? []) {
    // drawn only where that day had data
    if ((h.orders > 0 || h.dishes > 0) && !lastWeek.has(h.hour)) lastWeek.set(h.hour, h.orders);
  }
  const x = hours.map((_, i) => i);
  const todayLine = hours.map((h) => (Date.parse(h.startsAt) <= nowMs ? h.orders : null));
  const lw = hours.map((h) => lastWeek.get(h.hour) ?? null);
  $('lw-label').textContent = s.lastWeek ? `same day last week (${s.lastWeek.date})` : 'last week: no data';
  if (hours.length > 0) {
    chart('hours-chart', {
      labels: hours.map((h) => String(h.hour).padStart(2, '0')),
      yValues: (u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')),
      series: [
        { label: 'today', stroke: '#4dabf7', width: 3, points: { show: true } },
        { label: 'last week', stroke: '#adb5bd', width: 2, dash: [6, 4], spanGaps: false, points: { show: true } },
      ],
    }, [x, todayLine, lw]);
  } else if (charts['hours-chart']) {
    charts['hours-chart'].plot.destroy();
    delete charts['hours-chart'];
  }
  $('hours-empty').hidden = s.orders > 0;
  const rows = hours.map((h) => el('tr', {}, el('td', {}, `${String(h.hour).padStart(2, '0')}:00`),
    ...(h.orders === 0 && h.dishes === 0
      ? [el('td', { class: 'nothing', colspan: '2' }, 'nothing yet')]
      : [el('td', { class: 'num' }, String(h.orders)), el('td', { class: 'num' }, String(h.dishes))])));
  $('hours').tBodies[0].replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'nothing', colspan: '3' }, 'nothing yet'))]));
}

function renderStations(s) {
  const byName = new Map();
  const row = (name) => {
    if (!byName.has(name)) byName.set(name, { name, waiting: 0, ready: 0, late: 0, dishes: 0, p50: null });
    return byName.get(name);
  };
  for (const x of live?.stations ?? []) Object.assign(row(x.station), { waiting: x.waiting, ready: x.ready, late: x.late });
  for (const x of s.byStation) Object.assign(row(x.station), { dishes: x.dishes, p50: x.ticketSeconds.p50 });
  const rows = [...byName.values()].sort((a, b) => String(a.name).localeCompare(String(b.name))).map((r) => el('tr', {},
    el('td', {}, r.name ?? '(no station)'),
    el('td', { class: 'num' }, String(r.waiting)), el('td', { class: 'num' }, String(r.ready)), el('td', { class: 'num' }, String(r.late)),
    ...(r.dishes === 0 ? [el('td', { class: 'nothing', colspan: '2' }, 'nothing yet')]
      : [el('td', { class: 'num' }, String(r.dishes)), el('td', { class: 'num' }, dur(r.p50))])));
  $('stations').tBodies[0].replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'nothing', colspan: '6' }, 'nothing yet'))]));
}

function renderLate() {
  const list = live?.lateDishes ?? [];
  $('late-rule').textContent = live ? `waiting over ${dur(live.lateAfterS)}` : '';
  const nowMs = Date.now() + offsetMs;
  $('late').replaceChildren(...(list.length
    ? list.map((d) => el('li', {}, `#${d.ticketNo ?? '?'} ${d.name}${d.station ? ` · ${d.station}` : ''} · `,
      el('span', { class: 'age' }, `waiting ${dur(Math.round((nowMs - Date.parse(d.placedAt)) / 1000))}`)))
    : [el('li', { class: 'nothing' }, 'No late dishes')]));
}

function renderTrend() {
  const days = trend?.days ?? [];
  const has = days.some((d) => d.ticketSeconds.p50 !== null);
  $('trend-empty').hidden = has;
  $('trend-chart').hidden = !has;
  if (!has) return;
  chart('trend-chart', {
    labels: days.map((d) => d.date.slice(5)),
    yValues: (u, vals) => vals.map((v) => dur(Math.round(v))),
    series: [
      { label: 'p50', stroke: '#69db7c', width: 2, spanGaps: false, points: { show: true } },
      { label: 'p90', stroke: '#ffa94d', width: 2, spanGaps: false, points: { show: true } },
    ],
  }, [days.map((_, i) => i), days.map((d) => d.ticketSeconds.p50), days.map((d) => d.ticketSeconds.p90)]);
}

function render() {
  if (shown === null) return;
  renderTiles(shown);
  renderHours(shown);
  renderStations(shown);
  renderLate();
  renderTrend();
}

/** Shows `s` only if it is today's: an answer computed just before midnight is not shown after it. */
function accept(s) {
  const t = today();
  if (t !== null && s.date !== t) {
    if (shown === null || shown.date !== t) shown = zeros(t);
    return;
  }
  shown = s;
}

async function poll() {
  try {
    const l = await get(`/api/merchants/${encodeURIComponent(merchant)}/stats/live`);
    offsetMs = Date.parse(l.serverTime) - Date.now();
    zone = l.timeZone;
    live = l;
    const s = await get(`/api/merchants/${encodeURIComponent(merchant)}/stats`);
    zone = s.timeZone;
    accept(s);
    const t = today();
    if (trend === null || Date.now() - trendAt > TREND_MS || trend.to !== t) {
      trend = await get(`/api/merchants/${encodeURIComponent(merchant)}/stats/daily?from=${addDays(t, -29)}&to=${t}`);
      trendAt = Date.now();
    }
    status('live', `Live · ${new Date(Date.now() + offsetMs).toLocaleTimeString([], { timeZone: zone, hour12: false })}`);
  } catch (err) {
    status(err.status === 401 ? 'expired' : 'reconnecting', err.status === 401 ? 'Token expired' : 'Offline, retrying');
  }
  render();
}

// Every second: when the merchant's day has turned, the old figures go at once.
function tick() {
  const t = today();
  if (shown !== null && t !== null && shown.date !== t) {
    shown = zeros(t);
    render();
    void poll();
  }
}

if (!token || !merchant) {
  status('expired', 'No token');
  $('day').textContent = 'Open this page once with ?token=<manager token> (admins add &merchant=M0001).';
} else {
  $('who').textContent = merchant;
  $('csv').addEventListener('click', async (ev) => {
    ev.preventDefault();
    const t = today();
    if (t === null) return;
    const res = await fetch(`/api/merchants/${encodeURIComponent(merchant)}/stats/daily.csv?from=${addDays(t, -29)}&to=${t}`,
      { headers: { authorization: `Bearer ${token}` } });
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: `kds-${merchant}-${t}.csv` });
    a.click();
    URL.revokeObjectURL(url);
  });
  window.addEventListener('resize', () => render());
  void poll();
  setInterval(() => void poll(), POLL_MS);
  setInterval(tick, 1000);
}
