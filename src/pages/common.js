// Shared by the screens: token handling, the public API, and a WebSocket feed that resumes with
// afterSeq, detects seq gaps and keeps a visible connection status. Plain ES module, no build.

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
  history.replaceState(null, '', location.pathname + (q ? `?${q}` : ''));
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

export async function api(token, method, path) {
  const res = await fetch(path, { method, headers: { authorization: `Bearer ${token}` } });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

/** Server time, corrected by the offset measured from the last snapshot. */
let clockOffsetMs = 0;
export function serverNow() {
  return Date.now() + clockOffsetMs;
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
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export function showStatus(state, text) {
  const s = document.getElementById('status');
  if (!s) return;
  s.dataset.state = state;
  s.textContent = text;
}

export function toast(text) {
  const t = document.getElementById('toast');
  if (!t) return;
  t.textContent = text;
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
export function connectFeed({ token, merchant = null, gapCheck, onSnapshot, onChange, onServe = () => {} }) {
  let ws = null;
  let lastSeq = null;
  let attempt = 0;
  let lastHeard = 0;
  let retryTimer = null;

  const url = () => {
    const q = new URLSearchParams({ token });
    if (merchant) q.set('merchant', merchant);
    if (gapCheck && lastSeq !== null) q.set('afterSeq', String(lastSeq));
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?${q}`;
  };

  const reconnect = (delayMs) => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, delayMs);
  };

  const resync = (why) => {
    showStatus('behind', `Catching up… (${why})`);
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
        if (lastSeq === null || m.seq !== lastSeq + 1) return resync(`missed ${lastSeq ?? 0}…${m.seq}`);
      }
      lastSeq = m.seq;
      onChange(m);
    } else if (m.type === 'serve') {
      if (lastSeq !== null && m.seq <= lastSeq) onServe(m);
    } else if (m.type === 'error') {
      console.warn('server said', m);
    }
    document.body.dataset.seq = String(lastSeq ?? '');
    showStatus('live', 'Live');
  };

  const exp = claimsOf(token)?.exp;

  function open() {
    // an expired token is refused (401) on every try: say so instead of "reconnecting" forever
    if (exp && exp * 1000 <= Date.now()) {
      showStatus('expired', 'Token expired — open the screen link again');
      return;
    }
    showStatus(attempt === 0 ? 'connecting' : 'reconnecting', attempt === 0 ? 'Connecting…' : 'Reconnecting…');
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
      // 4003: the manager revoked this device; every retry would be refused
      if (ev.code === 4003) {
        showStatus('expired', 'This device was revoked — ask the manager to pair it again');
        return;
      }
      attempt += 1;
      showStatus('reconnecting', ev.code === 4008 ? 'Behind — reconnecting…' : 'Reconnecting…');
      // 4008: the server cut us for reading too slowly; resume at once, we have lost nothing
      const delay = ev.code === 4008 ? 0 : Math.min(5000, 300 * 2 ** Math.min(attempt, 5)) * (0.7 + Math.random() * 0.6);
      reconnect(delay);
    };
  }

  // Browsers do not expose WebSocket pings, and a dead network can leave a socket "open" for
  // minutes: ask for a pong every 10 s and reconnect when nothing has been heard for 25 s.
  setInterval(() => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastHeard > 25_000) return resync('no answer');
    ws.send('{"type":"ping"}');
  }, 10_000);
  window.addEventListener('online', () => {
    if (!ws) reconnect(0);
  });

  open();
}

export function fmtElapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}
