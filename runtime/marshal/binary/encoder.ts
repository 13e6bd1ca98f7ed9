import { ScalarType, toBinary, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { IMPLICIT, implicitZeroTest, LEGACY_REQUIRED } from "../presence.js";
import { generatedFunction, generatesFor, propertyRead, unpacked } from "../generated-code.js";
import { bareScalar, cannotVouch, giveUp, mapKeyOf, scalarOf, varintSize, writeVarint, type Scratch, type ValuePlan } from "./scalars.js";

/**
 * Protobuf binary, written by code compiled once per message type: the bytes protobuf-es's
 * toBinary writes, byte for byte, into one buffer sized first, with room left at its start
 * for a frame header. protobuf-es grows a buffer as it writes, then copies it out, and the
 * gRPC frame is one more copy; on the gateway's hot path those allocations cost more than
 * the encoding. Whatever the compiled code does not vouch for (group-encoded fields,
 * wrapper and Struct fields, which protobuf-es holds in another shape, and any value that is
 * not exactly the type its field takes) goes to protobuf-es, for its bytes or its error.
 */
export function encodeBinary(schema: DescMessage, message: Message, headroom = 0): Buffer {
  const plan = planOf(schema);
  if (plan.supported) {
    const scratch: Scratch = { values: [], next: 0 };
    let size: number;
    try {
      size = plan.size(message as unknown as Local, scratch);
    } catch (err) {
      if (err !== cannotVouch) throw err;
      return viaProtobufEs(schema, message, headroom);
    }
    const buffer = Buffer.allocUnsafe(headroom + size);
    const end = plan.write(message as unknown as Local, buffer, headroom, scratch);
    // Every byte after the headroom was written: allocUnsafe's memory must never leak out.
    if (end !== buffer.length) throw new Error(`binary encoder wrote ${end - headroom} of ${size} bytes of ${schema.typeName}`);
    return buffer;
  }
  return viaProtobufEs(schema, message, headroom);
}

/** Whether the compiled code encodes `message` itself rather than handing it to protobuf-es (for tests). */
export function encodesItself(schema: DescMessage, message: Message): boolean {
  const plan = planOf(schema);
  if (!plan.supported) return false;
  try {
    plan.size(message as unknown as Local, { values: [], next: 0 });
    return true;
  } catch (err) {
    if (err !== cannotVouch) throw err;
    return false;
  }
}

function viaProtobufEs(schema: DescMessage, message: Message, headroom: number): Buffer {
  const bytes = toBinary(schema, message);
  const buffer = Buffer.allocUnsafe(headroom + bytes.length);
  buffer.set(bytes, headroom);
  return buffer;
}

type Local = Record<string, unknown>;

interface MessagePlan {
  supported: boolean;
  /** The encoded size of a message, recording what the write needs; throws cannotVouch. */
  size: (message: Local, scratch: Scratch) => number;
  /** Writes a message sized before at `pos`; returns the position after it. */
  write: (message: Local, buffer: Buffer, pos: number, scratch: Scratch) => number;
}

/**
 * One field: `read` names the property its value is read from (the field's, or its oneof's),
 * which the message's code reads by name and hands to `size` and `write` with the message.
 */
interface FieldPlan {
  readonly read: string;
  size(value: unknown, message: Local, scratch: Scratch): number;
  write(value: unknown, message: Local, buffer: Buffer, pos: number, scratch: Scratch): number;
}

const plans = new WeakMap<DescMessage, MessagePlan>();

function planOf(desc: DescMessage): MessagePlan {
  return plans.get(desc) ?? compileMessage(desc);
}

function compileMessage(desc: DescMessage): MessagePlan {
  const plan: MessagePlan = { supported: true, size: giveUp, write: giveUp };
  // Registered first, so that recursive types find this plan instead of compiling again
  // (they call its size and write only once the message is encoded, after they are set).
  plans.set(desc, plan);
  const fields: FieldPlan[] = [];
  // protobuf-es writes fields in field-number order, whatever the declaration order.
  for (const field of [...desc.fields].sort((a, b) => a.number - b.number)) {
    const compiled = compileField(field);
    if (compiled === undefined) {
      plan.supported = false;
      return plan;
    }
    fields.push(compiled);
  }
  const code = messageCode(desc.typeName, desc.fields.length > 0, fields);
  plan.size = code.size;
  plan.write = code.write;
  return plan;
}

/**
 * A message's size and write: code generated for the type where the platform allows it, so
 * that each field's property is read by its name at a site of its own (one shape, read
 * directly) rather than by a key at a site every field and type shares; a loop otherwise.
 */
function messageCode(typeName: string, anyField: boolean, fields: readonly FieldPlan[]): Pick<MessagePlan, "size" | "write"> {
  if (generatesFor(fields.length)) {
    const checks = { giveUp, unknownSize, writeUnknown, typeName, anyField };
    const make = generatedFunction<(c: typeof checks, f: readonly FieldPlan[]) => Pick<MessagePlan, "size" | "write">>(
      ["c", "f"],
      `${unpacked("f", "f", fields.length)}
return {
  size(message, scratch) {
    if (message === null || typeof message !== "object" || (message.$typeName !== c.typeName && c.anyField)) c.giveUp();
    let size = 0;
${fields.map((f, i) => `    size += f${i}.size(${propertyRead("message", f.read)}, message, scratch);`).join("\n")}
    const unknown = message.$unknown;
    if (unknown !== undefined) size += c.unknownSize(unknown);
    return size;
  },
  write(message, buffer, pos, scratch) {
${fields.map((f, i) => `    pos = f${i}.write(${propertyRead("message", f.read)}, message, buffer, pos, scratch);`).join("\n")}
    const unknown = message.$unknown;
    if (unknown !== undefined) pos = c.writeUnknown(unknown, buffer, pos);
    return pos;
  },
};`,
    );
    return make(checks, fields);
  }
  return {
    size(message, scratch) {
      if (message === null || typeof message !== "object" || (message.$typeName !== typeName && anyField)) giveUp();
      let size = 0;
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        size += field.size(message[field.read], message, scratch);
      }
      const unknown = message.$unknown;
      if (unknown !== undefined) size += unknownSize(unknown);
      return size;
    },
    write(message, buffer, pos, scratch) {
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        pos = field.write(message[field.read], message, buffer, pos, scratch);
      }
      const unknown = message.$unknown as UnknownField[] | undefined;
      if (unknown !== undefined) pos = writeUnknown(unknown, buffer, pos);
      return pos;
    },
  };
}

