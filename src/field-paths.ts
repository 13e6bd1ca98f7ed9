import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { pathVariableRefusal, walkFieldPath } from "grpc-gateway-express/internal";

/** A field path checked against a message: the fields from the root down to the leaf, or why it names none. */
export type CheckedFieldPath = { readonly fields: readonly DescField[] } | { readonly problem: string };

/**
 * Resolves a dotted (proto-name) field path against `root` by the runtime's own rule
 * (every segment but the last a message field the runtime can step into: singular, not
 * a wrapper or Struct, which protobuf-es stores unboxed), so generation fails where
 * registration would. A failure reads as a sentence about the path, e.g. `"nested.missing"
 * does not name a field of testing.v1.Scalars: testing.v1.Nested has no field "missing"`.
 */
export function checkFieldPath(root: DescMessage, path: readonly string[]): CheckedFieldPath {
  const { fields, problem } = walkFieldPath(root, path);
  if (problem === undefined) {
    return { fields };
  }
  const opening = `"${path.join(".")}" does not name a field of ${root.typeName}`;
  if (problem.kind === "no-field") {
    // For a one-segment path the opening sentence already says it all.
    const detail = problem.index === 0 ? "" : `: ${problem.message.typeName} has no field "${path[problem.index]}"`;
    return { problem: opening + detail };
  }
  const field = fields[problem.index]!;
  const reason = field.fieldKind === "message" ? "which binds as a whole" : "not a singular message";
  const next = path[problem.index + 1] ?? "";
  return {
    problem: `${opening}: ${field.parent.typeName}.${field.name} is ${describeKind(field)}, ${reason}, so it has no field "${next}"`,
  };
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

/**
 * Why `field` cannot be the target of a path variable, or undefined if it can, by the
 * runtime's own rule (pathVariableRefusal): a singular field with a text form, or a
 * repeated scalar or enum, which takes a comma-separated list.
 */
export function pathVariableLeafProblem(field: DescField): string | undefined {
  switch (pathVariableRefusal(field)) {
    case undefined:
      return undefined;
    case "map":
      return `names ${describeKind(field)}; path variables bind singular fields and repeated scalars or enums only`;
    case "message-list":
      return `names a repeated field of messages (${field.message!.typeName}); a repeated path variable takes a comma-separated list of scalars or enums`;
    case "message":
    case "json-message":
      return `names ${describeKind(field)}; path variables bind scalars, enums, and the well-known types Timestamp, Duration, FieldMask and wrappers`;
  }
}
