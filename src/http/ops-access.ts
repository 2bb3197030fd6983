// Who may read /metrics and the detail of /readyz. Not the world: metrics name merchants' load,
// lag and error rates, and readiness detail tells an attacker which dependency is down. Allowed:
// a request from OPS_ALLOW_FROM (loopback by default: the host's own agents, `docker exec` health
// checks), a bearer METRICS_TOKEN (Prometheus, `authorization.credentials_file`), or an admin
// token. Behind a reverse proxy on the same host every request comes from loopback: set
// OPS_ALLOW_FROM=none there (docs/screens.md).
import { BlockList, isIP } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { TokenAuth } from '../auth/token-auth';
import { bearerToken } from '../auth/bearer';

export interface OpsAccessConfig {
  allowFrom: readonly string[];
  metricsToken?: string | undefined;
}

export type OpsAccessCheck = (remoteAddress: string | undefined, authorization: string | undefined) => boolean;

function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [addr = '', bits] = e.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

// equal-length digests, so comparing leaks neither the token nor its length
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function createOpsAccess(cfg: OpsAccessConfig, auth: TokenAuth): OpsAccessCheck {
  const allowed = blockList(cfg.allowFrom);
  const metricsDigest = cfg.metricsToken === undefined ? undefined : digest(cfg.metricsToken);
  return (remoteAddress, authorization) => {
    if (remoteAddress !== undefined) {
      const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress)?.[1];
      const addr = v4 ?? remoteAddress;
      const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (isIP(addr) !== 0 && allowed.check(addr, type)) return true;
    }
    const token = bearerToken(authorization);
    if (token === undefined) return false;
    if (metricsDigest !== undefined && timingSafeEqual(digest(token), metricsDigest)) return true;
    const v = auth.verify(token);
    return v.ok && v.claims.role === 'admin';
  };
}
