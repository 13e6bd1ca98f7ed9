import { ScalarType, type DescEnum } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { isJsonObject } from "../../plain-object.js";
import { giveUp } from "./scalars.js";

/**
 * The JSON text of one stored value, as protobuf-es's toJson and then JSON.stringify
 * would write it; calls {@link giveUp} where protobuf-es would throw, so that
 * the caller lets protobuf-es write (and fail) instead.
 */
export type ValueText = (value: unknown) => string;

/** The writer of one scalar type's values. */
export function scalarText(scalar: ScalarType): ValueText {
  switch (scalar) {
    case ScalarType.STRING:
      return (value) => (typeof value === "string" ? quote(value) : giveUp());
    case ScalarType.BOOL:
      return (value) => (value === true ? "true" : value === false ? "false" : giveUp());
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return (value) => {
        if (typeof value !== "number") giveUp();
        if (Number.isFinite(value)) return String(value);
        return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"';
      };
    case ScalarType.BYTES:
      return (value) => (value instanceof Uint8Array ? `"${base64Encode(value)}"` : giveUp());
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return (value) => {
        if (typeof value === "string") return quote(value);
        if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) return `"${value.toString()}"`;
        return giveUp();
      };
    default:
      return (value) => (typeof value === "number" ? numberText(value) : giveUp());
  }
}

/** The writer of one enum's values: names, or numbers when asked or when no value has it. */
export function enumText(desc: DescEnum, asNumbers: boolean): ValueText {
  if (desc.typeName === "google.protobuf.NullValue") return (value) => (typeof value === "number" ? "null" : giveUp());
  const names = new Map<number, string>();
  // desc.value holds the first of aliased values, which protobuf-es writes.
  for (const v of desc.values) names.set(v.number, JSON.stringify(desc.value[v.number]!.jsonName));
  return (value) => {
    if (typeof value !== "number") giveUp();
    return (asNumbers ? undefined : names.get(value)) ?? numberText(value);
  };
}

// Characters JSON.stringify escapes: quote, backslash, controls, and surrogates (which
// it escapes when lone).
const escaped = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify's text of a string; a test is much cheaper than the call for plain text. */
export function quote(text: string): string {
  return escaped.test(text) ? JSON.stringify(text) : `"${text}"`;
}

// JSON.stringify's text of a number: NaN and the infinities become null.
function numberText(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/** A Struct field's JSON object, with the checks protobuf-es makes converting it to Values. */
export function structText(value: unknown): string {
  if (!isJsonObject(value)) return "{}";
  const keys = Object.keys(value);
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    out += `${i === 0 ? "" : ","}${quote(key)}:${jsonValueText(value[key])}`;
  }
  return `${out}}`;
}

function jsonValueText(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? String(value) : giveUp();
    case "string":
      return quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (!Array.isArray(value)) return structText(value);
      // A hole reads as undefined, which has no Value kind.
      return `[${Array.from(value, jsonValueText).join(",")}]`;
    default:
      return giveUp();
  }
}
