export { EXIT } from './exit-codes';
export {
  CliError,
  UsageError,
  StartupError,
  ConnectError,
  ConnectionClosedError,
  NoReplyError,
  ReplyTimeoutError,
  MessageTooLargeError,
} from './errors';
export {
  type FlagSpec,
  type FlagValues,
  type Program,
  parseFlags,
  helpText,
  hostFlag,
  portFlag,
  transformFlag,
  logLevelFlag,
  integerFlag,
  serverFlags,
  clientFlags,
} from './flags';
export { onStopSignal, type StopOptions } from './graceful-stop';
export { runMain } from './run-main';
export { runCli } from './run-cli';
export { exitWhenStdoutCloses } from './stdout-closed';
export { type InputMode, chooseInputMode, readLines, promptLines, PROMPT } from './input-source';
export { formatAddress } from './format-address';
export { describeListenError } from './describe-listen-error';
