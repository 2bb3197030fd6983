// The presence feature's builder: who holds open sockets across instances (src/presence/presence.ts).
// Built before the screens' hub, which admits every socket through it; closed after the hub, so
// our rows are deleted once our sockets are gone.
import type { Pool } from '../db/pool';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import { createPresence, type Presence } from './presence';

export function buildPresence(o: { pool: Pool; log: Logger; teardown: Teardown }): Presence {
  const presence = createPresence({ pool: o.pool, log: o.log });
  o.teardown.add('socket presence', () => presence.close());
  return presence;
}
