// Just enough MIME to show the KDS's alert mails: nodemailer sends them as text/plain (or text +
// html as multipart/alternative), quoted-printable or base64, with RFC 2047 encoded words in the
// subject when it is not ASCII. Anything fancier is shown raw, still readable for a demo inbox.

export interface CaughtMail {
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

function decodeQuotedPrintable(body: string, underscoresAreSpaces = false): string {
  const soft = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i] as string;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '_' && underscoresAreSpaces) {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `=?UTF-8?Q?…?=` and `=?UTF-8?B?…?=` words; the whitespace between two words is dropped. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data, true),
    );
}

interface Part {
  header(name: string): string;
  body: string;
}

function splitPart(raw: string): Part {
  const split = raw.search(/\r?\n\r?\n/);
  const headEnd = split < 0 ? raw.length : split;
  // unfold continuation lines so every header is one line
  const head = raw.slice(0, headEnd).replace(/\r?\n[ \t]+/g, ' ');
  return {
    header: (name) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '',
    body: split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, ''),
  };
}

/** The text/plain content of a part; of a multipart one (text + html), its first text part. */
function plainText(part: Part, depth = 0): string {
  const type = part.header('Content-Type');
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary !== undefined && depth < 5) {
    const parts = part.body.split(`--${boundary}`).slice(1, -1).map((p) => splitPart(p.replace(/^\r?\n/, '')));
    const text = parts.find((p) => /^text\/plain/i.test(p.header('Content-Type'))) ?? parts[0];
    return text === undefined ? part.body : plainText(text, depth + 1);
  }
  const enc = part.header('Content-Transfer-Encoding').toLowerCase();
  return enc === 'quoted-printable' ? decodeQuotedPrintable(part.body)
    : enc === 'base64' ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8')
    : part.body;
}

export function parseMail(raw: string, receivedAt: Date): CaughtMail {
  const mail = splitPart(raw);
  return {
    receivedAt: receivedAt.toISOString(),
    from: decodeEncodedWords(mail.header('From')),
    to: mail.header('To').split(/,\s*/).filter(Boolean),
    subject: decodeEncodedWords(mail.header('Subject')).trim() || '(no subject)',
    text: plainText(mail).replace(/\r\n/g, '\n').trimEnd(),
  };
}
