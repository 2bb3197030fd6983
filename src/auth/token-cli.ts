// `npm run token -- --merchant M0001 --role kitchen [--order O1] [--ttl 3600]`
// Prints the token as the last line of stdout. Needs only KDS_AUTH_SECRET, so an operator can
// issue tokens without the whole service environment. This is the one reader of process.env
// besides src/config.ts; it applies the same rule (at least 32 characters).
import { parseArgs } from 'node:util';
import { DEFAULT_TTL_SECONDS, isRole, MIN_SECRET_LENGTH, ROLES, signToken, tokenRequestProblem } from './token';

const USAGE =
  'usage: npm run token -- --role kitchen|waiter|admin|guest [--merchant <merchantId>] ' +
  `[--order <orderId>] [--ttl <seconds, default ${DEFAULT_TTL_SECONDS}>]`;

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n${USAGE}\n`);
  process.exit(1);
}

function main(argv: readonly string[]): void {
  let values: { merchant?: string; role?: string; order?: string; ttl?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        merchant: { type: 'string' },
        role: { type: 'string' },
        order: { type: 'string' },
        ttl: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  const secret = process.env.KDS_AUTH_SECRET?.trim() ?? '';
  if (secret === '') fail('KDS_AUTH_SECRET is required but not set');
  if (secret.length < MIN_SECRET_LENGTH) fail(`KDS_AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);

  const role = values.role;
  if (role === undefined) fail('--role is required');
  if (!isRole(role)) fail(`unknown role "${role}"; roles: ${ROLES.join(', ')}`);
  if (values.ttl !== undefined && !/^\d+$/.test(values.ttl)) fail(`--ttl must be whole seconds, got "${values.ttl}"`);
  if (role === 'admin' && values.merchant !== undefined) {
    process.stderr.write('token: admin sees every merchant; --merchant ignored\n');
  }
  if (role !== 'guest' && values.order !== undefined) fail('--order is only for role guest');

  const req = {
    role,
    merchantId: role === 'admin' ? undefined : values.merchant,
    orderId: values.order,
    ttlSeconds: values.ttl === undefined ? undefined : Number(values.ttl),
  };
  const problem = tokenRequestProblem(req);
  if (problem !== undefined) fail(problem);
  process.stdout.write(`${signToken(req, secret)}\n`);
}

main(process.argv.slice(2));
