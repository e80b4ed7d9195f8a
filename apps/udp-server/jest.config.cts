module.exports = {
  displayName: 'udp-server',
  preset: '../../jest.preset.js',
};
