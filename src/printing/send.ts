// One slip to a network printer over raw TCP (port 9100, "JetDirect"). The printer acknowledges
// nothing (design note 12), so the only success is: connected, every byte flushed, our end closed
// and the connection then closed without an error. Anything else is a failure of the whole slip.
import { connect } from 'node:net';
import { RetriableError } from '../errors';

export function sendToPrinter(host: string, port: number, bytes: Buffer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    const fail = (why: string, cause?: unknown): void => {
      failure ??= new RetriableError('connection', `printer ${host}:${port}: ${why}`, cause === undefined ? {} : { cause });
    };
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    socket.setTimeout(timeoutMs, () => {
      fail(`no progress for ${timeoutMs} ms`);
      socket.destroy();
    });
    // some printers send status bytes; read and drop them so the socket never stalls on them
    socket.on('data', () => undefined);
    socket.on('error', (err) => fail(err.message, err));
    socket.once('connect', () => {
      socket.end(bytes);
    });
    socket.once('close', (hadError) => {
      if (failure === undefined && (hadError || socket.bytesWritten < bytes.length)) fail('connection closed before the slip was written');
      if (failure !== undefined) reject(failure);
      else resolve();
    });
  });
}
