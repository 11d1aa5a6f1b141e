// ESLint (npm run lint: `eslint .`): @eslint/js's recommended rules over the
// package (js/, models/), the web pages' scripts, the Node scripts and the
// tests.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    // Built engines, installed packages (the Vite consumer test's too), build
    // output, and Emscripten's --pre-js (a fragment of the generated glue).
    ignores: ['dist/**', 'build/**', 'test-output/**', '**/node_modules/**', 'cmake/**'],
  },
  js.configs.recommended,
  {
    rules: {
      // `const { worker: _, ...rest } = config` drops a key on purpose.
      'no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // The package runs in Node, in pages and in Web Workers (js/worker.js and
    // the engine's pool Workers): it may name the globals of all three, and
    // checks at run time which one it is in (js/environment.js).
    files: ['js/**/*.js', 'models/**/*.js'],
    languageOptions: {
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
    },
  },
  {
    // The pages: the demo and benchmark, the browser tests' harness and the
    // Vite consumer app.
    files: ['web/*.js', 'tests/browser/pages/*.js', 'tests/consumer/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // A classic script, run before the pages' modules (see the file).
    files: ['web/importmap.js'],
    languageOptions: { sourceType: 'script' },
  },
  {
    // Node, but tests hand functions to Chromium pages (page.evaluate) whose
    // bodies use the page's globals.
    files: ['scripts/*.mjs', 'tests/**/*.mjs'],
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
    },
  },
  {
    // What tests/browser/pages/harness.js and the tests' setup put on the
    // page's window, read inside page.evaluate().
    files: ['tests/browser/*.test.mjs'],
    languageOptions: { globals: { harness: 'readonly', photo: 'readonly' } },
  },
];
