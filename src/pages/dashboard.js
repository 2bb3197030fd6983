// Manager dashboard: today's figures in the merchant's time zone, refreshed every few seconds; at
// local midnight it shows the new day at once (zeros, "no orders yet today"), never yesterday's
// numbers: a figure is shown only for the day it belongs to. Charts: uPlot, served by the KDS.
// Every text comes from the catalogues (./i18n/), in the language i18n.js chose; text from data
// (merchant, station and dish names, figures) is marked translate="no".
/* global uPlot */
import { fmtClock, fmtNumber, language, rememberMerchantLanguage, t, translatePage } from './i18n.js';
// the token kept on the device, and the display controls (text size, high contrast) every screen has
import { claimsOf, el, param, takeToken } from './common.js';

const POLL_MS = 4000;
const TREND_MS = 5 * 60_000;

const $ = (id) => document.getElementById(id);
/** A figure from the data: formatted for the language, not a message. */
const figure = (tag, attrs, n) => el(tag, { ...attrs, translate: 'no' }, fmtNumber(n));

const token = takeToken('dashboard');
const claims = token ? claimsOf(token) : null;
const merchant = claims?.merchantId ?? param('merchant');
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
  if (!res.ok) throw Object.assign(new Error(body?.message ?? t('error.status', { status: res.status })), { status: res.status });
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
  if (s === null || s === undefined) return t('dashboard.none');
  if (s < 60) return t('dashboard.dur.s', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? t('dashboard.dur.min_s', { m, s: s % 60 }) : t('dashboard.dur.min', { m });
  return t('dashboard.dur.h_min', { h: Math.floor(m / 60), m: m % 60 });
}

/** `value` a count (a figure from the data) or a duration (a message). */
function tile(key, value, cmp, bad = false) {
  const cls = `value${bad ? ' bad' : ''}`;
  return el('div', { class: 'tile' }, el('div', { class: 'label' }, t(`dashboard.tile.${key}`)),
    typeof value === 'number' ? figure('div', { class: cls }, value) : el('div', { class: cls }, value),
    el('div', { class: 'cmp' }, cmp));
}

function renderTiles(s) {
  const lw = s.lastWeek;
  const count = (n) => fmtNumber(n);
  const cmp = (f) => (s.placeholder ? ' ' : lw ? t('dashboard.last_week', { value: f(lw) }) : t('dashboard.last_week_none'));
  $('tiles').replaceChildren(
    tile('orders', s.orders, cmp((w) => count(w.orders))),
    tile('dishes', s.dishes, cmp((w) => count(w.dishes))),
    tile('served', s.served, cmp((w) => count(w.served))),
    tile('cancelled', s.cancelled, cmp((w) => count(w.cancelled))),
    tile('late', s.late, cmp((w) => count(w.late)), s.late > 0),
    tile('ticket_p50', dur(s.ticketSeconds.p50), cmp((w) => dur(w.ticketSeconds.p50))),
    tile('ticket_p90', dur(s.ticketSeconds.p90), cmp((w) => dur(w.ticketSeconds.p90))),
    tile('serve_p50', dur(s.serveSeconds.p50), cmp((w) => dur(w.serveSeconds.p50))),
  );
  // the date stays ISO (as in the API and the CSV): the same in both languages
  $('day').textContent = t(s.placeholder ? 'dashboard.day_updating' : 'dashboard.day', { date: s.date, zone });
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
      { stroke: '#b8b8b8', grid: { stroke: '#333' }, values: opts.yValues, ...(opts.y ?? {}) },
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
  $('lw-label').textContent = s.lastWeek ? t('dashboard.legend.last_week', { date: s.lastWeek.date }) : t('dashboard.last_week_none');
  if (hours.length > 0) {
    chart('hours-chart', {
      labels: hours.map((h) => String(h.hour).padStart(2, '0')),
      yValues: (u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')),
      series: [
        { label: t('dashboard.legend.today'), stroke: '#4dabf7', width: 3, points: { show: true } },
        { label: t('dashboard.legend.last_week', { date: s.lastWeek?.date ?? '' }), stroke: '#adb5bd', width: 2, dash: [6, 4], spanGaps: false, points: { show: true } },
      ],
    }, [x, todayLine, lw]);
  } else if (charts['hours-chart']) {
    charts['hours-chart'].plot.destroy();
    delete charts['hours-chart'];
  }
  $('hours-empty').hidden = s.orders > 0;
  const rows = hours.map((h) => el('tr', {}, el('td', { translate: 'no' }, `${String(h.hour).padStart(2, '0')}:00`),
    ...(h.orders === 0 && h.dishes === 0
      ? [el('td', { class: 'nothing', colspan: '2' }, t('dashboard.nothing_yet'))]
      : [figure('td', { class: 'num' }, h.orders), figure('td', { class: 'num' }, h.dishes)])));
  $('hours').tBodies[0].replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'nothing', colspan: '3' }, t('dashboard.nothing_yet')))]));
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
    r.name === null ? el('td', {}, t('dashboard.no_station')) : el('td', { translate: 'no' }, r.name),
    figure('td', { class: 'num' }, r.waiting), figure('td', { class: 'num' }, r.ready), figure('td', { class: 'num' }, r.late),
    ...(r.dishes === 0 ? [el('td', { class: 'nothing', colspan: '2' }, t('dashboard.nothing_yet'))]
      : [figure('td', { class: 'num' }, r.dishes), el('td', { class: 'num' }, dur(r.p50))])));
  $('stations').tBodies[0].replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'nothing', colspan: '6' }, t('dashboard.nothing_yet')))]));
}

