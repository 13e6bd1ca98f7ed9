import { mergeFromJson } from "@bufbuild/protobuf";
import type { DescField, DescMessage, DescOneof, JsonObject, JsonReadOptions, JsonValue, Message, Registry } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation } from "@bufbuild/protobuf/wkt";
import { colonCount, separatorCount, tally } from "./key-tally.js";
import { isJsonObject, setOwnProperty } from "../../plain-object.js";
import { generatedFunction, generatesFor, propertyRead, unpacked } from "../generated-code.js";
import { messageFactory } from "../message-factory.js";
import { merge, type Local, type MergeEntry } from "./merge.js";
import { beyondSafeIntegers } from "./integers.js";
import { enumReader, giveUp, mapKeyReader, refuseUnsafe, scalarReader, unsafeNumber, type StringsRead } from "./scalars.js";

/** What the compiled reader takes from the marshaler's options. */
export interface JsonReaderOptions {
  /** Skip keys that name no field, as the marshaler's slow path does. */
  readonly discardUnknown: boolean;
  /** Types that `google.protobuf.Any` values may hold. */
  readonly registry: Registry | undefined;
}

/**
 * Request JSON read by code compiled once per message type. It vouches only for input
 * that protobuf-es's strict reader (after the marshaler's unknown-key screening) accepts,
 * and builds the same message from it; for anything else it returns false with the
 * target untouched, and the caller runs protobuf-es for its result or its error.
 */
export interface JsonReader {
  /**
   * Merges a whole JSON body into `target`, refusing duplicate keys as protobuf-es does;
   * false when it cannot vouch. `decoded`: the text was decoded from UTF-8 (with a fatal
   * decoder), so it has no lone surrogate; without a `\u` escape, no string parsed from
   * it has one either, and none is checked for one.
   */
  readBody(schema: DescMessage, target: Message, text: string, decoded?: boolean): boolean;
  /** Merges an already parsed object into `target`, duplicate keys unchecked; false when it cannot vouch. */
  readObject(schema: DescMessage, target: Message, json: JsonObject): boolean;
  /**
   * readBody for a text whose integers too large for a number are not quoted yet (see
   * quoteUnsafeIntegers): "unsafe" when it met a number beyond ±(2^53 - 1) anywhere the message
   * takes a value from, a field or a well-known type's contents (the quoted text might be
   * read otherwise); "refused" when it could not vouch for another reason, before meeting
   * any such number (so readBody of the same text would refuse too). Where the reader's code
   * is generated, fields are read in the order they are declared; otherwise in key order.
   */
  readBodyUnquoted(schema: DescMessage, target: Message, text: string, decoded?: boolean): UnquotedRead;
  /** readObject, as readBodyUnquoted is readBody, for an object parsed from a text not quoted yet. */
  readObjectUnquoted(schema: DescMessage, target: Message, json: JsonObject): UnquotedRead;
}

/** What a read of input not quoted yet came to: see {@link JsonReader.readBodyUnquoted}. */
export type UnquotedRead = "read" | "refused" | "unsafe";

/** Creates a compiled reader; its per-type plans are cached with it. */
export function createJsonReader(options: JsonReaderOptions): JsonReader {
  const plans = new WeakMap<DescMessage, MessagePlan>();
  const base = { ignoreUnknownFields: false, ...(options.registry === undefined ? {} : { registry: options.registry }) };
  const planOf = (desc: DescMessage): MessagePlan => plans.get(desc) ?? compileMessage(desc, plans, planOf, base);

  const read = (schema: DescMessage, target: Message, json: JsonValue, text: string | undefined, unquoted: boolean, wellFormed: boolean): UnquotedRead => {
    // protobuf-es refuses a target of another type (or fails on a frozen one): its errors
    // are the slow path's to give.
    if ((target.$typeName !== schema.typeName && schema.fields.length > 0) || !Object.isExtensible(target)) return "refused";
    if (hasCustomJsonRepresentation(schema)) return "refused";
    const ctx: ReadContext = { depth: 0, tally: 0, discardUnknown: options.discardUnknown, discarded: false, unquoted, wellFormed };
    let fresh: Local;
    try {
      fresh = planOf(schema).read(json, ctx);
    } catch (err) {
      // Whatever went wrong, protobuf-es judges the same input again.
      return err === unsafeNumber ? "unsafe" : "refused";
    }
    if (text !== undefined && ctx.tally !== separatorCount(text)) return "refused";
    return merge(planOf(schema).byKey, target as unknown as Local, fresh, json as JsonObject, ctx.discarded) ? "read" : "refused";
  };
  const readText = (schema: DescMessage, target: Message, text: string, unquoted: boolean, decoded: boolean): UnquotedRead => {
    let json: JsonValue;
    try {
      json = JSON.parse(text) as JsonValue;
    } catch {
      return "refused";
    }
    return read(schema, target, json, text, unquoted, decoded && !text.includes("\\u"));
  };

  return {
    readBody(schema, target, text, decoded = false) {
      return readText(schema, target, text, false, decoded) === "read";
    },
    // Where an object comes from is not known: its strings are checked.
    readObject(schema, target, json) {
      return read(schema, target, json, undefined, false, false) === "read";
    },
    readBodyUnquoted(schema, target, text, decoded = false) {
      return readText(schema, target, text, true, decoded);
    },
    readObjectUnquoted(schema, target, json) {
      return read(schema, target, json, undefined, true, false);
    },
  };
}

