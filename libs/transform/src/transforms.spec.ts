import { ByteSink } from './byte-sink';
import { CountSTransducer } from './count-s';
import { TRANSFORM_NAMES, createTransducer, isTransformName } from './transforms';
import { UpperTransducer } from './upper';

describe('transform registry', () => {
  it('names upper and count-s', () => {
    expect([...TRANSFORM_NAMES].sort()).toEqual(['count-s', 'upper']);
  });

  it('tells transform names from other strings, inherited property names included', () => {
    expect(isTransformName('upper')).toBe(true);
    expect(isTransformName('count-s')).toBe(true);
    for (const name of ['', 'UPPER', 'lower', 'nope', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(isTransformName(name)).toBe(false);
    }
  });

  it('creates the transducer of each name', () => {
    expect(createTransducer('upper')).toBeInstanceOf(UpperTransducer);
    expect(createTransducer('count-s')).toBeInstanceOf(CountSTransducer);
  });

  it('creates a fresh instance each time, so state never leaks between connections', () => {
    for (const name of TRANSFORM_NAMES) {
      const a = createTransducer(name);
      const b = createTransducer(name);
      expect(a).not.toBe(b);
      // Leave `a` in the middle of a message (an 's', a cut-off code point) and end `b`.
      const scratch = new ByteSink();
      a.push(Buffer.from([0x73, 0xc3]), 0, 2, scratch);
      const out = new ByteSink();
      b.end(out);
      expect(out.written().toString()).toBe(name === 'count-s' ? '0' : '');
    }
  });
});
