export { type Logger, noopLogger } from './logger';
export { createLogger, LOG_LEVELS, LOG_FORMATS, type LogLevel, type LogFormat, type CreateLoggerOptions } from './create-logger';
export { rateLimitedWarning } from './rate-limited';
