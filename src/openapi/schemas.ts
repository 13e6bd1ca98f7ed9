import { getExtension, hasExtension, ScalarType, type DescEnum, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { AnySchema as anyDesc, FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { FieldBehavior, field_behavior } from "../gen/google/api/field_behavior_pb.js";
import { resource } from "../gen/google/api/resource_pb.js";
import { docText } from "./comments.js";
import { annotate, nullable, type JsonSchema } from "./json-schema.js";
import type { OpenApiOptions } from "./options.js";

/** The JSON options of the runtime's marshaler that change what its JSON looks like. */
// (emitUnpopulated changes no schema: fields with presence are nullable either way, as the
// gateway reads null as unset, and a schema cannot say a key is present in replies only.)
export type JsonShape = Pick<OpenApiOptions, "useProtoNames" | "enumsAsNumbers">;

/** The component name of the error body every operation answers with. */
export const statusComponent = "google.rpc.Status";

/**
 * Builds the JSON Schemas of messages and enums as the runtime marshals them (proto3 JSON,
 * with the gateway's JSON options), collecting one component per message or enum type
 * under its full proto name. Well-known types are written in line, as their JSON forms.
 */
export class SchemaSet {
  readonly components: Record<string, JsonSchema> = {};
  readonly #shape: JsonShape;

  constructor(shape: JsonShape) {
    this.#shape = shape;
  }

  /** The name a field is written under. */
  fieldName(field: DescField): string {
    return this.#shape.useProtoNames ? field.name : field.jsonName;
  }

  /** A schema for values of `desc`: a `$ref` for a message or enum of the user, in line for a well-known type. */
  message(desc: DescMessage): JsonSchema {
    const known = wellKnown(desc);
    if (known !== undefined) return known;
    if (!(desc.typeName in this.components)) {
      this.components[desc.typeName] = {}; // claimed first: recursive messages refer to themselves
      this.components[desc.typeName] = this.#messageSchema(desc);
    }
    return ref(desc.typeName);
  }

  /** The schema of `google.rpc.Status` as runtime/protocol/error-body.ts writes it. */
  status(): JsonSchema {
    if (!(statusComponent in this.components)) {
      this.components[statusComponent] = {
        type: "object",
        description: "The error body the gateway writes for a failed call: the gRPC status code, its message and its details.",
        properties: {
          code: { type: "integer", format: "int32", description: "The gRPC status code (google.rpc.Code), as a number." },
          message: { type: "string", description: "The status message." },
          details: { type: "array", items: this.message(anyDesc), description: "Error details (google.rpc.ErrorInfo, BadRequest, ...), each with its @type." },
        },
        required: ["code", "message", "details"],
      };
    }
    return ref(statusComponent);
  }

  /** The schema of one element of a field: the field's type, ignoring repeated, map and presence. */
  element(field: DescField): JsonSchema {
    const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind === "map" ? field.mapKind : field.fieldKind;
    switch (kind) {
      case "scalar":
        return scalarSchema(field.scalar!);
      case "enum":
        return this.enum(field.enum!);
      default:
        return this.message(field.message!);
    }
  }

  /** The schema of a field's value as the marshaler writes it: lists, maps, and null where the field has presence. */
  field(field: DescField): JsonSchema {
    switch (field.fieldKind) {
      case "list":
        return { type: "array", items: this.element(field) };
      case "map":
        return { type: "object", propertyNames: mapKeySchema(field.mapKey), additionalProperties: this.element(field) };
      default: {
        const schema = this.element(field);
        // Fields with presence are written as null when unset (emitUnpopulated), and null
        // is read as unset; an unset oneof member is left out instead.
        const present = field.fieldKind === "message" || field.presence === FeatureSet_FieldPresence.EXPLICIT;
        return present && field.oneof === undefined && !acceptsNull(schema) ? nullable(schema) : schema;
      }
    }
  }

  /** An enum's values as the marshaler writes them: names, or numbers with enumsAsNumbers. */
  enum(desc: DescEnum): JsonSchema {
    if (desc.typeName === "google.protobuf.NullValue") return { type: "null" };
    if (!(desc.typeName in this.components)) {
      const doc = docText(desc);
      const values = this.#shape.enumsAsNumbers
        ? { type: "integer", enum: desc.values.map((v) => v.number) }
        : { type: "string", enum: desc.values.map((v) => v.name) };
      this.components[desc.typeName] = annotate(values, { description: doc.text, deprecated: desc.deprecated || undefined });
    }
    return ref(desc.typeName);
  }

  #messageSchema(desc: DescMessage): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of desc.fields) {
      const name = this.fieldName(field);
      const behaviors =
        field.proto.options !== undefined && hasExtension(field.proto.options, field_behavior) ? getExtension(field.proto.options, field_behavior) : [];
      const doc = docText(field);
      const notes = [
        ...(behaviors.includes(FieldBehavior.IMMUTABLE) ? ["Immutable: set when the resource is created, never changed after."] : []),
        ...(field.oneof !== undefined
          ? [`Member of oneof ${field.oneof.name}: at most one of ${field.oneof.fields.map((f) => this.fieldName(f)).join(", ")} is set.`]
          : []),
      ];
      const description = [doc.text, ...notes].filter((t) => t !== undefined).join("\n\n");
      properties[name] = annotate(this.field(field), {
        description: description === "" ? undefined : description,
        deprecated: field.deprecated || undefined,
        readOnly: behaviors.includes(FieldBehavior.OUTPUT_ONLY) || undefined,
        writeOnly: behaviors.includes(FieldBehavior.INPUT_ONLY) || undefined,
      });
      if (behaviors.includes(FieldBehavior.REQUIRED)) required.push(name);
    }
    const doc = docText(desc);
    const res = desc.proto.options !== undefined && hasExtension(desc.proto.options, resource) ? getExtension(desc.proto.options, resource) : undefined;
    const resourceNote = res === undefined ? undefined : `Resource ${res.type}; names match ${res.pattern.map((p) => `\`${p}\``).join(" or ")}.`;
    const description = [doc.text, resourceNote].filter((t) => t !== undefined).join("\n\n");
    const oneofs = desc.oneofs.filter((o) => o.fields.length > 1);
    return annotate(
      { type: "object", properties, ...(required.length > 0 ? { required } : {}) },
      {
        title: desc.typeName,
        description: description === "" ? undefined : description,
        deprecated: desc.deprecated || undefined,
        // At most one member of each oneof: no two of its JSON keys together.
        not:
          oneofs.length === 0 ? undefined : { anyOf: oneofs.flatMap((o) => pairs(o.fields.map((f) => this.fieldName(f))).map((pair) => ({ required: pair }))) },
        "x-google-resource": res === undefined ? undefined : { type: res.type, pattern: res.pattern },
      },
    );
  }
}

function pairs(names: string[]): string[][] {
  return names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b]));
}

function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

function acceptsNull(schema: JsonSchema): boolean {
  return schema.type === "null" || (Array.isArray(schema.type) && schema.type.includes("null")) || Object.keys(schema).length === 0;
}

const int64Pattern = "^-?[0-9]+$";
const uint64Pattern = "^[0-9]+$";
const floatSpecials = { type: "string", enum: ["NaN", "Infinity", "-Infinity"] };

/** Scalars in proto3 JSON: 64-bit integers as decimal strings, bytes as base64, NaN and infinities as strings. */
export function scalarSchema(type: ScalarType): JsonSchema {
  switch (type) {
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { type: "string", format: "int64", pattern: int64Pattern };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: "string", format: "uint64", pattern: uint64Pattern };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", format: "int32", minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", format: "uint32", minimum: 0, maximum: 2 ** 32 - 1 };
    case ScalarType.DOUBLE:
      return { anyOf: [{ type: "number", format: "double" }, floatSpecials] };
    case ScalarType.FLOAT:
      return { anyOf: [{ type: "number", format: "float" }, floatSpecials] };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BYTES:
      return { type: "string", format: "byte", contentEncoding: "base64" };
  }
}

// Map keys are JSON object keys, so always strings: integers and booleans in their text form.
function mapKeySchema(type: ScalarType): JsonSchema {
  switch (type) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BOOL:
      return { enum: ["true", "false"] };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { pattern: uint64Pattern };
    default:
      return { pattern: int64Pattern };
  }
}

const wrapperScalars: Record<string, ScalarType> = {
  "google.protobuf.DoubleValue": ScalarType.DOUBLE,
  "google.protobuf.FloatValue": ScalarType.FLOAT,
  "google.protobuf.Int64Value": ScalarType.INT64,
  "google.protobuf.UInt64Value": ScalarType.UINT64,
  "google.protobuf.Int32Value": ScalarType.INT32,
  "google.protobuf.UInt32Value": ScalarType.UINT32,
  "google.protobuf.BoolValue": ScalarType.BOOL,
  "google.protobuf.StringValue": ScalarType.STRING,
  "google.protobuf.BytesValue": ScalarType.BYTES,
};

/** The JSON forms of the well-known types that have one of their own; undefined for every other message. */
export function wellKnown(desc: DescMessage): JsonSchema | undefined {
  const wrapped = wrapperScalars[desc.typeName];
  if (wrapped !== undefined) return { ...scalarSchema(wrapped), description: `${desc.typeName}: the wrapped value itself, or null.` };
  switch (desc.typeName) {
    case "google.protobuf.Timestamp":
      return { type: "string", format: "date-time", description: "RFC 3339 timestamp in UTC, e.g. 1972-01-01T10:00:20.021Z." };
    case "google.protobuf.Duration":
      return {
        type: "string",
        pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$",
        description: "Duration in seconds with up to nine fractional digits and an s suffix, e.g. 1.5s.",
      };
    case "google.protobuf.FieldMask":
      return { type: "string", description: "Field paths in lowerCamelCase, separated by commas, e.g. user.displayName,photo." };
    case "google.protobuf.Struct":
      return { type: "object", additionalProperties: true, description: "Any JSON object." };
    case "google.protobuf.Value":
      return { description: "Any JSON value." };
    case "google.protobuf.ListValue":
      return { type: "array", items: {}, description: "Any JSON array." };
    case "google.protobuf.Empty":
      return { type: "object", properties: {}, description: "An empty message: {}." };
    case "google.protobuf.Any":
      return {
        type: "object",
        properties: { "@type": { type: "string", description: "The type URL of the packed message, e.g. type.googleapis.com/google.rpc.ErrorInfo." } },
        required: ["@type"],
        additionalProperties: true,
        description: "A packed message: its @type, then its fields in proto3 JSON (or `value` for a well-known type with a JSON form of its own).",
      };
    default:
      return undefined;
  }
}
