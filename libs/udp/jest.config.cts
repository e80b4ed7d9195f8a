module.exports = {
  displayName: 'udp',
  preset: '../../jest.preset.js',
};
