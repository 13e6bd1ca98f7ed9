import { ScalarType, type DescField, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation } from "@bufbuild/protobuf/wkt";
import { isUtf8 } from "node:buffer";
import type { BinarySink } from "../binary/sink.js";
import { bareScalar, mapKeyOf, scalarOf, type ValuePlan } from "../binary/scalars.js";
import { enumReader, mapKeyReader, scalarReader, type StringsRead } from "../json/scalars.js";
import { IMPLICIT, implicitZeroTest, LEGACY_REQUIRED } from "../presence.js";
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, JsonBytes, OPEN_BRACE, OPEN_BRACKET, QUOTE, refuse } from "./json-bytes.js";

/**
 * A JSON request body written straight as protobuf binary, without the parsed object, the
 * message or the encoder's passes between them: the bytes of each string are copied from the
 * body as they are. It vouches only for bodies the JSON marshaler reads without complaint,
 * and writes what the marshaler's message would encode to (fields in the body's order,
 * which gRPC readers take alike); for anything else (a key naming no field, a duplicate, a
 * null in a oneof or a list, a well-known type with a JSON form of its own, an escape it
 * cannot judge, text that is not exactly JSON) it refuses, and the marshaler reads the body.
 * The scalars' values pass through the JSON reader's converters and the binary encoder's
 * writers, so each is taken and written exactly as those take and write it.
 */
export interface JsonTranscoder {
  /** Writes `body` as a message of `schema` into `sink`; false (the sink then holds garbage) where it does not vouch. */
  transcode(body: Uint8Array, schema: DescMessage, sink: BinarySink): boolean;
}

/** `maxDepth`: the marshaler's nesting limit; deeper text is the marshaler's to refuse. */
export function createJsonTranscoder(maxDepth: number): JsonTranscoder {
  const plans = new WeakMap<DescMessage, MessagePlan>();
  const planOf = (desc: DescMessage): MessagePlan => plans.get(desc) ?? compileMessage(desc, plans, planOf);
  // The compiled reader's own limit, which it gives up beyond.
  const depthLimit = Math.min(maxDepth, 64);
  return {
    transcode(body, schema, sink) {
      if (hasCustomJsonRepresentation(schema)) return false;
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      // Valid UTF-8 has no lone surrogate: a string's bytes are then its text, copied as they are.
      if (!isUtf8(bytes)) return false;
      const walk = new Walk(bytes, sink, depthLimit);
      try {
        if (walk.json.blank() !== OPEN_BRACE) return false;
        walk.object(planOf(schema));
        walk.json.blank();
        return walk.json.pos === bytes.length;
      } catch {
        // Whatever went wrong, the marshaler reads the body and judges it.
        return false;
      }
    },
  };
}

interface MessagePlan {
  /** Fields in declaration order, the order bodies list them in most often. */
  readonly fields: FieldPlan[];
  /** Each field under its JSON name and its proto name. */
  readonly byKey: Map<string, FieldPlan>;
  /** A message the transcoder leaves to the marshaler (required fields, names two fields share). */
  refused: boolean;
}

interface FieldPlan {
  readonly index: number;
  /** The JSON name's bytes, and the proto name's; undefined for a name matched only by lookup. */
  readonly json: Buffer | undefined;
  readonly proto: Buffer | undefined;
  /** The oneof's bit among the message's oneofs, 0 outside one. */
  readonly oneofBit: number;
  /** Reads the value ahead (not null) and writes it. */
  read: (walk: Walk) => void;
  /** Whether `null` leaves the field unset (outside oneofs); else null refuses. */
  readonly nullSkips: boolean;
}

// Strings of a valid UTF-8 body have no lone surrogate.
const wellFormed: StringsRead = { wellFormed: true };

