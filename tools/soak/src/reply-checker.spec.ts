import { splitAt } from '@sockets/testing';
import { ReplyChecker } from './reply-checker';

describe('ReplyChecker', () => {
  it('counts a reply once all its bytes have come, however they are cut', () => {
    const replies = Buffer.from('ABC\nDE\r\n');
    for (const cuts of [[], [1], [3, 4], [4, 5, 6, 7, 8], [0, 0, 9]]) {
      const checker = new ReplyChecker();
      checker.expect(Buffer.from('ABC\n'), 1);
      checker.expect(Buffer.from('DE\r\n'), 2);
      let answered = 0;
      for (const chunk of splitAt(replies, cuts)) {
        const result = checker.receive(chunk);
        expect(result.mismatch).toBeUndefined();
        answered += result.answered;
      }
      expect({ cuts, answered, done: checker.done }).toEqual({ cuts, answered: 3, done: true });
    }
  });

  it('reports the first byte that differs, with its offset in the reply', () => {
    const checker = new ReplyChecker();
    checker.expect(Buffer.from('AB\n'), 1);
    checker.expect(Buffer.from('SS\n'), 1);
    expect(checker.receive(Buffer.from('AB\nS')).answered).toBe(1);
    const { mismatch } = checker.receive(Buffer.from('s\n'));
    expect(mismatch).toMatchObject({ offset: 1, expected: Buffer.from('SS\n').toString('hex') });
  });

  it('reports bytes nobody owed', () => {
    const checker = new ReplyChecker();
    checker.expect(Buffer.from('4'), 1);
    expect(checker.receive(Buffer.from('4')).answered).toBe(1);
    expect(checker.receive(Buffer.from('x')).mismatch).toMatchObject({ expected: '(nothing owed)' });
  });

  it('keeps owing what has not come', () => {
    const checker = new ReplyChecker();
    checker.expect(Buffer.from('ABC'), 1);
    checker.receive(Buffer.from('AB'));
    expect(checker.owedCount).toBe(1);
    expect(checker.done).toBe(false);
  });
});
