// The command line: flags (one table drives parsing and --help), exit codes, and the run of a
// program's main that turns its outcome into one of those codes.
export { EXIT } from './exit-codes';
export { UsageError } from './errors';
export {
  type FlagSpec,
  type FlagValues,
  type Program,
  type ParseResult,
  parseFlags,
  helpText,
  hostFlag,
  portFlag,
  transformFlag,
  logLevelFlag,
  logFormatFlag,
  workersFlag,
  metricsPortFlag,
  integerFlag,
  decimalFlag,
  booleanFlag,
  choiceFlag,
  listFlag,
  textFlag,
  serverFlags,
  clientFlags,
} from './flags';
export { runMain, exitWhenStdoutCloses } from './run-main';
export { runCli } from './run-cli';
export { serveOptions } from './server-options';
export { runClient } from './client-options';
export { VERSION } from './version';
