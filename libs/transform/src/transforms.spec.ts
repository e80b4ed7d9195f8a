import { ByteSink } from './byte-sink';
import { CountSTransducer } from './count-s';
import { MAX_GROWTH, TRANSFORM_NAMES, createTransducer, isTransformName, maxReplyBytes } from './transforms';
import { transformMessage } from './transform-message';
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

describe('maxReplyBytes', () => {
  it('bounds upper over every code point, and U+0390 reaches the bound', () => {
    let most = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const bytes = Buffer.from(String.fromCodePoint(cp), 'utf8');
      most = Math.max(most, transformMessage(createTransducer('upper'), bytes).length / bytes.length);
    }
    expect(most).toBe(MAX_GROWTH);
    const grows = Buffer.from('ΐ'.repeat(100));
    expect(transformMessage(createTransducer('upper'), grows).length).toBe(maxReplyBytes(grows.length));
  });

  it('bounds count-s, whose reply to nothing is one byte', () => {
    expect(transformMessage(createTransducer('count-s'), Buffer.alloc(0)).length).toBe(maxReplyBytes(0));
    for (const n of [1, 9, 10, 99, 100, 12345]) {
      expect(transformMessage(createTransducer('count-s'), Buffer.alloc(n, 's')).length).toBeLessThanOrEqual(maxReplyBytes(n));
    }
  });
});
