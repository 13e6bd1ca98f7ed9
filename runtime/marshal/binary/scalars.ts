import { ScalarType } from "@bufbuild/protobuf";

// The scalars of the binary encoder (encoder.ts): each value's size and bytes, checked to be
// exactly what protobuf-es's writer takes, and the varints they are made of.

/**
 * What the size pass works out for the write pass, in the order the write pass needs it:
 * the byte length of each string and nested message, the two halves of each 64-bit value.
 */
export interface Scratch {
  readonly values: number[];
  next: number;
}

/** Thrown by the size pass for a message the compiled code does not vouch for. */
export const cannotVouch = new Error("not vouched for");
export function giveUp(): never {
  throw cannotVouch;
}

/** How one value goes on the wire: its size, and its bytes (with its tag, where it has one). */
export interface ValuePlan {
  size(value: unknown, scratch: Scratch): number;
  write(value: unknown, buffer: Buffer, pos: number, scratch: Scratch): number;
}

/** A scalar field's value with its tag. */
export function scalarOf(type: ScalarType, number: number): ValuePlan {
  const tag = number * 8 + wireTypeOf(type);
  const tagSize = varintSize(tag);
  const bare = bareScalar(type);
  return {
    size: (value, scratch) => tagSize + bare.size(value, scratch),
    write: (value, buffer, pos, scratch) => bare.write(value, buffer, writeVarint(buffer, pos, tag), scratch),
  };
}

/** The wire type a scalar type's values go on the wire with (unpacked): for the encoder and the decoder. */
export function wireTypeOf(type: ScalarType): number {
  switch (type) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return 2;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 1;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return 5;
    default:
      return 0;
  }
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT32_MAX = 0xffffffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// What protobuf-es's writer accepts without complaint, and nothing it would coerce: anything
// else is protobuf-es's to encode or refuse.
function int32Of(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) giveUp();
  return value;
}

function uint32Of(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > UINT32_MAX) giveUp();
  return value;
}

// As protobuf-es's protoInt64 parses: BigInt() of whatever it is given, then the range.
function int64Of(value: unknown, unsigned: boolean): bigint {
  let big: bigint;
  try {
    big = typeof value === "bigint" ? value : BigInt(value as string);
  } catch {
    giveUp();
  }
  if (unsigned ? big < 0n || big > UINT64_MAX : big < INT64_MIN || big > INT64_MAX) giveUp();
  return big;
}

// One view for splitting 64-bit values into halves, shared: nothing here is re-entered.
const halves = new DataView(new ArrayBuffer(8));

const TWO_32 = 2 ** 32;

/** Records the 64-bit value's two halves (two's complement, or zigzag) for the write pass. */
function recordHalves(big: bigint, zigzag: boolean, scratch: Scratch): void {
  let lo: number;
  let hi: number;
  if (big >= -MAX_SAFE && big <= MAX_SAFE) {
    // Most values fit a double: split with arithmetic, not through BigInt operations.
    const n = Number(big);
    hi = Math.floor(n / TWO_32) | 0;
    lo = (n - Math.floor(n / TWO_32) * TWO_32) | 0;
  } else {
    halves.setBigInt64(0, BigInt.asIntN(64, big), true);
    lo = halves.getInt32(0, true);
    hi = halves.getInt32(4, true);
  }
  if (zigzag) {
    const sign = hi >> 31;
    const zlo = (lo << 1) ^ sign;
    hi = ((hi << 1) | (lo >>> 31)) ^ sign;
    lo = zlo;
  }
  scratch.values.push(lo, hi);
}

