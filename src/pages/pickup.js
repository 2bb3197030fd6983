// Pickup board (a public screen, `board` role): take-away numbers being prepared and ready to
// collect. It reads GET /api/merchants/{id}/pickup every few seconds: a board shows a handful of
// numbers, and polling keeps it independent of the change feed (no seq to follow, nothing to
// resync). Numbers that just became ready are highlighted.
import { api, claimsOf, el, param, showStatus, takeToken, watchExpiry } from './common.js';

const token = takeToken('pickup');
const claims = token ? claimsOf(token) : null;
const merchant = claims?.merchantId ?? param('merchant');
const preparing = document.getElementById('preparing');
const ready = document.getElementById('ready');
const POLL_MS = Number(param('every', '3000'));
let known = null;

function fill(list, numbers, isNew) {
  const sig = JSON.stringify(numbers);
  if (list.dataset.sig === sig) return;
  list.dataset.sig = sig;
  list.replaceChildren(...numbers.map((n) => el('li', { class: isNew(n) ? 'new' : '', 'data-ticket': String(n) }, String(n))));
}

async function poll() {
  try {
    const { status, body } = await api(token, 'GET', `/api/merchants/${encodeURIComponent(merchant)}/pickup`);
    if (status !== 200) {
      showStatus(status === 401 ? 'expired' : 'reconnecting', status === 401 ? 'Link expired — open a new link' : `Error ${status}`);
      return;
    }
    const before = known;
    known = new Set(body.ready.map(String));
    fill(preparing, body.preparing, () => false);
    fill(ready, body.ready, (n) => before !== null && !before.has(String(n)));
    document.body.dataset.polls = String(Number(document.body.dataset.polls ?? '0') + 1);
    showStatus('live', 'Live');
  } catch {
    showStatus('reconnecting', 'Reconnecting…');
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

if (!token || !merchant) {
  preparing.replaceChildren(el('li', { class: 'empty' }, 'Open this page with ?token=<board token>'));
} else {
  watchExpiry(token);
  void poll();
}
