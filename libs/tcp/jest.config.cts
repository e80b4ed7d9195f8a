module.exports = {
  displayName: 'tcp',
  preset: '../../jest.preset.js',
};
