import { fromHex, loadTestVectors } from '@sockets/testing';
import { createTransducer, isTransformName } from './transforms';
import { transformMessage } from './transform-message';

const { transforms } = loadTestVectors();

describe('transform test vectors (docs/test-vectors.json)', () => {
  it('are well-formed: known transforms, unique names, chunks that add up to the input', () => {
    expect(transforms.length).toBeGreaterThan(20);
    const keys = transforms.map((vector) => `${vector.transform} ${vector.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const vector of transforms) {
      expect(isTransformName(vector.transform)).toBe(true);
      if (vector.chunksHex) expect(vector.chunksHex.join('')).toBe(vector.inputHex);
    }
  });

  it('cover both transforms and the cases the protocol names', () => {
    const names = (transform: string) => transforms.filter((vector) => vector.transform === transform).map((vector) => vector.name);
    expect(names('upper')).toEqual(
      expect.arrayContaining([
        'ascii',
        'sharp-s',
        'iota-dialytika-tonos',
        'split-two-byte',
        'lone-continuation',
        'overlong-nul',
        'surrogate',
        'bytes-f5-to-ff',
        'truncated-at-end',
        'nul',
        'empty',
      ]),
    );
    expect(names('count-s')).toEqual(expect.arrayContaining(['mississippi', 'empty', 'upper-s', 'lower-s']));
  });

  describe.each(transforms.map((vector) => [`${vector.transform} ${vector.name}`, vector] as const))('%s', (_name, vector) => {
    const input = fromHex(vector.inputHex);
    const expected = vector.outputHex;

    it('whole', () => {
      expect(transformMessage(createTransducer(vector.transform), input).toString('hex')).toBe(expected);
    });

    it('in the chunks given, and one byte at a time', () => {
      const chunks = vector.chunksHex?.map(fromHex) ?? [input];
      expect(transformMessage(createTransducer(vector.transform), ...chunks).toString('hex')).toBe(expected);
      const bytewise = [...input].map((byte) => Buffer.from([byte]));
      expect(transformMessage(createTransducer(vector.transform), ...bytewise).toString('hex')).toBe(expected);
    });

    it('cut in two at every position', () => {
      for (let cut = 0; cut <= input.length; cut++) {
        const pieces = [input.subarray(0, cut), input.subarray(cut)];
        expect(transformMessage(createTransducer(vector.transform), ...pieces).toString('hex')).toBe(expected);
      }
    });
  });
});