interface ReadContext extends StringsRead {
  /** Messages entered, counted as protobuf-es counts them against its recursion limit. */
  depth: number;
  /** Object keys plus colons inside strings, of everything read: see key-tally.ts. */
  tally: number;
  readonly discardUnknown: boolean;
  /** Whether a key naming no field was skipped anywhere. */
  discarded: boolean;
  /**
   * Whether the text's integers beyond 2^53 are not quoted yet: a number beyond ±(2^53 - 1) that
   * a field or a well-known type's contents would take is refused (refuseUnsafe). Those
   * inside skipped keys are not: quoted or not, they are skipped the same.
   */
  readonly unquoted: boolean;
}

interface MessagePlan {
  readonly desc: DescMessage;
  /** A new message, as create() makes it. */
  readonly create: () => Local;
  /** Each field under its JSON name and under its proto name. */
  readonly byKey: Map<string, FieldPlan>;
  /** Reads a JSON object into a new message (see messageReader). */
  read: (json: JsonValue, ctx: ReadContext) => Local;
}

interface FieldPlan extends MergeEntry {
  /** The field's other name, when it has two: both in one object set it twice. */
  readonly alias: string | undefined;
  /** Colons in the key itself, for the tally. */
  readonly colons: number;
  /** Reads a value of this field into a fresh message. */
  readonly read: (message: Local, json: JsonValue, ctx: ReadContext) => void;
}

// Beyond this depth the fast path gives up; protobuf-es's own limit is 100.
const maxDepth = 64;
const recursionLimit = 100;

function compileMessage(
  desc: DescMessage,
  plans: WeakMap<DescMessage, MessagePlan>,
  planOf: (desc: DescMessage) => MessagePlan,
  base: Partial<JsonReadOptions>,
): MessagePlan {
  const plan: MessagePlan = { desc, create: messageFactory(desc), byKey: new Map(), read: giveUp };
  // Registered first: recursive types find it instead of compiling again (they read
  // through it only once a body is read, after it is set).
  plans.set(desc, plan);
  const code: FieldCode[] = [];
  for (const field of desc.fields) {
    const read = fieldReader(field, planOf, base);
    code.push({ field, read, value: storedValue(field, planOf) });
    const wktValue = field.message?.typeName === "google.protobuf.Value" || field.enum?.typeName === "google.protobuf.NullValue";
    for (const [key, alias] of [
      [field.jsonName, field.name],
      [field.name, field.jsonName],
    ] as const) {
      plan.byKey.set(key, {
        field,
        local: field.localName,
        alias: alias === key ? undefined : alias,
        colons: colonCount(key),
        oneof: field.oneof,
        nullSkips: field.oneof !== undefined && field.fieldKind === "scalar",
        nullResets: !wktValue,
        read,
      });
    }
  }
  plan.read = messageReader(plan, code);
  return plan;
}

/** The keys a field is read from: its JSON name, then its proto name where that differs. */
function namesOf(field: DescField): string[] {
  return field.jsonName === field.name ? [field.name] : [field.jsonName, field.name];
}

// Field names beyond which a generated reader hands an object of few keys to the loop.
const wideMessage = 128;

/** A field as the generated reader reads it: by `read`, or by storing what `value` reads. */
interface FieldCode {
  readonly field: DescField;
  readonly read: FieldRead;
  /** For a singular field outside a oneof that protobuf-es does not read itself. */
  readonly value: ValueRead | undefined;
}

/**
 * A message's reader: where node allows it, code generated for the type, which looks each
 * field's names up in the object by name (sites of their own, one shape each, where objects
 * JSON.parse made from alike text share one) rather than each key in a map, and stores
 * singular values by name; then, if keys are left over (a key naming no field, a field's
 * second name), looks at those alone, as the key loop does. Never a second read of a value:
 * that doubled at every level of nesting.
 */
