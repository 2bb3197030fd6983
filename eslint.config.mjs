// Flat config: typescript-eslint's type-checked rules on every .ts file of the project (src,
// scripts, test, bench). The rules that matter most here are the promise rules: a floating promise
// in a kafkajs, ws or node-cron callback is an unhandled rejection that kills the process.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The few browser globals static page scripts use (no `globals` dependency for this short list).
const BROWSER_GLOBALS = Object.fromEntries(
  [
    'window', 'document', 'location', 'history', 'navigator', 'localStorage', 'sessionStorage',
    'console', 'fetch', 'WebSocket', 'URL', 'URLSearchParams', 'Event', 'CustomEvent', 'HTMLElement',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'requestAnimationFrame', 'Audio',
    'Notification', 'alert', 'confirm', 'performance', 'atob', 'btoa', 'AbortController', 'TextEncoder',
    'TextDecoder', 'Blob', 'FormData', 'Headers', 'Response', 'Request', 'queueMicrotask', 'crypto',
    'structuredClone', 'Node', 'Element', 'HTMLInputElement', 'KeyboardEvent', 'MouseEvent',
    'DOMException', 'MutationObserver', 'getComputedStyle', 'cancelAnimationFrame', 'matchMedia',
    'EventSource', 'globalThis', 'self', 'Intl', 'AbortSignal', 'caches',
  ].map((name) => [name, 'readonly']),
);

// Import patterns (gitignore syntax, matched against the import string) for the boundaries below.
const OUTSIDE_SRC = {
  group: ['**/test/**', '**/bench/**', '**/scripts/**', '**/simulator/**', '**/test', '**/bench', '**/scripts', '**/simulator'],
  message: 'src/ must not import test/, bench/, scripts/ or the simulator (dist/ holds only the service).',
};
const BENCH = {
  group: ['**/bench/**', '**/bench'],
  message: 'tests must not import bench/: move what both need to test/support/.',
};
const HTTP_INTERNALS = {
  group: ['**/http/**', '**/http'],
  message: 'src/retry/ must not import src/http/: use src/http-kit/ and the AdminGuard port.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', '.run/', 'coverage/'] },

  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself awaits
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Kept on: mysql2 rows are typed by declaring a row interface that extends RowDataPacket
      // (see test/integration/migrate.test.ts); untyped `any` from rows should not spread.
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
    },
  },

  // Stated boundaries (issue 10). The service (src/) ships alone in dist/: it never imports the
  // tests, the benchmarks or the dev scripts. Tests stand on their own: what they share with the
  // benchmarks lives in test/support/ (bench imports it, never the reverse). The order-service
  // simulator is a tool beside src/ (simulator/), never part of the service. The retry feature
  // mounts its routes through a port and src/http-kit/, never src/http/'s internals.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/retry/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [OUTSIDE_SRC] }] },
  },
  {
    files: ['src/retry/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [OUTSIDE_SRC, HTTP_INTERNALS] }] },
  },
  {
    files: ['test/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [BENCH] }] },
  },

  // Static browser scripts served as-is (src/pages, ES modules): plain JS rules, browser globals,
  // no type information (they are not part of the TypeScript project).
  {
    files: ['src/**/*.js', 'public/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: BROWSER_GLOBALS },
  },

  // This file and other Node-side .mjs/.cjs tooling.
  {
    files: ['**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
