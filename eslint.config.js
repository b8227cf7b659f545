// Lint runs inside `npm test`. Besides typescript-eslint's recommended rules it keeps
// the "tidy" habits cheap: no leftover FIXME/XXX, bounded function length, and a pure
// consensus core (no clocks, timers, randomness or I/O in store/raft).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const impureGlobals = ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'process']
  .map((name) => ({ name, message: 'store/raft is pure: inject time as tick() and I/O through Ready.' }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'chaos/reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'no-warning-comments': ['error', { terms: ['fixme', 'xxx'], location: 'start' }],
      'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }],
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'eqeqeq': ['error', 'always'],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    files: ['store/raft/**/*.ts'],
    ignores: ['store/raft/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'net', 'http', 'child_process', 'dgram', 'worker_threads', 'os'], message: 'store/raft is pure: no node: imports.' }] }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'store/raft is pure: time is tick().' },
        { object: 'Math', property: 'random', message: 'store/raft is pure: use the injected seeded RNG.' },
        { object: 'performance', property: 'now', message: 'store/raft is pure: time is tick().' }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
