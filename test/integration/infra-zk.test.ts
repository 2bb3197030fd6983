// The local ZooKeeper server and the native client: a data watch on a znode fires with the value
// written after it was set.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { connectZk, getString, mkdirp, nextDataChange, removeTree, type Zk } from '../support/zk';

const root = `/test_infra_${randomBytes(6).toString('hex')}`;
let zk: Zk;
let writer: Zk;

before(async () => {
  [zk, writer] = await Promise.all([connectZk(), connectZk()]);
});

after(async () => {
  await removeTree(zk, root).catch(() => undefined);
  zk?.close();
  writer?.close();
});

test('a data watch fires with the new value written by another session', async () => {
  const node = `${root}/settings/M0001`;
  await mkdirp(zk, node);
  await zk.set(node, 'v1', -1);
  assert.equal(await getString(zk, node), 'v1');

  const { armed, changed } = nextDataChange(zk, node);
  await armed;
  await writer.set(node, JSON.stringify({ pass: 'on' }), -1);
  assert.equal(await changed, JSON.stringify({ pass: 'on' }));
});
