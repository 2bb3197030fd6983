// The local servers outlive the command that started them, so the folders in their configuration
// must not go through a symlink that a temporary copy of the work tree deletes when it is done
// (scripts/node22-check.sh links its copy's .cache to the repository's).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { infraSettings, instanceDir } from '../../scripts/infra/settings';

describe('infra settings: where the servers keep their data', () => {
  it('resolves a symlinked cache to the folder it points at, also for parts not made yet', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'kds-infra-settings-'));
    try {
      const real = path.join(tmp, 'repo', '.cache');
      mkdirSync(real, { recursive: true });
      const copy = path.join(tmp, 'copy');
      mkdirSync(copy);
      symlinkSync(real, path.join(copy, '.cache'));
      const s = infraSettings({ KDS_INFRA_DIR: path.join(copy, '.cache', 'infra') });
      assert.equal(s.dir, path.join(real, 'infra'));
      assert.equal(instanceDir(s, 'kafka'), path.join(real, 'infra', 'kafka-9092'));
      // the copy goes away; the path the servers were given still names the same folder
      rmSync(copy, { recursive: true });
      mkdirSync(path.join(s.dir, 'kafka-9092'), { recursive: true });
      assert.equal(infraSettings({ KDS_INFRA_DIR: s.dir }).dir, s.dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('keeps a path with nothing on disk yet as given', () => {
    const missing = path.join(os.tmpdir(), 'kds-no-such-folder-here', 'infra');
    assert.equal(infraSettings({ KDS_INFRA_DIR: missing }).dir, missing);
  });
});
