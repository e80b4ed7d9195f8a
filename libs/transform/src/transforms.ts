import { CountSTransducer } from './count-s';
import type { Transducer } from './transducer';
import { UpperTransducer } from './upper';

const factories = {
  upper: () => new UpperTransducer(),
  'count-s': () => new CountSTransducer(),
} satisfies Record<string, () => Transducer>;

export type TransformName = keyof typeof factories;

export const TRANSFORM_NAMES = Object.keys(factories) as readonly TransformName[];

export function isTransformName(name: string): name is TransformName {
  return Object.prototype.hasOwnProperty.call(factories, name);
}

/** A new transducer: each connection or socket gets its own, since transducers hold state. */
export function createTransducer(name: TransformName): Transducer {
  return factories[name]();
}

/**
 * The most bytes any transform replies to a message of `messageBytes` bytes. `upper` can grow
 * a message three times: a few code points of two bytes map to three of two (U+0390 `ΐ` becomes
 * `Ϊ́`), and none grows more. `count-s` replies with the digits of a count no larger than the
 * message, and `0` to an empty one. docs/PROTOCOL.md states this, and a client can hold a
 * server to it.
 */
export function maxReplyBytes(messageBytes: number): number {
  return Math.max(MAX_GROWTH * messageBytes, 1);
}

/** The largest factor by which a transform lengthens a message. */
export const MAX_GROWTH = 3;