function messageReader(plan: MessagePlan, fields: readonly FieldCode[]): MessagePlan["read"] {
  const loop = (json: JsonValue, ctx: ReadContext) => readMessage(plan, json, ctx);
  // Counting keys found tells the whole object was read only if no name is two fields'.
  const names = fields.flatMap(({ field }) => namesOf(field));
  if (!generatesFor(fields.length) || new Set(names).size !== names.length) return loop;
  const lines: string[] = [];
  const oneofs = new Map<DescOneof, string>();
  // Own keys only: a value found on the prototype chain (Object.prototype's own names, or
  // names someone added to it) is no key of the object.
  const found = (name: string) => `(v = ${propertyRead("json", name)}) !== undefined && Object.hasOwn(json, ${JSON.stringify(name)})`;
  fields.forEach(({ field, value }, i) => {
    // Both names in one object are counted once: the keys left over are looked at after.
    lines.push(
      `  ${namesOf(field)
        .map((name) => `if (${found(name)}) { seen++; ctx.tally += ${colonCount(name)}; }`)
        .join(" else ")} else v = undefined;`,
    );
    lines.push("  if (v !== undefined) {");
    if (field.oneof !== undefined) {
      let counter = oneofs.get(field.oneof);
      if (counter === undefined) oneofs.set(field.oneof, (counter = `o${oneofs.size}`));
      // Two fields of one oneof set: protobuf-es's to refuse (a null scalar sets none).
      const counts = field.fieldKind === "scalar" ? "v !== null" : "true";
      lines.push(`    if (${counts} && ${counter}++ !== 0) h.giveUp();`);
    }
    if (value !== undefined) lines.push(`    if (v !== null) { h.screenValue(v, ctx); ${propertyRead("message", field.localName)} = r${i}(v, ctx); }`);
    else lines.push(`    f${i}(message, v, ctx);`);
    lines.push("  }");
  });
  const counters = [...oneofs.values()].map((name) => `, ${name} = 0`).join("");
  const otherKeys = (json: JsonObject, keys: readonly string[], ctx: ReadContext) => {
    for (const key of keys) {
      const entry = plan.byKey.get(key);
      if (entry === undefined) skipUnknown(key, json[key]!, ctx);
      else if (entry.alias !== undefined && Object.hasOwn(json, entry.alias)) giveUp();
    }
  };
  const helpers = { giveUp, isJsonObject, screenValue, maxDepth, create: plan.create, loop, otherKeys };
  return generatedFunction<(h: typeof helpers, f: readonly FieldRead[], r: readonly (ValueRead | undefined)[]) => MessagePlan["read"]>(
    ["h", "f", "r"],
    `${unpacked("f", "f", fields.length)}
${unpacked("r", "r", fields.length)}
return function read(json, ctx) {
  if (!h.isJsonObject(json)) h.giveUp();
  const keys = Object.keys(json);
${
  // A few keys of a wide message: fewer steps through the keys than through all the names.
  names.length > wideMessage ? `  if (keys.length * 8 < ${names.length}) return h.loop(json, ctx);\n` : ""
}  if (++ctx.depth > h.maxDepth) h.giveUp();
  const message = h.create();
  ctx.tally += keys.length;
  let seen = 0, v${counters};
${lines.join("\n")}
  // A key naming no field, or a field's second name: as the loop takes them.
  if (seen !== keys.length) h.otherKeys(json, keys, ctx);
  ctx.depth--;
  return message;
};`,
  )(
    helpers,
    fields.map((f) => f.read),
    fields.map((f) => f.value),
  );
}

function readMessage(plan: MessagePlan, json: JsonValue, ctx: ReadContext): Local {
  if (!isJsonObject(json)) giveUp();
  if (++ctx.depth > maxDepth) giveUp();
  const message = plan.create();
  const keys = Object.keys(json);
  ctx.tally += keys.length;
  let oneofs: DescOneof[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = json[key]!;
    const entry = plan.byKey.get(key);
    if (entry === undefined) {
      skipUnknown(key, value, ctx);
      continue;
    }
    ctx.tally += entry.colons;
    if (entry.alias !== undefined && Object.hasOwn(json, entry.alias)) giveUp();
    if (entry.oneof !== undefined && !(value === null && entry.nullSkips)) {
      if (oneofs === undefined) oneofs = [entry.oneof];
      else if (oneofs.includes(entry.oneof)) giveUp();
      else oneofs.push(entry.oneof);
    }
    entry.read(message, value, ctx);
  }
  ctx.depth--;
  return message;
}

