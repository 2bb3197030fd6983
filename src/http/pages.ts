// The screens: static HTML/CSS/JS from src/pages, no build step. Tokens travel in the page URL,
// so pages are served with no-referrer (the token must not leak to other sites) and a strict CSP.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

// from src/http (tsx) the pages are next door; from dist/http (npm start) they stay in src/pages
function pagesDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'pages'), path.resolve(__dirname, '..', '..', 'src', 'pages')];
  return candidates.find((d) => existsSync(path.join(d, 'kitchen.html'))) ?? (candidates[0] as string);
}

const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/kitchen': 'kitchen.html',
  '/waiter': 'waiter.html',
  '/guest': 'guest.html',
  '/dashboard': 'dashboard.html',
  '/pickup': 'pickup.html',
  '/expo': 'expo.html',
  '/ops': 'ops.html',
};

// Charting library of the dashboard, served from node_modules (no CDN): the same files npm installed.
function uplotDir(): string {
  return path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
}

export function createPagesRouter(dir: string = pagesDir()): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.set({
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy':
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'",
      'Cache-Control': 'no-cache',
    });
    next();
  });
  for (const [route, file] of Object.entries(PAGES)) {
    router.get(route, (_req, res, next) => {
      res.sendFile(path.join(dir, file), (err) => {
        if (err !== undefined) next(err);
      });
    });
  }
  // Browsers ask for it on every page; the screens have no icon, and a 404 would be an error in
  // each screen's console (the e2e tests fail on any console error).
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  // the service worker is served from the root so its scope covers every page (src/pages/sw.js)
  router.get('/sw.js', (_req, res, next) => {
    res.sendFile(path.join(dir, 'sw.js'), (err) => {
      if (err !== undefined) next(err);
    });
  });
  router.use('/assets', express.static(dir, { index: false, fallthrough: true, extensions: false }));
  router.get(['/vendor/uplot/uPlot.iife.min.js', '/vendor/uplot/uPlot.min.css'], (req, res, next) => {
    res.sendFile(path.join(uplotDir(), path.basename(req.path)), (err) => {
      if (err !== undefined) next(err);
    });
  });
  return router;
}
