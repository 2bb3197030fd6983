// An SMTP catcher for the demo: accepts every mail the KDS sends (failure digests, outage
// notices), keeps it in memory and tells the console its subject. Nothing is relayed anywhere.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMail, type CaughtMail } from './mail-parse';

export interface SmtpCatcher {
  readonly port: number;
  readonly mails: readonly CaughtMail[];
  close(): Promise<void>;
}

/** Only the newest ones are kept: a demo left running for days must not grow without bound. */
const KEEP = 200;

/** Rejects with the listen error (EADDRINUSE when something else already has the port). */
export async function startSmtpCatcher(port: number, onMail: (mail: CaughtMail) => void): Promise<SmtpCatcher> {
  const mails: CaughtMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // plain SMTP on localhost: with STARTTLS offered nodemailer would upgrade and then reject the
    // server's self-signed certificate
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // the KDS is stopped before the catcher, so nothing should be left to wait for
    closeTimeout: 2_000,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail = parseMail(Buffer.concat(chunks).toString('utf8'), new Date());
        mails.unshift(mail);
        mails.length = Math.min(mails.length, KEEP);
        onMail(mail);
        done();
      });
    },
  });
  // SMTPServer re-emits its socket's errors on itself: without a listener there, a taken port
  // (or a client hanging up mid-mail later) would be an unhandled 'error' that ends the demo
  let failStart: ((err: Error) => void) | undefined;
  server.on('error', (err: Error) => failStart?.(err));
  await new Promise<void>((resolve, reject) => {
    failStart = reject;
    server.listen(port, '127.0.0.1', () => resolve());
  });
  failStart = undefined;
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function inboxHtml(mails: readonly CaughtMail[]): string {
  const rows = mails
    .map((m) =>
      `<details><summary><time>${esc(m.receivedAt)}</time> <b>${esc(m.subject)}</b> → ${esc(m.to.join(', '))}</summary>` +
      `<pre>${esc(m.text)}</pre></details>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>KDS demo inbox</title>
<meta http-equiv="refresh" content="10">
<style>body{font:14px system-ui,sans-serif;margin:2em}summary{cursor:pointer;padding:.3em 0}pre{background:#f4f4f4;padding:1em;white-space:pre-wrap}time{color:#777}</style>
</head><body><h1>KDS demo inbox (${mails.length})</h1>
<p>Mail the KDS sent to the developers. Refreshes every 10 s. JSON: <a href="/messages.json">/messages.json</a></p>
${rows || '<p><i>nothing yet: failure digests arrive when a retry gives up, outage notices when the order service is down</i></p>'}
</body></html>`;
}

export interface Inbox {
  readonly url: string;
  close(): Promise<void>;
}

/** A read-only web view of the caught mails: `/` (HTML) and `/messages.json`. */
export async function startInbox(port: number, mails: readonly CaughtMail[]): Promise<Inbox> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/messages.json') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(mails));
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(inboxHtml(mails));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not_found"}');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
