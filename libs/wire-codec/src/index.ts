export type { Terminator, MessageEvents, MessageDecoder } from './message-events';
export { LineDecoder } from './line-decoder';
export { DatagramDecoder } from './datagram-decoder';
export { ReplyEncoder, type ByteSink } from './reply-encoder';
export { MAX_DATAGRAM_PAYLOAD } from './datagram-limits';
