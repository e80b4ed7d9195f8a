import baseConfig, { NO_IO } from '../../eslint.config.mjs';

export default [...baseConfig, NO_IO];
