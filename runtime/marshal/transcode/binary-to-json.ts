import { fromBinary, ScalarType, type DescField, type DescMessage, type Registry } from "@bufbuild/protobuf";
import { scalarZeroValue } from "@bufbuild/protobuf/reflect";
import { hasCustomJsonRepresentation, isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { isUtf8 } from "node:buffer";
import { wireTypeOf } from "../binary/scalars.js";
import { BinarySink } from "../binary/sink.js";
import { Cursor, enumValue, giveUp, int32, lengthEnd, readTag, recursionLimit, scalarValue, skip, type ValueReader } from "../binary/wire-reader.js";
import { emittedWhenUnset, unpopulatedValue } from "../json/unpopulated.js";
import { quote } from "../json/value-text.js";
import type { JsonWriter, JsonWriterOptions } from "../json/writer.js";
import { generatedFunction, generatesFor, unpacked } from "../generated-code.js";
import { messageFactory } from "../message-factory.js";
import { hasExplicitPresence, implicitZeroTest, LEGACY_REQUIRED } from "../presence.js";
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./json-bytes.js";

/**
 * A protobuf binary reply written straight as the JSON text the marshaler writes for the
 * message it decodes to, without the message or the writer's strings between them: the bytes
 * of each string are copied from the reply as they are. It vouches only for replies whose
 * fields come in number order, each singular field once and a list's or map's records
 * together, as protobuf encoders write them: there the text follows the bytes. For anything
 * else (fields out of order, a field repeated that decoding would merge or let the last one
 * win, two members of a oneof, a well-known type with a JSON form of its own, required
 * fields, an extension, text that is not UTF-8, malformed bytes) it gives up, and the reply
 * is decoded and written as before. The scalars pass through the decoder's readers and the
 * JSON writer's texts, so each reads and writes exactly as those do.
 */
export interface ReplyTranscoder {
  /** The JSON text of `bytes`, a message of `schema` (small ones as a string), or undefined where it does not vouch. */
  transcode(schema: DescMessage, bytes: Uint8Array): Buffer | string | undefined;
}

// Bodies up to this many bytes are handed on as text (see transcode).
const textBodyLimit = 2048;

/**
 * A transcoder writing as `writer`, made with the same `options`, writes; a field holding a
 * well-known type with a JSON form of its own is decoded alone and written by `writer`.
 */
export function createReplyTranscoder(options: JsonWriterOptions, writer: JsonWriter): ReplyTranscoder {
  const plans = new WeakMap<DescMessage, MessagePlan>();
  const compiler: Compiler = { options, writer, planOf: (desc) => plans.get(desc) ?? compileMessage(desc, plans, compiler) };
  return {
    transcode(schema, bytes) {
      const plan = compiler.planOf(schema);
      if (!plan.supported) return undefined;
      const cursor = new Cursor(bytes);
      // JSON text is usually larger than the binary it came from: keys, quotes, digits.
      const sink = new BinarySink(2 * bytes.length + 64);
      try {
        writeMessage(plan, cursor, bytes.length, sink);
        // node writes a text body with the response's head in one write, a buffer beside it.
        return sink.pos <= textBodyLimit ? sink.buffer.toString("utf8", 0, sink.pos) : sink.bytes();
      } catch {
        // Whatever went wrong, the reply is decoded and written as before, or fails there.
        return undefined;
      }
    },
  };
}

interface Compiler {
  readonly options: JsonWriterOptions;
  readonly writer: JsonWriter;
  readonly planOf: (desc: DescMessage) => MessagePlan;
}

interface MessagePlan {
  readonly desc: DescMessage;
  /** False for a message left to the decoder and the writer (see compileMessage). */
  supported: boolean;
  /** Fields in number order, as the writer writes them. */
  readonly fields: FieldPlan[];
  /** Fields by number, below denseLimit. */
  readonly dense: (FieldPlan | undefined)[];
  readonly sparse: Map<number, FieldPlan>;
  /** Fields with explicit presence written as null when unset, in declaration order (after all others, as the writer). */
  readonly unpopulated: FieldPlan[];
  /** The writer's registry: unknown fields it knows as extensions are written by protobuf-es. */
  readonly registry: Registry | undefined;
  /** The record loop, once the fields are planned (see messageBody). */
  body: MessageBody;
}

/**
 * Writes a field's value after its key (the first record's tag read, `wireType` its wire
 * type); a list or map takes its following records of `number` too. False where the field
 * is left out after all (an implicit zero, an empty list, when unpopulated fields are not
 * written): its key is then taken back.
 */
type FieldWriter = (cursor: Cursor, wireType: number, end: number, sink: BinarySink, number: number) => boolean;

interface FieldPlan {
  readonly number: number;
  readonly index: number;
  /** `"name":` */
  readonly key: Buffer;
  /** The field's bit among the message's explicit fields and oneofs (a oneof's members share one), 0 for none. */
  readonly bit: number;
  /** `"name":value`, written where the field is not in the bytes, or undefined to leave it out there. */
  readonly absent: Buffer | undefined;
  readonly write: FieldWriter;
}

// Field numbers up to this index an array; above it a map (as the decoder).
const denseLimit = 256;
// Bits of a message's explicit fields and oneofs that one number holds.
const maxBits = 30;

/**
 * Plans a message, or marks it unsupported where the writer or decoder would not vouch
 * (required fields, a name the writer leaves to protobuf-es), or where its text is not the
 * bytes' in order (a field holding a message with a JSON form of its own, a group).
 */
function compileMessage(desc: DescMessage, plans: WeakMap<DescMessage, MessagePlan>, c: Compiler): MessagePlan {
  const plan: MessagePlan = {
    desc,
    supported: !hasCustomJsonRepresentation(desc),
    fields: [],
    dense: [],
    sparse: new Map(),
    unpopulated: [],
    registry: c.options.registry,
    body: giveUp,
  };
  // Registered first: recursive types find it instead of compiling again.
  plans.set(desc, plan);
  if (!plan.supported) return plan;
  const { emitUnpopulated, useProtoNames, enumsAsNumbers } = c.options;
  const template = messageFactory(desc)();
  const bits = new Map<object, number>();
  const bitOf = (owner: object): number => {
    let bit = bits.get(owner);
    if (bit === undefined) bits.set(owner, (bit = 1 << bits.size));
    return bit;
  };
  const names = new Set<string>();
  for (const field of [...desc.fields].sort((a, b) => a.number - b.number)) {
    const name = useProtoNames ? field.name : field.jsonName;
    // As the writer: names it leaves to protobuf-es, required fields it cannot write unset.
    if (name in Object.prototype || /^(?:0|[1-9]\d*)$/.test(name) || names.has(name) || field.presence === LEGACY_REQUIRED) plan.supported = false;
    names.add(name);
    const write = fieldWriter(field, c);
    if (write === undefined) plan.supported = false;
    const explicit = hasExplicitPresence(field);
    const key = `${JSON.stringify(name)}:`;
    let absent: string | undefined;
    if (emitUnpopulated && !explicit && field.oneof === undefined) {
      if (field.fieldKind === "list") absent = `${key}[]`;
      else if (field.fieldKind === "map") absent = `${key}{}`;
      else absent = key + c.writer.valueTextOf(field)(template[field.localName]);
    }
    const entry: FieldPlan = {
      number: field.number,
      index: plan.fields.length,
      key: Buffer.from(key),
      bit: field.oneof !== undefined ? bitOf(field.oneof) : explicit ? bitOf(field) : 0,
      absent: absent === undefined ? undefined : Buffer.from(absent),
      write: write ?? giveUp,
    };
    plan.fields.push(entry);
    if (field.number < denseLimit) plan.dense[field.number] = entry;
    else plan.sparse.set(field.number, entry);
  }
  if (bits.size > maxBits) plan.supported = false;
  if (emitUnpopulated) {
    for (const field of desc.fields) {
      if (!hasExplicitPresence(field) || !emittedWhenUnset(field)) continue;
      const entry = plan.fields.find((f) => f.number === field.number)!;
      plan.unpopulated.push({ ...entry, absent: Buffer.from(entry.key.toString() + JSON.stringify(unpopulatedValue(field, enumsAsNumbers))) });
    }
  }
  if (plan.supported) plan.body = messageBody(plan);
  return plan;
}

function writeMessage(plan: MessagePlan, cursor: Cursor, end: number, sink: BinarySink): void {
  if (!plan.supported) giveUp();
  if (++cursor.depth > recursionLimit) giveUp();
  sink.byte(OPEN_BRACE);
  const start = sink.pos;
  const seen = plan.body(cursor, end, sink, start);
  if (cursor.pos !== end) giveUp();
  for (const field of plan.unpopulated) if ((seen & field.bit) === 0) writeAbsent(field, sink, start);
  sink.byte(CLOSE_BRACE);
  cursor.depth--;
}

/**
 * Writes a message's records up to `end`, its fields in number order with the absent ones
 * between them, after `start` in the sink; returns the bits of the explicit fields and oneofs
 * it wrote.
 */
type MessageBody = (cursor: Cursor, end: number, sink: BinarySink, start: number) => number;

/**
 * A message's record loop: code generated for the type where node allows it (a switch on the
 * field number, each field's writer called at a site of its own, see generated-code.ts), the
 * fields looked up by number otherwise.
 */
function messageBody(plan: MessagePlan): MessageBody {
  const { fields, dense, sparse } = plan;
  if (generatesFor(fields.length) && fields.every((f) => f.number < denseLimit)) {
    const helpers = { readTag, giveUp, unknown, absentBetween, COMMA };
    const cases = fields.map((f, i) => {
      const lines = [`      case ${f.number}:`];
      // A field before one written, or a singular field again: the decoder's to read.
      lines.push(`        if (next > ${i}) h.giveUp();`);
      if (i > 0) lines.push(`        if (next < ${i}) h.absentBetween(fields, next, ${i}, sink, start);`);
      lines.push(`        next = ${i + 1};`);
      if (f.bit !== 0) lines.push(`        if ((seen & ${f.bit}) !== 0) h.giveUp();`, `        seen |= ${f.bit};`);
      lines.push(
        "        mark = sink.pos;",
        "        if (mark !== start) sink.byte(h.COMMA);",
        `        sink.copy(k${i}, 0, ${f.key.length});`,
        `        if (!w${i}(cursor, tag & 7, end, sink, ${f.number})) sink.pos = mark;`,
        "        continue;",
      );
      return lines.join("\n");
    });
    return generatedFunction<
      (h: typeof helpers, plan: MessagePlan, fields: readonly FieldPlan[], k: readonly Buffer[], w: readonly FieldWriter[]) => MessageBody
    >(
      ["h", "plan", "fields", "k", "w"],
      `${unpacked("k", "k", fields.length)}
${unpacked("w", "w", fields.length)}
return function body(cursor, end, sink, start) {
  let next = 0;
  let seen = 0;
  let mark = 0;
  while (cursor.pos < end) {
    const tag = h.readTag(cursor);
    switch (tag >>> 3) {
${cases.join("\n")}
    }
    h.unknown(plan, cursor, tag, end);
  }
  if (next < ${fields.length}) h.absentBetween(fields, next, ${fields.length}, sink, start);
  return seen;
};`,
    )(
      helpers,
      plan,
      fields,
      fields.map((f) => f.key),
      fields.map((f) => f.write),
    );
  }
  return (cursor, end, sink, start) => {
    let next = 0;
    let seen = 0;
    while (cursor.pos < end) {
      const tag = readTag(cursor);
      const number = tag >>> 3;
      const field = number < dense.length ? dense[number] : sparse.get(number);
      if (field === undefined) {
        unknown(plan, cursor, tag, end);
        continue;
      }
      // A field before one written, or a singular field again (merged, or the last one
      // winning, when decoded): the decoder's to read.
      if (field.index < next) giveUp();
      absentBetween(fields, next, field.index, sink, start);
      next = field.index + 1;
      if (field.bit !== 0) {
        // A second member of a oneof: the decoder keeps the last.
        if ((seen & field.bit) !== 0) giveUp();
        seen |= field.bit;
      }
      const mark = sink.pos;
      if (mark !== start) sink.byte(COMMA);
      sink.copy(field.key, 0, field.key.length);
      if (!field.write(cursor, tag & 7, end, sink, number)) sink.pos = mark;
    }
    absentBetween(fields, next, fields.length, sink, start);
    return seen;
  };
}

// The writer leaves unknown fields out, but writes those the registry knows as extensions.
function unknown(plan: MessagePlan, cursor: Cursor, tag: number, end: number): void {
  if (plan.registry?.getExtensionFor(plan.desc, tag >>> 3) !== undefined) giveUp();
  skip(cursor, tag & 7, end);
}

// The absent fields from index `from` up to `to`, as the writer writes them where unset.
function absentBetween(fields: readonly FieldPlan[], from: number, to: number, sink: BinarySink, start: number): void {
  for (let i = from; i < to; i++) writeAbsent(fields[i]!, sink, start);
}

function writeAbsent(field: FieldPlan, sink: BinarySink, start: number): void {
  const absent = field.absent;
  if (absent === undefined) return;
  if (sink.pos !== start) sink.byte(COMMA);
  sink.copy(absent, 0, absent.length);
}

/** Writes one value's text at the cursor; returns false for an implicit field's zero. */
type ValueWriter = (cursor: Cursor, end: number, sink: BinarySink) => boolean;

/** A field's writer, or undefined for one whose text is not its bytes' in order (see compileMessage). */
function fieldWriter(field: DescField, c: Compiler): FieldWriter | undefined {
  const emitUnpopulated = c.options.emitUnpopulated;
  switch (field.fieldKind) {
    case "scalar":
    case "enum": {
      const value = scalarWriter(field, c, field.fieldKind === "enum" ? enumValue(field.enum) : undefined);
      const wire = wireTypeOf(field.fieldKind === "enum" ? ScalarType.INT32 : field.scalar);
      // Set with presence, a zero is written; without, only when unpopulated fields are.
      const keepsZero = emitUnpopulated || field.oneof !== undefined || hasExplicitPresence(field);
      return (cursor, wireType, end, sink) => {
        if (wireType !== wire) giveUp();
        return value(cursor, end, sink) || keepsZero;
      };
    }
    case "message": {
      const value = messageValue(field, c)?.value;
      if (value === undefined) return undefined;
      return (cursor, wireType, end, sink) => {
        if (wireType !== 2) giveUp();
        return value(cursor, end, sink);
      };
    }
    case "list": {
      let item: ValueWriter;
      let wire: number;
      if (field.listKind === "message") {
        const value = messageValue(field, c)?.value;
        if (value === undefined) return undefined;
        item = value;
        wire = 2;
      } else {
        // The decoder keeps any number in a list of enum values, closed enum or not.
        item = scalarWriter(field, c, field.listKind === "enum" ? int32 : undefined);
        wire = wireTypeOf(field.listKind === "enum" ? ScalarType.INT32 : field.scalar);
      }
      // Either form of any list but of strings, bytes and messages, as the decoder reads them.
      const packable = wire !== 2;
      return (cursor, wireType, end, sink, number) => {
        sink.byte(OPEN_BRACKET);
        const start = sink.pos;
        for (;;) {
          if (wireType === wire) {
            if (sink.pos !== start) sink.byte(COMMA);
            item(cursor, end, sink);
          } else if (wireType === 2 && packable) {
            const packedEnd = lengthEnd(cursor, end);
            while (cursor.pos < packedEnd) {
              if (sink.pos !== start) sink.byte(COMMA);
              item(cursor, packedEnd, sink);
            }
            if (cursor.pos !== packedEnd) giveUp();
          } else {
            giveUp();
          }
          wireType = nextRecordOf(cursor, end, number);
          if (wireType < 0) break;
        }
        if (sink.pos === start && !emitUnpopulated) return false;
        sink.byte(CLOSE_BRACKET);
        return true;
      };
    }
    case "map":
      return mapWriter(field, c);
  }
}

/**
 * A message value's writer, and what it writes for an empty message; undefined for a group,
 * or an Any or a Struct (held in shapes of their own, which the writer leaves to protobuf-es
 * or checks as it writes). A well-known type with a JSON form of its own is decoded alone by
 * protobuf-es, as the decoder holds it (a singular wrapper as its value), and written by the writer.
 */
function messageValue(
  field: DescField & { message: DescMessage },
  c: Compiler,
): { value: ValueWriter; empty: (cursor: Cursor, sink: BinarySink) => void } | undefined {
  const desc = field.message;
  if (field.delimitedEncoding) return undefined;
  if (!hasCustomJsonRepresentation(desc)) {
    let plan: MessagePlan | undefined;
    return {
      value: (cursor, end, sink) => {
        const messageEnd = lengthEnd(cursor, end);
        writeMessage((plan ??= c.planOf(desc)), cursor, messageEnd, sink);
        return true;
      },
      empty: (cursor, sink) => writeMessage((plan ??= c.planOf(desc)), cursor, cursor.pos, sink),
    };
  }
  if (desc.typeName === "google.protobuf.Any" || desc.typeName === "google.protobuf.Struct") return undefined;
  const text = c.writer.valueTextOf(field);
  const unboxed = field.fieldKind === "message" && field.oneof === undefined && isWrapperDesc(desc);
  const write = (bytes: Uint8Array, sink: BinarySink, depth: number): void => {
    // Decoded alone, its nesting still counted from where it sits (a Value nests without end).
    const message = fromBinary(desc, bytes, { recursionLimit: recursionLimit - depth });
    sink.utf8(text(unboxed ? (message as unknown as { value: unknown }).value : message));
  };
  return {
    value: (cursor, end, sink) => {
      const messageEnd = lengthEnd(cursor, end);
      write(cursor.source.subarray(cursor.pos, messageEnd), sink, cursor.depth);
      cursor.pos = messageEnd;
      return true;
    },
    empty: (cursor, sink) => write(new Uint8Array(0), sink, cursor.depth),
  };
}

/** The wire type of the next record when it is field `number`'s too (the cursor then past its tag), else -1 (the cursor where it was). */
function nextRecordOf(cursor: Cursor, end: number, number: number): number {
  if (cursor.pos >= end) return -1;
  const at = cursor.pos;
  const tag = readTag(cursor);
  if (tag >>> 3 === number) return tag & 7;
  cursor.pos = at;
  return -1;
}

/**
 * Map entries as the decoder holds them: keys named as it names them, in the order an
 * object keeps them (integer-like keys first, ascending; then the rest as first met), the
 * last entry of a key winning. Each key keeps where its value's bytes are, which are
 * written once every entry is read.
 */
function mapWriter(field: DescField & { fieldKind: "map" }, c: Compiler): FieldWriter | undefined {
  const keyWire = wireTypeOf(field.mapKey);
  const readKey = scalarValue(field.mapKey, field.utf8Validation, false);
  const keyZero = scalarZeroValue(field.mapKey, false);
  let value: ValueWriter;
  let valueWire: number;
  // What the writer writes for an entry without a value (the decoder's default).
  let missing: (cursor: Cursor, end: number, sink: BinarySink) => void;
  switch (field.mapKind) {
    case "message": {
      const message = messageValue(field, c);
      if (message === undefined) return undefined;
      value = message.value;
      valueWire = 2;
      missing = (cursor, _end, sink) => message.empty(cursor, sink);
      break;
    }
    case "enum": {
      value = scalarWriter(field, c, int32);
      valueWire = 0;
      const zero = Buffer.from(c.writer.valueTextOf(field)(field.enum.values[0]!.number));
      missing = (_cursor, _end, sink) => sink.copy(zero, 0, zero.length);
      break;
    }
    case "scalar": {
      value = scalarWriter(field, c, undefined);
      valueWire = wireTypeOf(field.scalar);
      const zeroValue = field.scalar === ScalarType.BYTES ? new Uint8Array(0) : scalarZeroValue(field.scalar, false);
      const zero = Buffer.from(c.writer.valueTextOf(field)(zeroValue));
      missing = (_cursor, _end, sink) => sink.copy(zero, 0, zero.length);
      break;
    }
  }
  // A second value in one entry is merged into the first when it is a message.
  const merges = field.mapKind === "message";
  return (cursor, wireType, end, sink, number) => {
    const entries: Record<string, number> = Object.create(null);
    // Per entry: where its value's bytes start (-1 for none), and where the entry ends.
    const spans: number[] = [];
    do {
      if (wireType !== 2) giveUp();
      const entryEnd = lengthEnd(cursor, end);
      let key: unknown;
      let valueAt = -1;
      while (cursor.pos < entryEnd) {
        const tag = readTag(cursor);
        const wire = tag & 7;
        switch (tag >>> 3) {
          case 1:
            if (wire !== keyWire) giveUp();
            key = readKey(cursor, entryEnd);
            break;
          case 2:
            if (wire !== valueWire || (merges && valueAt >= 0)) giveUp();
            valueAt = cursor.pos;
            skip(cursor, wire, entryEnd);
            break;
          default:
            skip(cursor, wire, entryEnd);
        }
      }
      if (cursor.pos !== entryEnd) giveUp();
      entries[String(key ?? keyZero)] = spans.length;
      spans.push(valueAt, entryEnd);
      wireType = nextRecordOf(cursor, end, number);
    } while (wireType >= 0);
    const resume = cursor.pos;
    sink.byte(OPEN_BRACE);
    const keys = Object.keys(entries);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (i > 0) sink.byte(COMMA);
      sink.utf8(quote(key));
      sink.byte(COLON);
      const span = entries[key]!;
      const at = spans[span]!;
      const entryEnd = spans[span + 1]!;
      if (at < 0) {
        cursor.pos = entryEnd;
        missing(cursor, entryEnd, sink);
      } else {
        cursor.pos = at;
        value(cursor, entryEnd, sink);
      }
    }
    cursor.pos = resume;
    sink.byte(CLOSE_BRACE);
    return true;
  };
}

