import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { status as Code } from "@grpc/grpc-js";
import { compileBinding, type BindingOptions } from "../../runtime/binding/binding.js";
import { GatewayError } from "../../runtime/gateway-error.js";
import { createJsonMarshaler } from "../../runtime/marshal/json/marshaler.js";
import type { Marshaler } from "../../runtime/marshal/marshaler.js";
import type { HttpRoute } from "../../runtime/route.js";
import { Everything, type Scalars, type UpdateNestedRequest } from "../gen/testing/v1/everything_pb.js";
import { Messaging, type UpdateMessageRequest } from "../gen/testing/v1/messaging_pb.js";

const json = createJsonMarshaler();
const utf8 = (s: string) => new TextEncoder().encode(s);

interface Request {
  pathParams?: Record<string, string>;
  query?: string;
  body?: string | Uint8Array;
  marshaler?: Marshaler;
}

function bind<T extends Message>(route: HttpRoute, request: Request = {}, options: BindingOptions = {}): T {
  const plan = compileBinding(route, options);
  const body = typeof request.body === "string" ? utf8(request.body) : request.body;
  return plan.bind({ pathParams: request.pathParams ?? {}, rawQuery: request.query ?? "", body, marshaler: request.marshaler ?? json }) as T;
}

function refused(route: HttpRoute, request: Request, message: string): void {
  assert.throws(
    () => bind(route, request),
    (err: unknown) => err instanceof GatewayError && err.code === Code.INVALID_ARGUMENT && err.message === message,
  );
}

const echo = (httpMethod: string, path: string, body?: string): HttpRoute => ({
  method: Everything.method.echo,
  httpMethod,
  path,
  ...(body === undefined ? {} : { body }),
});
const getEcho = echo("GET", "/v1/echo/{string_value}");
const postStar = echo("POST", "/v1/echo", "*");
const postNested = echo("POST", "/v1/echo/{string_value}/nested", "nested");
const putNestedPath = echo("PUT", "/v1/echo/{nested.name}/{nested.child.name}", "*");
const updateNested: HttpRoute = { method: Everything.method.updateNested, httpMethod: "PATCH", path: "/v1/nested/{name}", body: "nested" };