/** A scalar value without its tag (as a packed list's items are written). */
export function bareScalar(type: ScalarType): ValuePlan {
  switch (type) {
    case ScalarType.STRING:
      return {
        size(value, scratch) {
          if (typeof value !== "string") giveUp();
          const length = utf8Length(value);
          scratch.values.push(length);
          return varintSize(length) + length;
        },
        write(value, buffer, pos, scratch) {
          const text = value as string;
          const length = scratch.values[scratch.next++]!;
          pos = writeVarint(buffer, pos, length);
          // ASCII (as long as the text): byte by byte, cheaper than a call into node for short text.
          if (length === text.length && length <= shortText) {
            for (let i = 0; i < length; i++) buffer[pos + i] = text.charCodeAt(i);
            return pos + length;
          }
          return pos + buffer.write(text, pos, length, "utf8");
        },
      };
    case ScalarType.BYTES:
      return {
        size(value) {
          if (!(value instanceof Uint8Array)) giveUp();
          return varintSize(value.byteLength) + value.byteLength;
        },
        write(value, buffer, pos) {
          const bytes = value as Uint8Array;
          pos = writeVarint(buffer, pos, bytes.byteLength);
          buffer.set(bytes, pos);
          return pos + bytes.byteLength;
        },
      };
    case ScalarType.BOOL:
      return {
        size(value) {
          if (typeof value !== "boolean") giveUp();
          return 1;
        },
        write(value, buffer, pos) {
          buffer[pos] = value ? 1 : 0;
          return pos + 1;
        },
      };
    case ScalarType.DOUBLE:
      return {
        size(value) {
          if (typeof value !== "number") giveUp();
          return 8;
        },
        write: (value, buffer, pos) => buffer.writeDoubleLE(value as number, pos),
      };
    case ScalarType.FLOAT:
      return {
        size(value) {
          // protobuf-es refuses a finite value that rounds to infinity as a float32.
          if (typeof value !== "number" || (Number.isFinite(value) && !Number.isFinite(Math.fround(value)))) giveUp();
          return 4;
        },
        write: (value, buffer, pos) => buffer.writeFloatLE(value as number, pos),
      };
    case ScalarType.INT32:
      return {
        // A negative int32 is sign-extended to 64 bits: ten bytes.
        size: (value) => {
          const n = int32Of(value);
          return n < 0 ? 10 : varintSize(n);
        },
        write: (value, buffer, pos) => writeInt32Varint(buffer, pos, value as number),
      };
    case ScalarType.UINT32:
      return {
        size: (value) => varintSize(uint32Of(value)),
        write: (value, buffer, pos) => writeVarint(buffer, pos, value as number),
      };
    case ScalarType.SINT32:
      return {
        size: (value) => {
          const n = int32Of(value);
          return varintSize(((n << 1) ^ (n >> 31)) >>> 0);
        },
        write: (value, buffer, pos) => {
          const n = value as number;
          return writeVarint(buffer, pos, ((n << 1) ^ (n >> 31)) >>> 0);
        },
      };
    case ScalarType.FIXED32:
      return {
        size: (value) => {
          uint32Of(value);
          return 4;
        },
        write: (value, buffer, pos) => buffer.writeUInt32LE(value as number, pos),
      };
    case ScalarType.SFIXED32:
      return {
        size: (value) => {
          int32Of(value);
          return 4;
        },
        write: (value, buffer, pos) => buffer.writeInt32LE(value as number, pos),
      };
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64: {
      const unsigned = type === ScalarType.UINT64;
      const zigzag = type === ScalarType.SINT64;
      return {
        size(value, scratch) {
          recordHalves(int64Of(value, unsigned), zigzag, scratch);
          const values = scratch.values;
          return varint64Size(values[values.length - 2]!, values[values.length - 1]!);
        },
        write(_value, buffer, pos, scratch) {
          const lo = scratch.values[scratch.next++]!;
          const hi = scratch.values[scratch.next++]!;
          return writeVarint64(buffer, pos, lo, hi);
        },
      };
    }
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64: {
      const unsigned = type === ScalarType.FIXED64;
      return {
        size(value, scratch) {
          recordHalves(int64Of(value, unsigned), false, scratch);
          return 8;
        },
        write(_value, buffer, pos, scratch) {
          buffer.writeInt32LE(scratch.values[scratch.next++]!, pos);
          buffer.writeInt32LE(scratch.values[scratch.next++]!, pos + 4);
          return pos + 8;
        },
      };
    }
  }
}

/** A map key from its object key, converted as protobuf-es converts it, with its tag (field 1). */
export function mapKeyOf(type: ScalarType): ValuePlan & { convert: (key: string) => unknown } {
  const plan = scalarOf(type, 1);
  const convert = ((): ((key: string) => unknown) => {
    switch (type) {
      case ScalarType.STRING:
        return (key) => key;
      case ScalarType.BOOL:
        return (key) => (key === "true" ? true : key === "false" ? false : giveUp());
      case ScalarType.INT64:
      case ScalarType.UINT64:
      case ScalarType.SINT64:
      case ScalarType.FIXED64:
      case ScalarType.SFIXED64:
        // int64Of parses it as protobuf-es's protoInt64 does.
        return (key) => key;
      default: {
        return (key) => {
          // No radix, as protobuf-es has it: "0x10" is 16.
          // biome-ignore lint/correctness/useParseIntRadix: the conversion being mirrored has none
          const n = Number.parseInt(key);
          return Number.isFinite(n) ? n : giveUp();
        };
      }
    }
  })();
  return { ...plan, convert };
}

// Up to this length a loop in JS beats node's UTF-8 functions, whose calls cost more than short text.
const shortText = 64;

/** The UTF-8 length of `text`, lone surrogates counted as the three bytes of U+FFFD, as every UTF-8 encoder here writes them. */
function utf8Length(text: string): number {
  const length = text.length;
  if (length > shortText) return Buffer.byteLength(text, "utf8");
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) > 0x7f) return Buffer.byteLength(text, "utf8");
  return length;
}

export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** An unsigned 32-bit varint. */
export function writeVarint(buffer: Buffer, pos: number, value: number): number {
  while (value > 0x7f) {
    buffer[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buffer[pos++] = value;
  return pos;
}

function writeInt32Varint(buffer: Buffer, pos: number, value: number): number {
  if (value >= 0) return writeVarint(buffer, pos, value);
  for (let i = 0; i < 9; i++) {
    buffer[pos++] = (value & 0x7f) | 0x80;
    value >>= 7;
  }
  buffer[pos++] = 1;
  return pos;
}

function varint64Size(lo: number, hi: number): number {
  let size = 1;
  let low = lo >>> 0;
  let high = hi >>> 0;
  while (high !== 0 || low > 0x7f) {
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
    size++;
  }
  return size;
}

function writeVarint64(buffer: Buffer, pos: number, lo: number, hi: number): number {
  let low = lo >>> 0;
  let high = hi >>> 0;
  while (high !== 0 || low > 0x7f) {
    buffer[pos++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  buffer[pos++] = low;
  return pos;
}
