/** Two projects: unit specs beside the code, end-to-end specs in test/ (they spawn the built server). */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', }] };
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform,
    },
  ],
  testTimeout: 30000,
};
