// Property tests of the path template parser: any input is a template or a PathTemplateError
// (never another exception), and a template printed from its parse reads back the same.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parsePathTemplate, PathTemplateError, type PathTemplate, type TemplateSegment } from "../../runtime/routing/path-template.js";

/** Prints a parsed template in the grammar: `{a.b}` for a one-`*` variable, `{a.b=...}` otherwise. */
function printTemplate(t: PathTemplate): string {
  if (t.segments.length === 0 && t.verb === undefined) return "/";
  const seg = (s: TemplateSegment) => (s.kind === "literal" ? s.value : s.kind === "wildcard" ? "*" : "**");
  const parts: string[] = [];
  for (let i = 0; i < t.segments.length; ) {
    const variable = t.variables.find((v) => v.start === i);
    if (variable === undefined) {
      parts.push(seg(t.segments[i]!));
      i++;
      continue;
    }
    const inner = t.segments.slice(variable.start, variable.end);
    const name = variable.fieldPath.join(".");
    parts.push(inner.length === 1 && inner[0]!.kind === "wildcard" ? `{${name}}` : `{${name}=${inner.map(seg).join("/")}}`);
    i = variable.end;
  }
  return `/${parts.join("/")}${t.verb === undefined ? "" : `:${t.verb}`}`;
}

const structure = (t: PathTemplate) => ({ segments: t.segments, variables: t.variables, verb: t.verb });

const literalChar = fc.constantFrom(..."abcXYZ019-._~!$&'()+,;@", "%41", "%2F", "%C3%A9");
const literal = fc.array(literalChar, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(""));
const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/);
const fieldPath = fc.array(ident, { minLength: 1, maxLength: 3 }).map((xs) => xs.join("."));
const plainSegment = fc.oneof(literal, fc.constant("*"));

/** A template the grammar accepts: literals, `*`, variables (distinct names), `**` only last, an optional verb. */
const validTemplate = fc
  .record({
    parts: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: plainSegment },
        {
          weight: 2,
          arbitrary: fc.record({ path: fieldPath, inner: fc.option(fc.array(plainSegment, { minLength: 1, maxLength: 3 }), { nil: undefined }) }),
        },
      ),
      { minLength: 1, maxLength: 6 },
    ),
    deep: fc.constantFrom("none", "bare", "variable"),
    verb: fc.option(literal, { nil: undefined }),
  })
  .map(({ parts, deep, verb }) => {
    const printed = parts.map((p, i) => {
      if (typeof p === "string") return p;
      const name = `${p.path}${i}`; // distinct names: a field may be bound once
      return p.inner === undefined ? `{${name}}` : `{${name}=${p.inner.join("/")}}`;
    });
    if (deep === "bare") printed.push("**");
    if (deep === "variable") printed.push("{rest=**}");
    return `/${printed.join("/")}${verb === undefined ? "" : `:${verb}`}`;
  });

describe("path templates: properties", () => {
  test("any string parses or throws PathTemplateError, nothing else", () => {
    const alphabet = fc.constantFrom(..."/{}=*:.%aZ09_-~", "**", "%4", "%zz", "é", "\u0000", " ");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(alphabet, { maxLength: 30 }).map((xs) => xs.join("")),
        ),
        (text) => {
          try {
            parsePathTemplate(text);
          } catch (err) {
            if (!(err instanceof PathTemplateError)) throw err;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("a valid template parses, and printing its parse reads back the same template", () => {
    fc.assert(
      fc.property(validTemplate, (text) => {
        const parsed = parsePathTemplate(text);
        const printed = printTemplate(parsed);
        assert.deepEqual(structure(parsePathTemplate(printed)), structure(parsed), `${text} -> ${printed}`);
        assert.equal(printTemplate(parsePathTemplate(printed)), printed);
      }),
      { numRuns: 1000 },
    );
  });
});
