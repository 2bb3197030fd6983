// The screens' service worker: keeps the page shell (HTML, scripts, styles) so a screen reloaded
// while the server or the Wi-Fi is down still opens, shows its saved tickets and keeps its taps
// (common.js). Network first, so a screen online always runs the served version; the API and the
// feed are never cached.
const CACHE = 'kds-shell-v1';
const PAGES = ['/kitchen', '/waiter', '/guest', '/pickup', '/dashboard'];
const ASSETS = ['style.css', 'dashboard.css', 'common.js', 'store.js', 'i18n.js', 'i18n/en.js', 'i18n/zh-CN.js', 'display.js',
  'kitchen.js', 'waiter.js', 'guest.js', 'pickup.js', 'dashboard.js'].map((f) => `/assets/${f}`);
const NETWORK_WAIT_MS = 3000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => Promise.allSettled([...PAGES, ...ASSETS].map((u) => c.add(u)))).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

const shellKey = (url) => url.origin + url.pathname;

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!PAGES.includes(url.pathname) && !url.pathname.startsWith('/assets/') && !url.pathname.startsWith('/vendor/')) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      // a dropped Wi-Fi can leave a request hanging: the cached shell after a few seconds
      const res = await Promise.race([
        fetch(req),
        new Promise((_, reject) => setTimeout(() => reject(new Error('slow network')), NETWORK_WAIT_MS)),
      ]);
      if (res.ok) await cache.put(shellKey(url), res.clone());
      return res;
    } catch (err) {
      const hit = await cache.match(shellKey(url));
      if (hit) return hit;
      throw err;
    }
  })());
});
