/**
 * A DataView of a whole ArrayBuffer, for the four-bytes-at-a-time loops of `upper` and
 * `count-s`. A DataView reads and writes a 32-bit word at any byte offset, so those loops work
 * however a line, or the reply it goes into, sits in its buffer: a chunk that starts mid-line,
 * lines of any length and a reply buffer reused at any offset all leave them at full speed.
 *
 * Making a view costs more than the loop it serves on a short line, and a chunk of pipelined
 * lines hands its transducer one fragment per line, all in one buffer (and replies all go to
 * one reused buffer): so the views of the last two buffers are kept. Index a view with
 * `buffer.byteOffset + i`.
 */
export class WordViews {
  // Plain fields rather than arrays: this runs once or twice per line.
  private newerBuffer: ArrayBufferLike | undefined;
  private newerView = EMPTY;
  private olderBuffer: ArrayBufferLike | undefined;
  private olderView = EMPTY;

  of(buffer: ArrayBufferLike): DataView {
    if (this.newerBuffer === buffer) return this.newerView;
    if (this.olderBuffer === buffer) return this.olderView;
    this.olderBuffer = this.newerBuffer;
    this.olderView = this.newerView;
    this.newerBuffer = buffer;
    this.newerView = new DataView(buffer);
    return this.newerView;
  }
}

const EMPTY = new DataView(new ArrayBuffer(0));
