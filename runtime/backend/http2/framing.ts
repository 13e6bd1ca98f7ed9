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

/** Thrown by {@link FrameReader.next} for a message longer than the limit, before it is gathered. */
export class FrameTooLarge extends Error {
  constructor(
    readonly length: number,
    readonly limit: number,
  ) {
    super(`message of ${length} bytes exceeds the limit of ${limit}`);
  }
}

/**
 * Cuts length-prefixed messages out of a stream of chunks, whatever the chunk boundaries:
 * {@link push} each chunk, then take messages with {@link next} until it has none. A message
 * inside one chunk (a unary reply, nearly always) is a view of it, made without any other
 * allocation: this runs for every reply.
 */
export class FrameReader {
  private readonly chunks: Buffer[] = [];
  // Where the unread part of chunks[0] starts.
  private offset = 0;
  private buffered = 0;
  // The length of the message being read once its 5-byte prefix is in, else -1.
  private length = -1;
  private flagged = false;
  /** Whether the message {@link next} returned last had the compressed flag set. */
  compressed = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole message's payload, or undefined until more arrives; throws FrameTooLarge. */
  next(): Buffer | undefined {
    if (this.length < 0) {
      if (this.buffered < 5) return undefined;
      const first = this.chunks[0]!;
      if (first.length - this.offset >= 5) {
        this.flagged = (first[this.offset]! & 1) === 1;
        this.length = first.readUInt32BE(this.offset + 1);
        this.skip(5);
      } else {
        const prefix = this.take(5);
        this.flagged = (prefix[0]! & 1) === 1;
        this.length = prefix.readUInt32BE(1);
      }
      if (this.length > this.limit) throw new FrameTooLarge(this.length, this.limit);
    }
    if (this.buffered < this.length) return undefined;
    const payload = this.take(this.length);
    this.compressed = this.flagged;
    this.length = -1;
    return payload;
  }

  /** Whether a message was cut short by the end of the stream. */
  get partial(): boolean {
    return this.length >= 0 || this.buffered > 0;
  }

  private skip(n: number): void {
    this.buffered -= n;
    this.offset += n;
    if (this.offset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    // Nothing buffered: an empty message at the end of what arrived.
    if (first === undefined) return Buffer.alloc(0);
    const start = this.offset;
    // The common case: the whole message is in the first chunk; a view, not a copy.
    if (first.length - start >= n) {
      const view = first.subarray(start, start + n);
      this.skip(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[0]!;
      const from = this.offset;
      const count = Math.min(n - written, chunk.length - from);
      chunk.copy(out, written, from, from + count);
      written += count;
      this.skip(count);
    }
    return out;
  }
}