describe("binding: path variables", () => {
  it("binds path variables, then query parameters", () => {
    const m = bind<Scalars>(getEcho, { pathParams: { string_value: "hello" }, query: "int32_value=3&nested.name=n" });
    assert.equal(m.stringValue, "hello");
    assert.equal(m.int32Value, 3);
    assert.equal(m.nested?.name, "n");
  });

  it("ignores query parameters for path-bound fields", () => {
    assert.equal(bind<Scalars>(getEcho, { pathParams: { string_value: "path" }, query: "string_value=q&stringValue=q" }).stringValue, "path");
  });

  it("converts path variables like query values, naming the variable on failure", () => {
    const route = echo("GET", "/v1/x/{int64_value}/{color}/{bool_value}/{timestamp}");
    const m = bind<Scalars>(route, { pathParams: { int64_value: "-5", color: "COLOR_RED", bool_value: "t", timestamp: "2024-01-01T00:00:00Z" } });
    assert.deepEqual([m.int64Value, m.color, m.boolValue, m.timestamp?.seconds], [-5n, 1, true, 1704067200n]);
    refused(route, { pathParams: { int64_value: "abc" } }, 'invalid value for path variable "int64_value": "abc" is not a valid int64');
    refused(route, { pathParams: { color: "PURPLE" } }, 'invalid value for path variable "color": "PURPLE" is not a valid testing.v1.Color');
  });

  it("binds path variables into nested fields, creating the messages", () => {
    const m = bind<Scalars>(putNestedPath, { pathParams: { "nested.name": "a", "nested.child.name": "b" } });
    assert.equal(m.nested?.name, "a");
    assert.equal(m.nested?.child?.name, "b");
  });

  it("reads templates with segments after =", () => {
    const route = echo("GET", "/v1/{string_value=shelves/*/books/*}/{uuid}:get");
    assert.deepEqual(bind<Scalars>(route, { pathParams: { string_value: "shelves/1/books/2", uuid: "u" } }).uuid, "u");
  });

  it("splits a repeated path variable on commas and replaces the body's list", () => {
    const route = echo("POST", "/v1/x/{repeated_int32}", "*");
    assert.deepEqual(bind<Scalars>(route, { pathParams: { repeated_int32: "1,2" }, body: '{"repeatedInt32":[9]}' }).repeatedInt32, [1, 2]);
  });

  it("converts each element of a repeated path variable, naming the variable on failure", () => {
    const route = echo("GET", "/v1/x/{repeated_color}/{repeated_string}");
    const m = bind<Scalars>(route, { pathParams: { repeated_color: "COLOR_RED,2", repeated_string: "a,,b" } });
    assert.deepEqual(
      [m.repeatedColor, m.repeatedString],
      [
        [1, 2],
        ["a", "", "b"],
      ],
    );
    refused(
      route,
      { pathParams: { repeated_color: "COLOR_RED,PURPLE" } },
      'invalid value for path variable "repeated_color": "PURPLE" is not a valid testing.v1.Color',
    );
  });

  it("splits a repeated path variable on the route's repeatedPathSeparator instead, and only on it", () => {
    const route: HttpRoute = { ...echo("GET", "/v1/x/{repeated_string}/{repeated_color}"), repeatedPathSeparator: "|" };
    const m = bind<Scalars>(route, { pathParams: { repeated_string: "a,b|c", repeated_color: "COLOR_RED|2" } });
    assert.deepEqual(
      [m.repeatedString, m.repeatedColor],
      [
        ["a,b", "c"],
        [1, 2],
      ],
    );
    assert.deepEqual(bind<Scalars>({ ...route, repeatedPathSeparator: "\t" }, { pathParams: { repeated_string: "a\tb c" } }).repeatedString, ["a", "b c"]);
  });

  it("refuses a repeatedPathSeparator that is not one character at registration", () => {
    assert.throws(
      () => compileBinding({ ...echo("GET", "/v1/x/{repeated_string}"), repeatedPathSeparator: "" }),
      /^Error: cannot bind GET \/v1\/x\/\{repeated_string\} to testing.v1.Everything.Echo: repeatedPathSeparator must be one character, got ""$/,
    );
  });

  it("skips variables the router did not supply", () => {
    assert.equal(bind<Scalars>(getEcho).stringValue, "");
  });
});

