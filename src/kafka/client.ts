import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../log';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The line kafkajs 2.2.4 logs (consumerGroup.recoverFromOffsetOutOfRange) when a fetch finds the
 * committed offset no longer in the log and it commits the default offset instead: the earliest,
 * as our consumer subscribes fromBeginning. kafkajs emits no event for it; its log is where it enters.
 */
const OFFSET_OUT_OF_RANGE = 'Offset out of range, resetting to default offset';

export interface KafkaHooks {
  /** A committed offset of `topic`/`partition` was out of range and reset to the earliest record. */
  offsetOutOfRange?(topic: string, partition: number): void;
}

export function createKafka(clientId: string, brokers: readonly string[], log: Logger, hooks: KafkaHooks = {}): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (message === OFFSET_OUT_OF_RANGE) hooks.offsetOutOfRange?.(String(rest.topic), Number(rest.partition));
        kafkaLog[LEVELS[level] ?? 'info'](String(message), rest);
      },
  });
}
