import { create, ScalarType, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { FieldMaskSchema, hasCustomJsonRepresentation, type FieldMask } from "@bufbuild/protobuf/wkt";
import { FRAME_PREFIX_BYTES } from "../backend/backend.js";
import { scalarOf } from "../marshal/binary/scalars.js";
import { BinarySink } from "../marshal/binary/sink.js";
import { transcodersOf } from "../marshal/transcode/marshaler-transcoders.js";
import { LEGACY_REQUIRED } from "../marshal/presence.js";
import { findField } from "../field-names.js";
import { GatewayError } from "../gateway-error.js";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { Marshaler } from "../marshal/marshaler.js";
import { isJsonObject } from "../plain-object.js";
import type { HttpRoute } from "../route.js";
import { fieldPathsOf, parsePathTemplate } from "../routing/path-template.js";
import { directSetter, fieldPathString, isTraversable, parentMessage, resolveFieldPath, setFieldValue, type DirectSetter } from "./field-path.js";
import { FieldValueError, valueConverter, type TextConverter } from "./field-text.js";
import { pathVariableRefusal, type PathVariableRefusal } from "./path-variable.js";
import { compileQueryBinder, type QueryBinder, type QueryBindingOptions } from "./query.js";

/** How requests bind to messages; shared by every route of a gateway. Only the query side has options. */
export type BindingOptions = QueryBindingOptions;

/** What one request brings to binding. */
export interface BindingInput {
  /** Path variables by their dotted proto field path, values already percent-decoded. */
  readonly pathParams: Readonly<Record<string, string>>;
  /** The query string without `?`, still encoded. */
  readonly rawQuery: string;
  /** The request body, or undefined when the request had none. */
  readonly body: Uint8Array | undefined;
  /** The marshaler chosen for the request's Content-Type. */
  readonly marshaler: Marshaler;
}

/** A route's recipe for its request message, compiled once at registration. */
export interface BindingPlan {
  /** The request message type. */
  readonly schema: DescMessage;
  /**
   * Builds the request message: the body per the rule's `body`, then path variables
   * (which win over the body, as in grpc-gateway), then query parameters for fields
   * neither bound (none at all when `body` is `*`). Throws GatewayError(INVALID_ARGUMENT).
   */
  bind(input: BindingInput): Message;
  /**
   * Present where the route can be bound without the message (`body: "*"`, path variables
   * that set singular fields outside oneofs, no PATCH mask): the request as one gRPC frame,
   * its first FRAME_PREFIX_BYTES left for the prefix: the body transcoded by its marshaler and the
   * path variables after it (a later field wins on the wire, as they win over the body here); undefined where the marshaler does not
   * vouch, or a path variable's text does not convert: `bind` then reads it, and gives any error.
   */
  readonly frame?: (input: BindingInput) => Buffer | undefined;
}

interface PathVariable {
  readonly name: string;
  readonly path: readonly DescField[];
  readonly leaf: DescField;
  readonly convert: TextConverter;
  /** Writes a singular value without reflection, when the path allows (see directSetter). */
  readonly set: DirectSetter | undefined;
}

/** Compiles the binding of `route`; throws an Error naming the route when its rule cannot bind. */
export function compileBinding(route: HttpRoute, options: BindingOptions = {}): BindingPlan {
  const schema = route.method.input;
  const fail = (why: string) => new Error(`cannot bind ${route.httpMethod} ${route.path} to ${route.method.parent.typeName}.${route.method.name}: ${why}`);
  const resolve = (path: string) => {
    try {
      return resolveFieldPath(schema, path);
    } catch (err) {
      throw fail((err as Error).message);
    }
  };

  // The one template grammar names the variables (the router parsed the same text).
  const variables = fieldPathsOf(parsePathTemplate(route.path)).map((name): PathVariable => {
    const path = resolve(name);
    const leaf = path[path.length - 1]!;
    const refusal = pathVariableRefusal(leaf);
    if (refusal !== undefined) throw fail(`path variable "${name}" ${refusals[refusal]}`);
    // Every field a path variable may bind has a converter.
    const convert = valueConverter(leaf)!;
    // A repeated variable replaces the list (setPathVariable), which the setter does not do.
    return { name, path, leaf, convert, set: leaf.fieldKind === "list" ? undefined : directSetter(path) };
  });
  const separator = route.repeatedPathSeparator ?? ",";
  if (separator.length !== 1) throw fail(`repeatedPathSeparator must be one character, got ${JSON.stringify(separator)}`);
  const bodyRule = route.body ?? "";
  const bodyPath = bodyRule === "" || bodyRule === "*" ? undefined : resolve(bodyRule);
  const bodyLeaf = bodyPath?.[bodyPath.length - 1];

  const bound = variables.map((v) => fieldPathString(v.path));
  if (bodyPath !== undefined) bound.push(fieldPathString(bodyPath));
  const query: QueryBinder | undefined = bodyRule === "*" ? undefined : compileQueryBinder(schema, bound, options);
  // grpc-gateway's allow_patch_feature, on unless the route turns it off: an empty FieldMask
  // filled from the body's JSON keys.
  const patchMask = route.httpMethod === "PATCH" && route.patchFieldMask !== false ? patchMaskField(schema, bodyPath) : undefined;

  const framed = bodyRule === "*" && patchMask === undefined ? frameWriter(schema, variables) : undefined;
  return {
    schema,
    ...(framed === undefined ? {} : { frame: framed }),
    bind({ pathParams, rawQuery, body, marshaler }) {
      // The plain message, with a ReflectMessage over it only for the paths that need one
      // (a field body, oneofs, maps, message values, the PATCH mask): most requests never do.
      const message = create(schema);
      let reflected: ReflectMessage | undefined;
      const root = () => (reflected ??= reflect(schema, message, false));
      if (body !== undefined) {
        if (bodyRule === "*") {
          marshaler.unmarshal(body, schema, message);
        } else if (bodyPath !== undefined) {
          let parent: ReflectMessage;
          try {
            parent = parentMessage(root(), bodyPath);
          } catch (err) {
            throw badRequest(err, "body field", bodyRule);
          }
          marshaler.unmarshal(body, parent.desc, parent.message, bodyLeaf);
        }
      }
      for (let i = 0; i < variables.length; i++) {
        const v = variables[i]!;
        const text = pathParams[v.name];
        if (text === undefined) continue;
        try {
          if (v.set !== undefined) v.set(message, v.convert(text));
          else setPathVariable(root(), v, text, separator);
        } catch (err) {
          throw badRequest(err, "path variable", v.name);
        }
      }
      if (query !== undefined && rawQuery !== "") query.bind(rawQuery, reflected ?? message);
      if (patchMask !== undefined && body !== undefined && body.length > 0) fillPatchMask(root(), patchMask, body);
      return message;
    },
  };
}

/**
 * The route's frame writer (see BindingPlan.frame), or undefined when the message has required
 * fields, or a path variable needs the message: a list (which the variable replaces), or a
 * field on a path through a oneof (which setting it may switch), a group, or a well-known type
 * held in another shape.
 */
function frameWriter(schema: DescMessage, variables: readonly PathVariable[]): ((input: BindingInput) => Buffer | undefined) | undefined {
  // Required fields are the encoder's to check (it refuses a message without them), in the
  // message and in any a path variable creates.
  const requires = (desc: DescMessage) => desc.fields.some((f) => f.presence === LEGACY_REQUIRED);
  if (requires(schema) || variables.some((v) => v.path.some((f) => f.message !== undefined && requires(f.message)))) return undefined;
  const writers: ((sink: BinarySink, text: string) => void)[] = [];
  for (const v of variables) {
    if (v.leaf.fieldKind !== "scalar" && v.leaf.fieldKind !== "enum") return undefined;
    const outer = v.path.slice(0, -1);
    if (
      v.path.some((f) => f.oneof !== undefined) ||
      outer.some((f) => f.fieldKind !== "message" || f.delimitedEncoding || hasCustomJsonRepresentation(f.message))
    )
      return undefined;
    const tags = outer.map((f) => f.number * 8 + 2);
    const leaf = scalarOf(v.leaf.fieldKind === "enum" ? ScalarType.INT32 : v.leaf.scalar, v.leaf.number);
    const convert = v.convert;
    writers.push((sink, text) => {
      const value = convert(text);
      const starts: number[] = [];
      for (const tag of tags) {
        sink.varint(tag);
        starts.push(sink.open());
      }
      // Written even when zero: it must replace whatever the body set.
      sink.value(leaf, value);
      for (let i = starts.length - 1; i >= 0; i--) sink.close(starts[i]!);
    });
  }
  const names = variables.map((v) => v.name);
  return ({ pathParams, body, marshaler }) => {
    const transcoder = transcodersOf(marshaler)?.body;
    if (transcoder === undefined) return undefined;
    const sink = new BinarySink((body?.length ?? 0) + 64, FRAME_PREFIX_BYTES);
    // An empty body is an empty message, as unmarshal reads it.
    if (body !== undefined && body.length > 0 && !transcoder.transcode(body, schema, sink)) return undefined;
    try {
      for (let i = 0; i < writers.length; i++) {
        const text = pathParams[names[i]!];
        if (text !== undefined) writers[i]!(sink, text);
      }
    } catch {
      // A text that does not convert: bind's to refuse, naming the variable.
      return undefined;
    }
    return sink.bytes();
  };
}

// How registration words the path variables pathVariableRefusal turns down.
const refusals: Record<PathVariableRefusal, string> = {
  map: "names a map field that has no text form",
  message: "names a message field that has no text form",
  "json-message": "names a message field whose text form is JSON, which query parameters take but path variables do not",
  "message-list": "names a repeated message field; a repeated path variable takes a comma-separated list of scalars or enums",
};

// A FieldValueError says what is wrong with a value; this says where it came from.
function badRequest(err: unknown, what: string, name: string): unknown {
  if (!(err instanceof FieldValueError)) return err;
  return new GatewayError(Code.INVALID_ARGUMENT, `invalid value for ${what} "${name}": ${err.message}`, { cause: err });
}

function setPathVariable(root: ReflectMessage, v: PathVariable, text: string, separator: string): void {
  const parent = parentMessage(root, v.path);
  if (v.leaf.fieldKind !== "list") return setFieldValue(parent, v.leaf, v.convert(text));
  // A repeated field in a path takes a list (comma-separated unless the route says otherwise)
  // and replaces what the body set, as grpc-gateway's generated code does.
  const list = parent.get(v.leaf);
  list.clear();
  for (const part of text.split(separator)) list.add(v.convert(part));
}

/** Where the PATCH feature writes, when it applies to this route. */
interface PatchMask {
  readonly maskField: DescField & { fieldKind: "message" };
  readonly bodyPath: readonly DescField[];
  readonly bodyMessage: DescMessage;
}

// grpc-gateway applies the feature when the body is one message field and the request
// has exactly one FieldMask field (at its top level).
function patchMaskField(schema: DescMessage, bodyPath: readonly DescField[] | undefined): PatchMask | undefined {
  const bodyLeaf = bodyPath?.[bodyPath.length - 1];
  if (bodyPath === undefined || bodyLeaf === undefined || !isTraversable(bodyLeaf)) return undefined;
  const masks = schema.fields.filter(
    (f): f is DescField & { fieldKind: "message" } => f.fieldKind === "message" && f.message.typeName === FieldMaskSchema.typeName,
  );
  if (masks.length !== 1 || masks[0] === bodyPath[0]) return undefined;
  return { maskField: masks[0]!, bodyPath, bodyMessage: bodyLeaf.message };
}

function fillPatchMask(root: ReflectMessage, patch: PatchMask, body: Uint8Array): void {
  if (root.isSet(patch.maskField) && (root.get(patch.maskField).message as FieldMask).paths.length > 0) return;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch {
    return; // Not JSON (another marshaler took the body): there are no keys to read.
  }
  if (!isJsonObject(json)) return;
  const paths: string[] = [];
  collectPaths(patch.bodyMessage, json, "", paths);
  paths.sort();
  root.set(patch.maskField, reflect(FieldMaskSchema, create(FieldMaskSchema, { paths }), false));
}

/**
 * The field paths (proto names) of the keys in `json`, a JSON object of `desc`, as
 * grpc-gateway's FieldMaskFromRequestBody: nested objects of message fields recurse; lists,
 * maps, scalars, null and `{}` are leaves; a Struct or Value object gives a path per JSON
 * leaf (buildPathsBlindly); an Any is a leaf and must name its `@type`. An unknown key is
 * INVALID_ARGUMENT naming it, as there, even when the marshaler discards unknown fields:
 * a mask cannot name a field the message lacks.
 */
function collectPaths(desc: DescMessage, json: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const key of Object.keys(json)) {
    const field = findField(desc, key, "proto-first");
    if (field === undefined) throw new GatewayError(Code.INVALID_ARGUMENT, `could not find field ${JSON.stringify(key)} in ${JSON.stringify(desc.typeName)}`);
    const path = prefix + field.name;
    const value = json[key];
    if (field.fieldKind !== "message" || !isJsonObject(value)) {
      out.push(path);
      continue;
    }
    const typeName = field.message.typeName;
    if (typeName === "google.protobuf.Struct" || typeName === "google.protobuf.Value") {
      collectJsonPaths(value, path, out);
    } else if (typeName === "google.protobuf.Any") {
      if (!Object.hasOwn(value, "@type")) {
        throw new GatewayError(Code.INVALID_ARGUMENT, `could not find field @type in ${JSON.stringify(key)} in message ${JSON.stringify(desc.typeName)}`);
      }
      out.push(path);
    } else if (Object.keys(value).length > 0) {
      collectPaths(field.message, value, `${path}.`, out);
    } else {
      out.push(path);
    }
  }
}

// grpc-gateway's buildPathsBlindly: a path per leaf of free-form JSON, keys as sent; `{}` gives none.
function collectJsonPaths(json: Record<string, unknown>, path: string, out: string[]): void {
  for (const key of Object.keys(json)) {
    const value = json[key];
    if (isJsonObject(value)) collectJsonPaths(value, `${path}.${key}`, out);
    else out.push(`${path}.${key}`);
  }
}
