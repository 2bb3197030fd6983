// Shared by the screens: token handling, the public API, and a WebSocket feed that resumes with
// afterSeq, detects seq gaps and keeps a visible connection status; offline, an outbox of taps and
// a banner. Plain ES module, no build.
import { CATALOGUES, fmtClock, fmtNumber, rememberMerchantLanguage, t, translatePage } from './i18n.js';

const params = new URLSearchParams(location.search);

/** Query parameter of the page URL. */
export function param(name, fallback = null) {
  const v = params.get(name);
  return v === null || v === '' ? fallback : v;
}

export function setParam(name, value) {
  if (value === null || value === '') params.delete(name);
  else params.set(name, value);
  const q = params.toString();
  // the hash stays: /ops#retry-12 is where a mail link points
  history.replaceState(null, '', location.pathname + (q ? `?${q}` : '') + location.hash);
}

/**
 * The token comes once as ?token=…; it is kept in localStorage (per screen) and removed from the
 * address bar so it does not end up in screenshots, history or bookmarks shared by accident.
 */
export function takeToken(screen) {
  const key = `kds.token.${screen}`;
  const fromUrl = param('token');
  if (fromUrl !== null) {
    localStorage.setItem(key, fromUrl);
    setParam('token', null);
    return fromUrl;
  }
  return localStorage.getItem(key);
}

export function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(window.atob(part));
  } catch {
    return null;
  }
}

export async function api(token, method, path, body, signal) {
  const headers = { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(signal ? { signal } : {}) });
  let answer = null;
  try {
    answer = await res.json();
  } catch {
    answer = null;
  }
  return { status: res.status, body: answer };
}

/**
 * A staff action (mark, recall, bump, rush): the answer's body on 200; otherwise a toast that says
 * what failed and why, and null. Kitchen and waiter pages share it.
 *
 * Offline, the tap is kept in the page's outbox (localStorage, so it survives a reload) and sent
 * in order once the feed is live again (flushOutbox); marks carry their target state, so a tap
 * replayed after an answer that never arrived is harmless. While taps wait, new ones queue
 * behind them, keeping the order they were made in.
 */
export async function act(token, method, path, what, payload) {
  if (outbox().length > 0) return keep(token, method, path, what, payload);
  try {
    const { status, body } = await api(token, method, path, payload, AbortSignal.timeout(ACT_TIMEOUT_MS));
    if (status !== 200) toast(t('common.toast', { what, why: refusal(status, body) }));
    return status === 200 ? body : null;
  } catch {
    return keep(token, method, path, what);
  }
}

/**
 * Why the server refused a tap, in the page's language: the catalogued words for its `error` code
 * (the API's `message` stays English, contract "Screens in every kitchen"), else its status.
 */
function refusal(status, body) {
  const key = `common.error.${body?.error}`;
  return CATALOGUES.en[key] === undefined ? t('error.status', { status }) : t(key);
}

// ---- offline: the outbox of taps, the banner, the page shell (service worker) ----

const ACT_TIMEOUT_MS = 5000;
const OUTBOX_KEY = `kds.outbox.${location.pathname}`;
const REFUSED_KEY = `kds.refused.${location.pathname}`;
/** Said within this long when nothing is heard from the server (contract: 5 s). */
const OFFLINE_AFTER_MS = 4000;
let feedLive = false;
let feedSeen = false;
/** when the tickets shown were last known to be current (ms) */
let dataAsOf = null;
let flushing = false;

function readList(key) {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}
const outbox = () => readList(OUTBOX_KEY);

function keep(token, method, path, what, payload) {
  localStorage.setItem(OUTBOX_KEY, JSON.stringify([...outbox(), { token, method, path, what, payload, at: Date.now() }]));
  toast(t('common.toast', { what, why: t('offline.kept') }));
  renderOffline();
  return null;
}

/** Sends the kept taps in order; stops at the first that cannot reach the server (tried again later). */
async function flushOutbox() {
  if (flushing || !feedLive) return;
  flushing = true;
  try {
    for (;;) {
      const [next] = outbox();
      if (!next) break;
      let status;
      let body = null;
      try {
        ({ status, body } = await api(next.token, next.method, next.path, next.payload, AbortSignal.timeout(ACT_TIMEOUT_MS)));
      } catch {
        break;
      }
      if (status >= 500 || status === 429) break;
      localStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox().slice(1)));
      if (status !== 200) {
        // the reason is kept as the server's code and status and put in words when shown
        const refused = [...readList(REFUSED_KEY), { what: next.what, status, error: body?.error ?? null, at: Date.now() }];
        localStorage.setItem(REFUSED_KEY, JSON.stringify(refused.slice(-20)));
      }
      renderOffline();
    }
  } finally {
    flushing = false;
    renderOffline();
  }
}
setInterval(() => void flushOutbox(), 5000);

