// A network kitchen printer stand-in (raw TCP, as port 9100): it decodes the ESC/POS it gets the
// way a Chinese kitchen printer would — FS & selects Chinese (GB18030), FS ( C fn 48 m 2 selects
// UTF-8, GS V cuts the paper — and keeps each slip as text lines. Used by `npm run demo` and by the
// printer tests. `close()` then `listen(samePort)` is a printer switched off and on again.
import { createServer, type Server, type Socket } from 'node:net';
import iconv from 'iconv-lite';

export interface PrintedSlip {
  lines: string[];
  /** the bytes of the slip, from its first byte to the cut */
  bytes: Buffer;
  /** the code page the slip selected */
  encoding: 'GB18030' | 'UTF-8' | 'none';
  receivedAt: Date;
}

export interface PrinterSimulator {
  readonly port: number;
  readonly slips: PrintedSlip[];
  /** bytes received after the last cut (a slip cut off mid-way) */
  readonly partial: number;
  /** Told of each slip as it is cut. */
  onSlip(listener: (slip: PrintedSlip) => void): void;
  /** Stops accepting and drops open connections (the printer switched off). */
  close(): Promise<void>;
  /** Listens again on the same port (switched back on). */
  reopen(): Promise<void>;
}

/** Decodes one connection's ESC/POS bytes into slips (pure; exported for unit tests). */
export function decodeEscPos(data: Buffer): { slips: Array<Omit<PrintedSlip, 'receivedAt'>>; rest: Buffer } {
  const slips: Array<Omit<PrintedSlip, 'receivedAt'>> = [];
  let encoding: PrintedSlip['encoding'] = 'none';
  let lines: string[] = [];
  let text: number[] = [];
  let slipStart = 0;
  const flushText = (): void => {
    if (text.length === 0) return;
    const buf = Buffer.from(text);
    const s = encoding === 'GB18030' ? iconv.decode(buf, 'gb18030') : encoding === 'UTF-8' ? buf.toString('utf8') : buf.toString('latin1');
    lines[lines.length - 1] = (lines[lines.length - 1] ?? '') + s;
    text = [];
  };
  lines.push('');
  let i = 0;
  while (i < data.length) {
    const b = data[i] as number;
    const next = data[i + 1];
    if (b === 0x0a) {
      flushText();
      lines.push('');
      i += 1;
    } else if (b === 0x1b) {
      flushText();
      if (next === undefined) break;
      i += next === 0x40 ? 2 : 3; // ESC @ takes no argument; ESC a/E/d/!/- take one
    } else if (b === 0x1d) {
      flushText();
      if (next === 0x56) {
        const m = data[i + 2];
        if (m === undefined) break;
        i += m === 0x41 || m === 0x42 || m === 65 || m === 66 ? 4 : 3;
        while (lines.length > 0 && (lines[lines.length - 1] ?? '').trim() === '') lines.pop();
        slips.push({ lines, bytes: data.subarray(slipStart, i), encoding });
        lines = [''];
        slipStart = i;
      } else {
        i += 3; // GS ! n and the like
      }
    } else if (b === 0x1c) {
      flushText();
      if (next === 0x26) {
        encoding = 'GB18030';
        i += 2;
      } else if (next === 0x2e) {
        encoding = 'none';
        i += 2;
      } else if (next === 0x28) {
        const pL = data[i + 3] ?? 0;
        const pH = data[i + 4] ?? 0;
        const args = data.subarray(i + 5, i + 5 + pL + pH * 256);
        if (data[i + 2] === 0x43 && args[0] === 0x30 && args[1] === 0x02) encoding = 'UTF-8';
        i += 5 + pL + pH * 256;
      } else {
        i += 2;
      }
    } else {
      text.push(b);
      i += 1;
    }
  }
  return { slips, rest: data.subarray(slipStart) };
}

export async function startPrinterSimulator(port = 0, host = '127.0.0.1'): Promise<PrinterSimulator> {
  const slips: PrintedSlip[] = [];
  const listeners: Array<(s: PrintedSlip) => void> = [];
  const sockets = new Set<Socket>();
  let partial = 0;
  let server: Server | undefined;
  let bound = port;

  const listen = async (): Promise<void> => {
    const s = createServer((socket) => {
      sockets.add(socket);
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('error', () => undefined);
      socket.on('end', () => {
        const { slips: got, rest } = decodeEscPos(Buffer.concat(chunks));
        partial += rest.length;
        for (const g of got) {
          const slip = { ...g, receivedAt: new Date() };
          slips.push(slip);
          for (const l of listeners) l(slip);
        }
        socket.end();
      });
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(bound, host, () => resolve());
    });
    const addr = s.address();
    if (addr !== null && typeof addr === 'object') bound = addr.port;
    server = s;
  };
  await listen();

  return {
    get port() {
      return bound;
    },
    slips,
    get partial() {
      return partial;
    },
    onSlip: (l) => listeners.push(l),
    async close() {
      const s = server;
      server = undefined;
      for (const sock of sockets) sock.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    reopen: listen,
  };
}
