import { median, minMax, ratio } from './stats';

describe('median', () => {
  it('takes the middle of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([7])).toBe(7);
  });

  it('averages the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('ignores missing figures and is NaN when nothing is left', () => {
    expect(median([Number.NaN, 10, Number.POSITIVE_INFINITY, 20, 30])).toBe(20);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN])).toBeNaN();
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('minMax and ratio', () => {
  it('spans the finite values', () => {
    expect(minMax([3, Number.NaN, 9, 1])).toEqual({ min: 1, max: 9 });
    expect(minMax([]).min).toBeNaN();
  });

  it('divides, and never invents a ratio', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(Number.NaN, 4)).toBeNaN();
  });
});
