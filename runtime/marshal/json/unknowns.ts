import type { DescEnum, DescExtension, DescField, DescMessage, JsonObject, JsonValue, Registry } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation } from "@bufbuild/protobuf/wkt";
import { Code } from "../../gen/google/rpc/code_pb.js";
import { findField } from "../../field-names.js";
import { GatewayError } from "../../gateway-error.js";
import { isJsonObject, setOwnProperty } from "../../plain-object.js";

/** What {@link screenUnknowns} does besides checking enum values. */
export interface ScreenOptions {
  /** Remove the keys that name no field, as protojson's DiscardUnknown skips them. */
  readonly discardUnknown: boolean;
  /** Types that `google.protobuf.Any` values may hold: their contents are screened too. */
  readonly registry: Registry | undefined;
}

/**
 * Walks request JSON for a message of `schema` along its descriptors. Throws
 * INVALID_ARGUMENT naming the field path of the first enum value that is neither a name
 * nor an integer; returns the value without the keys that name no field when told to
 * discard them, or `json` itself when there is nothing to remove. Everything else is left
 * for protobuf-es to judge, so this runs only after a strict parse has failed.
 */
export function screenUnknowns(schema: DescMessage, json: JsonValue, options: ScreenOptions): JsonValue {
  return message({ ...options, path: [], depth: 0 }, schema, json);
}

interface Walk extends ScreenOptions {
  /** Segments of the path to the value in hand: `name`, `.name`, `[2]`, `[key]`. */
  readonly path: string[];
  depth: number;
}

// protobuf-es's own limit: deeper input fails its parse anyway, and a recursive walk of a
// hostile body nested thousands deep must not overflow the stack first.
const maxDepth = 100;

const enumNames = new WeakMap<DescEnum, Set<string>>();

type AnyField = DescField | DescExtension;

function message(w: Walk, desc: DescMessage, json: JsonValue): JsonValue {
  const isAny = desc.typeName === "google.protobuf.Any";
  // Struct, Value, wrappers, Timestamp ... have JSON forms of their own with no field keys.
  if ((!isAny && hasCustomJsonRepresentation(desc)) || !isJsonObject(json) || w.depth >= maxDepth) return json;
  w.depth++;
  const out = isAny ? any(w, json) : fields(w, desc, json, false);
  w.depth--;
  return out;
}

/** The object's keys, read as fields of `desc`; a copy only when a key goes or a value changes. */
function fields(w: Walk, desc: DescMessage, json: JsonObject, insideAny: boolean): JsonValue {
  let out: JsonObject | undefined;
  const keys = Object.keys(json);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = json[key]!;
    const field = insideAny && key === "@type" ? null : resolveKey(w, desc, key);
    let next: JsonValue | undefined = value;
    if (field === undefined) {
      if (w.discardUnknown) next = undefined;
    } else if (field !== null) {
      w.path.push(w.path.length === 0 ? fieldName(field) : `.${fieldName(field)}`);
      next = fieldValue(w, field, value);
      w.path.pop();
    }
    if (next !== value && out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) setOwnProperty(out, keys[j]!, json[keys[j]!]!);
    }
    if (out !== undefined && next !== undefined) setOwnProperty(out, key, next);
  }
  return out ?? json;
}

/**
 * The field a key names; `null` for a key protobuf-es accepts without reading (an
 * extension of another message); undefined for an unknown key.
 */
function resolveKey(w: Walk, desc: DescMessage, key: string): AnyField | null | undefined {
  // The field a JSON key names, as protobuf-es reads it.
  const field = findField(desc, key, "last-declared");
  if (field !== undefined || !key.startsWith("[") || !key.endsWith("]")) return field;
  const extension = w.registry?.getExtension(key.slice(1, -1));
  if (extension === undefined) return undefined;
  return extension.extendee.typeName === desc.typeName ? extension : null;
}

function fieldValue(w: Walk, field: AnyField, value: JsonValue): JsonValue {
  switch (field.fieldKind) {
    case "scalar":
      return value;
    case "enum":
      checkEnum(w, field.enum, value);
      return value;
    case "message":
      return message(w, field.message, value);
    case "list":
      if (!Array.isArray(value) || field.listKind === "scalar") return value;
      return items(w, value, field.listKind === "enum" ? field.enum : field.message);
    case "map":
      if (!isJsonObject(value) || field.mapKind === "scalar") return value;
      return entries(w, value, field.mapKind === "enum" ? field.enum : field.message);
  }
}

function items(w: Walk, list: JsonValue[], desc: DescEnum | DescMessage): JsonValue {
  let out: JsonValue[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    w.path.push(`[${i}]`);
    const next = element(w, desc, item);
    w.path.pop();
    if (next !== item) out ??= list.slice();
    if (out !== undefined) out[i] = next;
  }
  return out ?? list;
}

function entries(w: Walk, map: JsonObject, desc: DescEnum | DescMessage): JsonValue {
  let out: JsonObject | undefined;
  for (const key of Object.keys(map)) {
    const value = map[key]!;
    w.path.push(`[${key}]`);
    const next = element(w, desc, value);
    w.path.pop();
    // A spread copies `__proto__` as an own key, as JSON.parse made it.
    if (next !== value) out ??= { ...map };
    if (out !== undefined) setOwnProperty(out, key, next);
  }
  return out ?? map;
}

function element(w: Walk, desc: DescEnum | DescMessage, value: JsonValue): JsonValue {
  if (desc.kind === "message") return message(w, desc, value);
  checkEnum(w, desc, value);
  return value;
}

/**
 * `google.protobuf.Any`: the packed message's fields beside `@type`, or its own JSON form
 * under `value`. A type the registry does not know is left whole for protobuf-es to refuse.
 */
function any(w: Walk, json: JsonObject): JsonValue {
  if (typeof json["@type"] !== "string") return json;
  const url = json["@type"];
  const desc = w.registry?.getMessage(url.slice(url.lastIndexOf("/") + 1));
  if (desc === undefined) return json;
  if (!hasCustomJsonRepresentation(desc)) return fields(w, desc, json, true);
  if (!Object.hasOwn(json, "value")) return json;
  const value = message(w, desc, json["value"]!);
  return value === json["value"] ? json : { ...json, value };
}

// As protobuf-es reads enums: null resets, any integer is left to its range check (which
// names the field), and a string must be a value's proto or JSON name.
function checkEnum(w: Walk, desc: DescEnum, value: JsonValue): void {
  if (value === null || Number.isInteger(value)) return;
  if (typeof value === "string" && namesOf(desc).has(value)) return;
  const shown = typeof value === "object" ? (Array.isArray(value) ? "[...]" : "{...}") : JSON.stringify(value);
  throw new GatewayError(Code.INVALID_ARGUMENT, `invalid value for field "${w.path.join("")}": ${shown} is not a value of enum ${desc.typeName}`);
}

function namesOf(desc: DescEnum): Set<string> {
  let names = enumNames.get(desc);
  if (names === undefined) {
    names = new Set(desc.values.flatMap((v) => [v.name, v.jsonName]));
    enumNames.set(desc, names);
  }
  return names;
}

function fieldName(field: AnyField): string {
  return field.kind === "extension" ? `[${field.typeName}]` : field.name;
}
