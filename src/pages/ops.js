// The on-call console (docs/operations.md): the retry table (FAILED first), dead letters with their
// bytes, replay and discard behind a confirmation that says what will happen, consumer lag, the
// order service, the live settings and the cluster. It refreshes by itself and says how old what it
// shows is. The admin token is asked for on the page (or taken once from ?token=) and kept on this
// device. The failure mail links to entries here as /ops#retry-<id> (no token in the link).
// Every text comes from the catalogues (./i18n/, keys ops.*) in the language i18n.js chose (?lang=,
// else the device's choice, else the browser's: there is no merchant here); text from the data is
// marked translate="no".
import { claimsOf, el, takeToken } from './common.js';
import { fmtAgo, fmtDateTime, fmtNumber, t } from './i18n.js';
import { facts, hexDump, table, tile } from './ops-kit.js';

/** Text from the data (ids, codes, errors of the server, bytes): shown as it is, never translated. */
const data = (text, tag = 'span', attrs = {}) => el(tag, { ...attrs, translate: 'no' }, text);
/** A moment from the server (ISO): date and time in the page's language, the exact value on hover. */
const when = (iso) => (iso ? el('time', { datetime: iso, title: iso, translate: 'no' }, fmtDateTime(Date.parse(iso))) : t('ops.none'));
const statusOf = (s) => (['FAILED', 'PENDING', 'DONE', 'DISCARDED', 'KEPT'].includes(s) ? t(`ops.status.${s}`) : s);
const outcomeOf = (o) => (['applied', 'duplicate', 'parked', 'dead_lettered'].includes(o) ? t(`ops.outcome.${o}`) : o);
const capsOf = (c) => t('ops.caps_of', { concurrent: c.maxConcurrent, perSecond: c.maxPerSecond });
const behindCount = (n) => (n === 0 ? t('ops.behind_none') : t('ops.behind_count', { n }));
const whereOf = (d) => `${d.topic}/${d.partition}@${d.offset}`;

// What replay and discard will do, in the entry's own figures: a title and paragraphs.
const CONFIRM = {
  replayRetry: (e) => ({
    title: t('ops.confirm.replay_retry', { id: e.id }),
    text: [t('ops.confirm.replay_retry_what', { orderId: e.orderId, event: e.eventType, version: e.eventVersion }),
      e.waitingBehind > 0 ? t('ops.confirm.replay_retry_behind', { n: e.waitingBehind }) : null,
      t('ops.confirm.replay_retry_fails')],
  }),
  discardRetry: (e) => ({
    title: t('ops.confirm.discard_retry', { id: e.id }),
    text: [t('ops.confirm.discard_retry_what', { orderId: e.orderId, event: e.eventType, version: e.eventVersion }),
      e.waitingBehind > 0 ? t('ops.confirm.discard_retry_behind', { n: e.waitingBehind }) : t('ops.queue_empty')],
  }),
  replayDead: (d) => ({
    title: t('ops.confirm.replay_dead', { id: d.id }),
    text: [t('ops.confirm.replay_dead_what', { where: whereOf(d), key: d.key ?? t('ops.confirm.no_key') }), t('ops.confirm.replay_dead_fails')],
  }),
  discardDead: (d) => ({
    title: t('ops.confirm.discard_dead', { id: d.id }),
    text: [t('ops.confirm.discard_dead_what', { where: whereOf(d) })],
  }),
};

const REFRESH_MS = 5000;
const STALE_AFTER_S = 15;
const MAX_SHOWN_BYTES = 4096;
const $ = (id) => document.getElementById(id);

let token = takeToken('ops');
let shownAt = 0; // Date.now() of the data on screen
let failing = false;
let olderDeadLetters = []; // pages after the first, loaded on request
let nextBefore = null;
let focusDone = false;
const focusId = /^#((?:retry|dead-letter)-\d+)$/.exec(location.hash)?.[1] ?? null; // kept across refreshes
const openQueues = new Set();

