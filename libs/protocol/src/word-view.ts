/**
 * A 32-bit view of a whole ArrayBuffer, for the four-bytes-at-a-time loops of `upper` and
 * `count-s`. Making a typed array costs more than the loop it serves on a short line, and a
 * chunk of pipelined lines hands its transducer one fragment per line, all in one buffer (and
 * replies all go to one reused buffer): so the view of each of the last two buffers is kept.
 * Index it with `byteOffset >>> 2`; only the whole words of the buffer are in the view.
 */
export class WordViews {
  // Plain fields rather than arrays: this runs once or twice per line.
  private newerBuffer: ArrayBufferLike | undefined;
  private newerView = EMPTY;
  private olderBuffer: ArrayBufferLike | undefined;
  private olderView = EMPTY;

  of(buffer: ArrayBufferLike): Uint32Array {
    if (this.newerBuffer === buffer) return this.newerView;
    if (this.olderBuffer === buffer) return this.olderView;
    this.olderBuffer = this.newerBuffer;
    this.olderView = this.newerView;
    this.newerBuffer = buffer;
    this.newerView = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    return this.newerView;
  }
}

const EMPTY = new Uint32Array(0);