/**
 * One scalar or enum value: strings and bytes from their bytes, the rest read by the
 * decoder's reader (`read`, or the scalar's own) and written as the writer's text of it.
 */
function scalarWriter(field: DescField, c: Compiler, read: ValueReader | undefined): ValueWriter {
  const scalar = field.enum !== undefined ? ScalarType.INT32 : field.scalar!;
  if (field.enum === undefined && scalar === ScalarType.STRING) return writeString;
  if (field.enum === undefined && scalar === ScalarType.BYTES) return writeBytes;
  const reader = read ?? scalarValue(scalar, field.utf8Validation, (field as { longAsString?: boolean }).longAsString === true);
  const text = c.writer.valueTextOf(field);
  const isZero = implicitZeroTest(field);
  return (cursor, end, sink) => {
    const value = reader(cursor, end);
    // Numbers, quoted integers, enum names (proto identifiers): ASCII.
    sink.latin1(text(value));
    return !isZero(value);
  };
}

// Per byte: 1 for what a JSON string cannot hold as it is (controls, quote, backslash), 2
// beyond ASCII, 0 for the rest.
const byteClass = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) byteClass[b] = 1;
byteClass[QUOTE] = 1;
byteClass[0x5c] = 1;
for (let b = 0x80; b < 0x100; b++) byteClass[b] = 2;

