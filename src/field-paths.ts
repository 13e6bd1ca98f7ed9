import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { isTraversable } from "../runtime/internal.js";

/** A field path resolved against a message: the fields from the root down to the leaf. */
export type ResolvedFieldPath = { readonly fields: readonly DescField[] } | { readonly problem: string };

/**
 * Resolves a dotted (proto-name) field path against `root`. Every segment but the last
 * must be a message field the runtime can step into (singular, not a wrapper or Struct,
 * which protobuf-es stores unboxed), so generation fails where registration would.
 * A failure reads as a sentence about the path, e.g. `"nested.missing" does not name a
 * field of testing.v1.Scalars: testing.v1.Nested has no field "missing"`.
 */
export function resolveFieldPath(root: DescMessage, path: readonly string[]): ResolvedFieldPath {
  const quoted = `"${path.join(".")}"`;
  const fields: DescField[] = [];
  let message = root;
  for (const [index, name] of path.entries()) {
    const field = message.fields.find((f) => f.name === name);
    if (field === undefined) {
      // For a one-segment path the opening sentence already says it all.
      const detail = index === 0 ? "" : `: ${message.typeName} has no field "${name}"`;
      return { problem: `${quoted} does not name a field of ${root.typeName}${detail}` };
    }
    fields.push(field);
    if (index === path.length - 1) {
      break;
    }
    if (!isTraversable(field)) {
      const next = path[index + 1] ?? "";
      const reason = field.fieldKind === "message" ? "which binds as a whole" : "not a singular message";
      return {
        problem:
          `${quoted} does not name a field of ${root.typeName}: ` +
          `${message.typeName}.${name} is ${describeKind(field)}, ${reason}, so it has no field "${next}"`,
      };
    }
    message = field.message;
  }
  return { fields };
}

/** "a repeated field", "a map field", "a scalar field (int64)", ... for error messages. */
export function describeKind(field: DescField): string {
  switch (field.fieldKind) {
    case "list":
      return "a repeated field";
    case "map":
      return "a map field";
    case "enum":
      return `an enum field (${field.enum.typeName})`;
    case "message":
      return `a message field (${field.message.typeName})`;
    case "scalar":
      return `a scalar field (${ScalarType[field.scalar].toLowerCase()})`;
  }
}

// Message types the runtime parses from a single path segment, as it does for query
// parameters; other messages (Struct, Any, Empty, user messages) have no text form.
const scalarLikeMessages = new Set([
  "google.protobuf.Timestamp",
  "google.protobuf.Duration",
  "google.protobuf.FieldMask",
  "google.protobuf.DoubleValue",
  "google.protobuf.FloatValue",
  "google.protobuf.Int64Value",
  "google.protobuf.UInt64Value",
  "google.protobuf.Int32Value",
  "google.protobuf.UInt32Value",
  "google.protobuf.BoolValue",
  "google.protobuf.StringValue",
  "google.protobuf.BytesValue",
]);

/**
 * Why `field` cannot be the target of a path variable, or undefined if it can: path
 * variables bind one value, so the leaf must be singular and have a text form.
 */
export function pathVariableLeafProblem(field: DescField): string | undefined {
  switch (field.fieldKind) {
    case "scalar":
    case "enum":
      return undefined;
    case "list":
    case "map":
      return `names ${describeKind(field)}; path variables bind singular fields only`;
    case "message":
      if (scalarLikeMessages.has(field.message.typeName)) {
        return undefined;
      }
      return (
        `names ${describeKind(field)}; path variables bind scalars, enums, and the ` +
        `well-known types Timestamp, Duration, FieldMask and wrappers`
      );
  }
}
