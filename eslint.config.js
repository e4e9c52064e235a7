// ESLint (flat config, typescript-eslint). Two jobs: promises are never dropped by accident, and code that Temporal
// bundles into its deterministic workflow sandbox (or that the sandbox-safe flow model shares with it) cannot import
// Node, I/O or validation libraries. `worker/workflows/bundle.test.ts` checks the built bundle as well.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Modules no workflow code may import at run time (type-only imports are erased and stay allowed). */
const SANDBOX_FORBIDDEN = {
  paths: [
    ...builtinModules
      .filter((m) => !m.startsWith('_'))
      .map((name) => ({ name, message: 'Node built-ins are not available in the workflow sandbox.' })),
    { name: 'ajv', message: 'Validation belongs in activities or connectors/flow/index.ts, not in workflow code.' },
    {
      name: 'ajv-formats',
      message: 'Validation belongs in activities or connectors/flow/index.ts, not in workflow code.',
    },
    { name: 'pg', message: 'Database access belongs in activities.' },
  ],
  patterns: [
    { group: ['node:*'], message: 'Node built-ins are not available in the workflow sandbox.' },
    {
      group: ['@prisma/*', '**/prisma/**', '**/generated/prisma/**'],
      message: 'Database access belongs in activities.',
    },
    {
      group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'],
      message: 'Workflow code imports only @temporalio/workflow and @temporalio/common.',
    },
  ],
};

/** What a connector may not use to reach the network: its provider calls go through the SDK's guard. */
const NETWORK_MESSAGE =
  'Connectors reach their provider only through the SDK (defineProvider(...).call, connectors/sdk/http.ts), whose guard refuses internal addresses and other hosts.';
const NETWORK_FORBIDDEN = [
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'dgram',
  'undici',
  'axios',
  'node-fetch',
  'got',
].flatMap((name) =>
  [name, ...(builtinModules.includes(name) ? [`node:${name}`] : [])].map((n) => ({
    name: n,
    message: NETWORK_MESSAGE,
    allowTypeImports: true,
  })),
);

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      '.tools/',
      '.confluo/',
      'prisma/generated/',
      'editor/dist/',
      'bench/results/',
      'test-results/',
      'connectors/testkit/specs/',
      'connectors/webchat/widget/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // `let fake!: Fake` that the handlers defined before it read once it is assigned: a const cannot say that.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `const { a: _a, ...rest } = x` is how a field is left out; `_` marks a parameter kept for its position.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Tests, fakes and benchmarks read answers whose shape they are checking: `any` is allowed there.
    files: ['**/*.test.{ts,tsx}', 'bench/**', 'editor/e2e/**', 'connectors/testkit/**', 'server/test-*.ts', 'test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Connectors (built-in and the example plugin) never open connections of their own: no fetch, no sockets. The
    // guard and the provider client are the exceptions that implement it; the email connector speaks SMTP and IMAP
    // through its libraries, to the address the guard's `guardedAddress` returns.
    files: ['connectors/**/*.ts'],
    ignores: ['**/*.test.ts', 'connectors/testkit/**', 'connectors/sdk/guard.ts', 'connectors/sdk/http.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: NETWORK_MESSAGE },
        { name: 'XMLHttpRequest', message: NETWORK_MESSAGE },
        { name: 'WebSocket', message: NETWORK_MESSAGE },
      ],
      '@typescript-eslint/no-restricted-imports': ['error', { paths: NETWORK_FORBIDDEN }],
    },
  },
  {
    // Temporal's workflow sandbox and the pure flow model it shares with the browser and the server.
    files: [
      'worker/workflows/**/*.ts',
      'worker/contract.ts',
      'connectors/flow/{types,branches,budget,duration,logic,template,plan,loop,respond,runtime}.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: SANDBOX_FORBIDDEN.paths.map((p) => ({ ...p, allowTypeImports: true })),
          patterns: SANDBOX_FORBIDDEN.patterns.map((p) => ({ ...p, allowTypeImports: true })),
        },
      ],
    },
  },
);
