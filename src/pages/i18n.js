// The pages' language: one message catalogue per language (./i18n/<lang>.js). Chosen by ?lang=
// (remembered on the device), else the device's remembered choice, else the merchant's default
// (remembered once a page learnt it: common.js learnMerchantLanguage), else the browser's language: any zh → zh-CN,
// anything else → en. Times and numbers are formatted with Intl for the chosen language.
import en from './i18n/en.js';
import zhCN from './i18n/zh-CN.js';

export const CATALOGUES = { en, 'zh-CN': zhCN };
export const LANGUAGES = Object.keys(CATALOGUES);
const KEY = 'kds.lang';

function pick(raw) {
  if (!raw) return null;
  if (LANGUAGES.includes(raw)) return raw;
  const lower = raw.toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return null;
}

function fromBrowser() {
  for (const l of navigator.languages ?? [navigator.language]) {
    if (String(l).toLowerCase().startsWith('zh')) return 'zh-CN';
  }
  return 'en';
}

const MERCHANT_KEY = 'kds.lang.merchant';
const asked = pick(new URLSearchParams(location.search).get('lang'));
if (asked) localStorage.setItem(KEY, asked);
const remembered = pick(localStorage.getItem(KEY));
const merchantDefault = pick(localStorage.getItem(MERCHANT_KEY));
const lang = remembered ?? merchantDefault ?? fromBrowser();
document.documentElement.lang = lang;

export function language() {
  return lang;
}

/**
 * Remembers the merchant's default; true when the page should reload to show it (the device made
 * no choice of its own and the language shown is not that one).
 */
export function rememberMerchantLanguage(l) {
  const chosen = pick(l);
  if (chosen) localStorage.setItem(MERCHANT_KEY, chosen);
  else localStorage.removeItem(MERCHANT_KEY);
  return !remembered && (chosen ?? fromBrowser()) !== lang;
}

/** The message `key` in the page's language, `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const msg = CATALOGUES[lang]?.[key] ?? CATALOGUES.en[key];
  if (msg === undefined) {
    console.warn('no message', key);
    return key;
  }
  return msg.replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? `{${k}}` : typeof vars[k] === 'number' ? fmtNumber(vars[k]) : String(vars[k])));
}

export function fmtNumber(n, opts = {}) {
  return new Intl.NumberFormat(lang, opts).format(n);
}

/** A time of day, 24 h, in the page's language (and `timeZone` if given). */
export function fmtClock(ms, timeZone) {
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(timeZone ? { timeZone } : {}) }).format(ms);
}

/** Fills every element with data-i18n="key" (text) or data-i18n-label="key" (aria-label). */
export function translatePage(root = document) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-label]')) e.setAttribute('aria-label', t(e.dataset.i18nLabel));
  for (const e of root.querySelectorAll('[data-i18n-title]')) e.setAttribute('title', t(e.dataset.i18nTitle));
}

/**
 * A moment as date and time of day (24 h, seconds) in the page's language and the device's zone,
 * the month spelt out so no reader takes 12/02 for February: "Dec 2, 2026, 13:28:23", "2026年12月2日 13:28:23".
 */
export function fmtDateTime(ms) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23' }).format(ms);
}

/** How long ago `seconds` were, in the page's language: "12 sec. ago" / "12秒前", then minutes, then hours. */
export function fmtAgo(seconds) {
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'always', style: 'short' });
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return rtf.format(-s, 'second');
  if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute');
  return rtf.format(-Math.floor(s / 3600), 'hour');
}
