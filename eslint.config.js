// Lint rules that catch bugs the compiler does not: unawaited promises and switches that miss a
// case of a union (step kinds, phases, lock modes). Formatting is prettier's job, not eslint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'schema/**', 'node_modules/**', 'bench/.tools/**', 'coverage/**', '.zdm-tmp/**'] },
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
  // No function over 80 lines in src/ (issue 16).
  { files: ['src/**/*.ts'], rules: { 'max-lines-per-function': ['error', { max: 80 }] } },
  // The CLI is a thin layer over the library API (issue 14): its commands reach the runner, the
  // planner, the executor and the database only through src/api (and src/fleet, which is built on
  // it); what it may import besides is presentation (plan/rehearsal/lint report renderers), config
  // resolution, errors and constants.
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(\.\./)+(runner|exec|backfill|replication|operations|sql|trace|embedded|db)/`,
              message: 'the CLI calls the library API (src/api/zdm.ts), not the layers below it',
            },
            {
              regex: String.raw`^(\.\./)+(plan/(?!types\.js$|render\.js$)|rehearse/(?!render\.js$)|migration/(?!scaffold\.js$)|lint/(?!report/|parser\.js$))`,
              message:
                'the CLI calls the library API (src/api/zdm.ts); from plan/, rehearse/, migration/ and lint/ it imports only types, renderers and the scaffold',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: String.raw`ImportExpression > Literal[value=/^(\.\.\/)+(runner|exec|backfill|replication|operations|sql|trace|embedded|db)\//]`,
          message: 'the CLI calls the library API (src/api/zdm.ts), not the layers below it',
        },
      ],
    },
  },
  // Example migrations are user files, checked by their own loader test; not part of the project's program.
  { files: ['**/*.js', '**/*.cjs', '**/*.mjs', 'migrations-examples/**'], ...tseslint.configs.disableTypeChecked },
);