async function call(method, path) {
  const res = await fetch(path, { method, headers: { authorization: `Bearer ${token}` } });
  const body = await res.json().catch(() => null);
  if (res.status === 401 || res.status === 403) throw Object.assign(new Error(t('ops.token_refused')), { auth: true });
  if (!res.ok) throw new Error(body?.message ?? t('error.status', { status: res.status }));
  return { body, headers: res.headers };
}

function toast(text, bad = false) {
  const box = $('toast');
  box.textContent = text;
  box.className = bad ? 'bad' : '';
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 6000);
}

function confirmThen(what, run) {
  const d = $('confirm');
  $('confirm-title').textContent = what.title;
  $('confirm-text').replaceChildren(...what.text.filter(Boolean).map((p) => el('p', {}, p)));
  $('confirm-yes').textContent = what.yes;
  d.onclose = () => {
    if (d.returnValue === 'yes') run();
  };
  d.returnValue = '';
  d.showModal();
}


function valueBlock(d) {
  if (d.valueBase64 === null) return [el('p', { class: 'muted' }, t('ops.value_none'))];
  const bytes = Uint8Array.from(atob(d.valueBase64), (c) => c.charCodeAt(0));
  const cut = bytes.length > MAX_SHOWN_BYTES ? [el('p', { class: 'muted' }, t('ops.cut', { n: bytes.length - MAX_SHOWN_BYTES }))] : [];
  if (d.valueText !== null) {
    return [el('p', { class: 'muted' }, t('ops.value_text', { n: bytes.length })), data(d.valueText.slice(0, MAX_SHOWN_BYTES), 'pre', { class: 'value text' }), ...cut];
  }
  return [el('p', { class: 'muted' }, t('ops.value_hex', { n: bytes.length })), data(hexDump(bytes.subarray(0, MAX_SHOWN_BYTES)), 'pre', { class: 'value hex' }), ...cut];
}

function retryItem(e) {
  const queue = el('div', { class: 'queue-box' });
  const toggle = el('button', { type: 'button', class: 'show-queue' }, t(openQueues.has(e.id) ? 'ops.hide_queue' : 'ops.show_queue'));
  const loadQueue = async () => {
    try {
      const { body } = await call('GET', `/api/retries/${e.id}`);
      queue.replaceChildren(body.queue.length === 0 ? el('p', { class: 'empty' }, t('ops.queue_empty'))
        : el('ol', { class: 'queue' }, body.queue.map((q) =>
          el('li', {}, t('ops.queue_item', { id: q.id, event: q.eventType, version: q.eventVersion, status: statusOf(q.status) })))));
    } catch (err) {
      queue.replaceChildren(data(err.message, 'p', { class: 'bad' }));
    }
  };
  toggle.addEventListener('click', () => {
    if (openQueues.delete(e.id)) queue.replaceChildren();
    else {
      openQueues.add(e.id);
      void loadQueue();
    }
    toggle.textContent = t(openQueues.has(e.id) ? 'ops.hide_queue' : 'ops.show_queue');
  });
  if (openQueues.has(e.id)) void loadQueue();
  const act = (verb) => () => {
    const what = verb === 'replay' ? CONFIRM.replayRetry(e) : CONFIRM.discardRetry(e);
    confirmThen({ ...what, yes: t(`ops.${verb}`) }, async () => {
      try {
        const { body } = await call('POST', `/api/retries/${e.id}/${verb}`);
        if (verb === 'discard') toast(t('ops.done.retry_discard', { id: body.id }));
        else if (body.lastError && body.status !== 'DONE') toast(t('ops.done.retry_replay_error', { id: body.id, status: statusOf(body.status), error: body.lastError }));
        else toast(t('ops.done.retry_replay', { id: body.id, status: statusOf(body.status) }));
      } catch (err) {
        toast(t('ops.failed', { id: e.id, error: err.message }), true);
      }
      void refresh();
    });
  };
  const buttons = [];
  if (e.head && e.status === 'FAILED') buttons.push(el('button', { type: 'button', class: 'primary replay', onclick: act('replay') }, t('ops.replay')));
  if (e.head) buttons.push(el('button', { type: 'button', class: 'danger discard', onclick: act('discard') }, t('ops.discard')));
  return el('article', { class: `item retry ${e.status}${focusId === `retry-${e.id}` ? ' focus' : ''}`, id: `retry-${e.id}` },
    el('div', { class: 'head' }, data(`#${e.id}`, 'span', { class: 'id' }), el('span', { class: `badge ${e.status}`, 'data-status': e.status }, statusOf(e.status)),
      el('span', {}, el('span', {}, t('ops.order')), ' ', data(e.orderId)), e.head ? null : el('span', { class: 'muted' }, t('ops.not_head'))),
    facts([
      [t('ops.last_error'), e.lastError ? data(e.lastError, 'span', { class: 'error' }) : t('ops.none')],
      [t('ops.attempts'), data(fmtNumber(e.attempts))],
      [t('ops.behind'), behindCount(e.waitingBehind)],
      [t('ops.event'), data(`${e.eventType} v${e.eventVersion} (${e.eventId})`)],
      [t('ops.merchant'), data(e.merchantId)],
      e.nextAttemptAt ? [t('ops.next_attempt'), when(e.nextAttemptAt)] : null,
      [t('ops.source'), e.source ? data(e.source) : t('ops.none')],
      [t('ops.created'), when(e.createdAt)],
    ]),
    el('div', { class: 'actions' }, toggle, ...buttons), queue);
}

