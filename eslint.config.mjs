import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'off',
      'no-console': ['error', { allow: ['error'] }],
      // The package index also loads its OAuth server (passport, jsonwebtoken, @nestjs/config): ~150 ms of
      // start-up for code this server never uses. The version is pinned exactly, so the deep path is stable.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@rekog/mcp-nest', message: "Import from '@rekog/mcp-nest/dist/mcp' (start-up time)." }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts'],
    rules: { 'no-console': 'off' },
  },
);
