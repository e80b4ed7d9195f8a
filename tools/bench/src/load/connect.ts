import { connect, type Socket } from 'node:net';

/** A TCP connection with Nagle off, or a rejection after `timeoutMs`. */
export function connectTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect ${host}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // Until the driver listens, an error (a reset while others connect) must not crash the
      // thread; the driver sees the socket destroyed and counts it.
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`connect ${host}:${port}: ${error.message}`));
    });
  });
}

/** Local times (performance.now()) of a schedule given in epoch milliseconds. */
export function localTimes(schedule: { warmEndEpochMs: number; endEpochMs: number }): { warmEnd: number; end: number } {
  return { warmEnd: schedule.warmEndEpochMs - performance.timeOrigin, end: schedule.endEpochMs - performance.timeOrigin };
}

export function sleepUntil(localTime: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, localTime - performance.now())));
}