function deadItem(d) {
  const act = (verb) => () => {
    const what = verb === 'replay' ? CONFIRM.replayDead(d) : CONFIRM.discardDead(d);
    confirmThen({ ...what, yes: t(`ops.${verb}`) }, async () => {
      try {
        const { body } = await call('POST', `/api/dead-letters/${d.id}/${verb}`);
        if (verb === 'discard') toast(t('ops.done.dead_discard', { id: body.id }));
        else if (body.outcome === 'dead_lettered') toast(t('ops.done.dead_failed', { reason: body.reason, detail: body.detail }), true);
        else toast(t('ops.done.dead_replay', { outcome: outcomeOf(body.outcome) }));
      } catch (err) {
        toast(t('ops.failed', { id: d.id, error: err.message }), true);
      }
      olderDeadLetters = [];
      void refresh();
    });
  };
  const headers = Object.entries(d.headers ?? {});
  return el('article', { class: `item dead${focusId === `dead-letter-${d.id}` ? ' focus' : ''}`, id: `dead-letter-${d.id}` },
    // the reason is the dead letter's code (not_json, unprocessable, …): data, like its detail
    el('div', { class: 'head' }, data(`#${d.id}`, 'span', { class: 'id' }), data(d.reason, 'span', { class: `badge ${d.status}` })),
    facts([
      [t('ops.detail'), d.detail ? data(d.detail, 'span', { class: 'error' }) : t('ops.none')],
      [t('ops.where'), data(whereOf(d))],
      [t('ops.key'), d.key === null ? t('ops.none') : data(d.key)],
      [t('ops.received'), when(d.receivedAt)],
      [t('ops.headers'), headers.length === 0 ? t('ops.none') : data(headers.map(([k, v]) => `${k}: ${v}`).join('\n'), 'pre', { class: 'headers' })],
      [t('ops.replays'), d.replays === 0 ? t('ops.replays_never')
        : t('ops.replays_of', { n: d.replays, outcome: outcomeOf(d.lastOutcome), time: fmtDateTime(Date.parse(d.lastReplayAt)) })],
    ]),
    ...valueBlock(d),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'primary replay', onclick: act('replay') }, t('ops.replay')),
      el('button', { type: 'button', class: 'danger discard', onclick: act('discard') }, t('ops.discard'))));
}

