import { create, mergeFromJson, mergeFromJsonString, toJson, ScalarType } from "@bufbuild/protobuf";
import type { DescField, DescMessage, JsonObject, JsonReadOptions, JsonValue, Message, Registry } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { hasCustomJsonRepresentation } from "@bufbuild/protobuf/wkt";
import { status as Code } from "@grpc/grpc-js";
import { quoteUnsafeIntegers } from "./json-integers.js";
import { GatewayError } from "./errors.js";
import { fieldForJsonKey, screenUnknowns, type ScreenOptions } from "./json-unknowns.js";
import type { Marshaler } from "./marshaler.js";

/** Options of the proto3 JSON marshaler; the defaults are grpc-gateway v2's. */
export interface JsonMarshalerOptions {
  /** Write proto field names (`int32_value`) instead of JSON names (`int32Value`). Default false. */
  readonly useProtoNames?: boolean;
  /**
   * Write fields that are not set, as protojson's EmitUnpopulated does: zero values,
   * `[]`, `{}`, and `null` for unset message fields (but not for unset oneof members).
   * Default true.
   */
  readonly emitUnpopulated?: boolean;
  /** Write enum values as numbers instead of names. Default false. */
  readonly enumsAsNumbers?: boolean;
  /** Skip unknown JSON keys in requests instead of rejecting them; unknown enum names are refused either way. Default true. */
  readonly discardUnknown?: boolean;
  /** Types that `google.protobuf.Any` values may hold, in and out. */
  readonly registry?: Registry | undefined;
}

/** Creates the `application/json` marshaler: proto3 canonical JSON via protobuf-es. */
export function createJsonMarshaler(options: JsonMarshalerOptions = {}): Marshaler {
  const registry = options.registry === undefined ? {} : { registry: options.registry };
  // Always strict: lenient parsing would also drop unknown enum names, which must be a 400.
  // Unknown keys are discarded on the slow path, after a strict parse has failed.
  const readOptions = { ignoreUnknownFields: false, ...registry };
  const screenOptions = { discardUnknown: options.discardUnknown ?? true, registry: options.registry };
  const writeOptions = {
    alwaysEmitImplicit: options.emitUnpopulated ?? true,
    enumAsInteger: options.enumsAsNumbers ?? false,
    useProtoFieldName: options.useProtoNames ?? false,
    ...registry,
  };
  const fill = writeOptions.alwaysEmitImplicit ? createUnpopulatedFiller(writeOptions.useProtoFieldName, writeOptions.enumAsInteger) : undefined;
  const decoder = new TextDecoder("utf-8", { fatal: true });

  const read = (schema: DescMessage, target: Message, input: string | JsonObject): void => {
    try {
      if (typeof input === "string") mergeFromJsonString(schema, target, input, readOptions);
      else mergeFromJson(schema, target, input, readOptions);
    } catch (err) {
      if (!isUnknownFailure(err, screenOptions.discardUnknown)) throw invalidArgument(err);
      readScreened(schema, target, input, err, readOptions, screenOptions);
    }
  };

  const write = (schema: DescMessage, message: Message): string => {
    const json = toJson(schema, message, writeOptions);
    if (fill !== undefined && isObject(json)) fill(schema, json);
    return JSON.stringify(json);
  };

  return {
    contentType: "application/json",
    unmarshal(body, schema, target, field) {
      if (body.length === 0) return;
      let text: string;
      try {
        text = decoder.decode(body);
      } catch (err) {
        throw new GatewayError(Code.INVALID_ARGUMENT, "request body is not valid UTF-8", { cause: err });
      }
      // An empty body is no error: grpc-gateway treats it as an empty message.
      if (!/\S/.test(text)) return;
      if (/\d{16}/.test(text)) text = quoteUnsafeIntegers(text);
      if (field === undefined) {
        read(schema, target, text);
      } else {
        // Parse alone first: splicing the text into a wrapper object could let a crafted
        // body close the value early and set sibling fields.
        read(schema, target, { [field.jsonName]: parse(text, schema) });
      }
    },
    marshal(schema, message, field) {
      if (field === undefined) return write(schema, message);
      const source = reflect(schema, message, false);
      if (field.fieldKind === "message") {
        // An unset message field is written as its empty message, as protojson writes a nil one.
        const child = source.get(field);
        return write(field.message, child.message);
      }
      // Lists, maps and scalars have no message of their own: write a copy of the
      // message holding only this field, and take the field's value out of it.
      const shell = reflect(schema, create(schema), false);
      if (source.isSet(field)) shell.set(field, source.get(field));
      const json = toJson(schema, shell.message, { ...writeOptions, alwaysEmitImplicit: true }) as JsonObject;
      const value = json[writeOptions.useProtoFieldName ? field.name : field.jsonName];
      return JSON.stringify(value ?? null);
    },
  };
}

function parse(text: string, schema: DescMessage): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new GatewayError(Code.INVALID_ARGUMENT, `cannot decode message ${schema.typeName} from JSON: ${(err as Error).message}`, { cause: err });
  }
}

