import { DatagramDecoder } from './datagram-decoder';
import type { Terminator } from './message-events';

function recorder() {
  const events: Array<string | Terminator> = [];
  const decoder = new DatagramDecoder({
    onFragment: (src, start, end) => events.push(`fragment ${src.subarray(start, end).toString('hex')}`),
    onEnd: (terminator) => events.push(terminator),
  });
  return { decoder, events };
}

describe('DatagramDecoder', () => {
  it('makes one whole message of each datagram, ended with terminator none', () => {
    const { decoder, events } = recorder();
    decoder.push(Buffer.from('ab'));
    decoder.push(Buffer.from('c'));
    expect(events).toEqual(['fragment 6162', 'none', 'fragment 63', 'none']);
  });

  it('makes the empty datagram one empty message, with no empty fragment', () => {
    const { decoder, events } = recorder();
    decoder.push(Buffer.alloc(0));
    expect(events).toEqual(['none']);
  });

  it('treats CR and LF inside a datagram as ordinary bytes', () => {
    const { decoder, events } = recorder();
    decoder.push(Buffer.from('a\r\nb\n'));
    expect(events).toEqual([`fragment ${Buffer.from('a\r\nb\n').toString('hex')}`, 'none']);
  });

  it('is never open, and flush reports nothing', () => {
    const { decoder, events } = recorder();
    expect(decoder.open).toBe(false);
    decoder.push(Buffer.from('x'));
    expect(decoder.open).toBe(false);
    decoder.flush();
    expect(events).toEqual(['fragment 78', 'none']);
  });
});
