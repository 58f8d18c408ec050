/** Tests are transpiled per file (isolatedModules) for speed; `npm run typecheck` type-checks them. */
module.exports = {
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The full backup → restore round trip (about 20-30 s of real barman-cloud and PostgreSQL work) has its own run,
  // `npm run test:rehearsal`, which CI runs after `npm test`: it keeps `npm test` under a minute on two cores.
  testPathIgnorePatterns: ['/node_modules/', '/test/rehearse-roundtrip\\.test\\.ts$'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testEnvironment: 'node',
  // Two workers on the 2-core CI machine: the suites that run real servers spend much of their time waiting.
  maxWorkers: 2,
  // The examples import the package by name, as another team's app would.
  moduleNameMapper: { '^cdk8s-cnpg$': '<rootDir>/lib/index.ts' },
};
