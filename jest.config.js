/** Jest runs the TypeScript specs through ts-jest; specs mirror lib/. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  collectCoverageFrom: ['lib/**/*.ts'],
  // Specs may import the package by name, as users do (the README examples are specs).
  moduleNameMapper: {
    '^soma-execution-driver$': '<rootDir>/lib',
    '^soma-execution-driver/testing$': '<rootDir>/lib/testing',
    '^soma-execution-driver/validator$': '<rootDir>/lib/validator',
    '^soma-execution-driver/simulation$': '<rootDir>/lib/simulation',
  },
};
