import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WORKSPACE_ROOT } from './paths';

/** The shape of docs/test-vectors.json; its `about` field explains each section in words. */
export type VectorTerminator = 'lf' | 'crlf' | 'none';

export interface TransformVector {
  name: string;
  transform: 'upper' | 'count-s';
  inputHex: string;
  /** One way the message may arrive; concatenates to `inputHex`. */
  chunksHex?: string[];
  outputHex: string;
  note: string;
}

export interface FramingVector {
  name: string;
  chunksHex: string[];
  flushAtEnd: boolean;
  messages: Array<{ hex: string; terminator: VectorTerminator }>;
  note: string;
}

export interface ExchangeVector {
  name: string;
  transform: 'upper' | 'count-s';
  chunksHex: string[];
  flushAtEnd: boolean;
  replyHex: string;
  note: string;
}

export interface TestVectors {
  about: string[];
  transforms: TransformVector[];
  framing: FramingVector[];
  exchanges: ExchangeVector[];
}

export const TEST_VECTORS_PATH = resolve(WORKSPACE_ROOT, 'docs/test-vectors.json');

/** The protocol's test vectors, the same file docs/PROTOCOL.md points readers to. */
export function loadTestVectors(): TestVectors {
  return JSON.parse(readFileSync(TEST_VECTORS_PATH, 'utf8')) as TestVectors;
}

export function fromHex(hex: string): Buffer {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error(`not lowercase hex bytes: ${JSON.stringify(hex)}`);
  return Buffer.from(hex, 'hex');
}
