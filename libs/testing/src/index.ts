export { WORKSPACE_ROOT, PROGRAM_RUNTIME, distMain, textbookScript } from './paths';
export { programRuntime, type ProgramRuntime } from './program-runtime';
export { startServer, type RunningServer, type StartServerOptions } from './start-server';
export { runProgram, type ProgramResult, type RunProgramOptions } from './run-program';
export { peakRssKb, peakRssKbOrZero, statusKb } from './proc-status';
export { retainedBytes } from './retained-memory';
export {
  type TestVectors,
  type TransformVector,
  type FramingVector,
  type ExchangeVector,
  type VectorTerminator,
  TEST_VECTORS_PATH,
  loadTestVectors,
  fromHex,
} from './test-vectors';
export { udpExchange, type UdpExchangeOptions } from './udp-exchange';
export { startScriptedUdpServer, type ScriptedUdpServer, type ReceivedDatagram } from './scripted-udp-server';
export { startTextbookServer, type TextbookServer } from './textbook-server';
export { splitAt } from './split-at';
export { freePort } from './free-port';
export { startScriptedServer, scriptedServers, type ScriptedServer } from './scripted-tcp-server';
export { onLines } from './on-lines';
export { TestPeer, delay, drained } from './test-peer';
export {
  type ModelTransform,
  type ModelTerminator,
  type ModelMessage,
  type TimedSegment,
  MODEL_MAX_UDP_PAYLOAD,
  modelUpper,
  modelTransform,
  modelFrame,
  modelTimedMessages,
  modelTcpReplies,
  modelUdpReply,
} from './protocol-model';
export { SPECIAL_CASE_TEXT, interestingBytes, largeBytes } from './fuzz-bytes';
export { httpGet, type HttpResponse } from './http-get';
export { metricValue, scrapeMessages, scrapeMetrics, type MetricSamples } from './metrics-text';
export { childPids, isRunning, processTree, tcpConnectionOwner, tcpServerHasRead, treeCpuSeconds } from './process-tree';
export { parseJsonLines } from './json-lines';
export { waitUntil, withTimeout } from './wait-until';
export { workerPids, killWorkersAsReplaced, scrapesThroughWorkerDeath } from './workers';
export { udpBurst, type UdpBurstOptions } from './udp-burst';
export { traceEvents } from './trace-text';
