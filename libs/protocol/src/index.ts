// The protocol, with no I/O: how messages are framed, how each is transformed, and the engine
// that turns request bytes into reply bytes. Everything here is a pure function of its input.
export type { Terminator, MessageEvents, MessageDecoder } from './message-events';
export { LineDecoder } from './line-decoder';
export { DatagramDecoder } from './datagram-decoder';
export { ReplyEncoder } from './reply-encoder';
export type { ByteSink, Transducer } from './transducer';
export { UpperTransducer } from './upper';
export { CountSTransducer } from './count-s';
export { TRANSFORM_NAMES, type TransformName, isTransformName, createTransducer } from './transforms';
export { transformMessage } from './transform-message';
export { ReplyEngine, type Framing } from './reply-engine';
export { MAX_DATAGRAM_PAYLOAD } from './datagram-limits';
