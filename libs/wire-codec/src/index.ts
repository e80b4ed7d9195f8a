// The wire codec, with no I/O: how messages are cut out of bytes (at line ends over TCP, one per
// datagram over UDP), how replies are written back with the terminator their message had, and
// the engine that turns request bytes into reply bytes through a transform.
export type { Terminator } from './message-events';
export { LineDecoder } from './line-decoder';
export { ReplyEncoder } from './reply-encoder';
export { ReplyEngine } from './reply-engine';
export { MAX_DATAGRAM_PAYLOAD } from './datagram-limits';
