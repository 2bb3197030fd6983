// `npm run infra:up|down|status`. Exit codes: 0 ok; 1 a component failed to start (its log tail is
// printed); 2 usage; 3 (status only) some component does not answer.
import { ensureInfra, infraSettings, infraStatus, stopInfra } from './index';

const say = (line: string): void => void process.stdout.write(`infra: ${line}\n`);

async function status(): Promise<number> {
  const rows = await infraStatus();
  for (const r of rows) {
    const who = r.pid !== undefined ? `, pid ${r.pid} started by infra:up` : '';
    const state = r.answers ? `up${who}` : 'DOWN';
    say(`${r.name.padEnd(10)} ${r.version.padEnd(27)} ${r.address.padEnd(16)} ${state}`);
  }
  say(`cache and logs: ${infraSettings().dir}`);
  return rows.every((r) => r.answers) ? 0 : 3;
}

async function main(cmd: string | undefined): Promise<number> {
  switch (cmd) {
    case 'up': {
      const t0 = Date.now();
      const e = await ensureInfra({ say });
      say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: KAFKA_BROKERS=${e.kafkaBrokers} ` +
        `ZOOKEEPER_CONNECT=${e.zookeeperConnect} MYSQL_URL=${e.mysqlUrl}`);
      return 0;
    }
    case 'down':
      await stopInfra({ say });
      return 0;
    case 'status':
      return status();
    default:
      process.stderr.write('usage: tsx scripts/infra/cli.ts up|down|status\n');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`infra: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
