export { type Logger, noopLogger } from './logger';
export { createLogger, LOG_LEVELS, type LogLevel, type CreateLoggerOptions } from './create-logger';
