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
