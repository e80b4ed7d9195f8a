import { formatNumber, formatShort } from './table';

describe('formatShort', () => {
  it('keeps three digits and a unit, also where rounding carries into the next unit', () => {
    expect([4_384_462, 33_905, 999_999, 999_499, 999.7, 999.4, 0.5, 0].map(formatShort)).toEqual(['4.38M', '33.9k', '1.00M', '999k', '1.00k', '999', '0.500', '0']);
    expect(formatShort(Number.NaN)).toBe('–');
  });
});

describe('formatNumber', () => {
  it('groups thousands and keeps decimals only on small values', () => {
    expect([1_234_567, 99.96, 12.34, 1.234].map(formatNumber)).toEqual(['1,234,567', '100', '12.3', '1.23']);
  });
});