function renderLate() {
  const list = live?.lateDishes ?? [];
  $('late-rule').textContent = live ? t('dashboard.late_rule', { duration: dur(live.lateAfterS) }) : '';
  const nowMs = Date.now() + offsetMs;
  // ticket, dish and station are data; the " · " between them is drawn by the style sheet
  $('late').replaceChildren(...(list.length
    ? list.map((d) => el('li', {}, el('span', { class: 'ticket', translate: 'no' }, `#${d.ticketNo ?? '?'}`),
      el('bdi', { class: 'name', translate: 'no' }, d.name),
      d.station ? el('span', { class: 'station', translate: 'no' }, d.station) : '',
      el('span', { class: 'age' }, t('dashboard.late_age', { duration: dur(Math.round((nowMs - Date.parse(d.placedAt)) / 1000)) }))))
    : [el('li', { class: 'nothing' }, t('dashboard.no_late'))]));
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
    // durations: ticks on round steps ("30 s", "5 min", not "1 min 40 s") and room for the longest
    y: { incrs: [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400], size: 72 },
    series: [
      { label: t('dashboard.legend.p50'), stroke: '#69db7c', width: 2, spanGaps: false, points: { show: true } },
      { label: t('dashboard.legend.p90'), stroke: '#ffa94d', width: 2, spanGaps: false, points: { show: true } },
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
  const day = today();
  if (day !== null && s.date !== day) {
    if (shown === null || shown.date !== day) shown = zeros(day);
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
    const day = today();
    if (trend === null || Date.now() - trendAt > TREND_MS || trend.to !== day) {
      trend = await get(`/api/merchants/${encodeURIComponent(merchant)}/stats/daily?from=${addDays(day, -29)}&to=${day}`);
      trendAt = Date.now();
    }
    status('live', t('dashboard.live', { time: fmtClock(Date.now() + offsetMs, zone) }));
  } catch (err) {
    status(err.status === 401 ? 'expired' : 'reconnecting', t(err.status === 401 ? 'dashboard.expired' : 'dashboard.offline'));
  }
  render();
}

// Every second: when the merchant's day has turned, the old figures go at once.
function tick() {
  const day = today();
  if (shown !== null && day !== null && shown.date !== day) {
    shown = zeros(day);
    render();
    void poll();
  }
}

function toast(text) {
  const box = $('toast');
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 6000);
}

/** The 30 days as CSV, its header in the page's language (the server writes it: `lang`). */
async function downloadCsv() {
  const day = today();
  if (day === null) return;
  try {
    const q = new URLSearchParams({ from: addDays(day, -29), to: day, lang: language() });
    const res = await fetch(`/api/merchants/${encodeURIComponent(merchant)}/stats/daily.csv?${q}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      throw new Error(body?.message ?? t('error.status', { status: res.status }));
    }
    const url = URL.createObjectURL(await res.blob());
    el('a', { href: url, download: `kds-${merchant}-${day}.csv` }).click();
    URL.revokeObjectURL(url);
  } catch (err) {
    toast(t('dashboard.csv_failed', { error: err.message }));
  }
}

/**
 * The merchant's default language for a device that made no choice (i18n.js decides; common.js
 * does the same for the other screens): reloads once when it differs from the one shown.
 */
async function learnLanguage() {
  try {
    if (rememberMerchantLanguage((await get(`/api/merchants/${encodeURIComponent(merchant)}/language`)).language)) location.reload();
  } catch {
    // offline or refused: the remembered default stays
  }
}

translatePage();
if (!token || !merchant) {
  status('expired', t('dashboard.no_token'));
  $('day').textContent = t('dashboard.no_token_hint');
} else {
  $('who').textContent = merchant;
  $('csv').addEventListener('click', (ev) => {
    ev.preventDefault();
    void downloadCsv();
  });
  void learnLanguage();
  window.addEventListener('resize', () => render());
  void poll();
  setInterval(() => void poll(), POLL_MS);
  setInterval(tick, 1000);
}
