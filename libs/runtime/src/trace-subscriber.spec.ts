import { clientChannels } from './client-channels';
import type { ClientTrace, ClientTraceEvent } from './client-trace';
import { subscribeTrace } from './trace-subscriber';

function recorder(): ClientTrace & { events: ClientTraceEvent[] } {
  let time = 0;
  const events: ClientTraceEvent[] = [];
  return { enabled: true, events, now: () => (time += 1), emit: (event) => events.push(event), summary: () => undefined };
}

describe('subscribeTrace', () => {
  it("tells each connection's close and round trips apart, when one client follows another", () => {
    const trace = recorder();
    const stop = subscribeTrace(trace);
    try {
      const first = {};
      const second = {};
      const progress = (client: object) => ({ client, sent: 1, received: 1 });
      clientChannels.send.publish({ client: first, message: 1, data: Buffer.from('a\n'), inFlight: 1 });
      clientChannels.tcpHalfClose.publish(progress(first));
      // The second connection begins, and its server closes first, before the first is over.
      clientChannels.send.publish({ client: second, message: 1, data: Buffer.from('b\n'), inFlight: 1 });
      clientChannels.tcpPeerClosed.publish({ ...progress(second), how: 'end' });
      clientChannels.reply.publish({ client: first, message: 1, bytes: 2, data: Buffer.from('A\n'), inFlight: 0 });
      clientChannels.tcpPeerClosed.publish({ ...progress(first), how: 'end' });
      clientChannels.tcpClosed.publish(progress(second));
      clientChannels.tcpClosed.publish(progress(first));
    } finally {
      stop();
    }
    const closed = trace.events.filter((event) => event.event === 'closed');
    expect(closed).toEqual([
      { event: 'closed', first: 'server', how: 'end', then: undefined, sent: 1, received: 1, error: undefined },
      { event: 'closed', first: 'client', how: 'half-close', then: 'end', sent: 1, received: 1, error: undefined },
    ]);
    // The first reply is timed from the first client's send (clock 1), not the second's (clock 2).
    expect(trace.events.find((event) => event.event === 'reply')).toMatchObject({ rttMs: 3 - 1 });
  });
});
