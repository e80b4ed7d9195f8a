/**
 * A 32-bit view of a whole ArrayBuffer, for the four-bytes-at-a-time loops of `upper` and
 * `count-s`. Making a typed array costs more than the loop it serves on a short line, and a
 * chunk of pipelined lines hands its transducer one fragment per line, all in one buffer (and
 * replies all go to one reused buffer): so the view of each of the last two buffers is kept.
 * Index it with `byteOffset >>> 2`; only the whole words of the buffer are in the view.
 */
export class WordViews {
  private buffers: [ArrayBufferLike | undefined, ArrayBufferLike | undefined] = [undefined, undefined];
  private views: [Uint32Array, Uint32Array] = [EMPTY, EMPTY];

  of(buffer: ArrayBufferLike): Uint32Array {
    if (this.buffers[0] === buffer) return this.views[0];
    if (this.buffers[1] === buffer) return this.views[1];
    const view = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    this.buffers = [buffer, this.buffers[0]];
    this.views = [view, this.views[0]];
    return view;
  }
}

const EMPTY = new Uint32Array(0);
