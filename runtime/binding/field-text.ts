import { create, fromJson, ScalarType } from "@bufbuild/protobuf";
import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { DurationSchema, FieldMaskSchema, isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { decodeBase64 } from "../base64.js";

/** Why a text is no value of a field; the caller prefixes the parameter or variable it came from. */
export class FieldValueError extends Error {
  override readonly name = "FieldValueError";
}

/**
 * Turns the text of a path variable or query parameter into one value, in the shape
 * `ReflectMessage.set`, `ReflectList.add` and `ReflectMap.set` take: bigint for 64-bit
 * integers, a number for enums, a ReflectMessage for well-known message types.
 */
export type TextConverter = (text: string) => unknown;

// Converters derive only from immutable descriptors; memoized so that resolving a new
// query key on a hot path does not rebuild enum tables.
const converters = new WeakMap<DescField, TextConverter | null>();

/**
 * The converter for the values of `field` (its elements for a list, its values for a
 * map), or undefined when those are messages without a text form (see {@link messageTextForm}).
 */
export function valueConverter(field: DescField): TextConverter | undefined {
  let converter = converters.get(field);
  if (converter === undefined) {
    converter = elementConverter(field) ?? null;
    converters.set(field, converter);
  }
  return converter ?? undefined;
}

/** The converter for the keys of a map field. */
export function mapKeyConverter(field: DescField & { fieldKind: "map" }): TextConverter {
  return scalarConverter(field.mapKey);
}

function elementConverter(field: DescField): TextConverter | undefined {
  switch (field.fieldKind) {
    case "scalar":
      return scalarConverter(field.scalar);
    case "enum":
      return enumConverter(field.enum);
    case "message":
      return messageConverter(field.message);
    case "list":
    case "map": {
      const kind = field.fieldKind === "list" ? field.listKind : field.mapKind;
      if (kind === "scalar") return scalarConverter(field.scalar!);
      if (kind === "enum") return enumConverter(field.enum!);
      return messageConverter(field.message!);
    }
  }
}

// `"abc" is not a valid int32`: the value quoted (and cut short), then what it should be.
function invalid(text: string, what: string): FieldValueError {
  const shown = text.length > 64 ? `${text.slice(0, 64)}...` : text;
  return new FieldValueError(`${JSON.stringify(shown)} is not a valid ${what}`);
}

const signedDigits = /^[+-]?\d+$/;
const digits = /^\d+$/;

function integer(text: string, what: string, min: number, max: number): number {
  if (!(min < 0 ? signedDigits : digits).test(text)) throw invalid(text, what);
  const n = Number(text);
  if (n < min || n > max) throw invalid(text, what);
  return n === 0 ? 0 : n; // no -0
}

function bigInteger(text: string, what: string, min: bigint, max: bigint): bigint {
  if (!(min < 0n ? signedDigits : digits).test(text)) throw invalid(text, what);
  const n = BigInt(text);
  if (n < min || n > max) throw invalid(text, what);
  return n;
}

// The forms Go's strconv.ParseFloat takes in grpc-gateway, minus hexadecimal floats.
// One way to match each digit: the older `\d+\.?\d*` backtracked quadratically on long inputs.
const decimal = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const infinity = /^([+-]?)inf(?:inity)?$/i;
const notANumber = /^[+-]?nan$/i;

function float(text: string, what: "float" | "double"): number {
  if (decimal.test(text)) {
    const n = Number(text);
    // Like ParseFloat, a finite literal beyond the type's range is an error, not Infinity.
    if (!Number.isFinite(what === "float" ? Math.fround(n) : n)) throw invalid(text, what);
    return n;
  }
  const inf = infinity.exec(text);
  if (inf !== null) return inf[1] === "-" ? -Infinity : Infinity;
  if (notANumber.test(text)) return NaN;
  throw invalid(text, what);
}

// strconv.ParseBool.
const bools = new Map<string, boolean>([
  ["1", true],
  ["t", true],
  ["T", true],
  ["TRUE", true],
  ["true", true],
  ["True", true],
  ["0", false],
  ["f", false],
  ["F", false],
  ["FALSE", false],
  ["false", false],
  ["False", false],
]);

// Standard or URL-safe base64, as grpc-gateway's runtime.Bytes takes (which also wants
// the padding that this leaves optional).
function bytes(text: string): Uint8Array {
  const decoded = decodeBase64(text);
  if (decoded === undefined) throw invalid(text, "base64 value");
  return decoded;
}

// Computed once: as literals inside the converters they were two BigInt powers per value.
const minInt64 = -(2n ** 63n);
const maxInt64 = 2n ** 63n - 1n;
const maxUint64 = 2n ** 64n - 1n;

const scalarConverters: Record<ScalarType, TextConverter> = {
  [ScalarType.DOUBLE]: (t) => float(t, "double"),
  [ScalarType.FLOAT]: (t) => float(t, "float"),
  [ScalarType.INT64]: (t) => bigInteger(t, "int64", minInt64, maxInt64),
  [ScalarType.SINT64]: (t) => bigInteger(t, "sint64", minInt64, maxInt64),
  [ScalarType.SFIXED64]: (t) => bigInteger(t, "sfixed64", minInt64, maxInt64),
  [ScalarType.UINT64]: (t) => bigInteger(t, "uint64", 0n, maxUint64),
  [ScalarType.FIXED64]: (t) => bigInteger(t, "fixed64", 0n, maxUint64),
  [ScalarType.INT32]: (t) => integer(t, "int32", -(2 ** 31), 2 ** 31 - 1),
  [ScalarType.SINT32]: (t) => integer(t, "sint32", -(2 ** 31), 2 ** 31 - 1),
  [ScalarType.SFIXED32]: (t) => integer(t, "sfixed32", -(2 ** 31), 2 ** 31 - 1),
  [ScalarType.UINT32]: (t) => integer(t, "uint32", 0, 2 ** 32 - 1),
  [ScalarType.FIXED32]: (t) => integer(t, "fixed32", 0, 2 ** 32 - 1),
  [ScalarType.BOOL]: (t) => {
    const b = bools.get(t);
    if (b === undefined) throw invalid(t, "bool");
    return b;
  },
  [ScalarType.STRING]: (t) => t,
  [ScalarType.BYTES]: bytes,
};

function scalarConverter(type: ScalarType): TextConverter {
  return scalarConverters[type];
}

// By value name or by number; a number must be one the enum declares, as in grpc-gateway.
function enumConverter(desc: DescEnum): TextConverter {
  const byName = new Map(desc.values.map((v) => [v.name, v.number]));
  const numbers = new Set(desc.values.map((v) => v.number));
  return (text) => {
    const named = byName.get(text);
    if (named !== undefined) return named;
    if (signedDigits.test(text) && numbers.has(Number(text))) return Number(text);
    throw invalid(text, desc.typeName);
  };
}

/** How a message type's values are written as text: in a form of their own, or as JSON. */
export type MessageTextForm = "text" | "json";

/**
 * How values of message type `desc` are written in a path variable or a query parameter:
 * in a form of their own (`text`: Timestamp, Duration, FieldMask, the wrappers), as JSON
 * (`json`: Struct, Value, ListValue), or not at all (undefined: Any, Empty, every other
 * message). The one answer the plugin and the runtime both go by.
 */
export function messageTextForm(desc: DescMessage): MessageTextForm | undefined {
  return isWrapperDesc(desc) ? "text" : messageForms.get(desc.typeName)?.form;
}

// Well-known types other than the wrappers that have a text form: which, and how it reads.
const messageForms = new Map<string, { readonly form: MessageTextForm; readonly converter: (desc: DescMessage) => TextConverter }>([
  ["google.protobuf.Timestamp", { form: "text", converter: (desc) => (text) => reflect(desc, viaJson(desc, text, text, "RFC 3339 timestamp"), false) }],
  ["google.protobuf.Duration", { form: "text", converter: () => (text) => reflect(DurationSchema, duration(text), false) }],
  // Paths as sent: the mask is the backend's to interpret, as in grpc-gateway.
  [
    "google.protobuf.FieldMask",
    { form: "text", converter: () => (text) => reflect(FieldMaskSchema, create(FieldMaskSchema, { paths: text.split(",").filter((p) => p !== "") }), false) },
  ],
  ["google.protobuf.Struct", { form: "json", converter: jsonConverter }],
  ["google.protobuf.Value", { form: "json", converter: jsonConverter }],
  ["google.protobuf.ListValue", { form: "json", converter: jsonConverter }],
]);

function messageConverter(desc: DescMessage): TextConverter | undefined {
  if (isWrapperDesc(desc)) {
    const valueField = desc.fields[0];
    const inner = scalarConverter(valueField.scalar);
    return (text) => {
      const wrapper = reflect(desc, create(desc), false);
      wrapper.set(valueField, inner(text));
      return wrapper;
    };
  }
  return messageForms.get(desc.typeName)?.converter(desc);
}

function jsonConverter(desc: DescMessage): TextConverter {
  return (text) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalid(text, `JSON value for ${desc.typeName}`);
    }
    return reflect(desc, viaJson(desc, json, text, `JSON value for ${desc.typeName}`), false);
  };
}

