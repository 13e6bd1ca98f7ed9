import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  fieldPathsOf,
  parsePathTemplate,
  PathTemplateError,
  templateKey,
  type PathTemplate,
  type TemplateSegment,
} from "../../runtime/routing/path-template.js";

const lit = (value: string): TemplateSegment => ({ kind: "literal", value });
const star: TemplateSegment = { kind: "wildcard" };
const deep: TemplateSegment = { kind: "deep" };
const v = (fieldPath: string, start: number, end: number) => ({ fieldPath: fieldPath.split("."), start, end });

describe("parsePathTemplate: the grammar", () => {
  const cases: Array<[string, Omit<PathTemplate, "source">]> = [
    ["/", { segments: [], variables: [] }],
    ["/v1", { segments: [lit("v1")], variables: [] }],
    ["/v1/messages", { segments: [lit("v1"), lit("messages")], variables: [] }],
    ["/v1/*", { segments: [lit("v1"), star], variables: [] }],
    ["/v1/**", { segments: [lit("v1"), deep], variables: [] }],
    ["/v1/*/x", { segments: [lit("v1"), star, lit("x")], variables: [] }],
    ["/v1/{name}", { segments: [lit("v1"), star], variables: [v("name", 1, 2)] }],
    ["/v1/{name=*}", { segments: [lit("v1"), star], variables: [v("name", 1, 2)] }],
    ["/v1/{name=messages/*}", { segments: [lit("v1"), lit("messages"), star], variables: [v("name", 1, 3)] }],
    ["/v1/messages/{message_id}", { segments: [lit("v1"), lit("messages"), star], variables: [v("message_id", 2, 3)] }],
    [
      "/v1/users/{user_id}/messages/{message_id}",
      {
        segments: [lit("v1"), lit("users"), star, lit("messages"), star],
        variables: [v("user_id", 2, 3), v("message_id", 4, 5)],
      },
    ],
    [
      "/v1/{name=projects/*/locations/*}/resource/{resource_path=**}",
      {
        segments: [lit("v1"), lit("projects"), star, lit("locations"), star, lit("resource"), deep],
        variables: [v("name", 1, 5), v("resource_path", 6, 7)],
      },
    ],
    ["/v1/{a.b_c.D9}", { segments: [lit("v1"), star], variables: [v("a.b_c.D9", 1, 2)] }],
    ["/v1/{_x}", { segments: [lit("v1"), star], variables: [v("_x", 1, 2)] }],
    ["/v1/{x=lit}", { segments: [lit("v1"), lit("lit")], variables: [v("x", 1, 2)] }],
    ["/v1/{x=a/**}", { segments: [lit("v1"), lit("a"), deep], variables: [v("x", 1, 3)] }],
    ["/{x=**}", { segments: [deep], variables: [v("x", 0, 1)] }],
    ["/v1/{name}:verify", { segments: [lit("v1"), star], variables: [v("name", 1, 2)], verb: "verify" }],
    ["/v1/a:b", { segments: [lit("v1"), lit("a")], variables: [], verb: "b" }],
    ["/v1/**:undelete", { segments: [lit("v1"), deep], variables: [], verb: "undelete" }],
    ["/v1/{p=**}:do-it.now", { segments: [lit("v1"), deep], variables: [v("p", 1, 2)], verb: "do-it.now" }],
    ["/v1/a%20b:c%2Fd", { segments: [lit("v1"), lit("a%20b")], variables: [], verb: "c%2Fd" }],
    ["/v1/a-b.c_d~e", { segments: [lit("v1"), lit("a-b.c_d~e")], variables: [] }],
    ["/v1/!$&'()+,;@", { segments: [lit("v1"), lit("!$&'()+,;@")], variables: [] }],
    ["/v1/%C3%A9t%C3%A9", { segments: [lit("v1"), lit("%C3%A9t%C3%A9")], variables: [] }],
    ["/{a}/{b}/{c}", { segments: [star, star, star], variables: [v("a", 0, 1), v("b", 1, 2), v("c", 2, 3)] }],
    ["/{a}/{a_b}", { segments: [star, star], variables: [v("a", 0, 1), v("a_b", 1, 2)] }],
  ];
  for (const [source, expected] of cases) {
    test(source, () => assert.deepEqual(parsePathTemplate(source), { source, ...expected }));
  }

  test("a template without a verb has no verb property", () => {
    assert.equal("verb" in parsePathTemplate("/v1/{name}"), false);
  });
});

