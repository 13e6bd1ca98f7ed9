/**
 * The inverse of the gateway's binding (binding/binding.ts, binding/query.ts): turns a
 * request message into the path, query string and body that the gateway binds back into
 * the same message. Imports only @bufbuild/protobuf and the runtime's dependency-free
 * template parser and text-form rule, so browsers can bundle it.
 */
import { create, toJson, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { messageTextForm } from "../binding/field-text.js";
import { parsePathTemplate, type PathTemplate } from "../routing/path-template.js";
import { httpBodyTypeName } from "./http-body.js";

/** What a generated client knows of one route: its method's primary HTTP binding. */
export interface ClientRoute {
  readonly httpMethod: string;
  readonly path: string;
  /** `*`, a dotted proto field path, or absent for no body. */
  readonly body?: string;
  /** A dotted proto field path of the reply, or absent for the whole reply. */
  readonly responseBody?: string;
  /** The separator of repeated path variables, when not `,`. */
  readonly repeatedPathSeparator?: string;
}

/** A request ready to send: the path and query (`/v1/x?a=1`), and the body, if any. */
export interface EncodedRequest {
  readonly target: string;
  readonly body?: { readonly contentType: string; readonly data: string | Uint8Array };
}

/** Encodes request messages for one route; compiled once per route. */
export interface RequestEncoder {
  encode(message: Message): EncodedRequest;
}

/** Thrown when a message has a value the route's URL cannot carry (e.g. `?` in a multi-segment variable). */
export class RequestEncodingError extends Error {
  override readonly name = "RequestEncodingError";
}

interface Variable {
  readonly name: string;
  readonly path: readonly DescField[];
  /** Captures more than one `*`: sent with `/` kept, and decoded by the router all but reserved characters. */
  readonly multi: boolean;
}

/** Compiles how requests of `schema` are sent on `route`. */
export function compileRequestEncoder(schema: DescMessage, route: ClientRoute): RequestEncoder {
  const template = parsePathTemplate(route.path);
  const variables = template.variables.map(
    (v): Variable => ({
      name: v.fieldPath.join("."),
      path: fieldPath(schema, v.fieldPath),
      multi: v.end - v.start !== 1 || template.segments[v.start]!.kind !== "wildcard",
    }),
  );
  const separator = route.repeatedPathSeparator ?? ",";
  const bodyPath = route.body === undefined || route.body === "*" ? undefined : fieldPath(schema, route.body.split("."));
  const bound = new Set(variables.map((v) => v.name));
  if (route.body !== undefined && route.body !== "*") bound.add(route.body);
  const withQuery = route.body !== "*";
  const rawBody = route.body !== undefined && (bodyPath === undefined ? schema : bodyPath.at(-1)!.message)?.typeName === httpBodyTypeName;

  return {
    encode(message) {
      const root = reflect(schema, message, false);
      let target = expandPath(template, variables, root, separator);
      if (withQuery) {
        const query: string[] = [];
        queryPairs(root, "", bound, query);
        if (query.length > 0) target += `?${query.join("&")}`;
      }
      if (route.body === undefined) return { target };
      if (rawBody) {
        const httpBody = bodyPath === undefined ? root : (valueAt(root, bodyPath) as ReflectMessage | undefined);
        const contentType = (httpBody?.message as { contentType?: string } | undefined)?.contentType ?? "";
        const data = (httpBody?.message as { data?: Uint8Array } | undefined)?.data ?? new Uint8Array(0);
        return { target, body: { contentType: contentType || "application/octet-stream", data } };
      }
      return { target, body: { contentType: "application/json", data: JSON.stringify(bodyJson(schema, message, root, bodyPath)) } };
    },
  };
}

function fieldPath(schema: DescMessage, names: readonly string[]): DescField[] {
  const path: DescField[] = [];
  let message: DescMessage | undefined = schema;
  for (const name of names) {
    const field: DescField | undefined = message?.fields.find((f) => f.name === name);
    if (field === undefined) throw new Error(`${schema.typeName} has no field path "${names.join(".")}"`);
    path.push(field);
    message = field.fieldKind === "message" ? field.message : undefined;
  }
  return path;
}

// The value at a field path, or undefined when a message on the way (or the field itself) is unset.
function valueAt(root: ReflectMessage, path: readonly DescField[]): unknown {
  let current: ReflectMessage = root;
  for (let i = 0; i < path.length; i++) {
    const field = path[i]!;
    if (!current.isSet(field)) return undefined;
    const value = current.get(field);
    if (i === path.length - 1) return value;
    current = value as ReflectMessage;
  }
  return undefined;
}

// RFC 3986 pchar minus `%`: what a multi-segment value may carry unescaped, so that the
// router's decoding (all but reserved characters) gives back exactly the text sent.
const pchar = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

function expandPath(template: PathTemplate, variables: readonly Variable[], root: ReflectMessage, separator: string): string {
  let out = "";
  let next = 0;
  const { segments } = template;
  for (const [index, variable] of template.variables.entries()) {
    for (; next < variable.start; next++) out += `/${anonymous(segments[next]!)}`;
    const v = variables[index]!;
    const text = pathText(valueAt(root, v.path), v.path.at(-1)!, separator);
    out += `/${v.multi ? multiSegment(text, v.name) : encodeURIComponent(text)}`;
    next = variable.end;
  }
  for (; next < segments.length; next++) out += `/${anonymous(segments[next]!)}`;
  if (out === "") out = "/";
  return template.verb === undefined ? out : `${out}:${template.verb}`;
}

// A literal as written (the parser allows only pchars and escapes there); a wildcard
// outside any variable binds nothing, so any one segment does: `-`, as AIP-159 spells "any".
function anonymous(segment: PathTemplate["segments"][number]): string {
  return segment.kind === "literal" ? segment.value : "-";
}

// Each character the router would not decode back is refused rather than sent wrong.
function multiSegment(text: string, name: string): string {
  let out = "";
  for (const ch of text) {
    if (ch === "/" || pchar.test(ch)) out += ch;
    else if ("?#[]".includes(ch)) throw new RequestEncodingError(`path variable "${name}": ${JSON.stringify(ch)} cannot be sent in a multi-segment variable`);
    else out += encodeURIComponent(ch);
  }
  return out;
}

function pathText(value: unknown, field: DescField, separator: string): string {
  if (value === undefined) return "";
  if (field.fieldKind === "list") {
    const items: string[] = [];
    for (const item of value as Iterable<unknown>) items.push(elementText(field, item)!);
    return items.join(separator);
  }
  return elementText(field, value) ?? "";
}

/**
 * The text the gateway's field-text converters read back as `value`, an element of
 * `field` as ReflectMessage.get gives it; undefined for a message without a text form.
 */
function elementText(field: DescField, value: unknown): string | undefined {
  const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind === "map" ? field.mapKind : field.fieldKind;
  if (kind === "enum") {
    const number = value as number;
    return field.enum!.values.find((v) => v.number === number)?.name ?? String(number);
  }
  if (kind === "message") return messageText(value as ReflectMessage);
  return scalarText(value);
}

function scalarText(value: unknown): string {
  if (value instanceof Uint8Array) return base64Encode(value, "std");
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : value === Infinity ? "Infinity" : value === -Infinity ? "-Infinity" : String(value);
  return String(value);
}

function messageText(message: ReflectMessage): string | undefined {
  const desc = message.desc;
  const form = messageTextForm(desc);
  if (form === undefined) return undefined;
  if (isWrapperDesc(desc)) return scalarText(message.get(desc.fields[0]!));
  if (desc.typeName === "google.protobuf.FieldMask") return (message.message as unknown as { paths: string[] }).paths.join(",");
  // Timestamp and Duration read their proto3 JSON strings; Struct, Value and ListValue their JSON.
  const json = toJson(desc, message.message);
  return form === "json" ? JSON.stringify(json) : String(json);
}

// Every set field not bound by the path or the body, as binding/query.ts reads it back:
// dotted proto names, one pair per element of a list, `key[k]=v` per map entry.
function queryPairs(message: ReflectMessage, prefix: string, bound: ReadonlySet<string>, out: string[]): void {
  for (const field of message.fields) {
    const name = prefix + field.name;
    if (bound.has(name) || !message.isSet(field)) continue;
    const value = message.get(field);
    const key = encodeURIComponent(name);
    if (field.fieldKind === "list") {
      for (const item of value as Iterable<unknown>) out.push(`${key}=${encodeURIComponent(required(elementText(field, item), name))}`);
    } else if (field.fieldKind === "map") {
      for (const [k, v] of value as Iterable<[unknown, unknown]>) {
        // The binder takes the key from the last "[" of the parameter name on.
        if (String(k).includes("["))
          throw new RequestEncodingError(`query parameter "${name}": the map key ${JSON.stringify(String(k))} holds "[", which a query key cannot carry`);
        out.push(`${encodeURIComponent(`${name}[${String(k)}]`)}=${encodeURIComponent(required(elementText(field, v), name))}`);
      }
    } else if (field.fieldKind === "message") {
      const text = messageText(value as ReflectMessage);
      if (text !== undefined) out.push(`${key}=${encodeURIComponent(text)}`);
      else queryPairs(value as ReflectMessage, `${name}.`, bound, out);
    } else {
      out.push(`${key}=${encodeURIComponent(elementText(field, value)!)}`);
    }
  }
}

function required(text: string | undefined, name: string): string {
  if (text === undefined) throw new RequestEncodingError(`query parameter "${name}": its values are messages, which a query string cannot carry`);
  return text;
}

// The body per the rule: the whole message as proto3 JSON, or the named field's JSON value.
function bodyJson(schema: DescMessage, message: Message, root: ReflectMessage, bodyPath: readonly DescField[] | undefined): unknown {
  if (bodyPath === undefined) return toJson(schema, message);
  const leaf = bodyPath.at(-1)!;
  const value = valueAt(root, bodyPath);
  // JSON null leaves a message field unset, as the caller left it (except for Value, where null is a value).
  if (leaf.fieldKind === "message") return value === undefined ? null : toJson(leaf.message, (value as ReflectMessage).message);
  // A non-message field's JSON is its value in a parent of its own type, written alone.
  const parentDesc = leaf.parent;
  const parent = reflect(parentDesc, create(parentDesc), false);
  if (value !== undefined) parent.set(leaf, value as never);
  const json = toJson(parentDesc, parent.message, { alwaysEmitImplicit: true }) as Record<string, unknown>;
  return json[leaf.jsonName] ?? null;
}
