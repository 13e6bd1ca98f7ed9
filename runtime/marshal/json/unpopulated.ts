import { ScalarType } from "@bufbuild/protobuf";
import type { DescField, DescMessage, JsonObject, JsonValue, Registry } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation } from "@bufbuild/protobuf/wkt";
import { isJsonObject } from "../../plain-object.js";
import { IMPLICIT } from "../presence.js";

/** What to add for one field that protobuf-es leaves out of its output, and where to recurse. */
interface FieldFill {
  readonly key: string;
  readonly field: DescField;
  /** The value for an unset field, or undefined to leave it out (oneof members, or not emitting). */
  readonly absent: JsonValue | undefined;
  /** The message type to recurse into, for fields holding messages with plain JSON objects, or an Any. */
  readonly nested: DescMessage | undefined;
}

const ANY = "google.protobuf.Any";

/**
 * protobuf-es's alwaysEmitImplicit leaves out fields with explicit presence; protojson's
 * EmitUnpopulated writes them as `null`: messages, proto3 `optional` and proto2 scalars,
 * editions fields with explicit presence alike (oneof members stay out). This fills them
 * in, at every depth, from a per-type list of such fields computed once (with
 * `emitUnpopulated` false it adds nothing and only fixes up `Any` values).
 *
 * Inside an `Any`, the packed message is filled like any other (protojson marshals it
 * with the same options) and `@type` is moved first, where protojson writes it
 * (encoding/protojson/encode.go, typeURLFieldRanger). An `Empty` stays `{"@type": ...}`:
 * protojson gives it no custom JSON form (well_known_types.go, wellKnownTypeMarshaler), so
 * it is not wrapped in `"value"` (reading accepts both).
 */
export function createUnpopulatedFiller(protoNames: boolean, enumsAsNumbers: boolean, emitUnpopulated: boolean, registry: Registry) {
  const plans = new WeakMap<DescMessage, FieldFill[]>();
  const planOf = (desc: DescMessage): FieldFill[] => {
    let plan = plans.get(desc);
    if (plan === undefined) {
      plan = desc.fields.map((field) => ({
        key: protoNames ? field.name : field.jsonName,
        field,
        absent: !emitUnpopulated || !emittedWhenUnset(field) ? undefined : unpopulatedValue(field, enumsAsNumbers),
        nested: field.message !== undefined && (field.message.typeName === ANY || !hasCustomJsonRepresentation(field.message)) ? field.message : undefined,
      }));
      plans.set(desc, plan);
    }
    return plan;
  };
  const fillAny = (json: JsonObject): void => {
    const url = json["@type"];
    if (typeof url !== "string") return;
    const packed = registry.getMessage(url.slice(url.lastIndexOf("/") + 1));
    if (packed === undefined) return;
    if (packed.typeName === ANY) {
      const value = json.value;
      if (isJsonObject(value)) fillAny(value);
    } else if (!hasCustomJsonRepresentation(packed)) {
      fill(packed, json);
    }
    // protobuf-es writes "@type" last; protojson first.
    const keys = Object.keys(json);
    if (keys[0] === "@type") return;
    const entries = keys.map((key) => [key, json[key]] as const);
    for (const key of keys) delete json[key];
    json["@type"] = url;
    for (const [key, value] of entries) if (key !== "@type") json[key] = value as JsonValue;
  };
  const fill = (desc: DescMessage, json: JsonObject): void => {
    if (desc.typeName === ANY) return fillAny(json);
    if (hasCustomJsonRepresentation(desc)) return;
    for (const f of planOf(desc)) {
      const value = json[f.key];
      if (value === undefined) {
        if (f.absent !== undefined) json[f.key] = f.absent;
      } else if (f.nested !== undefined) {
        if (f.field.fieldKind === "list" && Array.isArray(value)) {
          for (const item of value) if (isJsonObject(item)) fill(f.nested, item);
        } else if (f.field.fieldKind === "map" && isJsonObject(value)) {
          for (const item of Object.values(value)) if (isJsonObject(item)) fill(f.nested, item);
        } else if (isJsonObject(value)) {
          fill(f.nested, value);
        }
      }
    }
  };
  return fill;
}

/**
 * Whether protojson's EmitUnpopulated writes `field` when it is not set. It skips every
 * field inside a oneof, the synthetic oneof of a proto3 `optional` included
 * (encoding/protojson encode.go, unpopulatedFieldRanger: `fd.ContainingOneof() != nil`), so
 * an unset proto3 optional stays out; proto2 optional and editions explicit presence have
 * no oneof and are written (as null, see unpopulatedValue).
 */
export function emittedWhenUnset(field: DescField): boolean {
  return field.oneof === undefined && field.proto.proto3Optional !== true;
}

/**
 * The JSON protojson's EmitUnpopulated writes for `field` when it is not set (and
 * emittedWhenUnset): `null` for a field with presence, else its zero value
 * (unpopulatedFieldRanger: `if fd.HasPresence() { v = protoreflect.Value{} }`).
 */
export function unpopulatedValue(field: DescField, enumsAsNumbers: boolean): JsonValue {
  if ((field.fieldKind === "scalar" || field.fieldKind === "enum") && field.presence !== IMPLICIT) return null;
  switch (field.fieldKind) {
    case "message":
      return null;
    case "list":
      return [];
    case "map":
      return {};
    case "enum": {
      const zero = field.enum.values.find((v) => v.number === 0);
      return enumsAsNumbers || zero === undefined ? 0 : zero.jsonName;
    }
    case "scalar":
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
