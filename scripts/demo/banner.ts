// What the demo prints once it is up: where to look, with working tokens, and how to stop it.
import type { CaughtMail } from './mail-parse';

export interface BannerInfo {
  kdsUrl: string;
  merchantId: string;
  kitchenToken: string;
  waiterToken: string;
  adminToken: string;
  guest: { orderId: string; token: string } | undefined;
  simulatorUrl: string;
  smtp: string;
  inboxUrl: string | undefined;
  logFile: string;
  robot: boolean;
  rate: number;
  authSecret: string;
  envName: string;
  durationMs: number | undefined;
}

const BOLD = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

export function banner(i: BannerInfo): string {
  const u = i.kdsUrl;
  const lines = [
    '',
    BOLD('KDS demo is running') + ` — ${i.rate} events/s of order traffic, ${i.robot ? 'kitchen robot on (DEMO_ROBOT=0 turns it off)' : 'kitchen robot off'}`,
    '',
    BOLD('Screens') + ` (merchant ${i.merchantId}; tap a dish to move it)`,
    `  kitchen  ${u}/kitchen?token=${i.kitchenToken}`,
    `  waiter   ${u}/waiter?token=${i.waiterToken}`,
    `  pass     ${u}/expo?token=${i.waiterToken}`,
    `  by dish  ${u}/kitchen?view=dish&token=${i.kitchenToken}`,
    i.guest === undefined
      ? '  guest    (no order of this merchant in the first batch; make a guest token with npm run token)'
      : `  guest    ${u}/guest?token=${i.guest.token}    (order ${i.guest.orderId})`,
    '',
    BOLD('Operations'),
    `  retries  curl -H 'Authorization: Bearer ${i.adminToken}' '${u}/api/retries?status=PENDING'`,
    `           (status=FAILED: a "ghost" order the order service never knows gives up after a few minutes and is mailed)`,
    `  board    curl -H 'Authorization: Bearer ${i.kitchenToken}' ${u}/api/merchants/${i.merchantId}/board`,
    `  metrics  ${u}/metrics`,
    `  ready    ${u}/readyz`,
    `  order service simulator stats  ${i.simulatorUrl}/admin/stats`,
    `  mail     ${i.smtp}${i.inboxUrl === undefined ? '' : `, inbox ${i.inboxUrl}`}`,
    `  log      ${i.logFile}   (JSON lines: tail -f it, or grep '"level":"warn"')`,
    '',
    BOLD('Tokens') + ' (24 h; the secret is random, made for this run only)',
    `  KDS_ENV=${i.envName} KDS_AUTH_SECRET='${i.authSecret}' npm run token -- --merchant ${i.merchantId} --role kitchen`,
    '  roles: kitchen, waiter, manager, board, admin (no merchant), guest (--order <orderId>);',
    '  device tokens (up to 30 days, revocable): add --device "Wok screen" with the demo\'s MYSQL_URL set',
    '',
    i.durationMs === undefined
      ? BOLD('Ctrl-C to stop') + ' (Kafka and ZooKeeper keep running for other work; npm run infra:down stops them)'
      : BOLD(`Stopping by itself after ${i.durationMs / 1000} s`) + ' (DEMO_DURATION_S); Ctrl-C stops it sooner',
    '',
  ];
  return lines.join('\n');
}

export function mailLine(m: CaughtMail): string {
  return `mail     to ${m.to.join(', ')}: ${m.subject}`;
}

export function statusLine(s: { records: number; batches: number; ready: number; served: number; mails: number }): string {
  return `status   ${s.records} records published (batch ${s.batches + 1} running), robot ${s.ready} ready / ${s.served} served, ${s.mails} mails`;
}