function render(st, failed, pending, dead) {
  const os = st.orderService;
  const down = os.outageSince !== null || os.breakerOpen;
  const time = (iso) => fmtDateTime(Date.parse(iso));
  const n = (x) => fmtNumber(x);
  $('env').textContent = `${st.env} · ${st.topic}`;
  $('summary').replaceChildren(
    tile(t('ops.tile.failed'), data(n(st.counts.failed)), st.counts.failed > 0 ? 'bad' : ''),
    tile(t('ops.tile.pending'), data(n(st.counts.pending)), st.counts.pending > 0 ? 'warn' : ''),
    tile(t('ops.tile.dead_letters'), data(n(st.counts.deadLetters)), st.counts.deadLetters > 0 ? 'bad' : ''),
    tile(t('ops.tile.lag'), st.lag === null ? t('ops.no_value') : data(n(st.lag.total)), st.lag !== null && st.lag.total > 0 ? 'warn' : ''),
    tile(t('ops.tile.order_service'), down ? t('ops.down_since', { time: time(os.outageSince ?? os.lastOutage?.since) }) : t('ops.up'), down ? 'bad' : ''),
  );
  $('retries-title').textContent = t('ops.retries_title', { failed: st.counts.failed, pending: st.counts.pending });
  // heads only: what waits behind a head is its queue, shown under it
  const entries = [...failed, ...pending].filter((e) => e.head);
  $('retries').querySelector('.list').replaceChildren(...(entries.length === 0 ? [el('p', { class: 'empty' }, t('ops.no_retries'))] : entries.map(retryItem)));
  $('dead-letters-title').textContent = t('ops.dead_letters_title', { n: st.counts.deadLetters });
  const letters = [...dead, ...olderDeadLetters];
  $('dead-letters').querySelector('.list').replaceChildren(...(letters.length === 0 ? [el('p', { class: 'empty' }, t('ops.no_dead_letters'))] : letters.map(deadItem)));
  $('dead-letters-more').hidden = nextBefore === null;

  const lo = os.lastOutage;
  $('order-service').querySelector('.body').replaceChildren(facts([
    [t('ops.outage'), os.outageSince === null ? t('ops.no_outage') : t('ops.down_since', { time: time(os.outageSince) })],
    [t('ops.caps'), capsOf(os.caps)],
    [t('ops.share'), capsOf(os.share)],
    [t('ops.in_flight'), data(n(os.inFlight))],
    [t('ops.queued'), data(n(os.queued))],
    [t('ops.breaker'), t(os.breakerOpen ? 'ops.breaker_open' : 'ops.breaker_closed')],
    lo ? [t('ops.last_outage'), t('ops.outage_of', { since: time(lo.since), until: lo.until ? time(lo.until) : t('ops.outage_now'), cause: lo.cause, error: lo.lastError })] : null,
  ]));
  $('lag-title').textContent = st.lag === null ? t('ops.lag_unknown') : t('ops.lag_title', { total: st.lag.total, time: time(st.lag.readAt) });
  $('lag').querySelector('.body').replaceChildren(st.lag === null ? '' : table(
    [[t('ops.partition'), true], [t('ops.committed'), true], [t('ops.end'), true], [t('ops.lag'), true]],
    st.lag.partitions.map((p) => [String(p.partition), n(p.committed), n(p.high), n(p.lag)]),
  ));
  $('settings').querySelector('.body').replaceChildren(
    ...(st.zookeeperConnected ? [] : [el('p', { class: 'bad' }, t('ops.zk_down'))]),
    table([[t('ops.setting')], [t('ops.value'), true], [t('ops.range'), true]], st.settings.map((x) => [x.name, n(x.value), `${n(x.min)}–${n(x.max)}`])),
  );
  $('cluster-title').textContent = st.cluster === null ? t('ops.cluster_unknown') : t('ops.cluster_title', { n: st.cluster.length });
  $('cluster').querySelector('.body').replaceChildren(st.cluster === null ? '' : table(
    [[t('ops.rank'), true], [t('ops.instance')], [t('ops.share_col')]],
    st.cluster.map((m) => [String(m.rank), el('span', {}, data(m.id), m.self ? ` ${t('ops.self')}` : null), el('span', {}, capsOf(m.share))]),
  ));
}

