// The transforms, with no I/O: `upper` and `count-s`, each a streaming function of one message's
// bytes, whatever pieces they come in. They know nothing of framing; the wire codec tells them
// where a message ends.
export { TRANSFORM_NAMES, type TransformName, isTransformName, createTransducer, maxReplyBytes } from './transforms';
export type { Transducer } from './transducer';
export { ByteSink } from './byte-sink';
export { transformMessage } from './transform-message';
