// Three jest projects, all run by `npm test`:
//  - unit:        fast tests beside the code in src/ and emulator/ (no network, no emulator)
//  - integration: tests in test/integration that start the local org emulator on 127.0.0.1
//  - lwc:         Lightning Web Component tests via @salesforce/sfdx-lwc-jest
// TypeScript is transformed by @swc/jest (type-checking is `npm run typecheck`); ts-jest is not used
// because its peer range stops before TypeScript 7, which has no JS compiler API.
const { jestConfig: lwcJestConfig } = require('@salesforce/sfdx-lwc-jest/config');

const swcTransform = {
  // .cjs/.mjs too: PGlite's CommonJS build (dist/index.cjs) contains `import("fs")` etc., which jest's VM
  // can only run when swc rewrites them to require() (otherwise: ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG).
  '^.+\\.(c|m)?(t|j)sx?$': [
    '@swc/jest',
    {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' }
    }
  ]
};

const tsProject = {
  testEnvironment: 'node',
  transform: swcTransform,
  // ESM-only dependencies that must be transformed to CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@electric-sql/pglite|pg-boss)/)'],
  moduleFileExtensions: ['ts', 'js', 'json', 'mjs', 'cjs'],
  setupFilesAfterEnv: ['<rootDir>/test/helpers/reset-exit-code.ts']
};

module.exports = {
  // Integration tests start the local org and may run the sf CLI; unit tests finish far below this.
  testTimeout: 120000,
  // jest's default is one worker per CPU minus one: a single worker on the 2-CPU CI machine, idle whenever a
  // test waits on a child process, a socket or a takeover timer. On one 2-CPU machine the same day: three workers
  // 426 s at 180% CPU, four 380 s at 192% (same 2,173 tests, all green). Tests that share a server (PostgreSQL)
  // use their own schemas, sf runs with its own HOME, orgs bind port 0.
  maxWorkers: 4,
  // The default output, then the ten slowest test files (test/helpers/slowest-files-reporter.js).
  reporters: ['default', '<rootDir>/test/helpers/slowest-files-reporter.js'],
  projects: [
    {
      ...tsProject,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/emulator/**/*.test.ts', '<rootDir>/scripts/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts']
    },
    {
      ...tsProject,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts']
    },
    {
      ...lwcJestConfig,
      displayName: 'lwc',
      rootDir: __dirname,
      testMatch: ['<rootDir>/force-app/main/default/lwc/**/__tests__/**/*.test.js'],
      moduleNameMapper: {
        '^lightning/navigation$': '<rootDir>/force-app/test/jest-mocks/lightning/navigation',
        '^lightning/platformShowToastEvent$': '<rootDir>/force-app/test/jest-mocks/lightning/platformShowToastEvent',
        '^lightning/uiRecordApi$': '<rootDir>/force-app/test/jest-mocks/lightning/uiRecordApi',
        '^lightning/actions$': '<rootDir>/force-app/test/jest-mocks/lightning/actions'
      },
      modulePathIgnorePatterns: ['<rootDir>/.localdevserver', '<rootDir>/node_modules']
    }
  ]
};
