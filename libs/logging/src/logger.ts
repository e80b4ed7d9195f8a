type LogFn = (fields: object, msg?: string) => void;

/**
 * The part of a logger that libraries use. A pino logger fits it; libraries accept one and
 * default to `noopLogger`, so they never depend on how (or whether) an app logs.
 */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled(level: string): boolean;
}

const ignore = (): void => undefined;

export const noopLogger: Logger = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  fatal: ignore,
  child: () => noopLogger,
  isLevelEnabled: () => false,
};