/** The tickets shown were current at `ms` (a saved board loaded after a reload). */
export function noteDataAsOf(ms) {
  if (typeof ms === 'number' && (dataAsOf === null || ms > dataAsOf)) dataAsOf = ms;
  renderOffline();
}

function offlineBox() {
  let b = document.getElementById('offline');
  if (b) return b;
  b = el('div', { id: 'offline', class: 'offline', role: 'status', 'aria-live': 'polite', hidden: true });
  const bar = document.querySelector('.bar');
  if (bar) bar.after(b);
  else document.body.prepend(b);
  return b;
}

function renderOffline() {
  if (!document.body) return;
  const box = offlineBox();
  const waiting = outbox().length;
  const refused = readList(REFUSED_KEY);
  const offline = feedSeen && !feedLive;
  const parts = [];
  if (offline) {
    const age = dataAsOf === null ? null : fmtElapsed(Date.now() - dataAsOf);
    parts.push(el('b', {}, t('offline.banner')), age === null ? null : ` ${t('offline.age', { age, time: fmtTime(dataAsOf) })}`);
  }
  // English says "1 tap", not "1 taps" (zh-CN has no plural: both keys say the same)
  if (waiting > 0) parts.push(el('span', { class: 'waiting' }, ` ${t(waiting === 1 ? 'common.waiting_one' : 'offline.waiting', { n: waiting })}`));
  if (refused.length > 0) {
    parts.push(el('span', { class: 'refused' }, ` ${t('offline.refused', { n: refused.length })} `,
      refused.map((r) => t('common.toast', { what: r.what, why: r.status ? refusal(r.status, { error: r.error }) : String(r.reason ?? '') })).join(' · ')),
    el('button', { type: 'button', class: 'dismiss', onclick: () => { localStorage.removeItem(REFUSED_KEY); renderOffline(); } }, t('offline.dismiss')));
  }
  box.hidden = parts.length === 0;
  box.dataset.state = offline ? 'offline' : 'online';
  box.dataset.waiting = String(waiting);
  box.dataset.refused = String(refused.length);
  box.replaceChildren(...parts.filter((x) => x !== null));
}
setInterval(renderOffline, 1000);

// ---- display: text scale (1×–2×) and a high-contrast theme, per screen, remembered on the device ----

const DISPLAY_KEY = `kds.display.${location.pathname}`;
const SCALES = [1, 1.25, 1.5, 1.75, 2];

function readDisplay() {
  let d = { scale: 1, contrast: 'normal' };
  try {
    d = { ...d, ...JSON.parse(localStorage.getItem(DISPLAY_KEY) ?? '{}') };
  } catch {
    // a damaged setting is the default
  }
  // a link can set them (?scale=2&contrast=high), and the screen remembers them
  const q = new URLSearchParams(location.search);
  const scale = Number(q.get('scale'));
  if (SCALES.includes(scale)) d.scale = scale;
  if (q.get('contrast') === 'high' || q.get('contrast') === 'normal') d.contrast = q.get('contrast');
  if (!SCALES.includes(d.scale)) d.scale = 1;
  return d;
}

function applyDisplay(d) {
  localStorage.setItem(DISPLAY_KEY, JSON.stringify(d));
  const root = document.documentElement;
  root.style.setProperty('--scale', String(d.scale));
  root.dataset.scale = String(d.scale);
  root.dataset.contrast = d.contrast;
  const b = document.getElementById('display-btn');
  if (b) b.textContent = t('display.button', { scale: fmtNumber(d.scale) });
}

let display = readDisplay();
applyDisplay(display);

