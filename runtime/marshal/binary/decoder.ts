import { fromBinary, ScalarType, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { scalarZeroValue } from "@bufbuild/protobuf/reflect";
import { isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { setOwnProperty } from "../../plain-object.js";
import { generatedFunction, generatesFor, heldIn, propertyRead, unpacked } from "../generated-code.js";
import { messageFactory } from "../message-factory.js";
import { wireTypeOf } from "./scalars.js";
import { Cursor, enumValue, giveUp, int32, isGiveUp, lengthEnd, readTag, recursionLimit, scalarValue, skip } from "./wire-reader.js";

/**
 * Protobuf binary read by code compiled once per message type, into the message
 * protobuf-es's fromBinary builds from the same bytes. protobuf-es allocates on every
 * field (an array per tag, a char array per short string) and reads a reply's strings
 * through a view; on the gateway's hot path those allocations cost more than the reading.
 * The compiled code vouches only for well-formed input of the types it knows how to hold:
 * at anything else (a malformed or truncated record, a wire type its field does not take,
 * a group, a closed enum's unknown value, text that is not UTF-8) it stops, and
 * protobuf-es reads the whole message again, for its result or its error.
 */
export function decodeBinary(schema: DescMessage, bytes: Uint8Array): Message {
  const plan = planOf(schema);
  if (plan.supported) {
    const cursor = new Cursor(bytes);
    try {
      const message = plan.create();
      readMessage(plan, message, cursor, bytes.length);
      return message as unknown as Message;
    } catch (err) {
      if (!isGiveUp(err)) throw err;
    }
  }
  return fromBinary(schema, bytes);
}

/** Whether the compiled code reads `bytes` as `schema` itself rather than handing them to protobuf-es (for tests). */
export function decodesItself(schema: DescMessage, bytes: Uint8Array): boolean {
  const plan = planOf(schema);
  if (!plan.supported) return false;
  try {
    readMessage(plan, plan.create(), new Cursor(bytes), bytes.length);
    return true;
  } catch (err) {
    if (!isGiveUp(err)) throw err;
    return false;
  }
}

type Local = Record<string, unknown>;

/**
 * Reads one field's record (its tag already read; it must end by `end`): given the current
 * value of the message's property `read`, returns its new value (a list or map is the same
 * object, added to).
 */
type FieldReader = (current: unknown, cursor: Cursor, wireType: number, end: number) => unknown;

interface FieldPlan {
  readonly number: number;
  /** The property the field's value is held in: its own, or its oneof's. */
  readonly read: string;
  readonly reader: FieldReader;
}

interface MessagePlan {
  supported: boolean;
  readonly create: () => Local;
  /** Reads the records up to `end` into `message`, unknown fields kept (see messageReader). */
  read: (message: Local, cursor: Cursor, end: number) => void;
}

const plans = new WeakMap<DescMessage, MessagePlan>();

function planOf(desc: DescMessage): MessagePlan {
  return plans.get(desc) ?? compileMessage(desc);
}

function compileMessage(desc: DescMessage): MessagePlan {
  const plan: MessagePlan = { supported: true, create: messageFactory(desc), read: giveUp };
  // Registered first, so that recursive types find this plan instead of compiling again
  // (they read through it only once a message is decoded, after it is set).
  plans.set(desc, plan);
  const fields: FieldPlan[] = [];
  for (const field of desc.fields) {
    const reader = compileField(field);
    if (reader === undefined) {
      plan.supported = false;
      return plan;
    }
    fields.push({ number: field.number, read: heldIn(field), reader });
  }
  plan.read = messageReader(fields);
  return plan;
}

function readMessage(plan: MessagePlan, message: Local, cursor: Cursor, end: number): void {
  if (++cursor.depth > recursionLimit) giveUp();
  plan.read(message, cursor, end);
  // A record that ran past its message's end is malformed: protobuf-es's to judge.
  if (cursor.pos !== end) giveUp();
  cursor.depth--;
}

// protobuf-es keeps a field it does not know, without its tag, after any kept before.
function keepUnknown(message: Local, unknown: UnknownField[] | undefined, no: number, wireType: number, cursor: Cursor, end: number): UnknownField[] {
  const start = cursor.pos;
  skip(cursor, wireType, end);
  const kept = unknown ?? (message.$unknown as UnknownField[] | undefined) ?? [];
  kept.push({ no, wireType, data: cursor.source.subarray(start, cursor.pos) });
  return kept;
}

// Field numbers up to this index an array; above it (up to 536,870,911) a map.
const denseLimit = 256;

/**
 * A message's record loop: code generated for the type where node allows it (a switch on the
 * field number, each field's property read and set by name, see generated-code.ts); field
 * readers looked up by number otherwise.
 */
function messageReader(fields: readonly FieldPlan[]): MessagePlan["read"] {
  // A switch takes the field numbers of the dense table below (over sparse high numbers it
  // would compare case by case: 7.5x slower in review for 500 fields 1,000 apart).
  if (generatesFor(fields.length) && fields.every((f) => f.number < denseLimit)) {
    const helpers = { readTag, keepUnknown };
    const cases = fields.map((f, i) => {
      const property = propertyRead("message", f.read);
      return `      case ${f.number}:\n        ${property} = f${i}(${property}, cursor, wireType, end);\n        continue;`;
    });
    return generatedFunction<(h: typeof helpers, f: readonly FieldReader[]) => MessagePlan["read"]>(
      ["h", "f"],
      `${unpacked("f", "f", fields.length)}
return function read(message, cursor, end) {
  let unknown;
  while (cursor.pos < end) {
    const tag = h.readTag(cursor);
    const wireType = tag & 7;
    switch (tag >>> 3) {
${cases.join("\n")}
    }
    unknown = h.keepUnknown(message, unknown, tag >>> 3, wireType, cursor, end);
  }
  if (unknown !== undefined) message.$unknown = unknown;
};`,
    )(
      helpers,
      fields.map((f) => f.reader),
    );
  }
  const dense: (FieldPlan | undefined)[] = [];
  const sparse = new Map<number, FieldPlan>();
  for (const field of fields) {
    if (field.number < denseLimit) dense[field.number] = field;
    else sparse.set(field.number, field);
  }
  return (message, cursor, end) => {
    let unknown: UnknownField[] | undefined;
    while (cursor.pos < end) {
      const tag = readTag(cursor);
      const number = tag >>> 3;
      const wireType = tag & 7;
      const field = number < dense.length ? dense[number] : sparse.get(number);
      if (field !== undefined) message[field.read] = field.reader(message[field.read], cursor, wireType, end);
      else unknown = keepUnknown(message, unknown, number, wireType, cursor, end);
    }
    if (unknown !== undefined) message.$unknown = unknown;
  };
}

interface UnknownField {
  readonly no: number;
  readonly wireType: number;
  readonly data: Uint8Array;
}

/** A field's reader, or undefined for a field whose value protobuf-es holds in another shape. */
function compileField(field: DescField): FieldReader | undefined {
  const local = field.localName;
  switch (field.fieldKind) {
    case "scalar":
    case "enum": {
      const value = field.fieldKind === "enum" ? enumValue(field.enum) : scalarValue(field.scalar, field.utf8Validation, field.longAsString);
      const wire = wireTypeOf(field.fieldKind === "enum" ? ScalarType.INT32 : field.scalar);
      const oneof = field.oneof?.localName;
      if (oneof !== undefined) {
        return (_current, cursor, wireType, end) => {
          if (wireType !== wire) giveUp();
          return { case: local, value: value(cursor, end) };
        };
      }
      return (_current, cursor, wireType, end) => {
        if (wireType !== wire) giveUp();
        return value(cursor, end);
      };
    }
    case "message": {
      if (!plainMessage(field)) return undefined;
      const child = childReader(field.message);
      const oneof = field.oneof?.localName;
      if (oneof !== undefined) {
        return (current, cursor, wireType, end) => {
          const selected = current as { case: unknown; value?: unknown };
          // A second record of the selected message merges into it, as protobuf-es merges.
          const existing = selected.case === local ? (selected.value as Local) : undefined;
          return { case: local, value: child(existing, cursor, wireType, end) };
        };
      }
      return (current, cursor, wireType, end) => child(current as Local | undefined, cursor, wireType, end);
    }
    case "list": {
      if (field.listKind === "message") {
        if (!plainMessage(field)) return undefined;
        const child = childReader(field.message);
        return (current, cursor, wireType, end) => {
          (current as unknown[]).push(child(undefined, cursor, wireType, end));
          return current;
        };
      }
      const type = field.listKind === "enum" ? ScalarType.INT32 : field.scalar;
      // protobuf-es keeps any number in a list of enum values, closed enum or not.
      const value = field.listKind === "enum" ? int32 : scalarValue(type, field.utf8Validation, field.longAsString);
      const wire = wireTypeOf(type);
      // protobuf-es reads either form of any list but of strings and bytes, whatever the field declares.
      const packable = wire !== 2;
      return (current, cursor, wireType, end) => {
        const items = current as unknown[];
        if (wireType === wire) {
          items.push(value(cursor, end));
          return items;
        }
        if (wireType !== 2 || !packable) giveUp();
        const packedEnd = lengthEnd(cursor, end);
        while (cursor.pos < packedEnd) items.push(value(cursor, packedEnd));
        if (cursor.pos !== packedEnd) giveUp();
        return items;
      };
    }
    case "map": {
      if (field.mapKind === "message" && !plainMessage(field)) return undefined;
      return mapField(field);
    }
  }
}

/**
 * Whether protobuf-es holds the field's value as the message itself: not a group, not a
 * singular wrapper (held as its scalar), not a Struct (held as a JSON object).
 */
function plainMessage(field: DescField & { message: DescMessage }): boolean {
  if (field.delimitedEncoding) return false;
  if (field.message.typeName === "google.protobuf.Struct" && field.parent.typeName !== "google.protobuf.Value") return false;
  return !(field.fieldKind === "message" && field.oneof === undefined && isWrapperDesc(field.message));
}

/** A length-delimited message record read into `existing` (merged) or into a new message. */
function childReader(desc: DescMessage): (existing: Local | undefined, cursor: Cursor, wireType: number, end: number) => Local {
  let plan: MessagePlan | undefined;
  return (existing, cursor, wireType, end) => {
    if (wireType !== 2) giveUp();
    plan ??= planOf(desc);
    if (!plan.supported) giveUp();
    const childEnd = lengthEnd(cursor, end);
    const child = existing ?? plan.create();
    readMessage(plan, child, cursor, childEnd);
    return child;
  };
}

function mapField(field: DescField & { fieldKind: "map" }): FieldReader {
  const keyType = field.mapKey;
  const keyWire = wireTypeOf(keyType);
  // Map keys are read as protobuf-es reads them (64-bit ones as bigints), then named as it names them.
  const readKey = scalarValue(keyType, field.utf8Validation, false);
  // A missing key or value is its type's zero, as protobuf-es makes it.
  const keyZero = scalarZeroValue(keyType, false);
  let valueWire: number;
  let readValue: (cursor: Cursor, end: number, existing: unknown) => unknown;
  let valueDefault: () => unknown;
  switch (field.mapKind) {
    case "message": {
      const child = childReader(field.message);
      let plan: MessagePlan | undefined;
      valueWire = 2;
      readValue = (cursor, end, existing) => child(existing as Local | undefined, cursor, 2, end);
      valueDefault = () => (plan ??= planOf(field.message)).create();
      break;
    }
    case "enum": {
      // protobuf-es keeps any number as a map's enum value, closed enum or not.
      const zero = field.enum.values[0]!.number;
      valueWire = 0;
      readValue = (cursor, end) => int32(cursor, end);
      valueDefault = () => zero;
      break;
    }
    case "scalar": {
      const scalar = field.scalar;
      const read = scalarValue(scalar, field.utf8Validation, false);
      valueWire = wireTypeOf(scalar);
      readValue = (cursor, end) => read(cursor, end);
      const zero = scalarZeroValue(scalar, false);
      valueDefault = scalar === ScalarType.BYTES ? () => new Uint8Array(0) : () => zero;
      break;
    }
  }
  return (current, cursor, wireType, end) => {
    if (wireType !== 2) giveUp();
    const entryEnd = lengthEnd(cursor, end);
    let key: unknown;
    let value: unknown;
    while (cursor.pos < entryEnd) {
      const tag = readTag(cursor);
      const number = tag >>> 3;
      const wire = tag & 7;
      if (number === 1) {
        if (wire !== keyWire) giveUp();
        key = readKey(cursor, entryEnd);
      } else if (number === 2) {
        if (wire !== valueWire) giveUp();
        value = readValue(cursor, entryEnd, value);
      } else {
        skip(cursor, wire, entryEnd);
      }
    }
    if (cursor.pos !== entryEnd) giveUp();
    setOwnProperty(current as Local, String(key ?? keyZero), value === undefined ? valueDefault() : value);
    return current;
  };
}