describe("binding: body", () => {
  it("body * fills the whole message and takes no query parameters", () => {
    const m = bind<Scalars>(postStar, { body: '{"stringValue":"b","int32Value":1}', query: "int32_value=2&nope=1" });
    assert.equal(m.stringValue, "b");
    assert.equal(m.int32Value, 1);
  });

  it("a path variable wins over the body for the same field, as in grpc-gateway", () => {
    const m = bind<Scalars>(putNestedPath, { pathParams: { "nested.name": "path" }, body: '{"nested":{"name":"body","amount":2}}' });
    assert.equal(m.nested?.name, "path");
    assert.equal(m.nested?.amount, 2);
  });

  it("a field body fills that field; the query fills the rest but not under the body field", () => {
    const m = bind<Scalars>(postNested, { pathParams: { string_value: "s" }, body: '{"name":"n"}', query: "int32_value=3&nested.amount=9&nested=x" });
    assert.equal(m.stringValue, "s");
    assert.equal(m.nested?.name, "n");
    assert.equal(m.nested?.amount, 0);
    assert.equal(m.int32Value, 3);
  });

  it("a field body may be repeated or scalar", () => {
    assert.deepEqual(bind<Scalars>(echo("POST", "/v1/echo/{uuid}/repeated", "repeated_string"), { body: '["a","b"]' }).repeatedString, ["a", "b"]);
    assert.equal(bind<Scalars>(echo("POST", "/v1/echo/{uuid}/scalar", "int64_value"), { body: '"42"' }).int64Value, 42n);
  });

  it("a body path may be nested", () => {
    const m = bind<Scalars>(echo("POST", "/v1/x", "nested.child"), { body: '{"name":"deep"}' });
    assert.equal(m.nested?.child?.name, "deep");
  });

  it("a rule without body ignores the request body", () => {
    assert.equal(bind<Scalars>(getEcho, { body: '{"int32Value":5}' }).int32Value, 0);
  });

  it("no request body leaves the marshaler alone", () => {
    const strict: Marshaler = { contentType: "x", unmarshal: () => assert.fail("called"), marshal: () => "" };
    assert.equal(bind<Scalars>(postStar, { marshaler: strict }).stringValue, "");
  });

  it("hands the field body to the marshaler with the parent message and the field", () => {
    const calls: [DescMessage, DescField | undefined][] = [];
    const spy: Marshaler = { contentType: "x", unmarshal: (_b, schema, _t, field) => void calls.push([schema, field]), marshal: () => "" };
    bind(echo("POST", "/v1/x", "nested.child"), { body: "{}", marshaler: spy });
    assert.deepEqual(
      calls.map(([s, f]) => [s.typeName, f?.name]),
      [["testing.v1.Nested", "child"]],
    );
  });

  it("passes marshaler errors through", () => {
    refused(postStar, { body: '{"int32Value":"x"}' }, 'cannot decode field testing.v1.Scalars.int32_value from JSON: expected number (int32), got "x"');
  });

  it("refuses a path variable for another member of a oneof the body set", () => {
    const route = echo("POST", "/v1/x/{choice_a}", "*");
    refused(
      route,
      { pathParams: { choice_a: "a" }, body: '{"choiceB":1}' },
      'invalid value for path variable "choice_a": oneof "choice" already has "choice_b" set',
    );
    assert.deepEqual(bind<Scalars>(route, { pathParams: { choice_a: "a" }, body: '{"choiceA":"b"}' }).choice, { case: "choiceA", value: "a" });
  });

  it("refuses a query parameter for another member of a oneof the path set", () => {
    refused(
      echo("GET", "/v1/x/{choice_a}"),
      { pathParams: { choice_a: "a" }, query: "choice_b=1" },
      'invalid value for query parameter "choice_b": oneof "choice" already has "choice_a" set',
    );
  });
});

describe("binding: options", () => {
  it("passes unknownQueryParameters to the query", () => {
    refused(getEcho, { query: "nope=1" }, 'unknown query parameter "nope": testing.v1.Scalars has no field "nope"');
    assert.equal(bind<Scalars>(getEcho, { query: "nope=1&uuid=u" }, { unknownQueryParameters: "ignore" }).uuid, "u");
  });
});

describe("binding: rules that cannot bind", () => {
  const fails = (route: HttpRoute, message: string) => assert.throws(() => compileBinding(route, {}), { message });
  it("throws at compile time, naming the route", () => {
    fails(
      echo("GET", "/v1/{nope}"),
      'cannot bind GET /v1/{nope} to testing.v1.Everything.Echo: field path "nope" of testing.v1.Scalars: testing.v1.Scalars has no field "nope"',
    );
    fails(
      echo("GET", "/v1/{nested}"),
      'cannot bind GET /v1/{nested} to testing.v1.Everything.Echo: path variable "nested" names a message field that has no text form',
    );
    fails(
      echo("GET", "/v1/{labels}"),
      'cannot bind GET /v1/{labels} to testing.v1.Everything.Echo: path variable "labels" names a map field that has no text form',
    );
    fails(
      echo("GET", "/v1/{uuid.x}"),
      'cannot bind GET /v1/{uuid.x} to testing.v1.Everything.Echo: field path "uuid.x" of testing.v1.Scalars: "uuid" is not a message field',
    );
    fails(
      echo("GET", "/v1/{repeated_nested}"),
      'cannot bind GET /v1/{repeated_nested} to testing.v1.Everything.Echo: path variable "repeated_nested" names a repeated message field; a repeated path variable takes a comma-separated list of scalars or enums',
    );
    fails(
      echo("GET", "/v1/{struct_value}"),
      'cannot bind GET /v1/{struct_value} to testing.v1.Everything.Echo: path variable "struct_value" names a message field whose text form is JSON, which query parameters take but path variables do not',
    );
    fails(
      echo("POST", "/v1/x", "nope"),
      'cannot bind POST /v1/x to testing.v1.Everything.Echo: field path "nope" of testing.v1.Scalars: testing.v1.Scalars has no field "nope"',
    );
  });
});

