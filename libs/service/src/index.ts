export { ReplyEngine } from './reply-engine';
export { ReplyStream, type ReplyStreamOptions } from './reply-stream';
export { keepYoungGenerationSmall } from './young-generation';
export { SpentBufferCollector } from './spent-buffers';
