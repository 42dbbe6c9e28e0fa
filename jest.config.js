// Three tiers, named by suffix (README.md, "Tests"): unit (*.spec.ts), integration against real
// stores (*.int-spec.ts, including the port contract suites), end to end over HTTP (*.e2e-spec.ts).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/jest.setup.ts'],
};

module.exports = {
  // After the summary, say which suites were skipped and why (e.g. no EventStoreDB/MongoDB server).
  reporters: ['default', '<rootDir>/test/support/skip-reasons.reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{src,test}/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.setup.ts'] },
  ],
};