function displayControls() {
  const bar = document.querySelector('.bar');
  if (!bar || document.getElementById('display-btn')) return;
  const panel = el('div', { id: 'display-panel', class: 'display-panel', role: 'dialog', 'aria-label': t('display.title'), hidden: true });
  const render = () => {
    panel.replaceChildren(
      el('span', {}, t('display.size')),
      ...SCALES.map((sc) => el('button', {
        type: 'button', class: 'scale', 'data-scale': sc, 'aria-pressed': String(display.scale === sc),
        onclick: () => { display = { ...display, scale: sc }; applyDisplay(display); render(); },
      }, t('common.scale', { scale: sc }))),
      el('button', {
        type: 'button', class: 'contrast', 'aria-pressed': String(display.contrast === 'high'),
        onclick: () => { display = { ...display, contrast: display.contrast === 'high' ? 'normal' : 'high' }; applyDisplay(display); render(); },
      }, t('display.contrast')),
    );
  };
  const button = el('button', {
    id: 'display-btn', type: 'button', class: 'sound', 'aria-label': t('display.title'),
    onclick: () => { panel.hidden = !panel.hidden; render(); },
  });
  const anchor = bar.querySelector('#status');
  if (anchor) anchor.before(button);
  else bar.append(button);
  bar.after(panel);
  applyDisplay(display);
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', displayControls);
else displayControls();

// Static text of the page (data-i18n attributes) in the page's language.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => translatePage());
else translatePage();

/**
 * The merchant's default language (PUT …/settings) for a device that made no choice: remembered,
 * and the page reloads once when it learns a different one.
 */
export async function learnMerchantLanguage(token, merchantId) {
  if (!merchantId) return;
  try {
    const { status, body } = await api(token, 'GET', `/api/merchants/${encodeURIComponent(merchantId)}/language`);
    if (status === 200 && rememberMerchantLanguage(body.language)) location.reload();
  } catch {
    // offline: the remembered default stays
  }
}

// A service worker keeps the page shell, so a reload without the server still shows the page
// (with its saved tickets and kept taps). Only where the browser allows one (https or localhost).
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

/** Server time, corrected by the offset measured from the last snapshot. */
let clockOffsetMs = 0;
export function serverNow() {
  return Date.now() + clockOffsetMs;
}

// Unicode controls that reorder the text after them (embeddings, overrides, isolates: LRE, RLE,
// PDF, LRO, RLO, LRI, RLI, FSI, PDI). Text from orders is shown without them, so a dish name or
// note cannot reorder what a cook reads; each piece of such text sits in its own isolated element
// (<bdi>, or dir="auto"), so right-to-left text cannot move the quantity or the words around it.
const REORDERING = /[\u202a-\u202e\u2066-\u2069]/g;

/** Text as a screen shows it: without reordering controls (HTML is never parsed: text nodes only). */
export function plain(text) {
  return String(text).replace(REORDERING, '');
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k.startsWith('data-')) e.setAttribute(k, String(v));
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(typeof c === 'string' ? plain(c) : c);
  return e;
}

export function showStatus(state, text) {
  const s = document.getElementById('status');
  if (!s) return;
  s.dataset.state = state;
  s.textContent = plain(text);
}

export function toast(text) {
  const t = document.getElementById('toast');
  if (!t) return;
  t.textContent = plain(text);
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 4000);
}

/**
 * Opens /ws and keeps it open. `gapCheck` (merchant-wide screens): every dish/order frame must
 * carry lastSeq + 1; a gap means something was missed, so the screen reconnects with afterSeq and
 * the server replays or sends a snapshot. Guests see only their order, whose seqs have gaps by
 * nature, so they resync with a snapshot on every reconnect instead.
 */
function setLive(live) {
  feedSeen = true;
  if (live) dataAsOf = Date.now();
  if (feedLive === live) return;
  feedLive = live;
  document.body.dataset.online = String(live);
  renderOffline();
  if (live) void flushOutbox();
}

