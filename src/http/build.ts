// The HTTP feature's builder: the API, pages, /metrics and the screens' WebSocket upgrades on one
// port (contract). Listens before the consumer starts, so /readyz answers while it joins.
import type { Teardown } from '../lifecycle/teardown';
import type { PushHub } from '../push/hub';
import { createHttpServer, type HttpDeps } from './app';

export interface HttpOptions extends HttpDeps {
  /** HTTP_PORT; 0 picks a free one. */
  port: number;
  hub: PushHub;
  teardown: Teardown;
}

/** Resolves with the bound port. */
export async function startHttp(o: HttpOptions): Promise<number> {
  const { port, hub, teardown, ...deps } = o;
  const http = createHttpServer(deps, hub);
  const bound = await http.listen(port);
  teardown.add('http and screens', () => http.close());
  deps.log.info('http listening', { port: bound });
  return bound;
}
