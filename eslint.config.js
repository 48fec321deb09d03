// Lint rules, including the architecture's import boundaries (docs/ARCHITECTURE.md):
// - src/domain is pure: it imports no Node built-in, no driver, nothing outside src/domain;
// - src/storage never imports src/cli;
// - nothing imports src/cli.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'net',
  'tls',
  'http',
  'https',
  'child_process',
  'worker_threads',
  'stream',
  'readline',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'bench/.work/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: nodeBuiltins,
              message:
                'src/domain is pure: no I/O, no Node built-ins (DESIGN: the domain imports no I/O).',
            },
            {
              group: ['better-sqlite3', 'pg', 'pg-copy-streams'],
              message: 'src/domain must not touch a database driver.',
            },
            {
              group: ['**/storage/**', '**/cli/**', '**/population/**', '**/reference-data/**'],
              message: 'src/domain imports nothing outside itself.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'The domain has no clock: take the date as a parameter.' },
        { name: 'process', message: 'The domain has no process access.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'The domain receives its randomness.' },
      ],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    ignores: ['src/protocol/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:net',
                'node:tls',
                'node:fs',
                'node:child_process',
                'node:http',
                'node:https',
              ],
              message:
                'src/protocol knows no sockets or files: it runs over a Transport (STYLE habit 4).',
            },
            {
              group: [
                '**/storage/**',
                '**/cli/**',
                '**/transport/**',
                '**/pki/**',
                '**/population/**',
              ],
              message: 'src/protocol imports only src/domain.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/cli/**'], message: 'storage never imports the CLI.' }] },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      'max-lines': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
);