function viaJson(desc: DescMessage, json: unknown, text: string, what: string) {
  try {
    return fromJson(desc, json as never);
  } catch {
    throw invalid(text, what);
  }
}

const durationUnits = new Map<string, bigint>([
  ["ns", 1n],
  ["us", 1_000n],
  ["µs", 1_000n],
  ["μs", 1_000n],
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);
const durationPart = /(\d*)(?:\.(\d*))?([^\d.]*)/y;
const maxNanos = 2n ** 63n - 1n;

// Go's time.ParseDuration, as grpc-gateway uses: "1.5s", "300ms", "-1h30m", "0". The
// proto3 JSON form ("1.5s") is one of them.
function duration(text: string) {
  const negative = text.startsWith("-");
  const rest = negative || text.startsWith("+") ? text.slice(1) : text;
  let nanos = 0n;
  if (rest !== "0") {
    if (rest === "") throw invalid(text, "duration");
    for (let pos = 0; pos < rest.length; pos = durationPart.lastIndex) {
      durationPart.lastIndex = pos;
      const [, whole = "", fraction, unitName = ""] = durationPart.exec(rest)!;
      const unit = durationUnits.get(unitName);
      if ((whole === "" && !fraction) || unit === undefined) throw invalid(text, "duration");
      nanos += BigInt(whole || "0") * unit;
      if (fraction) nanos += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
      if (nanos > maxNanos) throw invalid(text, "duration");
    }
  }
  if (negative) nanos = -nanos;
  return create(DurationSchema, { seconds: nanos / 1_000_000_000n, nanos: Number(nanos % 1_000_000_000n) });
}