/** A field's plan, or undefined for a field the compiled code leaves to protobuf-es. */
function compileField(field: DescField): FieldPlan | undefined {
  const local = field.localName;
  switch (field.fieldKind) {
    case "scalar":
    case "enum": {
      const scalar = scalarOf(field.fieldKind === "enum" ? ScalarType.INT32 : field.scalar, field.number);
      if (field.oneof !== undefined) return oneofField(field.oneof.localName, local, scalar);
      if (field.presence === IMPLICIT) {
        const isZero = implicitZeroTest(field);
        return {
          read: local,
          size: (value, _message, scratch) => (isZero(value) ? 0 : scalar.size(value, scratch)),
          write: (value, _message, buffer, pos, scratch) => (isZero(value) ? pos : scalar.write(value, buffer, pos, scratch)),
        };
      }
      return explicitField(local, field.presence === LEGACY_REQUIRED, scalar);
    }
    case "message": {
      if (!plainMessageField(field)) return undefined;
      const child = messageValue(field.message, field.number);
      if (field.oneof !== undefined) return oneofField(field.oneof.localName, local, child);
      return explicitField(local, field.presence === LEGACY_REQUIRED, child);
    }
    case "list": {
      if (field.listKind === "message") {
        if (!plainMessageField(field)) return undefined;
        return repeatedField(local, messageValue(field.message, field.number));
      }
      const type = field.listKind === "enum" ? ScalarType.INT32 : field.scalar;
      return field.packed ? packedField(local, field.number, type) : repeatedField(local, scalarOf(type, field.number));
    }
    case "map": {
      if (field.mapKind === "message" && field.message.typeName === "google.protobuf.Struct") return undefined;
      const value = field.mapKind === "message" ? messageValue(field.message, 2) : scalarOf(field.mapKind === "enum" ? ScalarType.INT32 : field.scalar, 2);
      return mapField(local, field.number, mapKeyOf(field.mapKey), value);
    }
  }
}

/**
 * Whether protobuf-es holds the field's value as the message itself: not a group, not a
 * singular wrapper (held as its scalar), not a Struct (held as a JSON object).
 */
function plainMessageField(field: DescField & { message: DescMessage }): boolean {
  if (field.delimitedEncoding) return false;
  if (field.message.typeName === "google.protobuf.Struct" && field.parent.typeName !== "google.protobuf.Value") return false;
  return !(field.fieldKind === "message" && field.oneof === undefined && isWrapperDesc(field.message));
}

function explicitField(local: string, required: boolean, value: ValuePlan): FieldPlan {
  return {
    read: local,
    size(field, message, scratch) {
      if (field !== undefined && Object.hasOwn(message, local)) return value.size(field, scratch);
      // protobuf-es throws for a required field that is not set: its error to give.
      if (required) giveUp();
      return 0;
    },
    // The size pass checked presence: the same test, without the give-up.
    write: (field, message, buffer, pos, scratch) => (field !== undefined && Object.hasOwn(message, local) ? value.write(field, buffer, pos, scratch) : pos),
  };
}

function oneofField(oneof: string, local: string, value: ValuePlan): FieldPlan {
  return {
    read: oneof,
    size(selected, _message, scratch) {
      if (selected === null || typeof selected !== "object") giveUp();
      const { case: chosen, value: held } = selected as { case?: unknown; value?: unknown };
      return chosen === local ? value.size(held, scratch) : 0;
    },
    write(selected, _message, buffer, pos, scratch) {
      const { case: chosen, value: held } = selected as { case?: unknown; value?: unknown };
      return chosen === local ? value.write(held, buffer, pos, scratch) : pos;
    },
  };
}

