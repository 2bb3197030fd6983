// Pickup board (a public screen, `board` role): take-away numbers being prepared and ready to
// collect. It reads GET /api/merchants/{id}/pickup every few seconds: a board shows a handful of
// numbers, and polling keeps it independent of the change feed (no seq to follow, nothing to
// resync). Numbers that just became ready are highlighted.
import { api, claimsOf, el, learnMerchantLanguage, param, pickupLabel, showStatus, tableLabel, takeToken, watchExpiry } from './common.js';
import { fmtNumber, t } from './i18n.js';

// a channel on the board: take-away, or delivery with its platform, and the pickup time
const via = (o) => [tableLabel(o), pickupLabel(o)].filter(Boolean).join(' · ');

const token = takeToken('pickup');
const claims = token ? claimsOf(token) : null;
const merchant = claims?.merchantId ?? param('merchant');
const preparing = document.getElementById('preparing');
const ready = document.getElementById('ready');
const POLL_MS = Number(param('every', '3000'));
let known = null;

let details = new Map();
function fill(list, numbers, isNew) {
  const sig = JSON.stringify(numbers.map((n) => [n, details.get(String(n))]));
  if (list.dataset.sig === sig) return;
  list.dataset.sig = sig;
  list.replaceChildren(...numbers.map((n) => {
    const o = details.get(String(n));
    return el('li', { class: isNew(n) ? 'new' : '', 'data-ticket': String(n), 'data-channel': o?.channel ?? '' },
      el('span', { translate: 'no' }, typeof n === 'number' ? fmtNumber(n, { useGrouping: false }) : String(n)),
      o ? el('small', { class: 'via' }, via({ ...o, tableNo: null })) : null);
  }));
}

async function poll() {
  try {
    const { status, body } = await api(token, 'GET', `/api/merchants/${encodeURIComponent(merchant)}/pickup`);
    if (status !== 200) {
      showStatus(status === 401 ? 'expired' : 'reconnecting', t(status === 401 ? 'status.link_expired' : 'error.status', { status }));
      return;
    }
    details = new Map((body.orders ?? []).map((o) => [String(o.ticket), o]));
    const before = known;
    known = new Set(body.ready.map(String));
    fill(preparing, body.preparing, () => false);
    fill(ready, body.ready, (n) => before !== null && !before.has(String(n)));
    document.body.dataset.polls = String(Number(document.body.dataset.polls ?? '0') + 1);
    showStatus('live', t('status.live'));
  } catch {
    showStatus('reconnecting', t('status.reconnecting'));
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

if (!token || !merchant) {
  preparing.replaceChildren(el('li', { class: 'empty', translate: 'yes' }, t('pickup.no_token')));
} else {
  watchExpiry(token);
  void learnMerchantLanguage(token, merchant);
  void poll();
}
