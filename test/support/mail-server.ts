// A real SMTP server for tests (smtp-server): receives what the KDS mails, decodes it, and can
// be stopped and started again on the same port to play an SMTP outage.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMail as parseCaughtMail } from '../../scripts/demo/mail-parse';

export interface ReceivedMail {
  subject: string;
  text: string;
  to: string[];
}

export interface TestMailServer {
  readonly url: string;
  readonly received: ReceivedMail[];
  /** Stops listening (connections are refused) until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Decoded with the demo inbox's MIME reader (quoted-printable, base64, encoded-word subjects). */
export function parseMail(raw: string): ReceivedMail {
  const { subject, text, to } = parseCaughtMail(raw, new Date());
  return { subject, text, to };
}

export async function startMailServer(): Promise<TestMailServer> {
  const received: ReceivedMail[] = [];
  let port = 0;
  let server: SMTPServer | undefined;

  const listen = async (): Promise<void> => {
    const s = new SMTPServer({
      authOptional: true,
      // plain SMTP on localhost: nodemailer would otherwise upgrade to TLS and reject the
      // server's self-signed certificate
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(parseMail(Buffer.concat(chunks).toString('utf8')));
          done();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.server.address() as AddressInfo).port;
    server = s;
  };
  await listen();

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async stop() {
      const s = server;
      server = undefined;
      if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      if (server === undefined) await listen();
    },
  };
}