/**
 * A string's bytes between quotes, as they are when they need no escape, tested as they are
 * copied. Bytes that are not UTF-8 give up, validated field or not: the decoder refuses them,
 * or reads them with replacement characters, which the writer then writes.
 */
function writeString(cursor: Cursor, end: number, sink: BinarySink): boolean {
  const recordEnd = lengthEnd(cursor, end);
  const start = cursor.pos;
  cursor.pos = recordEnd;
  const source = cursor.buffer;
  const n = recordEnd - start;
  sink.reserve(n + 2);
  const out = sink.buffer;
  const at = sink.pos + 1;
  let seen = 0;
  // A native copy costs more than a loop over a short string.
  if (n <= 64) {
    for (let i = 0; i < n; i++) {
      const byte = source[start + i]!;
      seen |= byteClass[byte]!;
      out[at + i] = byte;
    }
  } else {
    for (let i = start; i < recordEnd; i++) seen |= byteClass[source[i]!]!;
    source.copy(out, at, start, recordEnd);
  }
  if ((seen & 2) !== 0 && !isUtf8(source.subarray(start, recordEnd))) giveUp();
  if ((seen & 1) === 0) {
    out[at - 1] = QUOTE;
    out[at + n] = QUOTE;
    sink.pos = at + n + 1;
  } else {
    // JSON.stringify's escapes, as the writer's quote(); Buffer's decoding keeps a leading U+FEFF, as the decoder's.
    sink.utf8(JSON.stringify(source.toString("utf8", start, recordEnd)));
  }
  return n !== 0;
}

function writeBytes(cursor: Cursor, end: number, sink: BinarySink): boolean {
  const recordEnd = lengthEnd(cursor, end);
  const start = cursor.pos;
  cursor.pos = recordEnd;
  sink.byte(QUOTE);
  sink.latin1(cursor.buffer.toString("base64", start, recordEnd));
  sink.byte(QUOTE);
  return recordEnd !== start;
}