describe("parsePathTemplate: errors", () => {
  const cases: Array<[string, string, number]> = [
    ["", "empty template", 0],
    ["v1/a", 'template must start with "/"', 0],
    ["{a}", 'template must start with "/"', 0],
    ["/v1/{a=b/{c}}", "nested variable", 9],
    ["/v1/{a={c}}", "nested variable", 7],
    ["/v1/{a{b}}", "nested variable", 6],
    ["/v1/{a=b{c}}", "nested variable", 8],
    ["/v1/{}", "empty field path", 5],
    ["/v1/{=*}", "empty field path", 5],
    ["/v1/{a.}", "empty identifier in field path", 7],
    ["/v1/{.a}", "empty identifier in field path", 5],
    ["/v1/{a..b}", "empty identifier in field path", 7],
    ["/v1/{1a}", 'invalid identifier "1a"', 5],
    ["/v1/{a.2}", 'invalid identifier "2"', 7],
    ["/v1/{a-b}", 'invalid character "-" in field path', 6],
    ["/v1/{a/b}", 'invalid character "/" in field path', 6],
    ["/v1/{é}", 'invalid character "é" in field path', 5],
    ["/v1/**/**", 'more than one "**"', 7],
    ["/v1/{a=**}/{b=**}", 'more than one "**"', 14],
    ["/v1/**/a", '"**" must be the last segment', 4],
    ["/v1/{a=**}/*", '"**" must be the last segment', 7],
    ["/v1/{a=**/b}", '"**" must be the last segment', 7],
    ["/**/{a}", '"**" must be the last segment', 1],
    ["/v1/{a}/{a}", 'duplicate variable "a"', 8],
    ["/v1/{a.b}/x/{a.b=*}", 'duplicate variable "a.b"', 12],
    ["/v1/", 'trailing "/"', 3],
    ["/v1/{a}/", 'trailing "/"', 7],
    ["/v1//a", "empty segment", 4],
    ["//", "empty segment", 1],
    ["/:verb", "empty segment", 1],
    ["/v1/:verb", "empty segment", 4],
    ["/v1/{a=b/}", "empty segment", 9],
    ["/v1/{a=}", "empty segment", 7],
    ["/v1/{a=b//c}", "empty segment", 9],
    ["/v1/{a", 'unclosed "{"', 4],
    ["/v1/{a.b", 'unclosed "{"', 4],
    ["/v1/{a.", 'unclosed "{"', 4],
    ["/v1/{a=b", 'unclosed "{"', 4],
    ["/v1/{a=b/", 'unclosed "{"', 4],
    ["/v1/{a=", 'unclosed "{"', 4],
    ["/v1/{", 'unclosed "{"', 4],
    ["/v1/{a}}", 'unexpected "}"', 7],
    ["/v1/a}", 'unexpected "}"', 5],
    ["/v1/}", 'unexpected "}"', 4],
    ["/v1/{a}b", 'unexpected "b"', 7],
    ["/v1/a{b}", 'unexpected "{"', 5],
    ["/v1/{a=b:c}", 'unexpected ":"', 8],
    ["/v1/a:", "empty verb", 6],
    ["/v1/{a}:", "empty verb", 8],
    ["/v1/a:b/c", 'unexpected "/"', 7],
    ["/v1/a:b:c", 'unexpected ":"', 7],
    ["/v1/a:{b}", 'unexpected "{"', 6],
    ["/v1/a:*", 'unexpected "*"', 6],
    ["/v1/a:b c", 'invalid character " " in literal', 7],
    ["/v1/a b", 'invalid character " " in literal', 5],
    ["/v1/a?b", 'invalid character "?" in literal', 5],
    ["/v1/a#b", 'invalid character "#" in literal', 5],
    ["/v1/é", 'invalid character "é" in literal', 4],
    ["/v1/a\tb", 'invalid character "\\t" in literal', 5],
    ["/v1/a*", 'unexpected "*"', 5],
    ["/v1/***", 'unexpected "*"', 4],
    ["/v1/a=b", 'unexpected "="', 5],
    ["/v1/{a=b=c}", 'unexpected "="', 8],
    ["/v1/a%zz", 'invalid percent-escape "%zz"', 5],
    ["/v1/a%2", 'invalid percent-escape "%2"', 5],
    ["/v1/a%", 'invalid percent-escape "%"', 5],
    ["/v1/a:%g0", 'invalid percent-escape "%g0"', 6],
    ["/v1/%FF", 'percent-escapes in "%FF" are not UTF-8', 4],
  ];
  for (const [source, problem, position] of cases) {
    test(`${JSON.stringify(source)}: ${problem}`, () => {
      assert.throws(
        () => parsePathTemplate(source),
        (error: unknown) => {
          assert.ok(error instanceof PathTemplateError);
          assert.equal(error.message, `${problem} at position ${position} in ${JSON.stringify(source)}`);
          assert.equal(error.position, position);
          assert.equal(error.template, source);
          assert.equal(error.name, "PathTemplateError");
          return true;
        },
      );
    });
  }

  test("the example from the brief", () => {
    assert.throws(() => parsePathTemplate("/v1/{a}}"), { message: 'unexpected "}" at position 7 in "/v1/{a}}"' });
  });
});

describe("fieldPathsOf", () => {
  test("lists dotted field paths in template order", () => {
    const t = parsePathTemplate("/v1/{parent=shelves/*}/books/{book.id}/{rest=**}");
    assert.deepEqual(fieldPathsOf(t), ["parent", "book.id", "rest"]);
  });

  test("is empty without variables", () => {
    assert.deepEqual(fieldPathsOf(parsePathTemplate("/v1/*")), []);
  });
});

describe("templateKey", () => {
  const key = (t: string) => templateKey(parsePathTemplate(t));

  test("ignores variable names and extents", () => {
    assert.equal(key("/v1/{a}/x"), "/v1/*/x");
    assert.equal(key("/v1/{b=*}/x"), "/v1/*/x");
    assert.equal(key("/v1/*/x"), "/v1/*/x");
    assert.equal(key("/v1/{a=foo/*}"), key("/v1/foo/{b}"));
    assert.equal(key("/v1/{p=**}"), "/v1/**");
  });

  test("keeps the verb and the root", () => {
    assert.equal(key("/v1/{a}:do"), "/v1/*:do");
    assert.notEqual(key("/v1/{a}:do"), key("/v1/{a}"));
    assert.equal(key("/"), "/");
  });

  test("compares literals decoded, never confusing an escaped star with a wildcard", () => {
    assert.equal(key("/v1/%61"), key("/v1/a"));
    assert.equal(key("/v1/a%2fb"), key("/v1/a%2Fb"));
    assert.notEqual(key("/v1/%2A"), key("/v1/*"));
    assert.notEqual(key("/v1/%2A%2A"), key("/v1/**"));
  });
});