/** A key naming no field: skipped where the options discard such keys, else refused. */
function skipUnknown(key: string, value: JsonValue, ctx: ReadContext): void {
  // Extension keys ("[pkg.ext]") are protobuf-es's to resolve.
  if (!ctx.discardUnknown || key.startsWith("[")) giveUp();
  ctx.discarded = true;
  ctx.tally += colonCount(key) + tally(value);
}

type FieldRead = FieldPlan["read"];
type ValueRead = (json: JsonValue, ctx: ReadContext) => unknown;

/** The reader whose value a singular field outside a oneof stores, unless protobuf-es reads the field. */
function storedValue(field: DescField, planOf: (desc: DescMessage) => MessagePlan): ValueRead | undefined {
  if (isDelegated(field) || field.fieldKind === "list" || field.fieldKind === "map" || field.oneof !== undefined) return undefined;
  return valueReader(field, planOf, field.fieldKind === "scalar" && field.longAsString);
}

function fieldReader(field: DescField, planOf: (desc: DescMessage) => MessagePlan, base: Partial<JsonReadOptions>): FieldRead {
  const local = field.localName;
  if (isDelegated(field)) {
    // Well-known types with JSON forms of their own (and NullValue): protobuf-es reads the
    // field, with the recursion limit it would have left at this depth.
    const parent = field.parent;
    const name = field.name;
    return (message, json, ctx) => {
      ctx.tally += tally(json, ctx.unquoted);
      const options = { ...base, recursionLimit: recursionLimit + 1 - ctx.depth };
      mergeFromJson(parent, message as unknown as Message, { [name]: json }, options);
    };
  }
  switch (field.fieldKind) {
    case "list": {
      const item = valueReader(field, planOf, field.listKind === "scalar" && field.longAsString);
      return (message, json, ctx) => {
        if (json === null) return;
        if (!Array.isArray(json)) giveUp();
        const items = message[local] as unknown[];
        for (let i = 0; i < json.length; i++) {
          const value = json[i]!;
          screenValue(value, ctx);
          items.push(value === null ? giveUp() : item(value, ctx));
        }
      };
    }
    case "map": {
      const key = mapKeyReader(field.mapKey);
      // Map values of 64-bit types are bigints whatever the jstype, as in protobuf-es.
      const value = valueReader(field, planOf, false);
      return (message, json, ctx) => {
        if (json === null) return;
        if (!isJsonObject(json)) giveUp();
        const record = message[local] as Local;
        const keys = Object.keys(json);
        ctx.tally += keys.length;
        for (let i = 0; i < keys.length; i++) {
          const text = keys[i]!;
          ctx.tally += colonCount(text);
          const name = key(text, ctx);
          const entry = json[text]!;
          if (Object.hasOwn(record, name) || entry === null) giveUp();
          screenValue(entry, ctx);
          setOwnProperty(record, name, value(entry, ctx));
        }
      };
    }
    default: {
      const read = valueReader(field, planOf, field.fieldKind === "scalar" && field.longAsString);
      const oneof = field.oneof?.localName;
      // null unsets: a fresh message has nothing to unset.
      if (oneof !== undefined) {
        return (message, json, ctx) => {
          if (json === null) return;
          screenValue(json, ctx);
          message[oneof] = { case: local, value: read(json, ctx) };
        };
      }
      return (message, json, ctx) => {
        if (json === null) return;
        screenValue(json, ctx);
        message[local] = read(json, ctx);
      };
    }
  }
}

/**
 * What every scalar value read owes the read: a string's colons to the tally, and in text
 * not quoted yet, a refusal for a number beyond ±(2^53 - 1).
 */
function screenValue(json: JsonValue, ctx: ReadContext): void {
  if (typeof json === "string") ctx.tally += colonCount(json);
  else if (typeof json === "number" && ctx.unquoted && beyondSafeIntegers(json)) refuseUnsafe();
}

/**
 * The reader of one non-null value of a field (or of its items or map values). Callers
 * screen each value first (screenValue): only scalars take strings and numbers.
 */
function valueReader(field: DescField, planOf: (desc: DescMessage) => MessagePlan, longAsString: boolean): (json: JsonValue, ctx: ReadContext) => unknown {
  const desc = field.message;
  if (desc === undefined) return field.enum !== undefined ? enumReader(field.enum) : scalarReader(field.scalar!, longAsString);
  let plan: MessagePlan | undefined;
  return (json, ctx) => (plan ??= planOf(desc)).read(json, ctx);
}

function isDelegated(field: DescField): boolean {
  if (field.message !== undefined) return hasCustomJsonRepresentation(field.message);
  return field.enum?.typeName === "google.protobuf.NullValue";
}
