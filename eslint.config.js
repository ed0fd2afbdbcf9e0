// Lint rules that catch bugs the compiler does not: unawaited promises and switches that miss a
// case of a union (step kinds, phases, lock modes). Formatting is prettier's job, not eslint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'schema/**', 'node_modules/**', 'bench/.tools/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.check.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  { languageOptions: { globals: globals.node } },
  // Example migrations are user files, checked by their own loader test; not part of the project's program.
  { files: ['**/*.js', '**/*.cjs', '**/*.mjs', 'migrations-examples/**'], ...tseslint.configs.disableTypeChecked },
);
