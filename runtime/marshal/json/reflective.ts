import { create, mergeFromJson, mergeFromJsonString, toJson } from "@bufbuild/protobuf";
import type { DescField, DescMessage, JsonObject, JsonReadOptions, JsonValue, JsonWriteOptions, Message } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { Code } from "../../gen/google/rpc/code_pb.js";
import { findField } from "../../field-names.js";
import { GatewayError } from "../../gateway-error.js";
import { isJsonObject } from "../../plain-object.js";
import type { JsonMarshalerOptions } from "./options.js";
import { createUnpopulatedFiller } from "./unpopulated.js";
import { screenUnknowns, type ScreenOptions } from "./unknowns.js";
import { withWellKnownTypes } from "./well-known.js";

/**
 * proto3 JSON through protobuf-es's reflective reader and writer: the reference that the
 * compiled reader and writer (reader.ts, writer.ts) must match, and what the
 * marshaler falls back to whenever they cannot vouch for a result.
 */
export interface ReflectiveJson {
  /** Merges request JSON (text, or a parsed object) into `target`; throws INVALID_ARGUMENT. */
  read(schema: DescMessage, target: Message, input: string | JsonObject): void;
  /** Writes `message` as JSON text, unpopulated fields included when the options say so. */
  write(schema: DescMessage, message: Message): string;
  /** Writes only the value of `field`, a list, map or scalar field of `message`. */
  writeField(schema: DescMessage, message: Message, field: DescField): string;
}

/** Creates the reflective reader and writer for the marshaler's options. */
export function createReflectiveJson(options: JsonMarshalerOptions): ReflectiveJson {
  // An Any may hold any well-known type, as protoregistry.GlobalTypes resolves them in Go.
  const registry = { registry: withWellKnownTypes(options.registry) };
  // Always strict: lenient parsing would also drop unknown enum names, which must be a 400.
  // Unknown keys are discarded on the slow path, after a strict parse has failed.
  const readOptions = { ignoreUnknownFields: false, ...registry };
  const screenOptions = { discardUnknown: options.discardUnknown ?? true, registry: registry.registry };
  const writeOptions = {
    alwaysEmitImplicit: options.emitUnpopulated ?? true,
    enumAsInteger: options.enumsAsNumbers ?? false,
    useProtoFieldName: options.useProtoNames ?? false,
    ...registry,
  };
  const fill = createUnpopulatedFiller(writeOptions.useProtoFieldName, writeOptions.enumAsInteger, writeOptions.alwaysEmitImplicit, registry.registry);

  return {
    read(schema, target, input) {
      try {
        if (typeof input === "string") mergeFromJsonString(schema, target, input, readOptions);
        else mergeFromJson(schema, target, input, readOptions);
      } catch (err) {
        if (!isUnknownFailure(err, screenOptions.discardUnknown)) throw invalidArgument(err);
        readScreened(schema, target, input, err, readOptions, screenOptions);
      }
    },
    write(schema, message) {
      const json = toJson(schema, message, writeOptions);
      if (isJsonObject(json)) fill(schema, json);
      return JSON.stringify(json);
    },
    writeField(schema, message, field) {
      return writeFieldValue(schema, message, field, writeOptions);
    },
  };
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
  if (screened === json || !isJsonObject(screened)) throw invalidArgument(failure);
  // The failed pass may have merged part of the body: clear the fields the body names so
  // that lists are not appended twice. They start unset in a request message.
  const fields = reflect(schema, target, false);
  for (const key of Object.keys(screened)) {
    const field = findField(schema, key, "last-declared");
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

/**
 * Lists, maps and scalars have no message of their own: writes a copy of the message
 * holding only this field, and takes the field's value out of it.
 */
function writeFieldValue(schema: DescMessage, message: Message, field: DescField, writeOptions: Partial<JsonWriteOptions>): string {
  const source = reflect(schema, message, false);
  const shell = reflect(schema, create(schema), false);
  if (source.isSet(field)) shell.set(field, source.get(field));
  const json = toJson(schema, shell.message, { ...writeOptions, alwaysEmitImplicit: true }) as JsonObject;
  const value = json[writeOptions.useProtoFieldName === true ? field.name : field.jsonName];
  return JSON.stringify(value ?? null);
}