/** Once, after the first render: the entry the mail linked to, or why it is not here. */
async function focusOnce() {
  if (focusDone) return;
  focusDone = true;
  const m = /^#(retry|dead-letter)-(\d+)$/.exec(location.hash);
  if (!m) return;
  const target = document.getElementById(location.hash.slice(1));
  if (target) {
    target.scrollIntoView({ block: 'start' });
    return;
  }
  const note = $('focus-note');
  note.hidden = false;
  try {
    if (m[1] === 'retry') {
      const e = (await call('GET', `/api/retries/${m[2]}`)).body;
      note.textContent = t('ops.gone_retry', { id: e.id, status: statusOf(e.status), orderId: e.orderId });
    } else note.textContent = t('ops.gone_dead', { id: m[2] });
  } catch (err) {
    note.replaceChildren(data(err.message));
  }
}

async function refresh() {
  try {
    const [st, failed, pending, dead] = await Promise.all([
      call('GET', '/api/ops/status'),
      call('GET', '/api/retries?status=FAILED&limit=200'),
      call('GET', '/api/retries?status=PENDING&limit=200'),
      call('GET', '/api/dead-letters?limit=50'),
    ]);
    if (olderDeadLetters.length === 0) nextBefore = dead.headers.get('x-next-before');
    render(st.body, failed.body, pending.body, dead.body);
    shownAt = Date.now();
    failing = false;
    showAge();
    await focusOnce();
  } catch (err) {
    if (err.auth) return askForToken(err.message);
    failing = true;
    showAge();
  }
}

function showAge() {
  const a = $('age');
  if (shownAt === 0) return;
  const s = Math.floor((Date.now() - shownAt) / 1000);
  const stale = failing || s >= STALE_AFTER_S;
  a.dataset.state = stale ? 'stale' : 'fresh';
  a.textContent = !stale && s < 2 ? t('ops.age_now') : t(stale ? 'ops.stale' : 'ops.age', { ago: fmtAgo(s) });
}

async function loadOlder() {
  if (nextBefore === null) return;
  try {
    const { body, headers } = await call('GET', `/api/dead-letters?limit=50&before=${nextBefore}`);
    olderDeadLetters = [...olderDeadLetters, ...body];
    nextBefore = headers.get('x-next-before');
    await refresh();
  } catch (err) {
    toast(t('ops.load_failed', { error: err.message }), true);
  }
}

function askForToken(why = '') {
  $('console').hidden = true;
  $('login').hidden = false;
  $('login-error').hidden = why === '';
  $('login-error').textContent = why;
  $('token-input').focus();
}

function start() {
  const claims = token ? claimsOf(token) : null;
  if (!token || !claims) return askForToken();
  if (claims.role !== 'admin') return askForToken(t('ops.token_not_admin'));
  $('login').hidden = true;
  $('console').hidden = false;
  void refresh();
}

$('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  token = $('token-input').value.trim();
  localStorage.setItem('kds.token.ops', token);
  $('token-input').value = '';
  start();
});
$('forget').addEventListener('click', () => {
  localStorage.removeItem('kds.token.ops');
  token = null;
  askForToken();
});
$('refresh').addEventListener('click', () => void refresh());
$('dead-letters-more').addEventListener('click', () => void loadOlder());
setInterval(() => {
  if (!$('console').hidden && !$('confirm').open) void refresh();
}, REFRESH_MS);
setInterval(showAge, 1000);
start();
