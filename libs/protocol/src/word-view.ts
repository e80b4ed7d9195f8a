/**
 * Views of whole ArrayBuffers for the four-bytes-at-a-time loops of `upper` and `count-s`:
 * `Uint32Array`s, the fastest, for words on a 4-byte boundary, and `DataView`s, which read and
 * write a word at any offset, for the rest.
 *
 * Making a view costs more than the loop it serves on a short line, and a chunk of pipelined
 * lines hands its transducer one fragment per line, all in one buffer (and replies all go to
 * one reused buffer): so the views of the last two buffers are kept. Index a Uint32Array with
 * `(buffer.byteOffset + i) >>> 2`, a DataView with `buffer.byteOffset + i`.
 */
export class ViewCache<View> {
  // Plain fields rather than arrays: this runs once or twice per line.
  private newerBuffer: ArrayBufferLike | undefined;
  private newerView: View | undefined;
  private olderBuffer: ArrayBufferLike | undefined;
  private olderView: View | undefined;

  constructor(private readonly create: (buffer: ArrayBufferLike) => View) {}

  has(buffer: ArrayBufferLike): boolean {
    return this.newerBuffer === buffer || this.olderBuffer === buffer;
  }

  of(buffer: ArrayBufferLike): View {
    if (this.newerBuffer === buffer) return this.newerView as View;
    if (this.olderBuffer === buffer) return this.olderView as View;
    this.olderBuffer = this.newerBuffer;
    this.olderView = this.newerView;
    this.newerBuffer = buffer;
    this.newerView = this.create(buffer);
    return this.newerView;
  }
}

/**
 * The shortest run worth a word loop in a buffer with no view yet: making one costs about as
 * much as a byte loop over a few hundred bytes. A datagram arrives in a buffer of its own, so
 * upper does a short one byte by byte; a TCP chunk, which upper takes whole, pays for its view
 * once.
 */
export const NEW_VIEW_RUN_MIN = 256;

/** Only the whole words of a buffer are in its view. */
export const wordViews = (): ViewCache<Uint32Array> => new ViewCache((buffer) => new Uint32Array(buffer, 0, buffer.byteLength >>> 2));

export const dataViews = (): ViewCache<DataView> => new ViewCache((buffer) => new DataView(buffer));
