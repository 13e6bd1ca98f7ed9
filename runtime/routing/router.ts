/**
 * The route matcher: every registered path template compiled into one segment trie, so a
 * lookup costs the same with ten routes or ten thousand.
 *
 * Semantics follow google/api/http.proto, with grpc-gateway v2 (runtime/mux.go,
 * pattern.go) where the spec is silent:
 * - Specificity, not registration order: at each segment, left to right, a literal beats
 *   `*`, which beats `**`; a route ending at the last segment beats a `**` matching zero
 *   segments there. The walk backtracks, so the winner is the most specific route for the
 *   request's method.
 * - A colon splits off a verb only when some route declares that verb: the text after the
 *   last colon of the last segment is tried as a verb first (a verb match beats any
 *   specificity), then the whole segment as plain text, so `/v1/{name}` captures `a:b`.
 * - The path splits on a raw "/" before decoding. A single-segment variable and a literal
 *   compare against the fully decoded segment; a multi-segment variable (`{x=**}`,
 *   `{x=a/*}`) decodes all but RFC 6570 reserved characters, so `%2F` stays `%2F`.
 *   A malformed escape or non-UTF-8 bytes anywhere in the path is "bad-path" (answer 400).
 * - "legacy" unescaping is grpc-gateway's UnescapingModeLegacy, its v2 default: the whole
 *   path is decoded first (so `%2F` splits segments and `%3A` may split off a verb) and
 *   captured values are used as they are.
 * - grpc-gateway's other modes (pattern.go `unescape`): every `*` and single-segment
 *   variable is fully decoded, and only the `**` part of a variable keeps escapes: RFC 6570
 *   reserved characters ("all-except-reserved"), `%2F` ("all-except-slash") or none
 *   ("all-characters", which also splits the path on `%2F` as on "/"). `{x=a/**}`
 *   matching no segment there binds "a/", as grpc-gateway joins "a" and "" (legacy too).
 * - `*` never matches an empty segment, so `/v1//x` and `/v1/a/` (trailing slash) match no
 *   `/v1/{a}/x` or `/v1/{name}`. grpc-gateway rejects the trailing slash too (an extra,
 *   empty component) but would bind "" to `*` inside a path; an empty resource name is a
 *   client bug (an unset id spliced into a URL) that deserves a 404, not a call.
 * - `**` matches zero or more segments, as the spec says and grpc-gateway and Envoy do:
 *   `/v1/files/{p=**}` matches `/v1/files` with p = "" (and `/v1/files/` with p = "").
 * - HTTP methods compare case-sensitively (RFC 9110); custom methods are just strings.
 * - A path that is not origin-form (`*`, `http://host/...`) is "not-found": someone
 *   else's to answer.
 */
import { setOwnProperty } from "../plain-object.js";
import type { PathTemplate } from "./path-template.js";
import { badEscapeAt, decodeAll, decodeExceptReserved, decodeExceptSlash, tryDecode } from "./percent-encoding.js";

/**
 * How captured path values are percent-decoded: per the spec (default), or as one of
 * grpc-gateway's UnescapingModes (Legacy, AllExceptReserved, AllExceptSlash, AllCharacters).
 */
export type Unescaping = "spec" | "legacy" | "all-except-reserved" | "all-except-slash" | "all-characters";

/** Every value of {@link Unescaping}, for checking an option. */
export const unescapingModes: readonly Unescaping[] = ["spec", "legacy", "all-except-reserved", "all-except-slash", "all-characters"];

/** Options of createRouter. */
export interface RouterOptions {
  unescaping?: Unescaping;
}

/** What a lookup found; `params` keys are dotted field paths. */
export type RouteMatch<T> =
  | { kind: "match"; value: T; params: Record<string, string> }
  | { kind: "method-not-allowed"; allow: string[] }
  | { kind: "not-found" }
  | { kind: "bad-path"; message: string };

/** Maps an HTTP method and path to the value registered for the most specific matching template. */
export interface Router<T> {
  /** Registers `value`; throws if a route for `httpMethod` already matches exactly the same requests. */
  add(httpMethod: string, template: PathTemplate, value: T): void;
  /** Looks up `rawPath`: the request path as received, undecoded, without the query string. */
  match(httpMethod: string, rawPath: string): RouteMatch<T>;
}

/** Creates an empty router. */
export function createRouter<T>(options: RouterOptions = {}): Router<T> {
  const mode = options.unescaping ?? "spec";
  const root = newNode<T>();
  const verbs = new Set<string>();
  return {
    add: (httpMethod, template, value) => insert(root, verbs, httpMethod, template, value),
    match: (httpMethod, rawPath) => lookup(root, verbs, mode, httpMethod, rawPath),
  };
}

