module.exports = {
  displayName: 'tcp-client',
  preset: '../../jest.preset.js',
};
