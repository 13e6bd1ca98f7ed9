import { create, ScalarType, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { findField } from "../field-names.js";
import { FieldValueError } from "./field-text.js";

/** The fields from a message down to one (nested) field: `nested.child.name` as three fields. */
export type FieldPath = readonly DescField[];

/**
 * Whether a path may step into `field`: a singular message field, except wrappers and
 * Struct, which protobuf-es stores unboxed (a primitive, a plain object), so there is
 * no message in place to write into.
 */
export function isTraversable(field: DescField): field is DescField & { fieldKind: "message" } {
  return field.fieldKind === "message" && !isWrapperDesc(field.message) && field.message.typeName !== "google.protobuf.Struct";
}

/** Why a path of field names does not resolve; `index` is the position in the path where it stops. */
export type FieldPathProblem =
  /** The name at `index` is no field of `message`. */
  | { readonly kind: "no-field"; readonly index: number; readonly message: DescMessage }
  /** The field at `index` (the last one resolved) has names after it, but a path cannot step into it. */
  | { readonly kind: "not-traversable"; readonly index: number };

/** A path resolved as far as it goes: the fields found, and what stopped it, if anything. */
export interface FieldPathResolution {
  readonly fields: readonly DescField[];
  readonly problem: FieldPathProblem | undefined;
}

/**
 * Resolves a path of proto field names, as `google.api.http` rules write them, against
 * `root`: each name is a field of the message before it, and every field but the last one
 * a message field the path can step into ({@link isTraversable}). The rule the plugin
 * checks at generation and the runtime at registration; each words the problem its way.
 */
export function walkFieldPath(root: DescMessage, names: readonly string[]): FieldPathResolution {
  const fields: DescField[] = [];
  let message = root;
  for (const [index, name] of names.entries()) {
    const field = findField(message, name, "proto");
    if (field === undefined) return { fields, problem: { kind: "no-field", index, message } };
    fields.push(field);
    if (index === names.length - 1) break;
    if (!isTraversable(field)) return { fields, problem: { kind: "not-traversable", index } };
    message = field.message;
  }
  return { fields, problem: undefined };
}

/**
 * Resolves a dotted path of proto field names, as written in a `google.api.http` rule,
 * into its fields. Throws an Error saying which segment is wrong; meant for registration
 * time, where a bad rule is a programming error.
 */
export function resolveFieldPath(schema: DescMessage, path: string): DescField[] {
  const names = path.split(".");
  const { fields, problem } = walkFieldPath(schema, names);
  if (problem === undefined) return [...fields];
  const why =
    problem.kind === "no-field" ? `${problem.message.typeName} has no field "${names[problem.index]}"` : `"${fieldPathString(fields)}" is not a message field`;
  throw new Error(`field path "${path}" of ${schema.typeName}: ${why}`);
}

/** The proto-name spelling of a path, e.g. `nested.child.name`. */
export function fieldPathString(path: FieldPath): string {
  return path.map((f) => f.name).join(".");
}

/**
 * The message that holds the last field of `path`, starting at `root` and creating every
 * message on the way that is not set yet. Refuses to step into a oneof member when the
 * oneof already holds another member, since creating it would silently drop that value.
 */
export function parentMessage(root: ReflectMessage, path: FieldPath): ReflectMessage {
  let current = root;
  for (let i = 0; i < path.length - 1; i++) {
    const field = path[i]!;
    if (!isTraversable(field)) throw new FieldValueError(`"${field.name}" is not a message field`);
    if (current.isSet(field)) {
      current = current.get(field);
      continue;
    }
    assertOneofFree(current, field);
    const child = reflect(field.message, undefined, false);
    current.set(field, child);
    current = child;
  }
  return current;
}

// Throws when `field` is a oneof member and the oneof already holds a different member.
function assertOneofFree(message: ReflectMessage, field: DescField): void {
  if (field.oneof === undefined) return;
  const chosen = message.oneofCase(field.oneof);
  if (chosen !== undefined && chosen !== field) {
    throw new FieldValueError(`oneof "${field.oneof.name}" already has "${chosen.name}" set`);
  }
}

/**
 * Sets one value on the field `field` of `message`: replaces a singular field, appends to
 * a list. Values come in the shapes `ReflectMessage.set` takes (bigint for 64-bit
 * integers, a ReflectMessage for message fields), as produced by field-text.ts.
 */
export function setFieldValue(message: ReflectMessage, field: DescField, value: unknown): void {
  if (field.fieldKind === "list") {
    message.get(field).add(value);
    return;
  }
  assertOneofFree(message, field);
  message.set(field, value);
}

/**
 * Writes one converted value (as {@link setFieldValue} takes it) at the end of a path,
 * straight into protobuf-es's plain message objects, creating unset messages on the way.
 */
export type DirectSetter = (root: Message, value: unknown) => void;

/**
 * A setter compiled once for `path` that does what parentMessage + setFieldValue do,
 * without a ReflectMessage per message, per call: the request path of nearly every route.
 * Only for the shapes where that is the whole story: every step a singular message field
 * (wrappers and Struct excluded, as in {@link isTraversable}) and nothing on the way or at
 * the end a oneof member, ending in a scalar or enum, or a list of them (appended to).
 * Undefined otherwise (oneofs, maps, message values), for the reflective path.
 */
export function directSetter(path: FieldPath): DirectSetter | undefined {
  const leaf = path[path.length - 1];
  if (leaf === undefined || leaf.oneof !== undefined) return undefined;
  const steps: { readonly name: string; readonly schema: DescMessage }[] = [];
  for (const field of path.slice(0, -1)) {
    if (!isTraversable(field) || field.oneof !== undefined) return undefined;
    steps.push({ name: field.localName, schema: field.message });
  }
  const kind = leaf.fieldKind === "list" ? leaf.listKind : leaf.fieldKind;
  if (kind !== "scalar" && kind !== "enum") return undefined;
  const name = leaf.localName;
  // As protobuf-es stores them: 64-bit integers as strings when the field says so (jstype).
  const asString = leaf.scalar !== undefined && isLong(leaf.scalar) && "longAsString" in leaf && leaf.longAsString;
  const list = leaf.fieldKind === "list";
  return (root, value) => {
    let target = root as unknown as Record<string, unknown>;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      let next = target[step.name] as Record<string, unknown> | undefined;
      if (next === undefined) target[step.name] = next = create(step.schema) as unknown as Record<string, unknown>;
      target = next;
    }
    const local = asString ? String(value) : value;
    if (list) (target[name] as unknown[]).push(local);
    else target[name] = local;
  };
}

function isLong(scalar: ScalarType): boolean {
  switch (scalar) {
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return true;
    default:
      return false;
  }
}
