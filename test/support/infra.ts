// Where integration tests find the real servers (`npm run infra:up` starts them on these defaults).
export const KAFKA_BROKERS: readonly string[] = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

export const ZK_CONNECT: string = process.env.ZOOKEEPER_CONNECT ?? '127.0.0.1:2181';
