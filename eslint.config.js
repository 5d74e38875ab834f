// Flat ESLint config for the whole repository:
//  - TypeScript (service, emulator, tests, scripts, bench): typescript-eslint recommended
//  - Lightning Web Components: @salesforce/eslint-config-lwc recommended (with @lwc/eslint-plugin-lwc and
//    @salesforce/eslint-plugin-lightning), plus jest globals for the component tests
const eslintJs = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');
const lwcConfig = require('@salesforce/eslint-config-lwc');

const TS_FILES = ['src/**/*.ts', 'emulator/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'];
const LWC_FILES = [
  'force-app/**/lwc/**/*.js',
  'force-app/test/jest-mocks/**/*.js',
  // The LWC preview harness: the page and the browser stand-ins are LWC modules too.
  'scripts/preview-lwc/app/**/*.js',
  'scripts/preview-lwc/stubs/**/*.js'
];
const LWC_TEST_FILES = ['force-app/**/lwc/**/__tests__/**/*.js', 'force-app/test/jest-mocks/**/*.js'];

/** Applies shared configs only to the given files (shared configs often come without `files`). */
const scoped = (configs, files) => configs.map((config) => ({ ...config, files }));

module.exports = [
  {
    ignores: [
      '**/node_modules/**',
      'coverage/**',
      '.sf/**',
      '.sfdx/**',
      '**/.sf*/**',
      '.localdevserver/**',
      '.emulator-data/**',
      '.leadflow/**',
      'dist/**',
      'tmp/**',
      'bench/out/**',
      'reports/out/**',
      'force-app/**/staticresources/**'
    ]
  },
  // Plain JavaScript at the root (this file, jest.config.js, bin/) is CommonJS on Node.
  {
    files: ['*.js', '*.cjs', 'bin/**/*.js'],
    ...eslintJs.configs.recommended,
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } }
  },
  ...scoped(tseslint.configs.recommended, TS_FILES),
  {
    files: TS_FILES,
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  ...scoped(lwcConfig.configs.recommended, LWC_FILES),
  {
    files: LWC_TEST_FILES,
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      // Tests flush pending promises with setTimeout(0), like the lwc-recipes tests.
      '@lwc/lwc/no-async-operation': 'off',
      // Tests drive wire adapters directly (getRecord.emit), which only the test adapters allow.
      '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off'
    }
  }
];
