/**
 * The JSON-to-binary transcoder against what it stands in for, the marshaler's read and the
 * binary encoder: wherever it vouches for a body, its bytes decode to the message the
 * marshaler reads, as many bytes as the encoder writes for it; where the marshaler refuses a
 * body, the transcoder never vouches. Path variables written after the body (the binding's
 * frame) give the message `bind` builds.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary, type DescMessage, type DescMethod, type Message } from "@bufbuild/protobuf";
import { compileBinding } from "../../runtime/binding/binding.js";
import { FRAME_PREFIX_BYTES } from "../../runtime/backend/backend.js";
import { encodeBinary } from "../../runtime/marshal/binary/encoder.js";
import { BinarySink } from "../../runtime/marshal/binary/sink.js";
import { createJsonMarshaler, type JsonMarshalerOptions } from "../../runtime/marshal/json/marshaler.js";
import type { Marshaler } from "../../runtime/marshal/marshaler.js";
import { transcodersOf } from "../../runtime/marshal/transcode/marshaler-transcoders.js";
import type { HttpRoute } from "../../runtime/route.js";
import { orderBody } from "../../bench/payloads.js";
import { BenchService } from "../../bench/gen/bench/v1/bench_pb.js";
import { Everything, NestedSchema, type Scalars, ScalarsSchema } from "../gen/testing/v1/everything_pb.js";
import { message, random, randomBody, registry } from "./json-fixtures.js";

const Kitchen = message("Kitchen");
const Legacy = message("Legacy");
const Modern = message("Modern");
const Odd = message("Odd");
const Crossed = message("Crossed");
const Order = BenchService.method.createOrder.input;

const marshalers = new Map<string, Marshaler>();
function marshalerFor(options: JsonMarshalerOptions): Marshaler {
  const name = JSON.stringify({ ...options, registry: options.registry !== undefined });
  let m = marshalers.get(name);
  if (m === undefined) marshalers.set(name, (m = createJsonMarshaler(options)));
  return m;
}

/** The message bytes the transcoder writes for `body`, or undefined where it does not vouch. */
function transcoded(schema: DescMessage, body: string | Uint8Array, options: JsonMarshalerOptions = {}): Buffer | undefined {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const sink = new BinarySink(16, FRAME_PREFIX_BYTES);
  if (!transcodersOf(marshalerFor(options))!.body.transcode(bytes, schema, sink)) return undefined;
  return sink.bytes().subarray(FRAME_PREFIX_BYTES);
}

/** Asserts the transcoder agrees with the marshaler on `body`; returns whether it vouched. */
function check(schema: DescMessage, body: string | Uint8Array, options: JsonMarshalerOptions = {}): boolean {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const context = `${schema.typeName} ${Buffer.from(bytes).toString().slice(0, 300)} ${JSON.stringify({ ...options, registry: undefined })}`;
  let read: Message | undefined;
  try {
    read = create(schema);
    marshalerFor(options).unmarshal(bytes, schema, read);
  } catch {
    read = undefined;
  }
  const written = transcoded(schema, bytes, options);
  if (written === undefined) return false;
  assert.ok(read !== undefined, `vouched for a body the marshaler refuses: ${context}`);
  // Decoded and written again by protobuf-es, both in field-number order: the same bytes.
  assert.deepEqual(toBinary(schema, fromBinary(schema, written)), toBinary(schema, read), context);
  assert.equal(written.length, encodeBinary(schema, read).length, `size: ${context}`);
  return true;
}

