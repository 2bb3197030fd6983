// One JSON line per event on stderr: greppable in files, parseable by log shippers. The port is
// ours (five methods, a fields object), the engine is pino: fast, and it never throws on a field
// it cannot stringify (a circular object, a BigInt), which JSON.stringify did.
//
// A line keeps the fields it always had, so dashboards, tests and `grep '"level":"warn"'` keep
// working: `level` as a word, `t` as an ISO time, `msg`, then the logger's fields and the call's
// (a call's field wins over a logger's of the same name when parsed). No pid or hostname.
import pino from 'pino';
import { logFields } from './log-fields';

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

// Synchronous writes to fd 2: the line about a crash is on disk before process.exit() or the
// crash itself, and the drain's lines precede the exit (pino's default async buffer can lose
// both). Our volume is a few lines a second, far from where sync writes would cost throughput.
// One destination for every logger of the process.
let stderr: pino.DestinationStream | undefined;
function stderrDestination(): pino.DestinationStream {
  stderr ??= pino.destination({ dest: 2, sync: true });
  return stderr;
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (m, f) => (f ? p.debug(f, m) : p.debug(m)),
    info: (m, f) => (f ? p.info(f, m) : p.info(m)),
    warn: (m, f) => (f ? p.warn(f, m) : p.warn(m)),
    error: (m, f) => (f ? p.error(f, m) : p.error(m)),
    child: (f) => wrap(p.child(f)),
  };
}

/**
 * A logger with `base` fields on every line, from level `min` up. `write` receives each line
 * without its newline (tests capture lines with it); without it, lines go to stderr.
 */
export function createLogger(
  base: Record<string, unknown> = {},
  min: Level = 'info',
  write?: (line: string) => void,
): Logger {
  const destination: pino.DestinationStream = write
    ? { write: (s: string) => write(s.endsWith('\n') ? s.slice(0, -1) : s) }
    : stderrDestination();
  const root = pino(
    {
      level: min,
      base: null,
      messageKey: 'msg',
      timestamp: () => `,"t":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }), log: logFields },
      // logFields already made every Error a plain object; pino's own `err` serializer would
      // fold the causes into one message and copy every enumerable property.
      serializers: { err: (v: unknown) => v },
    },
    destination,
  );
  return wrap(Object.keys(base).length > 0 ? root.child(base) : root);
}

const noop = (): void => undefined;
/** Drops everything (tests that do not look at logs). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };
