export { ReplyEngine } from './reply-engine';
export { ReplyStream, type ReplyStreamOptions } from './reply-stream';
