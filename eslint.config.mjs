// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'web/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'bench/results/**',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Moleculer's typings are loose (ctx.params, service schemas): these rules would flag every service.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'moleculer*',
                'typeorm',
                'bull',
                'ioredis',
                'exceljs',
                'ali-oss',
                'mysql2*',
                'better-sqlite3',
                'node:fs',
                'node:fs/*',
                'fs',
                'node:http',
                'node:https',
                'node:http2',
                'node:net',
                'node:tls',
                'node:dgram',
                'node:child_process',
                'node:worker_threads',
                'node:cluster',
                '../mixins/*',
                '../../mixins/*',
                '../services/*',
                '../../services/*',
              ],
              message: 'domain/ stays pure (no framework, no I/O): depend on a port in domain/ instead.',
            },
          ],
        },
      ],
    },
  },
);
