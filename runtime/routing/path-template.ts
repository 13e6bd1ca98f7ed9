/**
 * Parser for the path templates of `google.api.http` rules (google/api/http.proto):
 *
 *     Template  = "/" Segments [ ":" Verb ] ;
 *     Segments  = Segment { "/" Segment } ;
 *     Segment   = "*" | "**" | LITERAL | Variable ;
 *     Variable  = "{" FieldPath [ "=" Segments ] "}" ;
 *     FieldPath = IDENT { "." IDENT } ;
 *     Verb      = LITERAL ;
 *
 * Both the plugin (to reject bad rules at generation time) and the runtime router import
 * this module, so it imports nothing but the percent-escape rules it shares with the router.
 *
 * Choices where the spec is loose, each checked here so a bad rule fails early:
 * - "/" alone is the root template (no segments), as grpc-gateway and Envoy accept it.
 * - A LITERAL is RFC 3986 pchars minus the grammar's own punctuation: unreserved
 *   characters, percent-escapes (which must decode to UTF-8) and the sub-delims
 *   `! $ & ' ( ) + , ;` plus `@`. `* = : / { }` always mean grammar, never text.
 * - IDENT is `[A-Za-z_][A-Za-z0-9_]*`, the protobuf identifier.
 * - `**` may appear once, as the last segment (only the verb may follow it), as the spec
 *   says; grpc-gateway and Envoy accept more, which no other implementation can serve.
 */
import { isHex, tryDecode } from "./percent-encoding.js";

/** One segment of a template; a variable's own segments appear here in line. */
export type TemplateSegment = { kind: "literal"; value: string } | { kind: "wildcard" } | { kind: "deep" };

/** A variable: its field path and the range [start, end) of `segments` it captures. */
export interface TemplateVariable {
  fieldPath: string[];
  start: number;
  end: number;
}

/** A parsed path template. Literal values and the verb are kept as written (escapes and all). */
export interface PathTemplate {
  /** The template text as given. */
  source: string;
  segments: TemplateSegment[];
  variables: TemplateVariable[];
  verb?: string;
}

/** A template that does not follow the grammar; `position` is the 0-based offending index. */
export class PathTemplateError extends Error {
  /** 0-based index into `template` where the problem was found. */
  readonly position: number;
  /** The template that failed to parse. */
  readonly template: string;

  constructor(problem: string, position: number, template: string) {
    super(`${problem} at position ${position} in ${JSON.stringify(template)}`);
    this.name = "PathTemplateError";
    this.position = position;
    this.template = template;
  }
}

/** Parses `template`, throwing a PathTemplateError that names the first problem found. */
export function parsePathTemplate(template: string): PathTemplate {
  if (template === "") throw new PathTemplateError("empty template", 0, template);
  if (template[0] !== "/") throw new PathTemplateError('template must start with "/"', 0, template);
  return new Parser(template).template();
}

/** The dotted field paths of `t`'s variables, in template order (the router's param keys). */
export function fieldPathsOf(t: PathTemplate): string[] {
  return t.variables.map((v) => v.fieldPath.join("."));
}

/**
 * A canonical form of `t` without variable names or extents: two templates with the same
 * key match exactly the same requests, so binding both to one HTTP method is a duplicate.
 */
export function templateKey(t: PathTemplate): string {
  let key = "";
  for (const s of t.segments) {
    key += s.kind === "literal" ? `/${canonicalLiteral(s.value)}` : s.kind === "wildcard" ? "/*" : "/**";
  }
  if (key === "") key = "/";
  return t.verb === undefined ? key : `${key}:${canonicalLiteral(t.verb)}`;
}

// "%61" and "a" match the same request segment; "*" is escaped so it never reads as a wildcard.
function canonicalLiteral(text: string): string {
  return encodeURIComponent(decodeURIComponent(text)).replaceAll("*", "%2A");
}

const LITERAL_CHARS = charSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()+,;@");
const IDENT_CHARS = charSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
const GRAMMAR_CHARS = "*=:/{}";

