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

/**
 * A staff action (mark, recall, bump, rush): the answer's body on 200; otherwise a toast that says
 * what failed and why, and null. Kitchen and waiter pages share it.
 */
export async function act(token, method, path, what) {
  try {
    const { status, body } = await api(token, method, path);
    if (status !== 200) toast(`${what}: ${body?.message ?? `error ${status}`}`);
    return status === 200 ? body : null;
  } catch {
    toast(`${what}: not sent — no connection`);
    return null;
  }
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
export function connectFeed({ token, merchant = null, gapCheck, onSnapshot, onChange, onServe = () => {}, onPull = () => {} }) {
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
    } else if (m.type === 'pull') {
      // like serve: it follows its dish frame with the same seq
      if (lastSeq !== null && m.seq <= lastSeq) onPull(m);
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
  if (a) a.textContent = text;
}

/** A ticket's short label: its ticket number when the KDS has given one, else the id's last 4. */
export function ticketLabel(o) {
  if (o.ticketNo !== undefined && o.ticketNo !== null) return `#${o.ticketNo}`;
  return `#${String(o.orderId).slice(-4)}`;
}

export function tableLabel(o) {
  return o.tableNo ? `Table ${o.tableNo}` : 'Take-away';
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
    box.textContent = left <= 0
      ? 'This screen’s link has expired: open a new link'
      : `This screen’s link expires in ${Math.max(1, Math.round(left / 60000))} min: ask for a new link`;
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
    button.textContent = s === 'on' ? '♪ Sound on' : s === 'blocked' ? 'Tap to allow sound' : 'Sound off';
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
        toast('This browser does not allow sound');
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
