// @ts-check
/**
 * Lint: the layer order of the library and no import cycles (issue 15).
 *
 *   lib/core  <-  lib/rules  <-  constructs (cluster, secrets, backup, monitoring, exposure, replication, drills,
 *   rehearse)  <-  lib/platform, lib/platform.ts  <-  app & commands (lib/app, bin/, main.ts)
 *
 * A layer imports only from the layers to its left; lib/index.ts (the public API) re-exports from all of them.
 * Run with `npm run lint` (part of `npm test`).
 */
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

const CORE = ['./lib/core'];
const RULES = ['./lib/rules'];
const CONSTRUCTS = ['cluster', 'secrets', 'backup', 'monitoring', 'exposure', 'replication', 'drills', 'rehearse'].map((d) => `./lib/${d}`);
const PLATFORM = ['./lib/platform', './lib/platform.ts'];
const APP = ['./lib/app', './bin', './main.ts', './lib/index.ts'];

/** `target` must not import from `from`, with the reason in the message. */
const layer = (target, from, name) => ({
  target, from, message: `layer order core <- rules <- constructs <- platform <- app/commands: ${name}`,
});

export default tseslint.config(
  { ignores: ['build/**', 'dist/**', 'node_modules/**', 'imports/**', 'docs/**', 'examples/**', 'coverage/**', '.cache/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['lib/**/*.ts', 'bin/**/*.ts', 'main.ts', 'scripts/**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    // the plugin's rules are referenced by eslint-disable comments in the sources
    plugins: { 'import': importPlugin, '@typescript-eslint': tseslint.plugin },
    settings: {
      'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
      'import/extensions': ['.ts', '.js'],
      // the generated L1 classes (imports/) are large and import nothing of the library: not parsed for cycles
      'import/ignore': ['[\\/]imports[\\/]', 'node_modules'],
    },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['lib/**/*.ts', 'bin/**/*.ts', 'main.ts'],
    rules: {
      'import/no-restricted-paths': ['error', {
        zones: [
          layer(CORE, [...RULES, ...CONSTRUCTS, ...PLATFORM, ...APP], 'lib/core imports nothing of the library'),
          layer(RULES, [...CONSTRUCTS, ...PLATFORM, ...APP], 'lib/rules imports only lib/core'),
          ...CONSTRUCTS.map((c) => layer(c, [...PLATFORM, ...APP], 'a construct imports only lib/core, lib/rules and other constructs')),
          layer(PLATFORM, APP, 'lib/platform imports no app or command'),
        ],
      }],
    },
  },
);
