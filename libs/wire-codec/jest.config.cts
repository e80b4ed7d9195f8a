module.exports = {
  displayName: 'wire-codec',
  preset: '../../jest.preset.js',
};