// `multi`: anything but exactly one `*` or literal segment (decoded except reserved
// characters); `toEnd`: ends in `**`, so it runs to the last request segment, from
// `deep` (the segment of the `**`).
interface Capture {
  key: string;
  start: number;
  end: number;
  deep: number;
  multi: boolean;
  toEnd: boolean;
}

interface Route<T> {
  value: T;
  method: string;
  source: string;
  captures: Capture[];
}

/** Routes ending at one trie position, by verb ("" for none), then by HTTP method. */
type Endpoint<T> = Map<string, Map<string, Route<T>>>;

interface Node<T> {
  literals: Map<string, Node<T>> | undefined;
  wildcard: Node<T> | undefined;
  /** Routes whose template ends here. */
  end: Endpoint<T> | undefined;
  /** Routes whose template ends here with `**`, which takes every remaining segment. */
  deep: Endpoint<T> | undefined;
}

function newNode<T>(): Node<T> {
  return { literals: undefined, wildcard: undefined, end: undefined, deep: undefined };
}

function insert<T>(root: Node<T>, verbs: Set<string>, method: string, template: PathTemplate, value: T): void {
  let node = root;
  let deep = false;
  for (const segment of template.segments) {
    if (deep) throw new Error(`path template ${template.source}: "**" must be the last segment`);
    if (segment.kind === "literal") {
      const text = decodeURIComponent(segment.value);
      node.literals ??= new Map();
      let child = node.literals.get(text);
      if (child === undefined) node.literals.set(text, (child = newNode()));
      node = child;
    } else if (segment.kind === "wildcard") {
      node = node.wildcard ??= newNode();
    } else {
      deep = true;
    }
  }
  const endpoint = deep ? (node.deep ??= new Map()) : (node.end ??= new Map());
  const verb = template.verb === undefined ? "" : decodeURIComponent(template.verb);
  let byMethod = endpoint.get(verb);
  if (byMethod === undefined) endpoint.set(verb, (byMethod = new Map()));
  const existing = byMethod.get(method);
  if (existing !== undefined) {
    const other = `${existing.method} ${existing.source}`;
    throw new Error(`duplicate route ${method} ${template.source}: it matches the same requests as ${other}`);
  }
  byMethod.set(method, { value, method, source: template.source, captures: capturesOf(template) });
  if (verb !== "") verbs.add(verb);
}

function capturesOf(template: PathTemplate): Capture[] {
  return template.variables.map(({ fieldPath, start, end }) => {
    const toEnd = template.segments[end - 1]?.kind === "deep";
    return { key: fieldPath.join("."), start, end, deep: end - 1, multi: toEnd || end - start !== 1, toEnd };
  });
}

const NOT_FOUND: { kind: "not-found" } = Object.freeze({ kind: "not-found" });
const NOT_UTF8_MESSAGE = "percent-escapes in the path are not valid UTF-8";
const NOT_UTF8: { kind: "bad-path"; message: string } = Object.freeze({ kind: "bad-path", message: NOT_UTF8_MESSAGE });
const NO_SEGMENTS: string[] = [];

function lookup<T>(root: Node<T>, verbs: Set<string>, mode: Unescaping, method: string, rawPath: string): RouteMatch<T> {
  if (rawPath.charCodeAt(0) !== 47 /* / */) return NOT_FOUND;
  const legacy = mode === "legacy";
  const percent = rawPath.indexOf("%");
  if (percent >= 0) {
    const bad = badEscapeAt(rawPath, percent);
    if (bad >= 0) return { kind: "bad-path", message: `malformed percent-escape ${quoteEscape(rawPath, bad)} in the path` };
  }
  const path = legacy && percent >= 0 ? tryDecode(rawPath) : rawPath;
  if (path === undefined) return NOT_UTF8;
  const raw = path.length === 1 ? NO_SEGMENTS : mode === "all-characters" && percent >= 0 ? splitPathAndEscapedSlash(path) : splitPath(path);
  const decoded = legacy || percent < 0 ? raw : decodeAll(raw);
  if (decoded === undefined) return NOT_UTF8;

  const withVerb = verbs.size > 0 ? splitVerb(raw, decoded, verbs) : undefined;
  if (withVerb !== undefined) {
    const route = walk(root, withVerb.decoded, 0, withVerb.verb, method);
    if (route !== undefined) return matched(route, withVerb.raw, withVerb.decoded, mode);
  }
  const route = walk(root, decoded, 0, "", method);
  if (route !== undefined) return matched(route, raw, decoded, mode);

  const allow = new Set<string>();
  if (withVerb !== undefined) collect(root, withVerb.decoded, 0, withVerb.verb, allow);
  collect(root, decoded, 0, "", allow);
  return allow.size === 0 ? NOT_FOUND : { kind: "method-not-allowed", allow: [...allow].sort() };
}

interface VerbSplit {
  raw: string[];
  decoded: string[];
  verb: string;
}

