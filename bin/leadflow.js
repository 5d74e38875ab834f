#!/usr/bin/env node
// The leadflow CLI. Runs the TypeScript sources through tsx so `npx leadflow` works without a build step.
require('tsx/cjs');
require('../src/cli/main.ts').main(process.argv);
