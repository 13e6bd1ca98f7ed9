/** One gRPC message off the wire: its payload, and whether the compressed flag was set. */
export interface Frame {
  readonly compressed: boolean;
  readonly payload: Buffer;
}

/** The 5-byte prefix (flag, then big-endian length) and `payload`, uncompressed, in one buffer. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.byteLength);
  out.set(payload, 5);
  return withFramePrefix(out);
}

/** Fills in the prefix of `frame`: its first 5 bytes left free, an uncompressed message after them. */
export function withFramePrefix(frame: Buffer): Buffer {
  frame[0] = 0;
  frame.writeUInt32BE(frame.length - 5, 1);
  return frame;
}

/** Thrown by {@link FrameReader.push} for a message longer than the limit, before it is buffered. */
export class FrameTooLarge extends Error {
  constructor(
    readonly length: number,
    readonly limit: number,
  ) {
    super(`message of ${length} bytes exceeds the limit of ${limit}`);
  }
}

/** Cuts length-prefixed messages out of a stream of chunks, whatever the chunk boundaries. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  // The prefix of the message being read, once its 5 bytes have arrived.
  private compressed = false;
  private length = -1;

  constructor(private readonly limit: number) {}

  /** Adds a chunk; returns the messages it completes (often none or one). */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.length < 0) {
        if (this.buffered < 5) break;
        const prefix = this.take(5);
        this.compressed = (prefix[0]! & 1) === 1;
        this.length = prefix.readUInt32BE(1);
        if (this.length > this.limit) throw new FrameTooLarge(this.length, this.limit);
      }
      if (this.buffered < this.length) break;
      frames.push({ compressed: this.compressed, payload: this.take(this.length) });
      this.length = -1;
    }
    return frames;
  }

  /** Whether a message was cut short by the end of the stream. */
  get partial(): boolean {
    return this.length >= 0 || this.buffered > 0;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    // The common case: the whole message is in the first chunk; a view, not a copy.
    if (first !== undefined && first.length >= n) {
      this.buffered -= n;
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const all = Buffer.concat(this.chunks, this.buffered);
    this.buffered -= n;
    this.chunks = this.buffered > 0 ? [all.subarray(n)] : [];
    return all.subarray(0, n);
  }
}
