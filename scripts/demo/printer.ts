// The demo's kitchen printer: the printer simulator (simulator/printer.ts) on a free port, set as
// the demo merchant's `wok` printer in fallback mode. With no kitchen screen of the wok (or of
// every station) open for PRINT_FALLBACK_AFTER_S, its BACKUP slips start: one line per slip here,
// every slip in full in the slips file. Opening /kitchen (all stations, or ?station=wok) stops them.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startPrinterSimulator, type PrinterSimulator } from '../../simulator/printer';

export interface DemoPrinter {
  readonly port: number;
  close(): Promise<void>;
}

export async function startDemoPrinter(o: {
  kdsUrl: string;
  merchantId: string;
  adminToken: string;
  slipsFile: string;
  say: (line: string) => void;
}): Promise<DemoPrinter> {
  const sim: PrinterSimulator = await startPrinterSimulator(0);
  mkdirSync(dirname(o.slipsFile), { recursive: true });
  sim.onSlip((slip) => {
    const body = slip.lines.filter((l) => l.trim() !== '' && !/^-+$/.test(l));
    o.say(`printer  ${body.join(' | ')}`);
    appendFileSync(o.slipsFile, `${slip.receivedAt.toISOString()} (${slip.encoding}, ${slip.bytes.length} bytes)\n${slip.lines.join('\n')}\n~~~~~~~~ cut ~~~~~~~~\n\n`);
  });
  const res = await fetch(`${o.kdsUrl}/api/merchants/${o.merchantId}/stations/wok/printer`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${o.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ host: '127.0.0.1', port: sim.port, encoding: 'GB18030', mode: 'fallback', width: 32 }),
  });
  if (res.status !== 200) o.say(`printer  the KDS refused the demo printer (${res.status}: ${await res.text()})`);
  else o.say(`printer  simulator on 127.0.0.1:${sim.port} is ${o.merchantId}'s wok printer (fallback); slips in ${o.slipsFile}`);
  return { port: sim.port, close: () => sim.close() };
}
