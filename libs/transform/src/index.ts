export type { Transducer } from './transducer';
export { UpperTransducer } from './upper';
export { CountSTransducer } from './count-s';
export { TRANSFORM_NAMES, type TransformName, isTransformName, createTransducer } from './registry';
export { transformMessage } from './transform-message';