function charSet(chars: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

// Recursive descent over the string; `pos` is the next unread index.
class Parser {
  private pos = 1;
  private readonly segments: TemplateSegment[] = [];
  private readonly variables: TemplateVariable[] = [];
  private readonly seen = new Set<string>();
  private deepAt = -1;
  private openAt = -1;

  constructor(private readonly src: string) {}

  template(): PathTemplate {
    const { src, segments, variables } = this;
    if (src === "/") return { source: src, segments, variables };
    this.segmentList(false);
    if (this.pos < src.length && src[this.pos] !== ":") this.fail(`unexpected ${quote(src[this.pos]!)}`);
    if (this.pos === src.length) return { source: src, segments, variables };
    const verbAt = this.pos + 1;
    if (verbAt === src.length) this.fail("empty verb", verbAt);
    const verb = src.slice(verbAt);
    this.checkLiteral(verb, verbAt);
    return { source: src, segments, variables, verb };
  }

  private segmentList(inVariable: boolean): void {
    for (;;) {
      this.segment(inVariable);
      if (this.src[this.pos] !== "/") return;
      this.pos++;
    }
  }

  private segment(inVariable: boolean): void {
    const { src } = this;
    const start = this.pos;
    if (src[start] === "{") {
      if (inVariable) this.fail("nested variable");
      this.variable();
      return;
    }
    let end = start;
    while (end < src.length && !"/:{}".includes(src[end]!)) end++;
    if (end === start) this.emptySegment();
    const text = src.slice(start, end);
    this.pos = end;
    if (text === "*") this.push({ kind: "wildcard" }, start);
    else if (text === "**") this.push({ kind: "deep" }, start);
    else {
      this.checkLiteral(text, start);
      this.push({ kind: "literal", value: text }, start);
    }
  }

  private emptySegment(): never {
    const { src, pos } = this;
    if (pos === src.length) {
      if (this.openAt >= 0) this.fail('unclosed "{"', this.openAt);
      this.fail('trailing "/"', pos - 1);
    }
    if (src[pos] === "}" && this.openAt < 0) this.fail('unexpected "}"');
    this.fail("empty segment");
  }

  private push(segment: TemplateSegment, at: number): void {
    if (this.deepAt >= 0) {
      if (segment.kind === "deep") this.fail('more than one "**"', at);
      this.fail('"**" must be the last segment', this.deepAt);
    }
    if (segment.kind === "deep") this.deepAt = at;
    this.segments.push(segment);
  }

  private variable(): void {
    const { src } = this;
    const open = (this.openAt = this.pos++);
    const fieldPath = this.fieldPath();
    const start = this.segments.length;
    if (src[this.pos] === "=") {
      this.pos++;
      this.segmentList(true);
    } else if (src[this.pos] === "}") {
      this.push({ kind: "wildcard" }, open);
    }
    const c = src[this.pos];
    if (c === undefined) this.fail('unclosed "{"', open);
    if (c === "{") this.fail("nested variable");
    if (c !== "}") {
      // Nothing after the field path yet means the field path itself ran into a bad character.
      this.fail(start === this.segments.length ? `invalid character ${quote(c)} in field path` : `unexpected ${quote(c)}`);
    }
    this.pos++;
    this.openAt = -1;
    const name = fieldPath.join(".");
    if (this.seen.has(name)) this.fail(`duplicate variable "${name}"`, open);
    this.seen.add(name);
    this.variables.push({ fieldPath, start, end: this.segments.length });
  }

  private fieldPath(): string[] {
    const { src } = this;
    const path: string[] = [];
    for (;;) {
      const start = this.pos;
      let end = start;
      while (end < src.length && src.charCodeAt(end) < 128 && IDENT_CHARS[src.charCodeAt(end)] === 1) end++;
      this.pos = end;
      const c = src[end];
      if (end === start) {
        if (c === undefined) this.fail('unclosed "{"', this.openAt);
        if (c === "{") this.fail("nested variable");
        if (path.length === 0 && (c === "}" || c === "=")) this.fail("empty field path");
        if (c === "." || c === "}" || c === "=") this.fail("empty identifier in field path");
        this.fail(`invalid character ${quote(c)} in field path`);
      }
      const ident = src.slice(start, end);
      if (ident.charCodeAt(0) <= 57) this.fail(`invalid identifier "${ident}"`, start);
      path.push(ident);
      if (c !== ".") return path;
      this.pos++;
    }
  }

  // Literals and verbs: pchars and well-formed percent-escapes that decode to UTF-8.
  private checkLiteral(text: string, offset: number): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 37 /* % */) {
        if (!isHex(text.charCodeAt(i + 1)) || !isHex(text.charCodeAt(i + 2))) {
          this.fail(`invalid percent-escape ${quote(text.slice(i, i + 3))}`, offset + i);
        }
        i += 2;
      } else if (c >= 128 || LITERAL_CHARS[c] !== 1) {
        const ch = String.fromCodePoint(text.codePointAt(i)!);
        const problem = GRAMMAR_CHARS.includes(ch) ? `unexpected ${quote(ch)}` : `invalid character ${quote(ch)} in literal`;
        this.fail(problem, offset + i);
      }
    }
    if (text.includes("%") && tryDecode(text) === undefined) this.fail(`percent-escapes in ${quote(text)} are not UTF-8`, offset);
  }

  private fail(problem: string, position = this.pos): never {
    throw new PathTemplateError(problem, position, this.src);
  }
}

function quote(text: string): string {
  return JSON.stringify(text);
}
