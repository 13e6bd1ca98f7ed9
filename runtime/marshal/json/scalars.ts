import { protoInt64, ScalarType, type DescEnum, type JsonValue } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";

/**
 * Converters from parsed JSON to the values protobuf-es stores, accepting exactly what
 * its JSON reader accepts (string-encoded numbers, "NaN", URL-safe base64 ...) and
 * calling {@link giveUp} for anything else, so that the caller hands the input to
 * protobuf-es for its own error. Null is the caller's business.
 */
export type ScalarReader = (json: JsonValue, strings: StringsRead) => unknown;

/** What the reader knows of the strings it reads. */
export interface StringsRead {
  /**
   * That none can hold a lone surrogate, which protobuf-es refuses: the text was decoded
   * from UTF-8 (which has none) and has no `\u` escape (which could write one).
   */
  readonly wellFormed: boolean;
}

// One error for all: thrown often, it need not say more, nor capture a stack each time.
const notFast = new Error("left to protobuf-es");

/** Hands the input back to protobuf-es: the compiled reader and writer catch this. */
export function giveUp(): never {
  throw notFast;
}

/** Thrown by {@link refuseUnsafe}, for the reader to tell from any other refusal. */
export const unsafeNumber = new Error("a number beyond 2^53 in text not quoted yet");

/** Hands back a read that met a number beyond ±(2^53 - 1) in a text whose integers are not quoted yet. */
export function refuseUnsafe(): never {
  throw unsafeNumber;
}

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;
const UINT32_MAX = 0xffffffff;

/** The reader of one scalar type; `longAsString` for 64-bit fields with `jstype = JS_STRING`. */
export function scalarReader(scalar: ScalarType, longAsString: boolean): ScalarReader {
  switch (scalar) {
    case ScalarType.STRING:
      return (json, strings) => (typeof json === "string" && (strings.wellFormed || isWellFormed(json)) ? json : giveUp());
    case ScalarType.BOOL:
      return (json) => (typeof json === "boolean" ? json : giveUp());
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return (json) => integer(json, INT32_MIN, INT32_MAX);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return (json) => integer(json, 0, UINT32_MAX);
    case ScalarType.DOUBLE:
      return floating;
    case ScalarType.FLOAT:
      return (json) => {
        const value = floating(json);
        // Too large for a float32, as protobuf-es's range check puts it.
        return !Number.isFinite(Math.fround(value)) && Number.isFinite(value) ? giveUp() : value;
      };
    case ScalarType.BYTES:
      return (json) => (typeof json !== "string" ? giveUp() : json === "" ? new Uint8Array(0) : base64Decode(json));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return long(protoInt64.parse.bind(protoInt64), longAsString);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return long(protoInt64.uParse.bind(protoInt64), longAsString);
  }
}

/** The reader of one enum: a value's JSON or proto name, or a number the enum admits. */
export function enumReader(desc: DescEnum): ScalarReader {
  // A proto name wins over another value's JSON name, as in protobuf-es.
  const numbers = new Map<string, number>();
  for (const value of desc.values) numbers.set(value.jsonName, value.number);
  for (const value of desc.values) numbers.set(value.name, value.number);
  // Open enums take any int32, closed ones only their values.
  const declared = desc.open ? undefined : new Set(desc.values.map((v) => v.number));
  return (json) => {
    const number = typeof json === "string" ? numbers.get(json) : typeof json === "number" && Number.isInteger(json) ? json : undefined;
    if (number === undefined) giveUp();
    if (declared === undefined ? number > INT32_MAX || number < INT32_MIN : !declared.has(number)) giveUp();
    return number;
  };
}

/**
 * The reader of map keys of one scalar type: the JSON key to the property name
 * protobuf-es stores the entry under. Two keys that give the same name are duplicates.
 */
export function mapKeyReader(scalar: ScalarType): (key: string, strings: StringsRead) => string {
  switch (scalar) {
    case ScalarType.STRING:
      return (key, strings) => (strings.wellFormed || isWellFormed(key) ? key : giveUp());
    case ScalarType.BOOL:
      return (key) => (key === "true" || key === "false" ? key : giveUp());
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return (key) => String(integer(key, INT32_MIN, INT32_MAX));
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return (key) => String(integer(key, 0, UINT32_MAX));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return (key) => checkedKey(key, protoInt64.parse.bind(protoInt64));
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return (key) => checkedKey(key, protoInt64.uParse.bind(protoInt64));
    default:
      // Floats and bytes cannot be map keys.
      return giveUp;
  }
}

// "01" and "1" are one key, as protobuf-es canonicalizes 64-bit keys before its check.
function checkedKey(key: string, parse: (value: string) => unknown): string {
  const canonical = /^-?0+$/.test(key) ? "0" : key.replace(/^(-?)0+(?=\d)/, "$1");
  if (canonical.length === 0) giveUp();
  parse(canonical);
  return canonical;
}

// A number or a numeric string, as protobuf-es reads 32-bit integers.
function integer(json: JsonValue, min: number, max: number): number {
  const value = typeof json === "string" ? numeric(json) : json;
  if (typeof value !== "number" || !Number.isInteger(value) || value > max || value < min) giveUp();
  return value;
}

function floating(json: JsonValue): number {
  // A literal too large for a double (1e400) parses to Infinity, which protobuf-es refuses.
  if (typeof json === "number") return Number.isFinite(json) ? json : giveUp();
  if (json === "NaN") return Number.NaN;
  if (json === "Infinity") return Number.POSITIVE_INFINITY;
  if (json === "-Infinity") return Number.NEGATIVE_INFINITY;
  const value = typeof json === "string" ? numeric(json) : giveUp();
  return Number.isFinite(value) ? value : giveUp();
}

// Number() of a string without surrounding blanks, which protobuf-es refuses.
function numeric(text: string): number {
  if (text === "" || text.trim().length !== text.length) giveUp();
  const value = Number(text);
  return Number.isNaN(value) ? giveUp() : value;
}

// 64-bit integers: a number or a non-empty string that protoInt64 takes; stored as the
// bigint, or with JS_STRING as the JSON value's own text.
function long(parse: (value: string | number) => unknown, longAsString: boolean): ScalarReader {
  return (json) => {
    if (typeof json !== "number" && (typeof json !== "string" || json.length === 0)) giveUp();
    const value = parse(json);
    return longAsString ? String(json) : value;
  };
}

// protobuf-es refuses strings with lone surrogates (its checkUtf8: encodeURIComponent
// throws on exactly those); isWellFormed tells the same without building a copy.
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