// The last segment's text after its last colon, when some route declares it as a verb.
function splitVerb(raw: string[], decoded: string[], verbs: Set<string>): VerbSplit | undefined {
  const n = raw.length;
  if (n === 0) return undefined;
  const last = raw[n - 1]!;
  const colon = last.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const rawVerb = last.slice(colon + 1);
  const verb = decoded !== raw && rawVerb.includes("%") ? decodeURIComponent(rawVerb) : rawVerb;
  if (!verbs.has(verb)) return undefined;
  const rawRest = raw.slice();
  rawRest[n - 1] = last.slice(0, colon);
  if (decoded === raw) return { raw: rawRest, decoded: rawRest, verb };
  const decodedRest = decoded.slice();
  decodedRest[n - 1] = decodeURIComponent(rawRest[n - 1]!);
  return { raw: rawRest, decoded: decodedRest, verb };
}

// Depth-first in specificity order, so the first route found is the most specific.
function walk<T>(node: Node<T>, segments: string[], i: number, verb: string, method: string): Route<T> | undefined {
  if (i === segments.length) return node.end?.get(verb)?.get(method) ?? node.deep?.get(verb)?.get(method);
  const segment = segments[i]!;
  const literal = node.literals?.get(segment);
  if (literal !== undefined) {
    const route = walk(literal, segments, i + 1, verb, method);
    if (route !== undefined) return route;
  }
  if (node.wildcard !== undefined && segment !== "") {
    const route = walk(node.wildcard, segments, i + 1, verb, method);
    if (route !== undefined) return route;
  }
  return node.deep?.get(verb)?.get(method);
}

// Every method some route accepts for this path: the Allow header of a 405.
function collect<T>(node: Node<T>, segments: string[], i: number, verb: string, out: Set<string>): void {
  if (i === segments.length) {
    addMethods(node.end, verb, out);
  } else {
    const segment = segments[i]!;
    const literal = node.literals?.get(segment);
    if (literal !== undefined) collect(literal, segments, i + 1, verb, out);
    if (node.wildcard !== undefined && segment !== "") collect(node.wildcard, segments, i + 1, verb, out);
  }
  addMethods(node.deep, verb, out);
}

function addMethods<T>(endpoint: Endpoint<T> | undefined, verb: string, out: Set<string>): void {
  const byMethod = endpoint?.get(verb);
  if (byMethod !== undefined) for (const method of byMethod.keys()) out.add(method);
}

function matched<T>(route: Route<T>, raw: string[], decoded: string[], mode: Unescaping): RouteMatch<T> {
  const params: Record<string, string> = {};
  for (const c of route.captures) {
    let value: string;
    if (!c.multi) value = decoded[c.start]!;
    else if (mode === "spec") value = decodeExceptReserved(joinSegments(raw, c.start, c.toEnd ? decoded.length : c.end));
    else if (!c.toEnd) value = joinSegments(decoded, c.start, c.end);
    else value = grpcGatewayDeep(raw, decoded, c, mode);
    // A proto field may be called __proto__.
    setOwnProperty(params, c.key, value);
  }
  return { kind: "match", value: route.value, params };
}

// grpc-gateway's MatchAndEscape for a variable ending in `**`: the segments before it as
// matched (decoded), then "/" and the `**` part unescaped by the mode.
function grpcGatewayDeep(raw: string[], decoded: string[], c: Capture, mode: Unescaping): string {
  const tail =
    mode === "all-except-reserved"
      ? decodeExceptReserved(joinSegments(raw, c.deep, raw.length))
      : mode === "all-except-slash"
        ? decodeExceptSlash(joinSegments(raw, c.deep, raw.length))
        : joinSegments(decoded, c.deep, decoded.length);
  return c.deep > c.start ? `${joinSegments(decoded, c.start, c.deep)}/${tail}` : tail;
}

// Twice as fast as String#split on V8 for short paths; `path` starts with "/".
function splitPath(path: string): string[] {
  const segments: string[] = [];
  let start = 1;
  for (let slash = path.indexOf("/", 1); slash >= 0; slash = path.indexOf("/", start)) {
    segments.push(path.slice(start, slash));
    start = slash + 1;
  }
  segments.push(path.slice(start));
  return segments;
}

// grpc-gateway's encodedPathSplitter for UnescapingModeAllCharacters: "/" or "%2F" (upper case only).
function splitPathAndEscapedSlash(path: string): string[] {
  return path.slice(1).split(/\/|%2F/);
}

function joinSegments(segments: string[], start: number, end: number): string {
  let text = start < end ? segments[start]! : "";
  for (let i = start + 1; i < end; i++) text += `/${segments[i]!}`;
  return text;
}

function quoteEscape(text: string, at: number): string {
  return JSON.stringify(text.slice(at, at + 3));
}
