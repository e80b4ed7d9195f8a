import { ByteSink } from './byte-sink';
import type { Transducer } from './transducer';

/** The transform of one whole message given in pieces (one piece, for a datagram). */
export function transformMessage(transducer: Transducer, ...pieces: Buffer[]): Buffer {
  const out = new ByteSink();
  for (const piece of pieces) {
    if (piece.length > 0) transducer.push(piece, 0, piece.length, out);
  }
  transducer.end(out);
  return out.written();
}
