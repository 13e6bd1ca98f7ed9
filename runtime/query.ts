import type { DescField, DescMessage } from "@bufbuild/protobuf";
import type { ReflectMessage } from "@bufbuild/protobuf/reflect";
import { status as Code } from "@grpc/grpc-js";
import { GatewayError } from "./errors.js";
import { fieldPathString, findField, isTraversable, parentMessage, setFieldValue } from "./field-path.js";
import { FieldValueError, mapKeyConverter, valueConverter, type TextConverter } from "./field-value.js";

/** What to do with a query parameter that names no field of the request. */
export type UnknownQueryParameters = "error" | "ignore";

/** How query parameters bind to a request message. */
export interface QueryBindingOptions {
  /** `error` (the default): 400 INVALID_ARGUMENT naming the parameter; `ignore`: skip it. */
  readonly unknownQueryParameters?: UnknownQueryParameters;
}

/** Binds query strings to request messages of one type; compiled once per route. */
export interface QueryBinder {
  /** Sets the fields named in `rawQuery` (without `?`) on `target`, a ReflectMessage of the request. */
  bind(rawQuery: string, target: ReflectMessage): void;
}

/** A query key resolved against the request type: what to do with its values. */
type Target =
  | { readonly kind: "skip" }
  | { readonly kind: "fail"; readonly unknown: boolean; readonly reason: (key: string) => string }
  | {
      readonly kind: "field";
      readonly path: readonly DescField[];
      readonly leaf: DescField;
      /** The proto-name path: two spellings of one field share it, so they count as one. */
      readonly canonical: string;
      readonly convert: TextConverter;
    }
  | {
      readonly kind: "map";
      readonly path: readonly DescField[];
      readonly leaf: DescField & { fieldKind: "map" };
      readonly canonical: string;
      readonly convertKey: TextConverter;
      readonly convert: TextConverter;
    };

const skip: Target = { kind: "skip" };
// Keys are attacker-chosen and recursive messages make the set of valid ones unbounded,
// so the cache stops growing here; keys beyond it are resolved per request (still cheap).
const cacheLimit = 1000;

/**
 * Compiles query binding for `schema`. Parameters on or under `boundPaths` (proto-name
 * field paths already set by the path or the body) are ignored, like grpc-gateway's filter.
 */
export function compileQueryBinder(schema: DescMessage, boundPaths: readonly string[], options: QueryBindingOptions = {}): QueryBinder {
  const bound = new Set(boundPaths);
  const ignoreUnknown = options.unknownQueryParameters === "ignore";
  const cache = new Map<string, Target>();
  const lookup = (key: string): Target => {
    let target = cache.get(key);
    if (target === undefined) {
      target = resolveKey(schema, key, bound);
      if (cache.size < cacheLimit) cache.set(key, target);
    }
    return target;
  };
  return {
    bind(rawQuery, message) {
      if (rawQuery === "") return;
      // Canonical paths of the singular fields set so far: a second value is an error
      // whichever spelling of the name it came under.
      let seen: Set<string> | undefined;
      parseQuery(rawQuery, (key, value) => {
        const open = key.endsWith("]") ? key.lastIndexOf("[") : -1;
        const target = lookup(open > 0 ? key.slice(0, open) : key);
        if (target.kind === "skip") return;
        if (target.kind === "fail") {
          if (target.unknown && ignoreUnknown) return;
          throw badRequest(target.reason(key));
        }
        if ((target.kind === "map") !== open > 0) {
          throw badRequest(open > 0
            ? `query parameter "${key}": "${target.canonical}" is not a map field`
            : `query parameter "${key}" names a map field; set entries as "${key}[key]=value"`);
        }
        const mapKey = open > 0 ? key.slice(open + 1, -1) : "";
        if (target.kind === "map" || target.leaf.fieldKind !== "list") {
          const canonical = target.kind === "map" ? `${target.canonical}[${mapKey}]` : target.canonical;
          seen ??= new Set();
          if (seen.has(canonical)) throw badRequest(`query parameter "${key}" is given more than once but its field takes one value`);
          seen.add(canonical);
        }
        try {
          const parent = parentMessage(message, target.path);
          if (target.kind === "map") parent.get(target.leaf).set(target.convertKey(mapKey), target.convert(value));
          else setFieldValue(parent, target.leaf, target.convert(value));
        } catch (err) {
          if (!(err instanceof FieldValueError)) throw err;
          throw badRequest(`invalid value for query parameter "${key}": ${err.message}`, err);
        }
      });
    },
  };
}

function badRequest(message: string, cause?: unknown): GatewayError {
  return new GatewayError(Code.INVALID_ARGUMENT, message, cause === undefined ? {} : { cause });
}

/** Resolves a dotted key (proto or JSON names at every level) once; the result is cached. */
function resolveKey(schema: DescMessage, key: string, bound: ReadonlySet<string>): Target {
  const path: DescField[] = [];
  let message = schema;
  const names = key.split(".");
  for (let i = 0; i < names.length; i++) {
    const field = findField(message, names[i]!, true);
    if (field === undefined) {
      const where = message;
      return { kind: "fail", unknown: true, reason: (k) => `unknown query parameter "${k}": ${where.typeName} has no field "${names[i]}"` };
    }
    path.push(field);
    const canonical = fieldPathString(path);
    if (bound.has(canonical)) return skip;
    if (i === names.length - 1) return leafTarget(path, field, canonical);
    if (!isTraversable(field)) {
      return { kind: "fail", unknown: false, reason: (k) => `query parameter "${k}": "${canonical}" is not a message field` };
    }
    message = field.message;
  }
  return skip; // unreachable: split() yields at least one name
}

function leafTarget(path: DescField[], leaf: DescField, canonical: string): Target {
  const convert = valueConverter(leaf);
  if (convert === undefined) {
    const reason = leaf.fieldKind === "message"
      ? (k: string) => `query parameter "${k}" names a message field; set its fields, as in "${k}.<field>"`
      : (k: string) => `query parameter "${k}": values of type ${leaf.message!.typeName} cannot be given as text`;
    return { kind: "fail", unknown: false, reason };
  }
  if (leaf.fieldKind === "map") return { kind: "map", path, leaf, canonical, convertKey: mapKeyConverter(leaf), convert };
  return { kind: "field", path, leaf, canonical, convert };
}

/**
 * Calls `visit` with each key and value of a raw query, in order. Decodes as
 * URLSearchParams does (`+` is a space, malformed escapes stay as they are) but skips
 * the work for components that need none, and builds no collection.
 */
export function parseQuery(raw: string, visit: (key: string, value: string) => void): void {
  for (let start = 0; start <= raw.length; ) {
    let end = raw.indexOf("&", start);
    if (end === -1) end = raw.length;
    if (end > start) {
      const eq = raw.indexOf("=", start);
      const hasValue = eq !== -1 && eq < end;
      visit(decodeComponent(raw.slice(start, hasValue ? eq : end)), hasValue ? decodeComponent(raw.slice(eq + 1, end)) : "");
    }
    start = end + 1;
  }
}

function decodeComponent(s: string): string {
  const plus = s.includes("+");
  if (!plus && !s.includes("%")) return s;
  const spaced = plus ? s.replaceAll("+", " ") : s;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Malformed escape or invalid UTF-8: let URLSearchParams apply its lenient rules.
    return new URLSearchParams(`k=${s}`).get("k") ?? s;
  }
}
