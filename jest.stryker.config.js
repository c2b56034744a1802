/**
 * The specs Stryker runs against each mutant (npm run mutation): the
 * TransactionManager's own and the pipeline's example-based ones; not the
 * demos' (processes, terminals, a browser) nor the property specs.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config extending another
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // The pipeline's property spec (200 generated workloads) covers nearly every mutant: hours.
  testMatch: ['<rootDir>/spec/validator/manager/transaction-manager.spec.ts', '<rootDir>/spec/validator/pipeline/validator-pipeline.spec.ts'],
};
