import {
  MODEL_MAX_UDP_PAYLOAD,
  SPECIAL_CASE_TEXT,
  modelTcpReplies,
  modelTimedMessages,
  modelUdpReply,
  type ModelTransform,
} from '@sockets/testing';
import type { Rng } from './rng';

export const TRANSFORMS: readonly ModelTransform[] = ['upper', 'count-s'];

/** Bytes to send and, per transform, every reply byte they must bring back. */
export interface Payload {
  bytes: Buffer;
  replies: Record<ModelTransform, Buffer>;
  /** Messages in `bytes`, as the model frames them. */
  messages: number;
}

export interface PayloadPools {
  /** Lines ending in LF or CRLF: any concatenation of them is framed as they are one by one. */
  lines: Payload[];
  /** Small lines, for slow writers. */
  slowLines: Payload[];
  /** Messages without a final terminator, answered once the idle flush ends them. */
  unterminated: Payload[];
  /** Datagrams whose reply fits in one under both transforms. */
  datagrams: Payload[];
}

const WORDS = ['the', 'quick', 'brown', 'fox', 'sells', 'sea', 'shells', 'Mississippi', 'SASSY', 'x', '12000', 'hello,', 'world.'];
const ILL_FORMED = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf5], [0xff], [0x00]];

/**
 * About `size` bytes of mixed content: words, `s` and `S`, special-case letters, ill-formed and
 * cut-off UTF-8, a rare CR. No LF, so the caller decides where messages end.
 */
function body(rng: Rng, size: number): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < size) {
    const roll = rng.next();
    let part: Buffer;
    if (roll < 0.5) part = Buffer.from(`${rng.pick(WORDS)} `, 'latin1');
    else if (roll < 0.6) part = Buffer.from(rng.pick(['s', 'S', 'ss', 'sS']), 'latin1');
    else if (roll < 0.75) part = Buffer.from(rng.pick(SPECIAL_CASE_TEXT), 'utf8');
    else if (roll < 0.8) part = Buffer.from(ILL_FORMED[rng.int(0, ILL_FORMED.length - 1)]);
    else if (roll < 0.81) part = Buffer.from([0x0d]);
    else part = Buffer.alloc(rng.int(16, 512), rng.pick(['a', 's', 'sassafras ', 'Z', 'é']));
    parts.push(part);
    length += part.length;
  }
  return Buffer.concat(parts).subarray(0, size);
}

/** Mostly short lines, some long ones, a few that span many TCP segments. */
function lineSize(rng: Rng): number {
  const roll = rng.next();
  if (roll < 0.7) return rng.int(0, 80);
  if (roll < 0.9) return rng.int(81, 2_000);
  if (roll < 0.98) return rng.int(2_001, 65_536);
  return rng.int(65_537, 256 * 1024);
}

function datagramSize(rng: Rng): number {
  const roll = rng.next();
  if (roll < 0.6) return rng.int(0, 100);
  if (roll < 0.9) return rng.int(101, 4_000);
  return rng.int(4_001, 65_000);
}

function terminated(rng: Rng, size: number): Buffer {
  return Buffer.concat([body(rng, size), Buffer.from(rng.chance(0.7) ? '\n' : '\r\n', 'latin1')]);
}

/** What the model says comes back for `bytes`, sent at once and followed by a flush or not. */
function tcpPayload(bytes: Buffer, flushed: boolean, flushMs: number): Payload {
  const segments = [{ bytes, pauseAfterMs: flushed ? flushMs + 1 : 0 }];
  const replies = {} as Record<ModelTransform, Buffer>;
  for (const transform of TRANSFORMS) replies[transform] = modelTcpReplies(segments, transform, { flushMs, halfCloseAtEnd: false });
  return { bytes, replies, messages: modelTimedMessages(segments, flushMs, false).length };
}

/**
 * Payloads made once, replies and all, so that checking a reply under load is a comparison of
 * buffers: the model is written to be plain, not fast.
 */
export function buildPools(rng: Rng, flushMs: number, count = 256): PayloadPools {
  const lines: Payload[] = [];
  const slowLines: Payload[] = [];
  const unterminated: Payload[] = [];
  const datagrams: Payload[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(tcpPayload(terminated(rng, lineSize(rng)), false, flushMs));
    slowLines.push(tcpPayload(terminated(rng, rng.int(0, 400)), false, flushMs));
    // Ending in a CR or in a cut-off code point is what makes a flush differ from a terminator.
    const tail = rng.pick([Buffer.alloc(0), Buffer.from([0x0d]), Buffer.from([0xe2, 0x82]), Buffer.from('s')]);
    unterminated.push(tcpPayload(Buffer.concat([body(rng, rng.int(1, 400)), tail]), true, flushMs));
    let datagram = body(rng, datagramSize(rng));
    // An upper reply may grow past one datagram; the soak keeps to replies that are sent.
    while (modelUdpReply(datagram, 'upper', MODEL_MAX_UDP_PAYLOAD.ipv4) === undefined) datagram = datagram.subarray(0, datagram.length >> 1);
    datagrams.push({
      bytes: datagram,
      replies: { upper: modelUdpReply(datagram, 'upper') as Buffer, 'count-s': modelUdpReply(datagram, 'count-s') as Buffer },
      messages: 1,
    });
  }
  return { lines, slowLines, unterminated, datagrams };
}
