module.exports = {
  displayName: 'tcp-server',
  preset: '../../jest.preset.js',
};
