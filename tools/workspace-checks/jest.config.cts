module.exports = {
  displayName: 'workspace-checks',
  preset: '../../jest.preset.js',
  // Each check starts Nx or ESLint over the whole workspace: give them room on a busy machine.
  testTimeout: 60_000,
};
