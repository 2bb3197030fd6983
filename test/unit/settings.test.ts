// Live-settings validation (pure) as a table, and the state that holds the last good value: a
// refused value is logged and changes nothing; a good one is applied and told to listeners.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../../src/log';
import { parseSetting, parseSnapshot, SETTING_DEFS, settingByZnode, type SettingName, type Settings } from '../../src/settings/definitions';
import { bindSettings } from '../../src/settings/bind';
import { createSettingsState } from '../../src/settings/state';

const DEFAULTS: Settings = { processingConcurrency: 64, orderServiceMaxConcurrent: 16, orderServiceMaxPerSecond: 200, retryBatchSize: 100 };

describe('parseSetting', () => {
  const cases: Array<[SettingName, string | null, number | RegExp]> = [
    ['orderServiceMaxPerSecond', '150', 150],
    ['orderServiceMaxPerSecond', ' 150\n', 150],
    ['orderServiceMaxPerSecond', '5000', 5000],
    ['orderServiceMaxPerSecond', '5001', /sane maximum 5000/],
    ['orderServiceMaxPerSecond', '0', /below the minimum 1/],
    ['orderServiceMaxPerSecond', '-5', /below the minimum/],
    ['orderServiceMaxPerSecond', 'abc', /not a whole number/],
    ['orderServiceMaxPerSecond', '12.5', /not a whole number/],
    ['orderServiceMaxPerSecond', '1e3', /not a whole number/],
    ['orderServiceMaxPerSecond', '0x10', /not a whole number/],
    ['orderServiceMaxPerSecond', '+5', /not a whole number/],
    ['orderServiceMaxPerSecond', '100abc', /not a whole number/],
    ['orderServiceMaxPerSecond', '{"v":100}', /not a whole number/],
    ['orderServiceMaxPerSecond', '', /empty/],
    ['orderServiceMaxPerSecond', '   ', /empty/],
    ['orderServiceMaxPerSecond', null, /empty/],
    ['orderServiceMaxPerSecond', '99999999999999999999', /out of range/],
    ['orderServiceMaxConcurrent', '64', 64],
    ['orderServiceMaxConcurrent', '65', /sane maximum 64/],
    ['orderServiceMaxConcurrent', '1', 1],
    ['processingConcurrency', '4096', 4096],
    ['processingConcurrency', '40960', /sane maximum/],
    ['retryBatchSize', '1000', 1000],
    ['retryBatchSize', '1001', /sane maximum/],
  ];
  for (const [name, raw, expected] of cases) {
    test(`${SETTING_DEFS[name].znode} = ${JSON.stringify(raw)}`, () => {
      const got = parseSetting(name, raw);
      if (typeof expected === 'number') assert.deepEqual(got, { ok: true, value: expected });
      else {
        assert.equal(got.ok, false);
        assert.match(got.ok ? '' : got.reason, expected);
      }
    });
  }
});

test('znode names map back to settings', () => {
  assert.equal(settingByZnode('order-service.max-rps'), 'orderServiceMaxPerSecond');
  assert.equal(settingByZnode('processing.concurrency'), 'processingConcurrency');
  assert.equal(settingByZnode('nope'), undefined);
});

test('a cached snapshot keeps its good fields and drops bad ones', () => {
  assert.deepEqual(parseSnapshot('{"processingConcurrency":128,"orderServiceMaxConcurrent":999,"retryBatchSize":"5","x":1}'), {
    processingConcurrency: 128,
  });
  assert.deepEqual(parseSnapshot('not json'), {});
  assert.deepEqual(parseSnapshot('null'), {});
});

describe('settings state', () => {
  const capture = (): { lines: Array<Record<string, unknown>>; log: ReturnType<typeof createLogger> } => {
    const lines: Array<Record<string, unknown>> = [];
    return { lines, log: createLogger({}, 'debug', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)) };
  };

  test('garbage is refused with one log line and the last good value stays', () => {
    const { lines, log } = capture();
    const state = createSettingsState(DEFAULTS, log);
    const seen: number[] = [];
    state.onChange((s) => seen.push(s.orderServiceMaxPerSecond));
    assert.equal(state.offer('orderServiceMaxPerSecond', '150', 'test'), 'changed');
    for (const bad of ['abc', '0', '-1', '1e9', '']) assert.equal(state.offer('orderServiceMaxPerSecond', bad, 'test'), 'refused');
    assert.equal(state.offer('orderServiceMaxPerSecond', '', 'test'), 'refused'); // the same bad value again (a reconnect re-read): no new line
    assert.equal(state.current().orderServiceMaxPerSecond, 150);
    assert.deepEqual(seen, [150]);
    const refusedLines = lines.filter((l) => l.msg === 'setting refused; keeping the last good value');
    assert.equal(refusedLines.length, 5);
    assert.equal(refusedLines[0]?.setting, 'order-service.max-rps');
    assert.equal(refusedLines[0]?.kept, 150);
    assert.equal(state.refusals().orderServiceMaxPerSecond, 6);
  });

  test('the same value again is not a change', () => {
    const state = createSettingsState(DEFAULTS, capture().log);
    let calls = 0;
    state.onChange(() => calls++);
    assert.equal(state.offer('retryBatchSize', '100', 'test'), 'same');
    assert.equal(calls, 0);
  });

  test('a throwing listener does not stop the others', () => {
    const state = createSettingsState(DEFAULTS, capture().log);
    let told = 0;
    state.onChange(() => {
      throw new Error('boom');
    });
    state.onChange(() => told++);
    state.offer('processingConcurrency', '10', 'test');
    assert.equal(told, 1);
  });

  test('bindSettings applies now and on every change', () => {
    const state = createSettingsState(DEFAULTS, capture().log);
    const applied: string[] = [];
    const unbind = bindSettings(state, {
      scheduler: { setLimit: (n) => applied.push(`scheduler ${n}`) },
      gate: { setLimits: (l) => applied.push(`gate ${l.maxConcurrent}/${l.maxPerSecond}`) },
    });
    state.offer('orderServiceMaxConcurrent', '8', 'test');
    unbind();
    state.offer('orderServiceMaxConcurrent', '9', 'test');
    assert.deepEqual(applied, ['scheduler 64', 'gate 16/200', 'scheduler 64', 'gate 8/200']);
  });
});
