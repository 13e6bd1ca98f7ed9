import { protoInt64, ScalarType, type DescEnum } from "@bufbuild/protobuf";

/**
 * Protobuf binary's wire format read off a buffer, as protobuf-es reads it: tags, varints,
 * fixed-width values, lengths, strings. Shared by the readers that vouch only for
 * well-formed input (the compiled decoder, the binary-to-JSON transcoder): each calls
 * {@link giveUp} where protobuf-es would judge, or fail, instead.
 */

const cannotVouch = new Error("not vouched for");

/** Stops a reader that does not vouch for its input; {@link isGiveUp} tells its throw apart. */
export function giveUp(): never {
  throw cannotVouch;
}

/** Whether `err` is {@link giveUp}'s. */
export function isGiveUp(err: unknown): boolean {
  return err === cannotVouch;
}

/** protobuf-es's default recursion limit: deeper input is its error to give. */
export const recursionLimit = 100;

/** The bytes being read and the position in them; `lo` and `hi` hold the last 64-bit varint read. */
export class Cursor {
  readonly source: Uint8Array;
  readonly buffer: Buffer;
  pos = 0;
  depth = 0;
  lo = 0;
  hi = 0;
  /** The whole input as latin1 text, made at the first ASCII string: its ASCII strings are slices of it. */
  latin1: string | undefined = undefined;
  constructor(source: Uint8Array) {
    this.source = source;
    // A view, not a copy: Buffer's readers and latin1Slice, over the same memory.
    this.buffer = Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  }
}

/** Reads one value of a field's type at the cursor, within `end`. */
export type ValueReader = (cursor: Cursor, end: number) => unknown;

export function enumValue(desc: DescEnum): ValueReader {
  if (desc.open) return int32;
  // A closed enum's unknown number goes to the unknown fields in protobuf-es: its to place.
  const declared = new Set(desc.values.map((v) => v.number));
  return (cursor, end) => {
    const value = int32(cursor, end);
    return declared.has(value) ? value : giveUp();
  };
}

export function scalarValue(type: ScalarType, validateUtf8: boolean, longAsString: boolean): ValueReader {
  switch (type) {
    case ScalarType.STRING:
      return validateUtf8 ? strictString : lenientString;
    case ScalarType.BYTES:
      return bytes;
    case ScalarType.BOOL:
      return bool;
    case ScalarType.INT32:
      return int32;
    case ScalarType.UINT32:
      return uint32;
    case ScalarType.SINT32:
      return (cursor, end) => {
        const value = uint32(cursor, end);
        return (value >>> 1) ^ -(value & 1);
      };
    case ScalarType.FIXED32:
      return (cursor, end) => cursor.buffer.readUInt32LE(fixed(cursor, end, 4));
    case ScalarType.SFIXED32:
      return (cursor, end) => cursor.buffer.readInt32LE(fixed(cursor, end, 4));
    case ScalarType.FLOAT:
      return (cursor, end) => cursor.buffer.readFloatLE(fixed(cursor, end, 4));
    case ScalarType.DOUBLE:
      return (cursor, end) => cursor.buffer.readDoubleLE(fixed(cursor, end, 8));
    case ScalarType.INT64:
      return long((cursor, end) => {
        varint64(cursor, end);
        return protoInt64.dec(cursor.lo, cursor.hi);
      }, longAsString);
    case ScalarType.UINT64:
      return long((cursor, end) => {
        varint64(cursor, end);
        return protoInt64.uDec(cursor.lo, cursor.hi);
      }, longAsString);
    case ScalarType.SINT64:
      return long((cursor, end) => {
        varint64(cursor, end);
        const sign = -(cursor.lo & 1);
        const lo = ((cursor.lo >>> 1) | ((cursor.hi & 1) << 31)) ^ sign;
        const hi = (cursor.hi >>> 1) ^ sign;
        return protoInt64.dec(lo, hi);
      }, longAsString);
    case ScalarType.FIXED64:
      return long((cursor, end) => {
        const at = fixed(cursor, end, 8);
        return protoInt64.uDec(cursor.buffer.readInt32LE(at), cursor.buffer.readInt32LE(at + 4));
      }, longAsString);
    case ScalarType.SFIXED64:
      return long((cursor, end) => {
        const at = fixed(cursor, end, 8);
        return protoInt64.dec(cursor.buffer.readInt32LE(at), cursor.buffer.readInt32LE(at + 4));
      }, longAsString);
  }
}

// With jstype = JS_STRING protobuf-es holds 64-bit values as their decimal text.
function long(read: ValueReader, longAsString: boolean): ValueReader {
  return longAsString ? (cursor, end) => String(read(cursor, end)) : read;
}

// The start of a fixed-width value, moving past it.
export function fixed(cursor: Cursor, end: number, width: number): number {
  const at = cursor.pos;
  if (at + width > end) giveUp();
  cursor.pos = at + width;
  return at;
}

/** The end of a length-delimited record whose length is next, within `end`. */
export function lengthEnd(cursor: Cursor, end: number): number {
  const length = uint32(cursor, end);
  const recordEnd = cursor.pos + length;
  if (recordEnd > end) giveUp();
  return recordEnd;
}

