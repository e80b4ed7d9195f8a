// The network runtime both transports share: how a server starts, reports and stops, the
// errors of the network layer and their wording, how clients read their input, and what they
// publish as an exchange happens, with the trace and the diagram that subscribe to it.
// Each transport's own data path lives in libs/tcp and libs/udp.
export * from './errors';
export { describeSocketError, errorCode } from './describe-socket-error';
export { formatAddress, peerAddress } from './format-address';
export { connectTcp } from './connect';
export { ServiceStats, type Service } from './service';
export { serve, type ServeOptions } from './serve';
export { onStop, type StopOptions } from './stop-signal';
export { RUNTIME, runtimeSupport, workersUnsupported, type RuntimeSupport } from './runtime-support';
export { type ClientIo, type InputMode, chooseInputMode, readLines, promptLines, PROMPT } from './client-input';
export { plural, type ClientTrace, type ClientTraceEvent } from './client-trace';
export * from './client-channels';
export { subscribeTrace } from './trace-subscriber';
export { createClientView } from './client-diagram';
