import { toJson } from "@bufbuild/protobuf";
import type { DescField, DescMessage, JsonWriteOptions, Message, Registry } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation, isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { isObjectLike } from "../../plain-object.js";
import { hasExplicitPresence, implicitZeroTest, LEGACY_REQUIRED } from "../presence.js";
import { generatedFunction, generatesFor, heldIn, propertyRead, unpacked } from "../generated-code.js";
import { giveUp } from "./scalars.js";
import { emittedWhenUnset, unpopulatedValue } from "./unpopulated.js";
import { enumText, quote, scalarText, structText, type ValueText } from "./value-text.js";

/** What the compiled writer takes from the marshaler's options. */
export interface JsonWriterOptions {
  readonly useProtoNames: boolean;
  readonly emitUnpopulated: boolean;
  readonly enumsAsNumbers: boolean;
  readonly registry: Registry | undefined;
}

/**
 * Replies written as JSON text by code compiled once per message type: character for
 * character the text of protobuf-es's toJson, the unpopulated-field filler and
 * JSON.stringify, i.e. fields in number order, then the unset fields with explicit
 * presence in declaration order.
 */
export interface JsonWriter {
  /** The JSON text of `message`, or undefined where protobuf-es must write it (or throw). */
  write(schema: DescMessage, message: Message): string | undefined;
  /** The text of one value of `field` as protobuf-es holds it (throws where protobuf-es must write it). */
  valueTextOf(field: DescField): ValueText;
}

/** Creates a compiled writer; its per-type plans are cached with it. */
export function createJsonWriter(options: JsonWriterOptions): JsonWriter {
  const plans = new WeakMap<DescMessage, MessagePlan>();
  const writeOptions: Partial<JsonWriteOptions> = {
    alwaysEmitImplicit: options.emitUnpopulated,
    enumAsInteger: options.enumsAsNumbers,
    useProtoFieldName: options.useProtoNames,
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  };
  const compiler: Compiler = { options, writeOptions, planOf: (desc) => plans.get(desc) ?? compileMessage(desc, plans, compiler) };
  return {
    write(schema, message) {
      if (hasCustomJsonRepresentation(schema)) return undefined;
      try {
        return writeMessage(compiler.planOf(schema), message as unknown as Local, options.registry);
      } catch {
        // Whatever went wrong, protobuf-es writes the same message again, or throws.
        return undefined;
      }
    },
    valueTextOf: (field) => valueText(field, compiler),
  };
}

/** A message as its properties, to read fields by local name. */
type Local = Record<string, unknown>;

interface Compiler {
  readonly options: JsonWriterOptions;
  readonly writeOptions: Partial<JsonWriteOptions>;
  readonly planOf: (desc: DescMessage) => MessagePlan;
}

interface MessagePlan {
  readonly desc: DescMessage;
  /** Output keys the writer cannot produce exactly as the filler does (see compileMessage). */
  unsupported: boolean;
  /** Fields in number order, as protobuf-es writes them. */
  readonly fields: FieldPlan[];
  /** Fields with explicit presence outside oneofs, in declaration order, as the filler adds them. */
  readonly unpopulated: FieldPlan[];
  /** The message's JSON object, once its checks are made (see messageBody). */
  body: (message: Local) => string;
}

interface FieldPlan {
  readonly local: string;
  /** The property the field's value is read from: its own, or its oneof's. */
  readonly read: string;
  /** `"name":` */
  readonly key: string;
  /** The field's JSON text from the value read, or undefined to leave it out. */
  readonly text: (value: unknown, message: Local) => string | undefined;
  /** The JSON text written for the field when it is not set. */
  readonly absent: string;
}

function compileMessage(desc: DescMessage, plans: WeakMap<DescMessage, MessagePlan>, c: Compiler): MessagePlan {
  const plan: MessagePlan = { desc, unsupported: false, fields: [], unpopulated: [], body: giveUp };
  // Registered first: recursive types find it instead of compiling again.
  plans.set(desc, plan);
  const keys = new Set<string>();
  const explicit = new Set<DescField>();
  for (const field of [...desc.fields].sort((a, b) => a.number - b.number)) {
    const name = c.options.useProtoNames ? field.name : field.jsonName;
    // The filler looks keys up on a plain object, and object keys that look like array
    // indexes come first: such names (and duplicates) are left to the slow path.
    if (name in Object.prototype || /^(?:0|[1-9]\d*)$/.test(name) || keys.has(name)) plan.unsupported = true;
    keys.add(name);
    const entry: FieldPlan = {
      local: field.localName,
      read: heldIn(field),
      key: `${JSON.stringify(name)}:`,
      text: fieldText(field, c),
      absent: JSON.stringify(unpopulatedValue(field, c.options.enumsAsNumbers)),
    };
    plan.fields.push(entry);
    if (hasExplicitPresence(field)) explicit.add(field);
  }
  if (c.options.emitUnpopulated) {
    for (const field of desc.fields)
      if (explicit.has(field) && emittedWhenUnset(field)) plan.unpopulated.push(plan.fields.find((f) => f.local === field.localName)!);
  }
  plan.body = messageBody(plan.fields, plan.unpopulated);
  return plan;
}

/**
 * The fields' text between braces: code generated for the type where node allows it (each
 * field read by name at a site of its own, see generated-code.ts), a loop otherwise.
 */