export function bytes(cursor: Cursor, end: number): Uint8Array {
  const recordEnd = lengthEnd(cursor, end);
  const start = cursor.pos;
  cursor.pos = recordEnd;
  // A view of the input, as protobuf-es gives.
  return cursor.source.subarray(start, recordEnd);
}

// protobuf-es's decoders: a leading U+FEFF is text, not a byte-order mark.
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

function strictString(cursor: Cursor, end: number): string {
  return string(cursor, end, strictDecoder);
}

function lenientString(cursor: Cursor, end: number): string {
  return string(cursor, end, lenientDecoder);
}

function string(cursor: Cursor, end: number, decoder: TextDecoder): string {
  const recordEnd = lengthEnd(cursor, end);
  const start = cursor.pos;
  cursor.pos = recordEnd;
  const buffer = cursor.buffer;
  for (let i = start; i < recordEnd; i++) {
    if (buffer[i]! > 0x7f) {
      // Invalid UTF-8 in a validated field throws here: protobuf-es's error to give.
      try {
        return decoder.decode(cursor.source.subarray(start, recordEnd));
      } catch {
        giveUp();
      }
    }
  }
  // ASCII: one byte is one character. One native call turns the whole input into latin1
  // text, and each string is a slice of it: a native call per string costs more than the
  // rest of reading a message of short strings. A slice of 13 characters or more keeps
  // that copy alive while it lives: at most the size of the message it came from.
  cursor.latin1 ??= buffer.toString("latin1");
  return cursor.latin1.slice(start, recordEnd);
}

export function bool(cursor: Cursor, end: number): boolean {
  const pos = cursor.pos;
  const byte = cursor.buffer[pos];
  if (byte !== undefined && byte < 0x80 && pos < end) {
    cursor.pos = pos + 1;
    return byte !== 0;
  }
  varint64(cursor, end);
  return cursor.lo !== 0 || cursor.hi !== 0;
}

export function int32(cursor: Cursor, end: number): number {
  return uint32(cursor, end) | 0;
}

/**
 * A varint as protobuf-es reads 32-bit ones: the low 32 bits of up to ten bytes (negative
 * int32 values are written as ten), unsigned.
 */
export function uint32(cursor: Cursor, end: number): number {
  const buffer = cursor.buffer;
  let pos = cursor.pos;
  let result = 0;
  let byte = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    byte = buffer[pos++]!;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      if (pos > end) giveUp();
      cursor.pos = pos;
      return result;
    }
  }
  byte = buffer[pos++]!;
  result |= (byte & 0x0f) << 28;
  for (let read = 5; byte >= 0x80 && read < 10; read++) byte = buffer[pos++]!;
  // Past the end of the input, bytes read as undefined: the position check catches them.
  if (byte >= 0x80 || pos > end) giveUp();
  cursor.pos = pos;
  return result >>> 0;
}

/** A tag: a varint of at most five bytes, a field number above 0 and a wire type protobuf-es knows. */
export function readTag(cursor: Cursor): number {
  const buffer = cursor.buffer;
  const pos = cursor.pos;
  const first = buffer[pos]!;
  let tag: number;
  if (first < 0x80) {
    tag = first;
    cursor.pos = pos + 1;
  } else {
    const start = pos;
    tag = uint32(cursor, buffer.length);
    const read = cursor.pos - start;
    if (read > 5 || (read === 5 && buffer[cursor.pos - 1]! > 0x0f)) giveUp();
  }
  if (tag >>> 3 === 0 || (tag & 7) > 5) giveUp();
  return tag;
}

/** A 64-bit varint into `cursor.lo` and `cursor.hi`, as protobuf-es reads it. */
export function varint64(cursor: Cursor, end: number): void {
  const buffer = cursor.buffer;
  let pos = cursor.pos;
  let lo = 0;
  let hi = 0;
  let byte = 0;
  let done = false;
  for (let shift = 0; shift < 28 && !done; shift += 7) {
    byte = buffer[pos++]!;
    lo |= (byte & 0x7f) << shift;
    done = byte < 0x80;
  }
  if (!done) {
    byte = buffer[pos++]!;
    lo |= (byte & 0x0f) << 28;
    hi = (byte & 0x70) >> 4;
    done = byte < 0x80;
    for (let shift = 3; shift <= 31 && !done; shift += 7) {
      byte = buffer[pos++]!;
      hi |= (byte & 0x7f) << shift;
      done = byte < 0x80;
    }
  }
  if (!done || pos > end) giveUp();
  cursor.pos = pos;
  cursor.lo = lo;
  cursor.hi = hi;
}

/** Moves past a record of `wireType`; groups are left to protobuf-es. */
export function skip(cursor: Cursor, wireType: number, end: number): void {
  switch (wireType) {
    case 0:
      varint64(cursor, end);
      return;
    case 1:
      fixed(cursor, end, 8);
      return;
    case 5:
      fixed(cursor, end, 4);
      return;
    case 2:
      cursor.pos = lengthEnd(cursor, end);
      return;
    default:
      giveUp();
  }
}
