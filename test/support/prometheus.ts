// The shipped Prometheus files, made fit for a test run by documented text transforms that leave
// every expression alone, and a small client of Prometheus' HTTP API.
//
// Transforms (each must match exactly where the shipped file has it, or the test fails loudly
// instead of quietly testing something else):
// - prometheus.yml: the targets line gets the test's instances; scrape_interval and
//   evaluation_interval become 1s; a bearer `credentials_file` (if the shipped file has one) points
//   at `metrics_token` beside the config, which testFiles() writes.
// - alerts.yml: every `for: Nm` becomes `for: Ns`, one second per shipped minute, so a 10-minute
//   alert fires after 10 s. Range windows inside the expressions (`[2m]`, `[15m:1m]`) are not
//   touched: they are part of what is being proven.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
export const SHIPPED_CONFIG = path.join(ROOT, 'infra/prometheus/prometheus.yml');
export const SHIPPED_RULES = path.join(ROOT, 'infra/prometheus/alerts.yml');

function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  const hits = text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)) ?? [];
  if (hits.length !== 1) throw new Error(`expected one ${what} in the shipped file, found ${hits.length}`);
  return text.replace(pattern, replacement);
}

/** The shipped prometheus.yml scraping `targets` every second. */
export function testConfig(targets: readonly string[], shipped = readFileSync(SHIPPED_CONFIG, 'utf8')): string {
  let out = replaceOnce(shipped, /^(\s*- targets: ).*$/m, `$1${JSON.stringify(targets)}`, 'targets line');
  out = replaceOnce(out, /^(\s*scrape_interval: )\S+/m, '$11s', 'scrape_interval');
  out = replaceOnce(out, /^(\s*evaluation_interval: )\S+/m, '$11s', 'evaluation_interval');
  if (/^\s*credentials_file: /m.test(out)) {
    // relative paths in a Prometheus config resolve against the config file's folder
    out = replaceOnce(out, /^(\s*credentials_file: )\S+/m, '$1metrics_token', 'credentials_file');
  }
  return out;
}

/** Lines a test copy may change (the rest must equal the shipped file). */
export const CHANGED_CONFIG_LINES = /^\s*(- targets|scrape_interval|evaluation_interval|credentials_file): /;

/** The files of a test Prometheus: config, rules and (used only if the config asks) the bearer token. */
export function testFiles(targets: readonly string[], metricsToken: string): Record<string, string> {
  return { 'prometheus.yml': testConfig(targets), 'alerts.yml': testRules(), metrics_token: `${metricsToken}\n` };
}

/** The shipped alerts.yml with every `for:` shortened from minutes to as many seconds. */
export function testRules(shipped = readFileSync(SHIPPED_RULES, 'utf8')): string {
  const fors = [...shipped.matchAll(/^\s*for: (\S+)\s*$/gm)].map((m) => m[1] as string);
  const odd = fors.filter((f) => !/^\d+m$/.test(f));
  if (odd.length > 0) throw new Error(`for: values not in whole minutes: ${odd.join(', ')} (extend the transform)`);
  return shipped.replace(/^(\s*for: )(\d+)m\s*$/gm, '$1$2s');
}

/** Seconds the shortened rule `alert` waits (its shipped minutes), 0 when it has no for:. */
export function shortenedForSeconds(alert: string, shipped = readFileSync(SHIPPED_RULES, 'utf8')): number {
  const block = shipped.split(/^\s*- alert: /m).find((b) => b.startsWith(`${alert}\n`));
  if (block === undefined) throw new Error(`no alert ${alert} in the shipped rules`);
  const m = /^\s*for: (\d+)m\s*$/m.exec(block);
  return m === null ? 0 : Number(m[1]);
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface AlertState {
  name: string;
  state: 'pending' | 'firing';
  labels: Record<string, string>;
  activeAt: string;
}

interface ApiAnswer<T> {
  status: string;
  data: T;
  error?: string;
}

async function api<T>(base: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(`${base}${pathAndQuery}`);
  const body = (await res.json()) as ApiAnswer<T>;
  if (!res.ok || body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${res.status} ${body.error ?? ''}`);
  return body.data;
}

export interface PromClient {
  /** An instant query; a vector result as samples. */
  query(promql: string): Promise<Sample[]>;
  /** The single value of a query that yields one sample; undefined when it yields none. */
  scalar(promql: string): Promise<number | undefined>;
  alerts(): Promise<AlertState[]>;
  /** up per scraped instance. */
  targetsUp(): Promise<Record<string, boolean>>;
}

export function promClient(base: string): PromClient {
  const query = async (promql: string): Promise<Sample[]> => {
    const data = await api<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
      base, `/api/v1/query?query=${encodeURIComponent(promql)}`);
    if (data.resultType !== 'vector') throw new Error(`${promql}: expected a vector, got ${data.resultType}`);
    return data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  };
  return {
    query,
    async scalar(promql) {
      const r = await query(promql);
      if (r.length > 1) throw new Error(`${promql}: ${r.length} samples, expected at most one`);
      return r[0]?.value;
    },
    async alerts() {
      const data = await api<{ alerts: Array<{ labels: Record<string, string>; state: string; activeAt: string }> }>(base, '/api/v1/alerts');
      return data.alerts.map((a) => ({
        name: a.labels.alertname ?? '?', state: a.state as AlertState['state'], labels: a.labels, activeAt: a.activeAt,
      }));
    },
    async targetsUp() {
      const data = await api<{ activeTargets: Array<{ labels: Record<string, string>; health: string }> }>(base, '/api/v1/targets');
      return Object.fromEntries(data.activeTargets.map((t) => [t.labels.instance ?? '?', t.health === 'up']));
    },
  };
}
