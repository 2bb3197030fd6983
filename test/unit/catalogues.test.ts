// The two message catalogues of the pages (src/pages/i18n/): the same keys, every message a
// non-empty string, and the same {placeholders} in both, so a page never falls back to English or
// shows a raw "{n}".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';

const DIR = path.resolve(__dirname, '..', '..', 'src', 'pages', 'i18n');

/** The catalogue's entries, read as the browser would (an ES module with one object literal). */
function catalogue(lang: string): Map<string, string> {
  const source = readFileSync(path.join(DIR, `${lang}.js`), 'utf8');
  const body = source.slice(source.indexOf('export default') + 'export default'.length).trim().replace(/;\s*$/, '');
  const keys = [...body.matchAll(/^\s*'([^']+)':/gm)].map((m) => m[1] as string);
  const entries = Object.entries(runInNewContext(`(${body})`) as Record<string, unknown>);
  assert.equal(keys.length, entries.length, `${lang}: a key is written twice (the later one silently wins)`);
  return new Map(entries.map(([k, v]) => {
    assert.equal(typeof v, 'string', `${lang} ${k}`);
    assert.notEqual((v as string).trim(), '', `${lang} ${k} is empty`);
    return [k, v as string];
  }));
}

const placeholders = (m: string): string[] => [...m.matchAll(/\{(\w+)\}/g)].map((x) => x[1] as string).sort();

describe('message catalogues', () => {
  const en = catalogue('en');
  const zh = catalogue('zh-CN');

  it('have the same keys', () => {
    assert.deepEqual([...zh.keys()].filter((k) => !en.has(k)), [], 'in zh-CN only');
    assert.deepEqual([...en.keys()].filter((k) => !zh.has(k)), [], 'in en only');
    assert.ok(en.size > 300, `${en.size} messages`);
  });

  it('have the same placeholders in each message', () => {
    const differ = [...en].filter(([k, m]) => placeholders(m).join() !== placeholders(zh.get(k) ?? '').join()).map(([k]) => k);
    assert.deepEqual(differ, []);
  });
});
