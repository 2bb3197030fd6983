// `npm run migrate`: applies pending migrations to MYSQL_URL (needs only that variable).
import { createLogger } from '../log';
import { migrate } from './migrate';

const url = process.env.MYSQL_URL?.trim() || 'mysql://root@127.0.0.1:3306/kds';
migrate(url, createLogger({ component: 'migrate' }))
  .then((applied) => {
    process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'schema is up to date\n');
  })
  .catch((err: unknown) => {
    process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
