// Three tiers: unit specs beside the code (no I/O), integration specs on real Postgres/Redis/Kafka,
// end-to-end specs in test/ that run the built roles and the sandbox as processes.
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    },
  ],
};
// NestJS 12, uuid 14 and file-type ship ESM only. Jest 30 runs require(esm) natively only through
// vm.SourceTextModule, which Node 24 still keeps behind --experimental-vm-modules; rather than that flag
// on every jest command (and its warning), these packages are compiled to CommonJS by the same swc
// transform. Node itself loads them natively at run time. Measured on Node 24.22: same results, same time.
const esmOnly = [
  '@nestjs',
  'uuid',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
];
transform['^.+\\.m?js$'] = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/src/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-integration.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-e2e.ts'],
    },
  ],
};