export function connectFeed({ token, merchant = null, gapCheck, onSnapshot, onChange, onServe = () => {}, onPull = () => {}, extraParams = () => ({}) }) {
  let ws = null;
  let lastSeq = null;
  let attempt = 0;
  let lastHeard = 0;
  let retryTimer = null;

  const url = () => {
    const q = new URLSearchParams({ token });
    if (merchant) q.set('merchant', merchant);
    if (gapCheck && lastSeq !== null) q.set('afterSeq', String(lastSeq));
    for (const [k, v] of Object.entries(extraParams())) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?${q}`;
  };

  const reconnect = (delayMs) => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, delayMs);
  };

  const resync = (why) => {
    showStatus('behind', t('status.behind', { why }));
    if (ws) {
      ws.onclose = null;
      ws.close(4000, 'resync');
    }
    reconnect(0);
  };

  const handle = (m) => {
    lastHeard = Date.now();
    if (m.type === 'snapshot') {
      lastSeq = m.seq;
      if (m.serverTime) clockOffsetMs = Date.parse(m.serverTime) - Date.now();
      onSnapshot(m);
    } else if (m.type === 'dish' || m.type === 'order') {
      if (gapCheck) {
        if (lastSeq !== null && m.seq <= lastSeq) return; // already have it
        if (lastSeq === null || m.seq !== lastSeq + 1) return resync(t('common.missed', { from: String(lastSeq ?? 0), to: String(m.seq) }));
      }
      lastSeq = m.seq;
      onChange(m);
    } else if (m.type === 'serve') {
      if (lastSeq !== null && m.seq <= lastSeq) onServe(m);
    } else if (m.type === 'pull') {
      // like serve: it follows its dish frame with the same seq
      if (lastSeq !== null && m.seq <= lastSeq) onPull(m);
    } else if (m.type === 'error') {
      console.warn('server said', m);
    }
    document.body.dataset.seq = String(lastSeq ?? '');
    showStatus('live', t('status.live'));
    setLive(true);
  };

  const exp = claimsOf(token)?.exp;

  function open() {
    // an expired token is refused (401) on every try: say so instead of "reconnecting" forever
    if (exp && exp * 1000 <= Date.now()) {
      showStatus('expired', t('status.expired'));
      return;
    }
    showStatus(attempt === 0 ? 'connecting' : 'reconnecting', t(attempt === 0 ? 'status.connecting' : 'status.reconnecting'));
    ws = new WebSocket(url());
    ws.onopen = () => {
      attempt = 0;
      lastHeard = Date.now();
      // a resume with nothing missed sends no frame; the pong tells us we are live
      ws.send('{"type":"ping"}');
    };
    ws.onmessage = (ev) => {
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch {
        return;
      }
      handle(m);
    };
    ws.onclose = (ev) => {
      ws = null;
      setLive(false);
      // 4003: the manager revoked this device; every retry would be refused
      if (ev.code === 4003) {
        showStatus('expired', t('status.revoked'));
        return;
      }
      attempt += 1;
      showStatus('reconnecting', t(ev.code === 4008 ? 'status.slow' : 'status.reconnecting'));
      // 4008: the server cut us for reading too slowly; resume at once, we have lost nothing
      const delay = ev.code === 4008 ? 0 : Math.min(5000, 300 * 2 ** Math.min(attempt, 5)) * (0.7 + Math.random() * 0.6);
      reconnect(delay);
    };
  }

  // Browsers do not expose WebSocket pings, and a dead network can leave a socket "open" for
  // minutes: ask for a pong every 2 s, say offline when nothing was heard for OFFLINE_AFTER_MS,
  // and reconnect when nothing has been heard for 10 s.
  setInterval(() => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const quiet = Date.now() - lastHeard;
    if (quiet > OFFLINE_AFTER_MS) {
      // the pill agrees with the offline banner (it said "Live" over a silent socket)
      setLive(false);
      showStatus('reconnecting', t('status.reconnecting'));
    }
    if (quiet > 10_000) return resync(t('common.no_answer'));
    ws.send('{"type":"ping"}');
  }, 2000);
  window.addEventListener('online', () => {
    if (!ws) reconnect(0);
  });

  open();
  return {
    /** Reconnects now (resuming with afterSeq), e.g. when extraParams changed. */
    reopen() {
      if (ws) {
        ws.onclose = null;
        ws.close(4000, 'reopen');
        ws = null;
      }
      reconnect(0);
    },
  };
}

/** A time of day in the page's language (24 h). */
export function fmtTime(ms) {
  return fmtClock(ms);
}

/** Minutes and seconds (m:ss) in the page's language. */
export function fmtElapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  return t('common.elapsed', { m: fmtNumber(m, { useGrouping: false }), ss: fmtNumber(s % 60, { minimumIntegerDigits: 2 }) });
}

/**
 * Coalesces renders: a burst of frames (a 500-change replay arrives as 500 messages, each its own
 * task) triggers one render per ~frame, not one per message, so the board is not rebuilt 500 times
 * and a tap in the middle lands on a button that still exists. A timer, not requestAnimationFrame:
 * a kitchen tablet whose page is hidden must still be up to date when it is shown again.
 */
export function renderScheduler(render, delayMs = 40) {
  let timer = null;
  let count = 0;
  const run = () => {
    timer = null;
    count += 1;
    document.body.dataset.renders = String(count);
    render();
  };
  return {
    schedule() {
      if (timer === null) timer = setTimeout(run, delayMs);
    },
    now() {
      if (timer !== null) clearTimeout(timer);
      run();
    },
  };
}

/** One line for screen readers and for the status region (aria-live="polite" in the HTML). */
export function announce(text) {
  const a = document.getElementById('announce');
  if (a) a.textContent = plain(text);
}

/** A ticket's short label: its ticket number when the KDS has given one, else the id's last 4. */
export function ticketLabel(o) {
  if (o.ticketNo !== undefined && o.ticketNo !== null) return `#${o.ticketNo}`;
  return `#${String(o.orderId).slice(-4)}`;
}

/** Where the order goes: its table (dine-in), take-away, or delivery with its platform. */
export function tableLabel(o) {
  if (o.channel === 'DELIVERY') {
    const known = o.platform === 'meituan' || o.platform === 'eleme';
    const p = o.platform ? ` · ${known ? t(`platform.${o.platform}`) : o.platform}` : '';
    return `${t('ticket.delivery')}${p}`;
  }
  if (o.channel === 'TAKEAWAY' || !o.tableNo) return t('ticket.takeaway');
  return t('ticket.table', { table: o.tableNo });
}

/** The pickup time as a local time of day in the page's language, or '' without one. */
export function pickupLabel(o) {
  if (!o.pickupAt) return '';
  return t('ticket.pickup', { time: fmtClock(Date.parse(o.pickupAt)) });
}

/** Seconds until the dish is due (dueAt, else firedAt + lateS); null while held or done. */
export function dueInSeconds(d, lateS, now) {
  if (d.held || d.state !== 'WAITING') return null;
  const due = d.dueAt ? Date.parse(d.dueAt) : d.firedAt ? Date.parse(d.firedAt) + lateS * 1000 : null;
  return due === null ? null : Math.round((due - now) / 1000);
}

/**
 * Tokens carry `exp`: a screen warns in its bar well before its token runs out (a new link is needed),
 * not in the middle of a rush when it stops working.
 */
export function watchExpiry(token, warnBeforeS = 3600) {
  const exp = claimsOf(token)?.exp;
  const box = document.getElementById('expiry');
  if (!exp || !box) return;
  const check = () => {
    const left = exp * 1000 - Date.now();
    if (left > warnBeforeS * 1000) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.dataset.state = left <= 0 ? 'expired' : 'soon';
    box.textContent = left <= 0 ? t('expiry.expired') : t('expiry.soon', { min: Math.max(1, Math.round(left / 60000)) });
  };
  check();
  setInterval(check, 30_000);
}

/**
 * Opt-in chime. Browsers start audio only after a tap, so the bar has a button that says what the
 * sound is doing ("Sound off" / "Tap to allow sound" / "Sound on"); the choice is remembered, and
 * after a reload the button asks for the one tap again.
 */
export function createChime(screen) {
  const key = `kds.sound.${screen}`;
  const button = document.getElementById('sound');
  let ctx = null;
  let wanted = localStorage.getItem(key) === 'on';

  const state = () => (!wanted ? 'off' : ctx && ctx.state === 'running' ? 'on' : 'blocked');
  const show = () => {
    if (!button) return;
    const s = state();
    button.dataset.state = s;
    button.setAttribute('aria-pressed', String(s === 'on'));
    button.textContent = t(s === 'on' ? 'sound.on' : s === 'blocked' ? 'sound.blocked' : 'sound.off');
  };

  const beep = (freq = 880, ms = 180) => {
    if (!ctx || ctx.state !== 'running') return false;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.25, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + ms / 1000);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + ms / 1000);
    return true;
  };

  button?.addEventListener('click', async () => {
    if (state() === 'on') {
      wanted = false;
    } else {
      wanted = true;
      try {
        ctx = ctx ?? new (window.AudioContext || window.webkitAudioContext)();
        await ctx.resume();
        beep(660, 120);
      } catch {
        toast(t('sound.refused'));
      }
    }
    localStorage.setItem(key, wanted ? 'on' : 'off');
    show();
  });
  show();

  return {
    /** Plays the chime if sound is on; counts it on the body for tests and for the status line. */
    play(kind) {
      const played = wanted && beep(kind === 'serve' ? 988 : 784);
      document.body.dataset.chimes = String(Number(document.body.dataset.chimes ?? '0') + 1);
      return played;
    },
  };
}
