module.exports = {
  displayName: 'udp-client',
  preset: '../../jest.preset.js',
};
