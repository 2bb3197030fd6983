// `npm run token -- --merchant M0001 --role kitchen [--order O1] [--ttl 3600] [--device "Wok screen"]`
// Prints the token as the last line of stdout. Needs KDS_ENV and KDS_AUTH_SECRET (checked by the
// same rules as the service, src/config.ts), and MYSQL_URL for device tokens, which are recorded
// in the `devices` table before they are printed (so the merchant's manager can see and revoke them).
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { ConfigError, loadTokenIssuerConfig, type TokenIssuerConfig } from '../config';
import { issueDeviceToken } from '../devices/issue';
import {
  DEFAULT_TTL_SECONDS, DEVICE_DEFAULT_TTL_SECONDS, DEVICE_ROLES, isRole, ROLES, signToken, tokenRequestProblem, type Role,
} from './token';

const USAGE =
  `usage: npm run token -- --role ${ROLES.join('|')} [--merchant <merchantId>] [--order <orderId>] ` +
  `[--ttl <seconds, default ${DEFAULT_TTL_SECONDS}, ${DEVICE_DEFAULT_TTL_SECONDS} for devices>] ` +
  `[--device "<name>" (roles ${DEVICE_ROLES.join(', ')})]`;

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n${USAGE}\n`);
  process.exit(1);
}

function issuerConfig(): TokenIssuerConfig {
  try {
    return loadTokenIssuerConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}

async function deviceToken(cfg: TokenIssuerConfig, role: Role, merchantId: string, name: string, ttl: number | undefined): Promise<string> {
  const conn = await mysql.createConnection({ uri: cfg.mysqlUrl, timezone: 'Z' });
  try {
    const issued = await issueDeviceToken(conn, { secret: cfg.authSecret, env: cfg.env }, {
      merchantId, role, name, ...(ttl === undefined ? {} : { ttlSeconds: ttl }),
    });
    process.stderr.write(`token: device ${issued.deviceId} "${name}" (${role} of ${merchantId}) until ${issued.expiresAt.toISOString()}\n`);
    return issued.token;
  } catch (err) {
    if ((err as { errno?: number }).errno === 1146) fail('the devices table is missing: run `npm run migrate` (or start the service) first');
    throw err;
  } finally {
    await conn.end();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  let values: { merchant?: string; role?: string; order?: string; ttl?: string; device?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        merchant: { type: 'string' },
        role: { type: 'string' },
        order: { type: 'string' },
        ttl: { type: 'string' },
        device: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  const cfg = issuerConfig();
  const role = values.role;
  if (role === undefined) fail('--role is required');
  if (!isRole(role)) fail(`unknown role "${role}"; roles: ${ROLES.join(', ')}`);
  if (values.ttl !== undefined && !/^\d+$/.test(values.ttl)) fail(`--ttl must be whole seconds, got "${values.ttl}"`);
  if (role === 'admin' && values.merchant !== undefined) {
    process.stderr.write('token: admin sees every merchant; --merchant ignored\n');
  }
  if (role !== 'guest' && values.order !== undefined) fail('--order is only for role guest');
  const ttlSeconds = values.ttl === undefined ? undefined : Number(values.ttl);

  if (values.device !== undefined) {
    const req = { role, merchantId: values.merchant, deviceId: 'd', ttlSeconds };
    const problem = tokenRequestProblem(req);
    if (problem !== undefined) fail(problem);
    const token = await deviceToken(cfg, role, values.merchant as string, values.device, ttlSeconds);
    process.stdout.write(`${token}\n`);
    return;
  }
  const req = { role, merchantId: role === 'admin' ? undefined : values.merchant, orderId: values.order, ttlSeconds };
  const problem = tokenRequestProblem(req);
  if (problem !== undefined) fail(problem);
  process.stdout.write(`${signToken(req, { secret: cfg.authSecret, env: cfg.env })}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`token: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