function messageBody(fields: readonly FieldPlan[], unpopulated: readonly FieldPlan[]): (message: Local) => string {
  if (generatesFor(fields.length)) {
    const lines = fields.map((f, i) => {
      const key = JSON.stringify(f.key);
      return `  text = f${i}.text(${propertyRead("message", f.read)}, message);
  if (text !== undefined) out += out.length === 1 ? ${key} + text : ${JSON.stringify(`,${f.key}`)} + text;`;
    });
    for (const f of unpopulated) {
      const value = propertyRead("message", f.local);
      lines.push(`  if (${value} === undefined || !Object.hasOwn(message, ${JSON.stringify(f.local)}))
    out += out.length === 1 ? ${JSON.stringify(f.key + f.absent)} : ${JSON.stringify(`,${f.key}${f.absent}`)};`);
    }
    return generatedFunction<(f: readonly FieldPlan[]) => (message: Local) => string>(
      ["f"],
      `${unpacked("f", "f", fields.length)}
return function body(message) {
  let out = "{";
  let text;
${lines.join("\n")}
  return out + "}";
};`,
    )(fields);
  }
  return (message) => {
    let out = "{";
    for (const field of fields) {
      const text = field.text(message[field.read], message);
      if (text !== undefined) out += out.length === 1 ? field.key + text : `,${field.key}${text}`;
    }
    for (const field of unpopulated) {
      if (isSet(message, field.local)) continue;
      out += out.length === 1 ? field.key + field.absent : `,${field.key}${field.absent}`;
    }
    return `${out}}`;
  };
}

function writeMessage(plan: MessagePlan, message: Local, registry: Registry | undefined): string {
  const desc = plan.desc;
  if (plan.unsupported || (message.$typeName !== desc.typeName && desc.fields.length > 0)) giveUp();
  // protobuf-es writes unknown fields the registry knows as extensions.
  if (registry !== undefined && message.$unknown !== undefined) {
    for (const unknown of message.$unknown as { no: number }[]) if (registry.getExtensionFor(desc, unknown.no) !== undefined) giveUp();
  }
  return plan.body(message);
}

function fieldText(field: DescField, c: Compiler): FieldPlan["text"] {
  const local = field.localName;
  const emitUnpopulated = c.options.emitUnpopulated;
  switch (field.fieldKind) {
    case "list": {
      const item = valueText(field, c);
      return (items) => {
        if (!Array.isArray(items)) giveUp();
        if (items.length === 0) return emitUnpopulated ? "[]" : undefined;
        let out = `[${item(items[0])}`;
        for (let i = 1; i < items.length; i++) out += `,${item(items[i])}`;
        return `${out}]`;
      };
    }
    case "map": {
      const value = valueText(field, c);
      return (record) => {
        if (!isObjectLike(record)) giveUp();
        const keys = Object.keys(record);
        if (keys.length === 0) return emitUnpopulated ? "{}" : undefined;
        let out = "{";
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          out += `${i === 0 ? "" : ","}${quote(key)}:${value(record[key])}`;
        }
        return `${out}}`;
      };
    }
  }
  const text = valueText(field, c);
  if (field.oneof !== undefined) {
    // The value read is the oneof's: the field's text when the oneof holds this field.
    return (value) => {
      const selected = value as { case: unknown; value: unknown };
      return selected.case === local ? text(selected.value) : undefined;
    };
  }
  if (hasExplicitPresence(field)) {
    const required = field.presence === LEGACY_REQUIRED;
    return (value, message) => {
      if (value !== undefined && Object.hasOwn(message, local)) return text(value);
      // protobuf-es refuses to write a proto2 message with a required field unset.
      return required ? giveUp() : undefined;
    };
  }
  const isZero = implicitZeroTest(field);
  return (value) => (!emitUnpopulated && isZero(value) ? undefined : text(value));
}

// Explicit presence, as protobuf-es sees it: an own property that is not undefined
// (proto2 defaults live on the prototype).
function isSet(message: Local, local: string): boolean {
  return message[local] !== undefined && Object.hasOwn(message, local);
}

/** The text of one value of a field (a singular value, a list item or a map value). */
function valueText(field: DescField, c: Compiler): ValueText {
  if (field.enum !== undefined) return enumText(field.enum, c.options.enumsAsNumbers);
  const desc = field.message;
  if (desc === undefined) return scalarText(field.scalar!);
  // A set Any is left to the reflective path, which fills its packed message (unpopulated.ts).
  if (desc.typeName === "google.protobuf.Any") return giveUp;
  if (!hasCustomJsonRepresentation(desc)) {
    let plan: MessagePlan | undefined;
    return (value) => writeMessage((plan ??= c.planOf(desc)), value as Local, c.options.registry);
  }
  // Struct fields hold a JSON object rather than a message, except inside Value.
  if (desc.typeName === "google.protobuf.Struct" && field.parent.typeName !== "google.protobuf.Value") return structText;
  // Singular wrapper fields outside oneofs hold the wrapped value itself.
  if (field.fieldKind === "message" && field.oneof === undefined && isWrapperDesc(desc)) return scalarText(desc.fields[0]!.scalar!);
  return (value) => JSON.stringify(toJson(desc, value as Message, c.writeOptions));
}