function compileMessage(desc: DescMessage, plans: WeakMap<DescMessage, MessagePlan>, planOf: (d: DescMessage) => MessagePlan): MessagePlan {
  const plan: MessagePlan = { fields: [], byKey: new Map(), refused: false };
  plans.set(desc, plan);
  const oneofs = desc.oneofs;
  if (oneofs.length > 30) plan.refused = true;
  for (const field of desc.fields) {
    if (field.presence === LEGACY_REQUIRED) plan.refused = true;
    const entry: FieldPlan = {
      index: plan.fields.length,
      json: keyBytes(field.jsonName),
      proto: keyBytes(field.name),
      oneofBit: field.oneof === undefined ? 0 : 1 << oneofs.indexOf(field.oneof),
      read: fieldReader(field, planOf),
      // null is Value's and NullValue's value, not an absence: those are the marshaler's.
      nullSkips: field.oneof === undefined && field.message?.typeName !== "google.protobuf.Value" && field.enum?.typeName !== "google.protobuf.NullValue",
    };
    plan.fields.push(entry);
    for (const key of new Set([field.jsonName, field.name])) {
      if (plan.byKey.has(key)) plan.refused = true;
      plan.byKey.set(key, entry);
    }
  }
  return plan;
}

// A name's bytes for JsonBytes.key; a name it could not tell from its escaped form never matches.
function keyBytes(name: string): Buffer | undefined {
  return /["\\\u0000-\u001f]/.test(name) ? undefined : Buffer.from(name);
}

/** One transcoding: the body being read, the sink being written. */
class Walk {
  readonly json: JsonBytes;
  private depth = 0;

  constructor(
    body: Buffer,
    readonly sink: BinarySink,
    private readonly depthLimit: number,
  ) {
    this.json = new JsonBytes(body);
  }

  enter(): void {
    if (++this.depth > this.depthLimit) refuse();
  }

  leave(): void {
    this.depth--;
  }

  /** At `{`: the message's fields, each written as it is read. */
  object(plan: MessagePlan): void {
    if (plan.refused) refuse();
    const json = this.json;
    this.enter();
    json.pos++;
    if (json.blank() === CLOSE_BRACE) {
      json.pos++;
      this.leave();
      return;
    }
    const fields = plan.fields;
    const many = fields.length > 30;
    let seen = 0;
    const seenMany = many ? new Uint8Array(fields.length) : undefined;
    let oneofs = 0;
    let next = 0;
    for (;;) {
      if (json.blank() !== QUOTE) refuse();
      // Bodies list fields in declaration order most often: the next one is tried first.
      let field: FieldPlan | undefined = fields[next];
      if (field === undefined || !((field.json !== undefined && json.key(field.json)) || (field.proto !== undefined && json.key(field.proto)))) {
        const start = json.pos + 1;
        const end = json.string();
        field = json.escaped ? undefined : plan.byKey.get(json.body.toString("utf8", start, end));
        // A key naming no field (or an escaped one): the marshaler's to skip or refuse.
        if (field === undefined) refuse();
      }
      // Twice in one object (as two keys, or as both names): the marshaler's to refuse.
      if (seenMany !== undefined) {
        if (seenMany[field.index] === 1) refuse();
        seenMany[field.index] = 1;
      } else {
        const bit = 1 << field.index;
        if ((seen & bit) !== 0) refuse();
        seen |= bit;
      }
      json.expect(COLON);
      json.blank();
      if (json.atNull()) {
        if (!field.nullSkips) refuse();
        json.literal();
      } else {
        if (field.oneofBit !== 0) {
          if ((oneofs & field.oneofBit) !== 0) refuse();
          oneofs |= field.oneofBit;
        }
        field.read(this);
      }
      next = field.index + 1;
      const c = json.blank();
      json.pos++;
      if (c === COMMA) continue;
      if (c === CLOSE_BRACE) break;
      refuse();
    }
    this.leave();
  }

  /** At `[`: calls `item` for each value (nulls refuse); returns how many there were. */
  list(item: (walk: Walk) => void): number {
    const json = this.json;
    this.enter();
    json.pos++;
    let count = 0;
    if (json.blank() === CLOSE_BRACKET) json.pos++;
    else {
      for (;;) {
        if (json.blank() === 0x6e) refuse();
        item(this);
        count++;
        const c = json.blank();
        json.pos++;
        if (c === COMMA) continue;
        if (c === CLOSE_BRACKET) break;
        refuse();
      }
    }
    this.leave();
    return count;
  }

  /** A JSON scalar as JSON.parse would give it (integers beyond 15 digits as their text). */
  scalar(): JsonValue {
    const json = this.json;
    const c = json.body[json.pos];
    if (c === QUOTE) {
      const start = json.pos + 1;
      const end = json.string();
      return json.stringText(start, end);
    }
    if (c === 0x74 || c === 0x66) return json.literal();
    return json.number();
  }
}

function fieldReader(field: DescField, planOf: (d: DescMessage) => MessagePlan): (walk: Walk) => void {
  const implicit = field.presence === IMPLICIT && field.oneof === undefined;
  switch (field.fieldKind) {
    case "scalar":
      return scalarWriter(field.scalar, field.number, implicit ? implicitZeroTest(field) : undefined);
    case "enum":
      return enumWriter(field, scalarOf(ScalarType.INT32, field.number), implicit ? implicitZeroTest(field) : undefined);
    case "message":
      return messageWriter(field.message, field.number, field.delimitedEncoding, planOf);
    case "list": {
      let item: (walk: Walk) => void;
      if (field.listKind === "message") item = messageWriter(field.message, field.number, field.delimitedEncoding, planOf);
      else if (field.listKind === "enum")
        item = field.packed
          ? enumWriter(field, bareScalar(ScalarType.INT32), undefined)
          : enumWriter(field, scalarOf(ScalarType.INT32, field.number), undefined);
      else if (field.packed) item = scalarWriter(field.scalar, undefined, undefined);
      else item = scalarWriter(field.scalar, field.number, undefined);
      if (field.listKind === "message" || !field.packed) {
        return (walk) => {
          if (walk.json.blank() !== OPEN_BRACKET) refuse();
          walk.list(item);
        };
      }
      const tag = field.number * 8 + 2;
      return (walk) => {
        if (walk.json.blank() !== OPEN_BRACKET) refuse();
        const sink = walk.sink;
        const before = sink.pos;
        sink.varint(tag);
        const at = sink.open();
        // An empty list is not written, as protobuf-es leaves it out.
        if (walk.list(item) === 0) sink.pos = before;
        else sink.close(at);
      };
    }
    case "map":
      return mapWriter(field, planOf);
  }
}

/** A scalar value, with its tag when `number` is given (bare, as packed lists hold them, without). */
function scalarWriter(type: ScalarType, number: number | undefined, isZero: ((value: unknown) => boolean) | undefined): (walk: Walk) => void {
  const plan = number === undefined ? bareScalar(type) : scalarOf(type, number);
  if (type === ScalarType.STRING) {
    const tag = number === undefined ? -1 : number * 8 + 2;
    return (walk) => {
      const json = walk.json;
      if (json.body[json.pos] !== QUOTE) refuse();
      const start = json.pos + 1;
      const end = json.string();
      if (json.escaped) {
        // Decoded, then written as the encoder writes any string.
        const text = json.stringText(start, end);
        if (isZero !== undefined && text === "") return;
        walk.sink.value(plan, text);
        return;
      }
      if (isZero !== undefined && end === start) return;
      walk.sink.string(tag, json.body, start, end);
    };
  }
  const read = scalarReader(type, false);
  // Small non-negative integers, most of any body's numbers, go as varints at once: what the
  // converter and the plan would write for them.
  const varintMax = varintLimits.get(type);
  const tag = number === undefined ? -1 : number * 8;
  return (walk) => {
    const token = walk.scalar();
    if (varintMax !== undefined && typeof token === "number" && Number.isInteger(token) && token >= 0 && token <= varintMax) {
      if (token === 0 && isZero !== undefined) return;
      const sink = walk.sink;
      if (tag >= 0) sink.varint(tag);
      sink.varint(token);
      return;
    }
    const value = read(token, wellFormed);
    if (isZero?.(value)) return;
    walk.sink.value(plan, value);
  };
}

// The types whose non-negative values are their plain varints, and the largest taken at once
// (one that fits 32 bits: sink.varint's range).
const varintLimits = new Map<ScalarType, number>([
  [ScalarType.INT32, 0x7fffffff],
  [ScalarType.UINT32, 0xffffffff],
  [ScalarType.INT64, 0xffffffff],
  [ScalarType.UINT64, 0xffffffff],
]);

function enumWriter(field: DescField, plan: ValuePlan, isZero: ((value: unknown) => boolean) | undefined): (walk: Walk) => void {
  const desc = field.enum!;
  // NullValue's null is a value, not an absence: the marshaler's.
  if (desc.typeName === "google.protobuf.NullValue") return refuse;
  const read = enumReader(desc);
  return (walk) => {
    const value = read(walk.scalar(), wellFormed);
    if (isZero?.(value)) return;
    walk.sink.value(plan, value);
  };
}

function messageWriter(desc: DescMessage, number: number, delimited: boolean, planOf: (d: DescMessage) => MessagePlan): (walk: Walk) => void {
  // Well-known types with JSON forms of their own, and groups, are the marshaler's.
  if (delimited || hasCustomJsonRepresentation(desc)) return refuse;
  const tag = number * 8 + 2;
  let plan: MessagePlan | undefined;
  return (walk) => {
    if (walk.json.blank() !== OPEN_BRACE) refuse();
    const sink = walk.sink;
    sink.varint(tag);
    const at = sink.open();
    walk.object((plan ??= planOf(desc)));
    sink.close(at);
  };
}

function mapWriter(field: DescField & { fieldKind: "map" }, planOf: (d: DescMessage) => MessagePlan): (walk: Walk) => void {
  const tag = field.number * 8 + 2;
  let value: (walk: Walk) => void;
  if (field.mapKind === "message") value = messageWriter(field.message, 2, false, planOf);
  else if (field.mapKind === "enum") value = enumWriter(field, scalarOf(ScalarType.INT32, 2), undefined);
  else value = scalarWriter(field.scalar, 2, undefined);
  const entryKey = field.mapKey === ScalarType.STRING ? stringKey() : convertedKey(field.mapKey);
  return (walk) => {
    const json = walk.json;
    if (json.blank() !== OPEN_BRACE) refuse();
    walk.enter();
    json.pos++;
    if (json.blank() === CLOSE_BRACE) {
      json.pos++;
      walk.leave();
      return;
    }
    const sink = walk.sink;
    const keys = entryKey();
    for (;;) {
      if (json.blank() !== QUOTE) refuse();
      sink.varint(tag);
      const at = sink.open();
      keys(json, sink);
      json.expect(COLON);
      if (json.blank() === 0x6e) refuse();
      value(walk);
      sink.close(at);
      const c = json.blank();
      json.pos++;
      if (c === COMMA) continue;
      if (c === CLOSE_BRACE) break;
      refuse();
    }
    walk.leave();
  };
}

/** Reads one map's keys (at each one's opening quote) and writes each as its entry's field 1; refuses a key twice. */
type KeyWriter = (json: JsonBytes, sink: BinarySink) => void;

// String keys, copied as they are: a key twice is the same bytes twice (escaped keys refuse),
// told by comparing bytes while the map is small.
function stringKey(): () => KeyWriter {
  return () => {
    const starts: number[] = [];
    const ends: number[] = [];
    let seen: Set<string> | undefined;
    return (json, sink) => {
      const start = json.pos + 1;
      const end = json.string();
      if (json.escaped) refuse();
      const body = json.body;
      if (seen === undefined) {
        for (let k = 0; k < starts.length; k++) if (sameBytes(body, starts[k]!, ends[k]!, start, end)) refuse();
        starts.push(start);
        ends.push(end);
        if (starts.length > 16) seen = new Set(starts.map((s, k) => body.toString("latin1", s, ends[k]!)));
      } else {
        const key = body.toString("latin1", start, end);
        if (seen.has(key)) refuse();
        seen.add(key);
      }
      sink.string(0x0a, body, start, end);
    };
  };
}

function sameBytes(body: Buffer, a: number, aEnd: number, b: number, bEnd: number): boolean {
  const length = aEnd - a;
  if (bEnd - b !== length) return false;
  for (let i = 0; i < length; i++) if (body[a + i] !== body[b + i]) return false;
  return true;
}

// Other keys, converted as the JSON reader names them (so that "1" and "01" are one key) and
// written as the binary encoder writes them.
function convertedKey(type: ScalarType): () => KeyWriter {
  const name = mapKeyReader(type);
  const key = mapKeyOf(type);
  return () => {
    const names = new Set<string>();
    return (json, sink) => {
      const start = json.pos + 1;
      const end = json.string();
      const canonical = name(json.stringText(start, end), wellFormed);
      const value = key.convert(canonical);
      // Two spellings the reader keeps apart (" 1" and "1" for a 64-bit key) are one key on
      // the wire, where the message's key order decides which wins: the marshaler's.
      const number = typeof value === "string" ? String(BigInt(value)) : String(value);
      if (names.has(number)) refuse();
      names.add(number);
      sink.value(key, value);
    };
  };
}
