module.exports = {
  displayName: 'deploy',
  preset: '../jest.preset.js',
  // The preset maps the path aliases for projects two levels down; this one sits one level
  // down, and imports no library but this one.
  moduleNameMapper: { '^@sockets/testing$': '<rootDir>/../libs/testing/src/index.ts' },
  // Each end-to-end test starts up to six servers and nginx, and a loaded CI machine is slow to.
  testTimeout: 60_000,
};
