import { type Scratch, type ValuePlan, varintSize, writeVarint } from "./scalars.js";

/**
 * A buffer written in one pass, growing as it goes: for writers that cannot size their output
 * first (the transcoders, which read their values as they write them), protobuf binary or JSON text.
 * A nested message's length goes before its bytes, so {@link open} leaves one byte for it and
 * {@link close} moves the bytes along in the rare case the length needs more.
 */
export class BinarySink {
  buffer: Buffer;
  pos: number;
  private readonly scratch: Scratch = { values: [], next: 0 };

  /** `headroom` bytes are left free at the start (a gRPC frame's prefix). */
  constructor(capacity: number, headroom = 0) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, headroom + 64));
    this.pos = headroom;
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n > this.buffer.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.pos + n));
      this.buffer.copy(next, 0, 0, this.pos);
      this.buffer = next;
    }
  }

  /** An unsigned 32-bit varint (a tag, a length). */
  varint(value: number): void {
    this.reserve(5);
    this.pos = writeVarint(this.buffer, this.pos, value);
  }

  /** A string field: its tag (none when negative), then the length and bytes `start` to `end` of `source`. */
  string(tag: number, source: Buffer, start: number, end: number): void {
    this.reserve(10);
    let pos = this.pos;
    if (tag >= 0) pos = writeVarint(this.buffer, pos, tag);
    this.pos = writeVarint(this.buffer, pos, end - start);
    this.copy(source, start, end);
  }

  /** One byte. */
  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.pos++] = value;
  }

  /** Bytes `start` to `end` of `source`, as they are. */
  copy(source: Buffer, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    const buffer = this.buffer;
    const pos = this.pos;
    // A native copy costs more than a loop over a few bytes.
    if (n <= 32) for (let i = 0; i < n; i++) buffer[pos + i] = source[start + i]!;
    else source.copy(buffer, pos, start, end);
    this.pos = pos + n;
  }

  /** Text whose characters are all below U+0100, a byte each (ASCII text, numbers). */
  latin1(text: string): void {
    const n = text.length;
    this.reserve(n);
    const buffer = this.buffer;
    const pos = this.pos;
    if (n <= 32) for (let i = 0; i < n; i++) buffer[pos + i] = text.charCodeAt(i);
    else buffer.write(text, pos, n, "latin1");
    this.pos = pos + n;
  }

  /** Text as UTF-8. */
  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.pos += this.buffer.write(text, this.pos, "utf8");
  }

  /** One value as `plan` writes it (with its tag, where the plan has one); throws where the plan does not vouch. */
  value(plan: ValuePlan, value: unknown): void {
    const scratch = this.scratch;
    scratch.values.length = 0;
    scratch.next = 0;
    this.reserve(plan.size(value, scratch));
    this.pos = plan.write(value, this.buffer, this.pos, scratch);
  }

  /** Starts a length-delimited run (after its tag): returns where its length goes. */
  open(): number {
    this.reserve(1);
    return this.pos++;
  }

  /** Ends the run {@link open} started at `at`, writing its length there. */
  close(at: number): void {
    const length = this.pos - at - 1;
    if (length < 0x80) {
      this.buffer[at] = length;
      return;
    }
    const size = varintSize(length);
    this.reserve(size - 1);
    this.buffer.copyWithin(at + size, at + 1, this.pos);
    writeVarint(this.buffer, at, length);
    this.pos += size - 1;
  }

  /** The bytes written, headroom included (a view of the buffer). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.pos);
  }
}
