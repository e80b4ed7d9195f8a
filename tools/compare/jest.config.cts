module.exports = {
  displayName: 'compare',
  preset: '../../jest.preset.js',
};
