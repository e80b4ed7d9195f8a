import { integerFlag, type FlagValues } from '@sockets/cli';

export const PROGRAM = {
  name: 'soak',
  usage: '[flags]',
  summary: [
    'Starts the built tcp-server and udp-server (one of each per transform) on loopback and runs',
    'mixed load against them for a given time: pipelined TCP lines of mixed sizes, slow writers,',
    'unterminated messages answered by the idle flush, idle connections, resets, and UDP datagrams',
    'up to 65,000 bytes. Every reply is checked against the protocol model of libs/testing. Prints a',
    "row of each server's RSS and open fds and of the request counts every few seconds, then a",
    'summary; exits 1 on any mismatch, error, fd leak or server failure.',
  ].join('\n'),
};

export const SOAK_FLAGS = {
  'duration-s': integerFlag({ description: 'how long the load runs, in seconds', default: 60, min: 1, max: 86_400 }),
  'report-every-s': integerFlag({ description: 'seconds between two rows of figures', default: 5, min: 1, max: 3_600 }),
  'tcp-connections': integerFlag({ description: 'TCP connections sending pipelined batches of lines', default: 24, min: 0, max: 500 }),
  'slow-writers': integerFlag({ description: 'TCP connections writing a few bytes at a time, some messages left to the idle flush', default: 4, min: 0, max: 100 }),
  'idle-connections': integerFlag({ description: 'TCP connections that send nothing', default: 32, min: 0, max: 500 }),
  'resets-per-s': integerFlag({ description: 'TCP connections opened, sent part of a message, and reset, per second', default: 10, min: 0, max: 1_000 }),
  'udp-clients': integerFlag({ description: 'UDP sockets each sending one datagram at a time', default: 8, min: 0, max: 200 }),
  'udp-timeout-ms': integerFlag({ description: 'a datagram unanswered this long is lost', default: 1_000, min: 10, max: 60_000 }),
  'flush-ms': integerFlag({ description: "the servers' --flush-ms; slow writers pause well below it", default: 1_000, min: 50, max: 60_000 }),
  'idle-timeout-ms': integerFlag({ description: "the servers' --idle-timeout-ms; idle connections reconnect when closed", default: 10_000, min: 0, max: 3_600_000 }),
  seed: integerFlag({ description: 'seed of the payloads and of every random choice', default: 1, min: 0, max: 2 ** 31 - 1 }),
};

export type SoakOptions = FlagValues<typeof SOAK_FLAGS>;
