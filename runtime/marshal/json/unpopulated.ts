import { ScalarType } from "@bufbuild/protobuf";
import type { DescField, DescMessage, JsonObject, JsonValue } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation } from "@bufbuild/protobuf/wkt";
import { isJsonObject } from "../../plain-object.js";

/** What to add for one field that protobuf-es leaves out of its output, and where to recurse. */
interface FieldFill {
  readonly key: string;
  readonly field: DescField;
  /** The value for an unset field, or undefined to leave it out (oneof members). */
  readonly absent: JsonValue | undefined;
  /** The message type to recurse into, for fields holding messages with plain JSON objects. */
  readonly nested: DescMessage | undefined;
}

const IMPLICIT = 2; // FeatureSet.FieldPresence.IMPLICIT

/**
 * protobuf-es's alwaysEmitImplicit leaves out fields with explicit presence; protojson's
 * EmitUnpopulated writes them as `null`: messages, proto3 `optional` and proto2 scalars,
 * editions fields with explicit presence alike (oneof members stay out). This fills them
 * in, at every depth, from a per-type list of such fields computed once.
 */
export function createUnpopulatedFiller(protoNames: boolean, enumsAsNumbers: boolean) {
  const plans = new WeakMap<DescMessage, FieldFill[]>();
  const planOf = (desc: DescMessage): FieldFill[] => {
    let plan = plans.get(desc);
    if (plan === undefined) {
      plan = desc.fields.map((field) => ({
        key: protoNames ? field.name : field.jsonName,
        field,
        absent: field.oneof !== undefined ? undefined : unpopulatedValue(field, enumsAsNumbers),
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
 * The JSON protojson's EmitUnpopulated writes for `field` when it is not set: `null` for a
 * field with presence, else its zero value (protobuf-go encoding/protojson, encode.go,
 * unpopulatedFieldRanger: `if fd.HasPresence() { v = protoreflect.Value{} }`, i.e. null).
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
