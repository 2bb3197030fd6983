// What counts as a placeholder or low-entropy KDS_AUTH_SECRET (src/auth/secret.ts), as a table.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { secretProblem } from '../../src/auth/secret';

describe('KDS_AUTH_SECRET strength', () => {
  const refused: [string, string, RegExp][] = [
    ['31 random characters', randomBytes(24).toString('base64').slice(0, 31), /at least 32/],
    ['the old docker-compose default', 'dev-only-secret-change-me-0123456789abcdef', /placeholder/],
    ['the old .env.example value', 'change-me-to-a-random-string-of-32-chars-or-more', /placeholder/],
    ['the new .env.example instruction', 'generate-one-with:openssl-rand-base64-48', /placeholder/],
    ['the old demo secret', 'kds-demo-only-secret-do-not-use-in-prod-0123456789', /placeholder/],
    ['the old test secret', 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz', /placeholder/],
    ['one character repeated', 'x'.repeat(32), /distinct/],
    ['two characters alternating', 'ab'.repeat(20), /distinct/],
    ['seven distinct characters', 'abcxyz1'.repeat(5), /distinct/],
    ['a repeated word', 'bench-kds-bench-kds-bench-kds-bench-kds!', /pattern/],
    ['a repeated 12-character unit', 'Zq8#kLm2$Wv5'.repeat(3), /pattern/],
    ['the alphabet', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ', /run/],
    ['digits then letters', '0123456789qwfpgjluyarstdhneiozxcvbkm', /run/],
    ['a countdown inside', 'Hk3vQ9pZ9876543210mNbTrWx2LsJd4Gf6Ye', /run/],
    ['"password" in capitals', 'Xk2PASSWORDqz8Lm3vT9wR4yN6bJ5hG7fD', /placeholder.*password/],
    ['"secret" anywhere', 'a8Kp2SeCrEtqZ7vN3mW9xR4tY6bJ5hG7fD', /placeholder.*secret/],
  ];
  for (const [what, secret, why] of refused) {
    it(`refuses ${what}`, () => {
      const problem = secretProblem(secret);
      assert.ok(problem !== undefined, `refused: ${secret}`);
      assert.match(problem, why);
      assert.ok(!problem.includes(secret), 'the message never echoes the secret');
    });
  }

  const accepted: [string, string][] = [
    ['openssl rand -base64 48', randomBytes(48).toString('base64')],
    ['openssl rand -hex 32', randomBytes(32).toString('hex')],
    ['a long passphrase of words', 'tulip-orbit-carafe-mango-zephyr-quartz-lantern'],
    ['32 random base64url characters', randomBytes(24).toString('base64url')],
  ];
  for (const [what, secret] of accepted) {
    it(`accepts ${what}`, () => assert.equal(secretProblem(secret), undefined, secret));
  }

  it('accepts random secrets as generated, essentially always (2,000 of each kind)', () => {
    for (let i = 0; i < 2000; i++) {
      for (const s of [randomBytes(48).toString('base64'), randomBytes(32).toString('hex'), randomBytes(16).toString('hex')]) {
        assert.equal(secretProblem(s), undefined, s);
      }
    }
  });
});

describe('the shipped examples cannot start a service', () => {
  const root = path.resolve(__dirname, '..', '..');
  it('.env.example: KDS_AUTH_SECRET and METRICS_TOKEN are instructions the service refuses', () => {
    const text = readFileSync(path.join(root, '.env.example'), 'utf8');
    for (const name of ['KDS_AUTH_SECRET', 'METRICS_TOKEN']) {
      const value = new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1];
      assert.ok(value !== undefined, `${name} is in .env.example`);
      assert.match(value, /openssl/, 'says how to generate one');
      assert.ok(secretProblem(value) !== undefined, `${name}=${value} is refused`);
    }
  });
  it('docker-compose.yml has no default secret: compose stops and says how to make one', () => {
    const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    for (const name of ['KDS_AUTH_SECRET', 'METRICS_TOKEN']) {
      const line = text.split('\n').find((l) => l.trim().startsWith(`${name}:`));
      assert.match(line ?? '', new RegExp(`\\$\\{${name}:\\?[^}]*openssl rand`), `${name} line: ${line ?? ''}`);
    }
  });
});