function repeatedField(local: string, item: ValuePlan): FieldPlan {
  return {
    read: local,
    size(items, _message, scratch) {
      if (!Array.isArray(items)) giveUp();
      let size = 0;
      for (let i = 0; i < items.length; i++) size += item.size(items[i], scratch);
      return size;
    },
    write(value, _message, buffer, pos, scratch) {
      const items = value as unknown[];
      for (let i = 0; i < items.length; i++) pos = item.write(items[i], buffer, pos, scratch);
      return pos;
    },
  };
}

function packedField(local: string, number: number, type: ScalarType): FieldPlan {
  const tag = number * 8 + 2;
  const tagSize = varintSize(tag);
  const scalar = bareScalar(type);
  return {
    read: local,
    size(items, _message, scratch) {
      if (!Array.isArray(items)) giveUp();
      if (items.length === 0) return 0;
      const at = scratch.values.push(0) - 1;
      let size = 0;
      for (let i = 0; i < items.length; i++) size += scalar.size(items[i], scratch);
      scratch.values[at] = size;
      return tagSize + varintSize(size) + size;
    },
    write(value, _message, buffer, pos, scratch) {
      const items = value as unknown[];
      if (items.length === 0) return pos;
      pos = writeVarint(buffer, pos, tag);
      pos = writeVarint(buffer, pos, scratch.values[scratch.next++]!);
      for (let i = 0; i < items.length; i++) pos = scalar.write(items[i], buffer, pos, scratch);
      return pos;
    },
  };
}

function mapField(local: string, number: number, key: ValuePlan & { convert: (key: string) => unknown }, value: ValuePlan): FieldPlan {
  const tag = number * 8 + 2;
  const tagSize = varintSize(tag);
  return {
    read: local,
    size(record, _message, scratch) {
      if (record === null || typeof record !== "object") giveUp();
      const keys = Object.keys(record);
      let size = 0;
      for (let i = 0; i < keys.length; i++) {
        const at = scratch.values.push(0) - 1;
        const entry = key.size(key.convert(keys[i]!), scratch) + value.size((record as Local)[keys[i]!], scratch);
        scratch.values[at] = entry;
        size += tagSize + varintSize(entry) + entry;
      }
      return size;
    },
    write(held, _message, buffer, pos, scratch) {
      const record = held as Local;
      const keys = Object.keys(record);
      for (let i = 0; i < keys.length; i++) {
        pos = writeVarint(buffer, pos, tag);
        pos = writeVarint(buffer, pos, scratch.values[scratch.next++]!);
        pos = key.write(key.convert(keys[i]!), buffer, pos, scratch);
        pos = value.write(record[keys[i]!], buffer, pos, scratch);
      }
      return pos;
    },
  };
}

/** A nested message with its tag and length; undefined (an unset list item or map value) is an empty message, as in protobuf-es. */
function messageValue(desc: DescMessage, number: number): ValuePlan {
  const tag = number * 8 + 2;
  const tagSize = varintSize(tag);
  let plan: MessagePlan | undefined;
  const child = () => {
    plan ??= planOf(desc);
    if (!plan.supported) giveUp();
    return plan;
  };
  return {
    size(value, scratch) {
      const at = scratch.values.push(0) - 1;
      const size = value === undefined ? 0 : child().size(value as Local, scratch);
      scratch.values[at] = size;
      return tagSize + varintSize(size) + size;
    },
    write(value, buffer, pos, scratch) {
      pos = writeVarint(buffer, pos, tag);
      const size = scratch.values[scratch.next++]!;
      pos = writeVarint(buffer, pos, size);
      return value === undefined ? pos : plan!.write(value as Local, buffer, pos, scratch);
    },
  };
}

// --- unknown fields ---

interface UnknownField {
  readonly no: number;
  readonly wireType: number;
  readonly data: Uint8Array;
}

function unknownSize(unknown: unknown): number {
  if (!Array.isArray(unknown)) giveUp();
  let size = 0;
  for (const field of unknown as unknown[]) {
    const { no, wireType, data } = field as UnknownField;
    if (!Number.isInteger(no) || no < 1 || !Number.isInteger(wireType) || wireType < 0 || wireType > 5 || !(data instanceof Uint8Array)) giveUp();
    size += varintSize(((no << 3) | wireType) >>> 0) + data.byteLength;
  }
  return size;
}

function writeUnknown(unknown: readonly UnknownField[], buffer: Buffer, pos: number): number {
  for (const { no, wireType, data } of unknown) {
    pos = writeVarint(buffer, pos, ((no << 3) | wireType) >>> 0);
    buffer.set(data, pos);
    pos += data.byteLength;
  }
  return pos;
}
