/**
 * The specs Stryker runs against each mutant (npm run mutation): the driver
 * core and the TransactionManager's own, not the demos' (they start
 * processes, terminals and a browser, minutes per run).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config extending another
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/spec/*.spec.ts', '<rootDir>/spec/validator/manager/*.spec.ts', '<rootDir>/spec/validator/pipeline/validator-pipeline*.spec.ts'],
};
