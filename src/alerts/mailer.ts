// The one thing alerting needs of e-mail: send this text to the developers. Jobs depend on the
// `Mailer` port only, so tests hand them a real SMTP server (smtp-server) or a fake, and nothing
// here knows about retry entries or outages.
import nodemailer from 'nodemailer';

export interface Mail {
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects on any failure. */
  send(mail: Mail): Promise<void>;
}

export interface SmtpMailerOptions {
  /** SMTP_URL, e.g. smtp://127.0.0.1:1025 or smtps://user:pass@mail.example.com */
  url: string;
  from: string;
  to: readonly string[];
  /**
   * Bounds connecting, the greeting and each socket read. The senders hold a job_state row lock
   * while they send (that lock is what keeps two instances from sending the same mail), so an
   * unreachable server must fail fast rather than after nodemailer's 2-minute defaults.
   */
  timeoutMs?: number;
}

export interface SmtpMailer extends Mailer {
  close(): void;
}

export function createSmtpMailer(opts: SmtpMailerOptions): SmtpMailer {
  const timeout = opts.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: opts.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(mail) {
      await transport.sendMail({
        from: opts.from,
        to: [...opts.to],
        subject: mail.subject,
        text: mail.text,
        ...(mail.html === undefined ? {} : { html: mail.html }),
      });
    },
    close() {
      transport.close();
    },
  };
}
