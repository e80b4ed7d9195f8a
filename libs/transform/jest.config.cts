module.exports = {
  displayName: 'transform',
  preset: '../../jest.preset.js',
};