// The two strict-parse failures the slow path handles. protobuf-es throws them as plain
// Errors that do not name the field, so only their text tells them apart; tests pin it.
const unknownKeyError = /^cannot decode message \S+ from JSON: key ".*" is unknown$/s;
const unknownEnumError = /^cannot decode enum \S+ from JSON: /;

/**
 * The slow path, after a strict parse failed on an unknown key or enum value: reports a bad
 * enum value by its field path, or parses again without the unknown keys.
 */
function readScreened(
  schema: DescMessage,
  target: Message,
  input: string | JsonObject,
  failure: unknown,
  readOptions: Partial<JsonReadOptions>,
  screenOptions: ScreenOptions,
): void {
  // protobuf-es has parsed and duplicate-checked the text already, so this cannot throw.
  const json = typeof input === "string" ? (JSON.parse(input) as JsonValue) : input;
  const screened = screenUnknowns(schema, json, screenOptions);
  if (screened === json || !isObject(screened)) throw invalidArgument(failure);
  // The failed pass may have merged part of the body: clear the fields the body names so
  // that lists are not appended twice. They start unset in a request message.
  const fields = reflect(schema, target, false);
  for (const key of Object.keys(screened)) {
    const field = fieldForJsonKey(schema, key);
    if (field !== undefined) fields.clear(field);
  }
  try {
    mergeFromJson(schema, target, screened, readOptions);
  } catch (err) {
    throw invalidArgument(err);
  }
}

/** Whether a strict parse failed on something {@link screenUnknowns} can fix or explain. */
function isUnknownFailure(err: unknown, discardUnknown: boolean): boolean {
  if (!(err instanceof Error) || err instanceof GatewayError) return false;
  return unknownEnumError.test(err.message) || (discardUnknown && unknownKeyError.test(err.message));
}

function invalidArgument(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError(Code.INVALID_ARGUMENT, err instanceof Error ? err.message : String(err), { cause: err });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What to add for one field that protobuf-es leaves out of its output, and where to recurse. */
interface FieldFill {
  readonly key: string;
  readonly field: DescField;
  /** The value for an unset field, or undefined to leave it out (oneof members). */
  readonly absent: JsonValue | undefined;
  /** The message type to recurse into, for fields holding messages with plain JSON objects. */
  readonly nested: DescMessage | undefined;
}

const PROTO2 = 998; // Edition.EDITION_PROTO2

/**
 * protobuf-es's alwaysEmitImplicit leaves out fields with explicit presence; protojson's
 * EmitUnpopulated writes them: `null` for messages (and proto2 scalars), the zero value
 * for proto3 `optional` scalars. This fills them in, at every depth, from a per-type
 * list of such fields computed once.
 */
function createUnpopulatedFiller(protoNames: boolean, enumsAsNumbers: boolean) {
  const plans = new WeakMap<DescMessage, FieldFill[]>();
  const planOf = (desc: DescMessage): FieldFill[] => {
    let plan = plans.get(desc);
    if (plan === undefined) {
      plan = desc.fields.map((field) => ({
        key: protoNames ? field.name : field.jsonName,
        field,
        absent: field.oneof !== undefined ? undefined : absentValue(field, enumsAsNumbers),
        nested: field.message !== undefined && !hasCustomJsonRepresentation(field.message) ? field.message : undefined,
      }));
      plans.set(desc, plan);
    }
    return plan;
  };
  const fill = (desc: DescMessage, json: JsonObject): void => {
    if (hasCustomJsonRepresentation(desc)) return;
    for (const f of planOf(desc)) {
      const value = json[f.key];
      if (value === undefined) {
        if (f.absent !== undefined) json[f.key] = f.absent;
      } else if (f.nested !== undefined) {
        if (f.field.fieldKind === "list" && Array.isArray(value)) {
          for (const item of value) if (isObject(item)) fill(f.nested, item);
        } else if (f.field.fieldKind === "map" && isObject(value)) {
          for (const item of Object.values(value)) if (isObject(item)) fill(f.nested, item);
        } else if (isObject(value)) {
          fill(f.nested, value);
        }
      }
    }
  };
  return fill;
}

function absentValue(field: DescField, enumsAsNumbers: boolean): JsonValue | undefined {
  switch (field.fieldKind) {
    case "message":
      return null;
    case "list":
      return [];
    case "map":
      return {};
    case "enum": {
      if (field.parent.file.edition === PROTO2) return null;
      const zero = field.enum.values.find((v) => v.number === 0);
      return enumsAsNumbers || zero === undefined ? 0 : zero.jsonName;
    }
    case "scalar":
      if (field.parent.file.edition === PROTO2) return null;
      switch (field.scalar) {
        case ScalarType.STRING:
        case ScalarType.BYTES:
          return "";
        case ScalarType.BOOL:
          return false;
        case ScalarType.INT64:
        case ScalarType.UINT64:
        case ScalarType.SINT64:
        case ScalarType.FIXED64:
        case ScalarType.SFIXED64:
          return "0";
        default:
          return 0;
      }
  }
}
