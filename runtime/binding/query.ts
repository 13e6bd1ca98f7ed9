import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { isReflectMessage, reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import { findField } from "../field-names.js";
import { directSetter, fieldPathString, isTraversable, parentMessage, setFieldValue, type DirectSetter } from "./field-path.js";
import { FieldValueError, mapKeyConverter, valueConverter, type TextConverter } from "./field-text.js";

/** What to do with a query parameter that names no field of the request. */
export type UnknownQueryParameters = "error" | "ignore";

/** How query parameters bind to a request message. */
export interface QueryBindingOptions {
  /** `error` (the default): 400 INVALID_ARGUMENT naming the parameter; `ignore`: skip it. */
  readonly unknownQueryParameters?: UnknownQueryParameters;
}

/** Binds query strings to request messages of one type; compiled once per route. */
export interface QueryBinder {
  /** Sets the fields named in `rawQuery` (without `?`) on `target`, the request message or a ReflectMessage of it. */
  bind(rawQuery: string, target: ReflectMessage | Message): void;
}

/**
 * Marks which singular fields a request has set, shared by every spelling of one field
 * (`page_size`, `pageSize`): set to the binder's call counter when the field is bound, so
 * a second value in the same call is seen without a Set per request.
 */
interface Slot {
  stamp: number;
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
      /** Writes the value without reflection, when the path allows. */
      readonly set: DirectSetter | undefined;
      /** Duplicate detection for a singular field; undefined: by canonical path in a Set. */
      slot?: Slot | undefined;
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
  // One slot per canonical path, never evicted, so all spellings of a field agree on where
  // their mark is; bounded like the cache, with the per-call Set beyond it.
  const slots = new Map<string, Slot>();
  const slotOf = (canonical: string): Slot | undefined => {
    let slot = slots.get(canonical);
    if (slot === undefined && slots.size < cacheLimit) slots.set(canonical, (slot = { stamp: 0 }));
    return slot;
  };
  const lookup = (key: string): Target => {
    let target = cache.get(key);
    if (target === undefined) {
      target = resolveKey(schema, key, bound);
      if (target.kind === "field" && target.leaf.fieldKind !== "list") target.slot = slotOf(target.canonical);
      if (cache.size < cacheLimit) cache.set(key, target);
    }
    return target;
  };
  let calls = 0;

  // Compiled once per binder rather than a closure per request: the call's state is `call`.
  const visit = (key: string, value: string, call: BindCall): void => {
    const open = key.endsWith("]") ? key.lastIndexOf("[") : -1;
    const target = lookup(open > 0 ? key.slice(0, open) : key);
    if (target.kind === "skip") return;
    if (target.kind === "fail") {
      if (target.unknown && ignoreUnknown) return;
      throw badRequest(target.reason(key));
    }
    if ((target.kind === "map") !== open > 0) {
      throw badRequest(
        open > 0
          ? `query parameter "${key}": "${target.canonical}" is not a map field`
          : `query parameter "${key}" names a map field; set entries as "${key}[key]=value"`,
      );
    }
    const mapKey = open > 0 ? key.slice(open + 1, -1) : "";
    if (target.kind === "field" && target.slot !== undefined) {
      if (target.slot.stamp === call.id) throw duplicate(key);
      target.slot.stamp = call.id;
    } else if (target.kind === "map" || target.leaf.fieldKind !== "list") {
      // Canonical paths of the singular fields set so far: a second value is an error
      // whichever spelling of the name it came under.
      const canonical = target.kind === "map" ? `${target.canonical}[${mapKey}]` : target.canonical;
      call.seen ??= new Set();
      if (call.seen.has(canonical)) throw duplicate(key);
      call.seen.add(canonical);
    }
    try {
      if (target.kind === "field" && target.set !== undefined) return target.set(call.message, target.convert(value));
      call.reflected ??= reflect(schema, call.message, false);
      const parent = parentMessage(call.reflected, target.path);
      if (target.kind === "map") parent.get(target.leaf).set(target.convertKey(mapKey), target.convert(value));
      else setFieldValue(parent, target.leaf, target.convert(value));
    } catch (err) {
      if (!(err instanceof FieldValueError)) throw err;
      throw badRequest(`invalid value for query parameter "${key}": ${err.message}`, err);
    }
  };

  return {
    bind(rawQuery, target) {
      if (rawQuery === "") return;
      const reflected = isReflectMessage(target) ? target : undefined;
      const call: BindCall = { id: ++calls, message: reflected?.message ?? (target as Message), reflected, seen: undefined };
      parseQuery(rawQuery, visit, call);
    },
  };
}

/** One bind call: its number (for slots), the message, and what it built lazily. */
interface BindCall {
  readonly id: number;
  readonly message: Message;
  reflected: ReflectMessage | undefined;
  seen: Set<string> | undefined;
}

function duplicate(key: string): GatewayError {
  return badRequest(`query parameter "${key}" is given more than once but its field takes one value`);
}

function badRequest(message: string, cause?: unknown): GatewayError {
  return new GatewayError(Code.INVALID_ARGUMENT, message, cause === undefined ? {} : { cause });
}

const maxQueryDepth = 100;

/** Resolves a dotted key (proto or JSON names at every level) once; the result is cached. */
function resolveKey(schema: DescMessage, key: string, bound: ReadonlySet<string>): Target {
  const path: DescField[] = [];
  let message = schema;
  const names = key.split(".");
  // protobuf's own recursion limit: deeper messages would fail at the backend instead.
  if (names.length > maxQueryDepth) {
    return { kind: "fail", unknown: false, reason: (k) => `query parameter "${k.slice(0, 64)}...": nests deeper than ${maxQueryDepth} fields` };
  }
  for (let i = 0; i < names.length; i++) {
    const field = findField(message, names[i]!, "proto-first");
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
    const reason =
      leaf.fieldKind === "message"
        ? (k: string) => `query parameter "${k}" names a message field; set its fields, as in "${k}.<field>"`
        : (k: string) => `query parameter "${k}": values of type ${leaf.message!.typeName} cannot be given as text`;
    return { kind: "fail", unknown: false, reason };
  }
  if (leaf.fieldKind === "map") return { kind: "map", path, leaf, canonical, convertKey: mapKeyConverter(leaf), convert };
  return { kind: "field", path, leaf, canonical, convert, set: directSetter(path) };
}

/**
 * Calls `visit` with each key and value of a raw query, in order, and `context` (so that
 * a caller can pass its state instead of allocating a closure per call). Decodes as
 * URLSearchParams does (`+` is a space; a malformed escape is a 400) but skips
 * the work for components that need none, and builds no collection.
 */
export function parseQuery<C = undefined>(raw: string, visit: (key: string, value: string, context: C) => void, context?: C): void {
  for (let start = 0; start <= raw.length; ) {
    let end = raw.indexOf("&", start);
    if (end === -1) end = raw.length;
    if (end > start) {
      const eq = raw.indexOf("=", start);
      const hasValue = eq !== -1 && eq < end;
      const key = decodeComponent(raw.slice(start, hasValue ? eq : end), undefined);
      visit(key, hasValue ? decodeComponent(raw.slice(eq + 1, end), key) : "", context as C);
    }
    start = end + 1;
  }
}

// A malformed escape or one that is not UTF-8 is the client's mistake: 400 naming the
// parameter, as the path side answers and grpc-gateway's ParseForm does.
function decodeComponent(s: string, key: string | undefined): string {
  const plus = s.includes("+");
  if (!plus && !s.includes("%")) return s;
  const spaced = plus ? s.replaceAll("+", " ") : s;
  try {
    return decodeURIComponent(spaced);
  } catch (err) {
    const where = key === undefined ? `query parameter name "${s.slice(0, 64)}"` : `the value of query parameter "${key}"`;
    throw badRequest(`malformed percent-escape in ${where}`, err);
  }
}
