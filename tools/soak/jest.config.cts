module.exports = {
  displayName: 'soak',
  preset: '../../jest.preset.js',
};