describe("JSON-to-binary transcoder", () => {
  it("vouches for the bench's orders and plain bodies of every field kind, with the marshaler's message", () => {
    for (const size of [1024, 4096, 64 * 1024, 256 * 1024]) assert.ok(check(Order, orderBody(size)), `order of ${size} bytes`);
    const plain = [
      '{"doubleValue":1.5,"floatValue":-0.25,"int64Value":"-9007199254740993","uint64Value":18446744073709551615,"int32Value":-7,"fixed64Value":"5","fixed32Value":7,"boolValue":true,"stringValue":"héllo","bytesValue":"AQID","uint32Value":4294967295,"sfixed32Value":-2,"sfixed64Value":"-3","sint32Value":-5,"sint64Value":"-6"}',
      '{"repeatedString":["a","","c"],"repeatedInt32":[1,-1,0],"repeatedColor":["COLOR_RED",2],"repeatedNested":[{"name":"n","amount":2,"tags":["t"]},{}],"repeatedInt64":["1",2]}',
      '{"labels":{"a":"1","":"","__proto__":"p","k:v":"é"},"intMap":{"1":"one","-2":"minus two"},"nestedMap":{"x":{"name":"y"}}}',
      '{"optionalString":"","optionalInt32":0,"int32Value":0,"stringValue":"","boolValue":false,"doubleValue":-0}',
      '{"string_value":"proto names","repeated_string":["x"]}',
      ' \t\r\n{ "stringValue" : "blanks" , "int32Value" : 3 } \n',
      '{"stringValue":"esc\\"aped \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00"}',
      '{"doubleValue":"NaN","floatValue":"-Infinity","int32Value":"12","int64Value":1e3,"uint32Value":"4"}',
      '{"nested":null,"repeatedString":null,"labels":null,"stringValue":null}',
      // Plain integers go as varints at once: each size of varint, and the numbers beyond them.
      ...[
        0,
        1,
        127,
        128,
        16_383,
        16_384,
        2_147_483_647,
        4_294_967_295,
        4_294_967_296,
        34_359_738_368,
        999_999_999_999_999,
        "9999999999999999",
        "9007199254740993",
      ].map((n) => `{"int64Value":${n},"uint64Value":${n},"repeatedInt64":[${n},${n}],"int32Value":${Number(n) > 2_147_483_647 ? 5 : n}}`),
      // Map keys compared as bytes while few, then looked up.
      `{"labels":{${Array.from({ length: 40 }, (_, i) => `"k${i}":"v${i}"`).join(",")}},"intMap":{"1":"a","2":"b","-1":"c"}}`,
      '{"uint32Value":4294967295,"int32Value":-0,"repeatedInt32":[0,-0,2147483647,-2147483648]}',
      "{}",
    ];
    for (const body of plain) assert.ok(check(ScalarsSchema, body), body);
  });

  it("vouches only for bodies the marshaler reads, as it reads them, on thousands of generated bodies", () => {
    const next = random(20261203);
    const types = [Kitchen, Legacy, Modern, ScalarsSchema, NestedSchema, Order, Odd, Crossed];
    const optionSets: JsonMarshalerOptions[] = [{}, { discardUnknown: false }, { registry }, { maxDepth: 3 }];
    let plainVouched = 0;
    let plain = 0;
    for (let i = 0; i < 4000; i++) {
      const schema = types[i % types.length]!;
      const mischief = i % 3 === 0 ? 0 : 0.1;
      const vouched = check(schema, randomBody(schema, next, mischief), optionSets[i % optionSets.length]);
      if (mischief === 0 && (schema === Order || schema === NestedSchema || schema === Modern)) {
        plain++;
        if (vouched) plainVouched++;
      }
    }
    // Bodies without mischief, of types without well-known fields: the transcoder must take most.
    assert.ok(plainVouched > plain * 0.6, `vouched for ${plainVouched} of ${plain} plain bodies`);
  });

  it("refuses whatever is not exactly JSON, or is JSON the marshaler refuses or reads its own way", () => {
    const refused = [
      '{"stringValue":"a",}',
      '{"int32Value":01}',
      '{"int32Value":-}',
      '{"doubleValue":1.}',
      '{"doubleValue":.5}',
      '{"doubleValue":1e}',
      '{"doubleValue":+1}',
      '{"doubleValue":NaN}',
      '{"doubleValue":Infinity}',
      '{"boolValue":tru}',
      '{"boolValue":True}',
      "{'stringValue':'x'}",
      '{"stringValue":"x"} x',
      '{"stringValue":"x"}{}',
      '{"stringValue" "x"}',
      '{"stringValue":"x" "int32Value":1}',
      '{"stringValue":"raw\ttab"}',
      '{"stringValue":"raw\nnewline"}',
      '{"stringValue":"unterminated}',
      '{"stringValue":"\\x"}',
      '{"stringValue":"\\ud800"}',
      '{"stringValue":"a"/*c*/}',
      "\ufeff{}",
      '{"stringValue":"a","stringValue":"b"}',
      '{"stringValue":"a","string_value":"b"}',
      '{"nope":1}',
      '{"stri\\u006egValue":"escaped key"}',
      '{"repeatedString":["a",null]}',
      '{"labels":{"a":null}}',
      '{"labels":{"a":"1","a":"2"}}',
      '{"labels":{"a":"1","\\u0061":"2"}}',
      `{"labels":{${Array.from({ length: 40 }, (_, i) => `"k${i % 30}":"v"`).join(",")}}}`,
      `{"labels":{${Array.from({ length: 10 }, (_, i) => `"k${i}":"v"`).join(",")},"k3":"again"}}`,
      '{"intMap":{"1":"a","01":"b"}}',
      '{"intMap":{"x":"a"}}',
      '{"int32Value":2147483648}',
      '{"uint32Value":4294967296}',
      '{"int32Value":00}',
      '{"int32Value":012}',
      '{"repeatedInt32":[2147483648]}',
      '{"int32Value":1.5}',
      '{"int64Value":"9223372036854775808"}',
      '{"floatValue":1e39}',
      '{"doubleValue":1e400}',
      '{"bytesValue":"!!"}',
      '{"repeatedColor":["NOPE"]}',
      '{"timestamp":"2024-01-01T00:00:00Z"}',
      '{"stringWrapper":"w"}',
      '{"structValue":{}}',
      "[]",
      '"x"',
      "null",
      "",
      " ",
      "{",
      '{"nested":{"name":"a"}',
    ];
    for (const body of refused) {
      assert.equal(transcoded(ScalarsSchema, body), undefined, body);
      check(ScalarsSchema, body);
    }
    // Not UTF-8: the marshaler's error to give.
    const invalid = Buffer.concat([Buffer.from('{"stringValue":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    assert.equal(transcoded(ScalarsSchema, invalid), undefined);
    // A oneof set twice, or set with null: the marshaler's.
    const oneof = Kitchen.oneofs[0]!;
    const [first, second] = oneof.fields;
    assert.equal(transcoded(Kitchen, `{"${first!.jsonName}":${first!.scalar === undefined ? "{}" : '"1"'},"${second!.jsonName}":{}}`), undefined);
    assert.equal(transcoded(Kitchen, `{"${first!.jsonName}":null}`), undefined);
    // Deeper than the marshaler's limit: its error.
    const deep = `{"child":{"child":{"child":{"listS":["x"]}}}}`;
    assert.equal(transcoded(Kitchen, deep, { maxDepth: 3 }), undefined);
    check(Kitchen, deep, { maxDepth: 3 });
    assert.ok(check(Kitchen, deep, { maxDepth: 5 }));
    // Required fields are the encoder's to check.
    assert.equal(transcoded(Legacy, "{}"), undefined);
    // Found in review: a safe integer of 16 digits is a number, as the marshaler reads it, not
    // text (which the bytes converter would take as base64); two spellings of one 64-bit map key.
    for (const body of [
      '{"by":1234567890123456}',
      '{"listBy":[9007199254740991]}',
      '{"mapI64":{" 1":"MOOD_HAPPY","1":"MOOD_SAD"}}',
      '{"mapU64":{"0x1":"AQ==","1":"Ag=="}}',
    ]) {
      assert.equal(transcoded(Kitchen, body), undefined, body);
      check(Kitchen, body);
    }
    assert.ok(check(ScalarsSchema, '{"int64Value":1234567890123456,"doubleValue":9007199254740991,"uint64Value":9007199254740992}'));
  });

  it("writes a nested message's length before it, however long it grew", () => {
    const child = (s: string) => `{"child":{"s":${JSON.stringify(s)},"child":{"i32":1,"s":${JSON.stringify(s)}}}}`;
    for (const length of [0, 100, 126, 127, 128, 200, 16_383, 16_384, 20_000, 2_100_000]) {
      assert.ok(check(Kitchen, child("é".repeat(length % 2) + "x".repeat(length))), `length ${length}`);
    }
  });

  it("binds path variables after the body, where they win, as bind does", () => {
    const route: HttpRoute = { method: Everything.method.echo, httpMethod: "PUT", path: "/v1/echo/{nested.name}/{string_value}/{int64_value}", body: "*" };
    const plan = compileBinding(route);
    assert.ok(plan.frame !== undefined);
    const json = marshalerFor({});
    const cases = [
      ['{"stringValue":"body","nested":{"name":"body","amount":3},"int32Value":4}', { "nested.name": "path", string_value: "", int64_value: "-5" }],
      ["{}", { "nested.name": "", string_value: "s", int64_value: "0" }],
      ["", { "nested.name": "n", string_value: "s", int64_value: "9223372036854775807" }],
    ] as const;
    for (const [body, pathParams] of cases) {
      const input = { pathParams, rawQuery: "", body: Buffer.from(body), marshaler: json };
      const frame = plan.frame!(input);
      assert.ok(frame !== undefined, body);
      const bound = plan.bind(input);
      assert.deepEqual(toBinary(ScalarsSchema, fromBinary(ScalarsSchema, frame.subarray(FRAME_PREFIX_BYTES))), toBinary(ScalarsSchema, bound as Scalars), body);
    }
    // A variable's text that does not convert: bind's to refuse, naming it.
    assert.equal(
      plan.frame!({ pathParams: { "nested.name": "n", string_value: "s", int64_value: "x" }, rawQuery: "", body: Buffer.from("{}"), marshaler: json }),
      undefined,
    );
    // A marshaler of the user's own reads its bodies itself.
    const own: Marshaler = { contentType: "application/json", unmarshal: json.unmarshal, marshal: json.marshal };
    assert.equal(plan.frame!({ pathParams: {}, rawQuery: "", body: Buffer.from("{}"), marshaler: own }), undefined);
    // A field body needs the message (and the PATCH mask filled from it).
    assert.equal(compileBinding({ ...route, body: "nested" }).frame, undefined);
    // Found in review: an empty body skips the transcoder, and its refusal of required fields
    // with it; a message with required fields is the encoder's to check.
    const legacyMethod = { input: Legacy, output: Legacy, parent: { typeName: "fast.v1.Legacies" }, name: "Put", methodKind: "unary" } as unknown as DescMethod;
    assert.equal(compileBinding({ method: legacyMethod, httpMethod: "POST", path: "/v1/{b}", body: "*" }).frame, undefined);
  });
});