describe("binding: PATCH fills an empty FieldMask from the body", () => {
  const patch = (body: string, query = "") => bind<UpdateNestedRequest>(updateNested, { pathParams: { name: "n1" }, body, query });

  it("uses the JSON keys present, as proto names, nested objects as dotted paths, sorted", () => {
    const m = patch('{"name":"x","child":{"amount":1,"child":{"name":"y"}},"color":"COLOR_RED"}');
    assert.equal(m.name, "n1");
    assert.equal(m.nested?.name, "x");
    assert.deepEqual(m.updateMask?.paths, ["child.amount", "child.child.name", "color", "name"]);
  });

  it("takes JSON names, treats lists, null and {} as leaves", () => {
    assert.deepEqual(patch('{"tags":["a"],"child":{}}').updateMask?.paths, ["child", "tags"]);
    assert.deepEqual(patch('{"child":null}').updateMask?.paths, ["child"]);
  });

  it("refuses an unknown key at any depth, naming it and its message, as FieldMaskFromRequestBody", () => {
    assert.throws(() => patch('{"tags":["a"],"child":{},"nope":1}'), { code: 3, message: 'could not find field "nope" in "testing.v1.Nested"' });
    assert.throws(() => patch('{"child":{"child":{"Name":"y"}}}'), { code: 3, message: 'could not find field "Name" in "testing.v1.Nested"' });
  });

  it("leaves an empty mask empty on a route with patchFieldMask: false (allow_patch_feature=false)", () => {
    const route: HttpRoute = { ...updateNested, patchFieldMask: false };
    const m = bind<UpdateNestedRequest>(route, { pathParams: { name: "n1" }, body: '{"name":"x","amount":2}' });
    assert.equal(m.nested?.name, "x");
    assert.equal(m.updateMask, undefined);
  });

  it("keeps a mask the client sent in the query", () => {
    assert.deepEqual(patch('{"name":"x","amount":2}', "update_mask=amount").updateMask?.paths, ["amount"]);
    assert.deepEqual(patch('{"name":"x"}', "updateMask=name,amount").updateMask?.paths, ["name", "amount"]);
  });

  it("leaves the mask alone for an empty body, a non-JSON body, or another verb", () => {
    assert.equal(patch("").updateMask, undefined);
    const put = bind<UpdateNestedRequest>({ ...updateNested, httpMethod: "PUT" }, { body: '{"name":"x"}' });
    assert.equal(put.updateMask, undefined);
    const raw: Marshaler = { contentType: "application/x-raw", unmarshal: () => {}, marshal: () => "" };
    assert.equal(bind<UpdateNestedRequest>(updateNested, { body: new Uint8Array([0x0a, 0x01, 0x78]), marshaler: raw }).updateMask, undefined);
  });

  it("does nothing for a request without a FieldMask field or with body *", () => {
    const route: HttpRoute = { method: Messaging.method.updateMessage, httpMethod: "PATCH", path: "/v1/messages/{message_id}", body: "message" };
    const m = bind<UpdateMessageRequest>(route, { pathParams: { message_id: "1" }, body: '{"text":"Hi!"}' });
    assert.deepEqual([m.messageId, m.message?.text], ["1", "Hi!"]);
    const star = bind<UpdateNestedRequest>({ ...updateNested, body: "*" }, { body: '{"nested":{"name":"x"}}' });
    assert.equal(star.updateMask, undefined);
  });
});
