/**
 * The compiled JSON reader against protobuf-es's reflective path (the marshaler before
 * the reader existed): for every input, the same message or the same error, and a target
 * left untouched whenever the reader does not vouch for its result.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry, type DescField, type DescMessage, type JsonObject, type JsonValue, type Message } from "@bufbuild/protobuf";
import { Code } from "../../runtime/gen/google/rpc/code_pb.js";
import { GatewayError } from "../../runtime/gateway-error.js";
import { quoteUnsafeIntegers } from "../../runtime/marshal/json/integers.js";
import { createJsonMarshaler, type JsonMarshalerOptions } from "../../runtime/marshal/json/marshaler.js";
import { createJsonReader, type JsonReader } from "../../runtime/marshal/json/reader.js";
import { createReflectiveJson, type ReflectiveJson } from "../../runtime/marshal/json/reflective.js";
import { orderBody } from "../../bench/payloads.js";
import { BenchService } from "../../bench/gen/bench/v1/bench_pb.js";
import { NestedSchema, ScalarsSchema } from "../gen/testing/v1/everything_pb.js";
import { message, random, randomBody, registry } from "./json-fixtures.js";
import { alsoWithoutCodeGeneration } from "../support/without-code-generation.js";
import { compileProtos } from "../support/compile-proto.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

const Kitchen = message("Kitchen");
const Legacy = message("Legacy");
const Modern = message("Modern");
const Odd = message("Odd");
const Crossed = message("Crossed");
const NumericName = message("NumericName");
const Order = BenchService.method.createOrder.input;

/** The three ways to read: the reflective reference, the marshaler, and the compiled reader alone. */
interface Readers {
  readonly reference: ReflectiveJson;
  readonly marshaler: ReturnType<typeof createJsonMarshaler>;
  readonly reader: JsonReader;
}

const setups = new Map<string, Readers>();
function readers(options: JsonMarshalerOptions): Readers {
  const name = JSON.stringify({ ...options, registry: options.registry !== undefined });
  let r = setups.get(name);
  if (r === undefined) {
    r = {
      reference: createReflectiveJson(options),
      marshaler: createJsonMarshaler(options),
      reader: createJsonReader({ discardUnknown: options.discardUnknown ?? true, registry: options.registry }),
    };
    setups.set(name, r);
  }
  return r;
}

type Outcome = { message: Message } | { error: string; code: number };

function outcome(schema: DescMessage, prefill: ((m: Message) => void) | undefined, read: (target: Message) => void): Outcome {
  const target = create(schema);
  prefill?.(target);
  try {
    read(target);
    return { message: target };
  } catch (err) {
    assert.ok(err instanceof GatewayError, `not a GatewayError: ${String(err)}`);
    return { error: err.message, code: err.code };
  }
}

// The marshaler's steps ahead of reading, which the compiled reader does not change.
function prepared(text: string): string {
  return /\d{16}/.test(text) ? quoteUnsafeIntegers(text) : text;
}

/**
 * Reads `text` all three ways and asserts they agree. Returns whether the compiled reader
 * vouched for the input (which it may do only where the reference succeeds).
 */
function check(schema: DescMessage, text: string, options: JsonMarshalerOptions = {}, prefill?: (m: Message) => void, field?: DescField): boolean {
  const r = readers(options);
  const input = prepared(text);
  const reference = outcome(schema, prefill, (t) => {
    if (field === undefined) r.reference.read(schema, t, input);
    else r.reference.read(schema, t, { [field.jsonName]: JSON.parse(input) });
  });
  const marshaled = outcome(schema, prefill, (t) => r.marshaler.unmarshal(utf8(text), schema, t, field));
  const context = `${schema.typeName} ${text}${prefill === undefined ? "" : " (prefilled)"}`;
  assert.deepStrictEqual(marshaled, reference, context);
  const target = create(schema);
  prefill?.(target);
  const vouched = field === undefined ? r.reader.readBody(schema, target, input) : r.reader.readObject(schema, target, { [field.jsonName]: JSON.parse(input) });
  if (vouched) {
    assert.ok("message" in reference, `vouched for an input protobuf-es refuses: ${context}`);
    assert.deepStrictEqual(target, reference.message, context);
  } else {
    const untouched = create(schema);
    prefill?.(untouched);
    assert.deepStrictEqual(target, untouched, `target touched: ${context}`);
  }
  return vouched;
}

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const fieldOf = (schema: DescMessage, name: string) => schema.fields.find((f) => f.name === name)!;

describe("compiled JSON reader", () => {
  alsoWithoutCodeGeneration(import.meta.url);

  it("vouches for plain bodies of every field kind", () => {
    const plain = [
      [Order, orderBody(1024)],
      [Order, orderBody(64 * 1024)],
      [Order, "{}"],
      [
        ScalarsSchema,
        '{"doubleValue":1.5,"floatValue":"NaN","int64Value":"-12","uint64Value":18,"int32Value":-3,"fixed64Value":"4","fixed32Value":5,' +
          '"boolValue":true,"stringValue":"s:t","bytesValue":"AQID","uint32Value":"7","sfixed32Value":-8,"sfixed64Value":"-9","sint32Value":10,' +
          '"sint64Value":11,"color":"COLOR_RED","nested":{"name":"n","child":{"amount":2,"tags":["a"]}},"repeatedString":["x","y"],' +
          '"repeatedInt32":[1,"2"],"repeatedColor":[1,"COLOR_GREEN"],"repeatedNested":[{},{"name":"r"}],"labels":{"a":"b","c:d":"e"},' +
          '"intMap":{"1":"one","-2":"two"},"optionalString":"","optionalInt32":0,"choiceB":4,"uuid":"u","repeatedInt64":["1",2],' +
          '"nestedMap":{"k":{"color":2}}}',
      ],
      [ScalarsSchema, '{"string_value":"proto names","repeated_nested":[{"name":"x"}],"choice_a":null,"choice_b":1,"nested":null,"color":null}'],
      [
        ScalarsSchema,
        '{"timestamp":"2024-01-01T00:00:00Z","duration":"1s","fieldMask":"a.b","stringWrapper":"w","int64Wrapper":"5","structValue":{"a":[1,"b:c",null]},"int32Value":1}',
      ],
      [ScalarsSchema, '{"nope":1,"stringValue":"x","nested":{"nope":{"a":"b:c"},"name":"n"},"repeatedNested":[{"nope":[]}],"nestedMap":{"k":{"nope":1}}}'],
      [ScalarsSchema, '{"int64Value":9007199254740993,"uint64Value":18446744073709551615}'],
      [Kitchen, '{"pickTs":"2024-01-01T00:00:00Z","mapValue":{"a":null,"b":[1]},"nullValue":null,"listValue":[null,1],"val":null}'],
      [Kitchen, '{"pickNull":null,"listNull":[null,"NULL_VALUE",0],"lv":[1,"x"],"listSt":[{"a":{}}],"mapSt":{"k":{}},"listW":[1,"2"]}'],
      [
        Kitchen,
        '{"i64Str":" 12","listI64Str":["1",2],"mapI64":{"007":1,"-0":"MOOD_SAD"},"mapB":{"true":{},"false":{"s":"x"}},"mapU64":{"1":"AQ=="},"u64Num":"5"}',
      ],
      [Kitchen, '{"aliased":"ALIASED_UNO","custom":"j","a:b":"colon key","field9":9,"field_9":null}'.replace(',"field_9":null', "")],
      [Legacy, '{"a":null,"b":"x","c":"CLOSED_ONE","r":"1","listC":[0,"CLOSED_FIVE"],"mapC":{"k":1},"child":{"r":2},"by":"","oC":5}'],
      [Modern, '{"explicitI":0,"implicitI":0,"closed":"CLOSED2023_B","open":1,"packed":[1,2],"child":{"withDefault":"7"},"explicitS":null}'],
      [Odd, '{"constructor":"c","valueOf":"v","plain":1}'],
      [NumericName, '{"7":"x","y":"y"}'],
    ] as const;
    for (const [schema, body] of plain) assert.equal(check(schema, body), true, `not vouched: ${schema.typeName} ${body.slice(0, 200)}`);
  });

  it("hands doubtful input to protobuf-es, which gives the same errors as before", () => {
    const doubtful: [DescMessage, string][] = [
      [ScalarsSchema, '{"stringValue":"a","stringValue":"b"}'],
      [ScalarsSchema, '{"stringValue":"a","string_value":"b"}'],
      [ScalarsSchema, '{"nested":{"name":"a","name":"b:c"}}'],
      [ScalarsSchema, '{"stringValue":"a:b","stringValue":"c"}'],
      [ScalarsSchema, '{"stringValue":"x","\\u0073tringValue":"y"}'],
      [ScalarsSchema, '{"stringValue":"x","stringValue":"\\u003a"}'],
      [ScalarsSchema, '{"labels":{"a":"1","a":"2"}}'],
      [ScalarsSchema, '{"intMap":{"1":"a","01":"b"}}'],
      [ScalarsSchema, '{"int32Value":"abc"}'],
      [ScalarsSchema, '{"int32Value":2147483648}'],
      [ScalarsSchema, '{"color":"PURPLE","nope":1}'],
      [ScalarsSchema, '{"color":"PURPLE"}'],
      [ScalarsSchema, '{"repeatedNested":[{"child":{"color":"COLOR_BLUE"}}]}'],
      [ScalarsSchema, '{"choiceA":"a","choiceB":1}'],
      [ScalarsSchema, '{"nested":[]}'],
      [ScalarsSchema, '{"repeatedString":[null]}'],
      [ScalarsSchema, '{"labels":{"a":null}}'],
      [ScalarsSchema, '{"timestamp":"yesterday"}'],
      [ScalarsSchema, "[1]"],
      [ScalarsSchema, "null"],
      [ScalarsSchema, '"x"'],
      [ScalarsSchema, '{"stringValue":'],
      [ScalarsSchema, '{"[testing.v1.ext]":1}'],
      [ScalarsSchema, `{"nested":${'{"child":'.repeat(80)}{}${"}".repeat(81)}`],
      [ScalarsSchema, `{"nope":1,"nested":${'{"child":'.repeat(300)}{}${"}".repeat(301)}`],
      [Kitchen, '{"pickS":"a","pickMood":null}'],
      // Deep inside a well-known type, below messages: protobuf-es counts all levels against its limit.
      [Kitchen, `${'{"child":'.repeat(30)}{"val":${"[".repeat(75)}${"]".repeat(75)}}${"}".repeat(30)}`],
      [Kitchen, `${'{"child":'.repeat(30)}{"val":${"[".repeat(65)}${"]".repeat(65)}}${"}".repeat(30)}`],
      [Kitchen, `${'{"listChild":[{"mapB":{"true":'.repeat(20)}{"st":${'{"a":'.repeat(60)}1${"}".repeat(60)}}${"}}]}".repeat(20)}`],
      [Kitchen, '{"pickS":null,"pickI":1,"pickTs":null}'],
      [Kitchen, '{"mapB":{"yes":{}}}'],
      [Kitchen, '{"s":"\\ud800"}'],
      [Kitchen, '{"any":{"@type":"type.googleapis.com/fast.v1.Plain2","a":1}}'],
      [Kitchen, '{"f":1e39}'],
      [Crossed, '{"a":"x","b":"y"}'],
      [Legacy, '{"c":7}'],
      [Legacy, '{"listC":[2]}'],
      [Modern, '{"closed":0}'],
      [Legacy, '{"r":1,"[fast.v1.ext_i]":5}'],
      [Kitchen, '{"s":"x","[fast.v1.ext_i]":5}'],
    ];
    for (const [schema, body] of doubtful) {
      check(schema, body);
      check(schema, body, { discardUnknown: false });
      check(schema, body, { registry });
    }
  });

  it("takes exactly what protobuf-es takes, on thousands of generated bodies", () => {
    const next = random(20250101);
    const types = [Kitchen, Kitchen, Kitchen, Legacy, Modern, ScalarsSchema, NestedSchema, Order, Odd];
    let vouched = 0;
    const total = 3000;
    for (let i = 0; i < total; i++) {
      const schema = types[i % types.length]!;
      const body = randomBody(schema, next, i % 3 === 0 ? 0 : 0.08);
      const options = [{}, { discardUnknown: false }, { registry }][i % 3]!;
      if (check(schema, body, options)) vouched++;
    }
    // Most generated bodies are valid: the fast path must take them.
    assert.ok(vouched > total / 3, `vouched for only ${vouched} of ${total}`);
  });

  it("merges into a target that holds values already, as protobuf-es merges", () => {
    const prefill = (m: Message) => {
      const k = m as unknown as Record<string, unknown>;
      k.s = "old";
      k.listI32 = [9];
      k.mapSs = { a: "old", keep: "k" };
      k.pick = { case: "pickS", value: "p" };
      k.other = { case: "otherMood", value: 1 };
      k.optS = "o";
      k.i32 = -0;
    };
    const withChild = (m: Message) => {
      prefill(m);
      (m as unknown as Record<string, unknown>).child = create(Kitchen, { s: "inner" });
    };
    const bodies = [
      '{"s":"new","listI32":[1,2],"mapSs":{"a":"new","b":"c"}}',
      '{"pickI":3}',
      '{"pickS":null}',
      '{"pickMood":null}',
      '{"otherMood":null}',
      '{"pickChild":{"s":"x"}}',
      '{"optS":null,"s":null,"listI32":null,"mapSs":null}',
      '{"child":{"i32":1}}',
      '{"child":null}',
      '{"nope":1,"listI32":[5],"pickS":null}',
      '{"listI32":[5],"nope":1,"child":{"b":true}}',
      '{"mapSs":{"keep":"x"},"nope":{}}',
      '{"d":1}',
      '{"st":{"a":1},"ts":"2024-01-01T00:00:00Z","wS":"w"}',
    ];
    for (const body of bodies) {
      check(Kitchen, body, {}, prefill);
      check(Kitchen, body, {}, withChild);
      check(Kitchen, body, { discardUnknown: false }, prefill);
    }
    const next = random(7);
    for (let i = 0; i < 300; i++) check(Kitchen, randomBody(Kitchen, next), {}, i % 2 === 0 ? prefill : withChild);
  });

  it("reads a field body into only that field, as before", () => {
    const cases: [DescMessage, string, string][] = [
      [ScalarsSchema, "nested", '{"name":"n","child":{"amount":2}}'],
      [ScalarsSchema, "nested", '{"name":"a","name":"b"}'],
      [ScalarsSchema, "nested", '{"nope":1,"name":"n"}'],
      [ScalarsSchema, "repeated_string", '["a","b:c"]'],
      [ScalarsSchema, "int64_value", '"42"'],
      [ScalarsSchema, "int64_value", "9007199254740993"],
      [ScalarsSchema, "int_map", '{"1":"one"}'],
      [ScalarsSchema, "timestamp", '"2024-01-01T00:00:00Z"'],
      [ScalarsSchema, "string_wrapper", '"w"'],
      [ScalarsSchema, "nested", "null"],
      [ScalarsSchema, "color", '"PURPLE"'],
      [Kitchen, "pick_child", '{"s":"x"}'],
      [Kitchen, "map_b", '{"true":{"s":"t"}}'],
      [Kitchen, "list_any", "[{}]"],
    ];
    for (const [schema, name, body] of cases) {
      const field = fieldOf(schema, name);
      check(schema, body, {}, undefined, field);
      check(schema, body, { discardUnknown: false }, undefined, field);
    }
    assert.equal(check(ScalarsSchema, '{"name":"n"}', {}, undefined, fieldOf(ScalarsSchema, "nested")), true);
  });

  it("reads integers beyond 2^53 as the quoted text, with no scan of the bodies that have none", () => {
    const big = `1${"0".repeat(400)}`;
    const bodies = [
      // 17 digits and more, into 64-bit, double, float, 32-bit, string and other fields.
      '{"i64":9007199254740993}',
      '{"i64":-9007199254740993,"s":"x"}',
      '{"i64":9007199254740992}',
      '{"i64":-9007199254740992}',
      '{"u64":18446744073709551615}',
      '{"u64":18446744073709551616}',
      '{"sfx64":-9223372036854775808,"fx64":12345678901234567}',
      '{"d":12345678901234567}',
      '{"f":12345678901234567}',
      '{"i32":12345678901234567}',
      '{"u32":-12345678901234567}',
      '{"u64Num":9007199254740993}',
      '{"i64Str":9007199254740993}',
      '{"s":9007199254740993}',
      '{"by":12345678901234567}',
      '{"b":12345678901234567}',
      '{"mood":12345678901234567}',
      '{"child":12345678901234567}',
      '{"optI64":9007199254740993,"optD":-12345678901234567}',
      '{"pickI":9007199254740993}',
      '{"pickS":9007199254740993}',
      // In repeated fields and map values.
      '{"listI64":[1,9007199254740993,-9007199254740993]}',
      '{"listD":[0.5,12345678901234567]}',
      '{"listI64Str":[9007199254740993]}',
      '{"listS":["a",12345678901234567]}',
      '{"listI32":[12345678901234567]}',
      '{"mapI32":{"1":9007199254740993}}',
      '{"mapS32":{"1":12345678901234567}}',
      '{"mapSs":{"a":12345678901234567}}',
      '{"mapI64":{"9007199254740993":12345678901234567}}',
      // Nested messages.
      '{"child":{"i64":9007199254740993,"child":{"u64":18446744073709551615}}}',
      '{"listChild":[{"d":9007199254740993},{"i64":1}]}',
      '{"mapB":{"true":{"u64":18446744073709551615}}}',
      '{"pickChild":{"i64":-9007199254740993}}',
      // Inside well-known types, which protobuf-es reads: a string there today.
      '{"st":{"a":9007199254740993,"b":[1,{"c":-12345678901234567}]}}',
      '{"val":9007199254740993}',
      '{"val":{"a":[9007199254740993]}}',
      '{"lv":[1,9007199254740993]}',
      '{"mapValue":{"a":12345678901234567}}',
      '{"listValue":[12345678901234567]}',
      '{"pickValue":9007199254740993}',
      '{"mapSt":{"k":{"a":12345678901234567}}}',
      '{"listSt":[{"a":12345678901234567}]}',
      '{"wI64":9007199254740993}',
      '{"listW":[12345678901234567]}',
      '{"any":{"@type":"type.googleapis.com/google.protobuf.Int64Value","value":9007199254740993}}',
      '{"any":{"@type":"type.googleapis.com/google.protobuf.Value","value":12345678901234567}}',
      '{"ts":12345678901234567}',
      // Discarded keys (refused when unknown keys are not discarded).
      '{"nope":9007199254740993,"i64":1}',
      '{"nope":{"a":[12345678901234567]},"child":{"nope":-9007199254740993,"d":1e20}}',
      // Duplicate keys, whichever holds the number.
      '{"i64":9007199254740993,"i64":1}',
      '{"i64":1,"i64":9007199254740993}',
      '{"i64":9007199254740993,"nope":1,"nope":2}',
      // Safe, or not integers in the text: never quoted.
      '{"i64":9007199254740991,"d":-9007199254740991,"listI64":[1234567890123456]}',
      '{"d":1e20,"f":-1.5e20,"i64":1e20}',
      '{"d":12345678901234567.5,"i64":12345678901234567.0,"u64":1.8e19}',
      '{"i32":1e20}',
      '{"st":{"a":1e20},"val":-1e300,"lv":[12345678901234567e0]}',
      `{"d":${big}}`,
      `{"d":-${big},"s":"x"}`,
      `{"st":{"a":${big}}}`,
      `{"i64":${big}}`,
      // In strings and keys: never quoted.
      '{"s":"9007199254740993","i64":"9007199254740993","u64":"18446744073709551615"}',
      '{"s":"a 12345678901234567 b \\" 12345678901234567","mapSs":{"12345678901234567":"-12345678901234567"}}',
      '{"st":{"12345678901234567":"12345678901234567"}}',
      // Not JSON as sent, JSON once quoted (or not JSON either way).
      '{"i64":012345678901234567}',
      '{"s":-012345678901234567}',
      "{012345678901234567:1}",
      '{"i64":9007199254740993',
      '{"i64":9007199254740993x}',
      '{"i64":9007199254740993,}',
      "[9007199254740993]",
      "9007199254740993",
    ];
    // The marshaler as it was: the integers quoted first, then the compiled reader or protobuf-es.
    const exactPath = (r: Readers, schema: DescMessage, text: string, prefill: ((m: Message) => void) | undefined, field: DescField | undefined) =>
      outcome(schema, prefill, (t) => {
        const input = prepared(text);
        if (field === undefined) {
          if (!r.reader.readBody(schema, t, input)) r.reference.read(schema, t, input);
          return;
        }
        let parsed: JsonValue;
        try {
          parsed = JSON.parse(input);
        } catch (err) {
          throw new GatewayError(Code.INVALID_ARGUMENT, `cannot decode message ${schema.typeName} from JSON: ${(err as Error).message}`);
        }
        const json = { [field.jsonName]: parsed };
        if (!r.reader.readObject(schema, t, json)) r.reference.read(schema, t, json);
      });
    const prefill = (m: Message) => {
      const k = m as unknown as Record<string, unknown>;
      k.listI64 = [7n];
      k.child = create(Kitchen, { s: "inner" });
      k.pick = { case: "pickS", value: "p" };
    };
    // 1e400 parses to Infinity, which protobuf-es refuses for a double (as does the compiled reader).
    const overflowing = [`{"d":1e400}`, `{"listD":[-1e400]}`, `{"f":1e400}`];
    for (const options of [{}, { discardUnknown: false }, { registry }]) {
      const r = readers(options);
      for (const body of [...bodies, ...overflowing]) {
        for (const fill of [undefined, prefill]) {
          check(Kitchen, body, options, fill);
          const marshaled = outcome(Kitchen, fill, (t) => r.marshaler.unmarshal(utf8(body), Kitchen, t));
          assert.deepStrictEqual(marshaled, exactPath(r, Kitchen, body, fill, undefined), body);
        }
      }
    }
    // A field as the body (readObject): its value, not an object holding it.
    const fieldBodies: [string, string][] = [
      ["i64", "9007199254740993"],
      ["i64", "-9007199254740993"],
      ["i64", "9007199254740991"],
      ["i64", "1e20"],
      ["i64", "012345678901234567"],
      ["i64", "9007199254740993x"],
      ["i64", "[9007199254740993"],
      ["d", "12345678901234567"],
      ["d", big],
      ["d", "-1e400"],
      ["s", "9007199254740993"],
      ["s", '"9007199254740993"'],
      ["list_i64", "[1,9007199254740993]"],
      ["map_i32", '{"1":9007199254740993}'],
      ["st", '{"a":9007199254740993}'],
      ["val", "12345678901234567"],
      ["child", '{"i64":9007199254740993,"nope":12345678901234567}'],
      ["child", '{"nope":12345678901234567,"d":1}'],
      ["child", '{"u64":18446744073709551615,"u64":1}'],
      ["list_child", '[{"d":1e20},{"i64":-12345678901234567}]'],
    ];
    for (const options of [{}, { discardUnknown: false }]) {
      const r = readers(options);
      for (const [name, body] of fieldBodies) {
        const field = fieldOf(Kitchen, name);
        for (const fill of [undefined, prefill]) {
          if (parses(prepared(body))) check(Kitchen, body, options, fill, field);
          const marshaled = outcome(Kitchen, fill, (t) => r.marshaler.unmarshal(utf8(body), Kitchen, t, field));
          assert.deepStrictEqual(marshaled, exactPath(r, Kitchen, body, fill, field), `${name}: ${body}`);
        }
      }
    }
    // The reader alone, on the text as sent: numbers that large are refused wherever they are read.
    const { reader } = readers({});
    const unquoted = (body: string) => reader.readBodyUnquoted(Kitchen, create(Kitchen), body);
    for (const body of ['{"i64":9007199254740993}', '{"listD":[12345678901234567]}', '{"mapI32":{"1":-9007199254740993}}', '{"pickI":9007199254740993}']) {
      assert.equal(unquoted(body), "unsafe", body);
    }
    for (const body of ['{"st":{"a":[9007199254740993]}}', '{"d":1e20}', `{"val":-${big}}`, '{"child":{"listChild":[{"lv":[1e300]}]}}']) {
      assert.equal(unquoted(body), "unsafe", body);
    }
    for (const body of ['{"i64":"9007199254740993"}', '{"d":9007199254740991}', '{"nope":9007199254740993,"s":"x"}', orderBody(4096)]) {
      assert.equal(unquoted(body), "read", body.slice(0, 100));
    }
    // Refused for another reason first (fields are read in declaration order, i32 before i64):
    // the same text read after quoting would be refused too.
    for (const body of ['{"i64":9007199254740993,"i64":1}', '{"i32":"x","i64":9007199254740993}', '{"i64":012345678901234567}']) {
      assert.equal(unquoted(body), "refused", body);
    }
    const wrapped = (json: JsonObject) => reader.readObjectUnquoted(Kitchen, create(Kitchen), json);
    assert.equal(wrapped({ child: JSON.parse('{"i64":9007199254740993}') }), "unsafe");
    assert.equal(wrapped({ child: JSON.parse('{"st":{"a":12345678901234567}}') }), "unsafe");
    assert.equal(wrapped({ child: JSON.parse('{"nope":12345678901234567}') }), "read");
  });

  it("checks strings for lone surrogates only where the text could hold one", () => {
    // A \u escape may write a lone surrogate, which protobuf-es refuses, in a string field or a map key.
    const refusedBodies = [
      '{"s":"\\ud800"}',
      '{"pickS":"x\\udfff"}',
      '{"listS":["ok","\\udc00"]}',
      '{"mapSs":{"\\ud800":"x"}}',
      '{"mapSs":{"a":"\\ud800"}}',
      '{"child":{"mapSs":{"k\\udbff":"v"}}}',
      '{"s":"\\ud83d\\ude00","listS":["\\ude00"]}',
    ];
    for (const options of [{}, { discardUnknown: false }]) {
      for (const body of refusedBodies) {
        assert.equal(check(Kitchen, body, options), false, body);
        assert.throws(() => readers(options).marshaler.unmarshal(utf8(body), Kitchen, create(Kitchen)), { code: Code.INVALID_ARGUMENT }, body);
      }
      // Surrogate pairs, written out or escaped, and other text: read by the compiled reader.
      for (const body of [
        '{"s":"\\ud83d\\ude00","mapSs":{"\\ud83d\\ude00":"\\u00e9"}}',
        '{"s":"é😀","listS":["日本"],"mapSs":{"ключ":"値"}}',
        '{"s":"a\\\\u"}',
      ]) {
        assert.equal(check(Kitchen, body, options), true, body);
      }
      // A field as the body: the reader is not told where the object came from, and checks.
      for (const [name, body] of [
        ["s", '"\\ud800"'],
        ["map_ss", '{"\\ud800":"x"}'],
        ["list_s", '["\\udc00"]'],
      ] as const) {
        const field = fieldOf(Kitchen, name);
        assert.equal(check(Kitchen, body, options, undefined, field), false, body);
        assert.throws(() => readers(options).marshaler.unmarshal(utf8(body), Kitchen, create(Kitchen), field), { code: Code.INVALID_ARGUMENT }, body);
      }
    }
    // Text not said to come from the UTF-8 decoder, or an object, may hold one without an escape.
    const { reader } = readers({});
    for (const text of ['{"s":"\ud800"}', '{"mapSs":{"\udc00":"x"}}']) {
      assert.equal(reader.readBody(Kitchen, create(Kitchen), text), false);
      assert.equal(reader.readBodyUnquoted(Kitchen, create(Kitchen), text), "refused");
      assert.equal(reader.readObject(Kitchen, create(Kitchen), JSON.parse(text)), false);
      assert.equal(reader.readObjectUnquoted(Kitchen, create(Kitchen), JSON.parse(text)), "refused");
    }
  });

  it("reads a wide message's few keys and many keys alike, as protobuf-es does", () => {
    // 150 fields of two names each: past the width at which an object of few keys goes to the key loop.
    const fields = Array.from({ length: 150 }, (_, i) => `  ${i % 3 === 0 ? "int32" : "string"} field_${i} = ${i + 1};`);
    const set = compileProtos({ "wide/v1/wide.proto": `syntax = "proto3";\npackage wide.v1;\nmessage Wide {\n${fields.join("\n")}\n  Wide child = 200;\n}\n` });
    const Wide = createFileRegistry(set).getMessage("wide.v1.Wide")!;
    const value = (i: number) => (i % 3 === 0 ? String(i) : `"v${i}"`);
    const body = (count: number, name: (i: number) => string) =>
      `{${Array.from({ length: count }, (_, k) => `"${name((k * 7) % 150)}":${value((k * 7) % 150)}`).join(",")}}`;
    for (const count of [1, 3, 18, 19, 40, 150]) {
      for (const name of [(i: number) => `field${i}`, (i: number) => `field_${i}`]) {
        assert.equal(check(Wide, body(count, name)), true, `${count} keys`);
        assert.equal(check(Wide, `{"child":${body(count, name)},"field1":"x"}`), true, `${count} keys in a child`);
      }
      check(Wide, `${body(count, (i) => `field${i}`).slice(0, -1)},"nope":1}`);
      check(Wide, `${body(count, (i) => `field${i}`).slice(0, -1)},"field_0":1}`);
    }
  });

  it("reads each value of an object once, unknown keys at every level or not", () => {
    // Getters count the reads: one object per level, each with a key naming no field.
    const reads: number[] = [];
    const levels = 16;
    let json: JsonObject = { i32: 1, nope: 1 };
    for (let level = levels - 1; level >= 0; level--) {
      const child = json;
      reads[level] = 0;
      json = { nope: 1, s: "x" };
      Object.defineProperty(json, "child", {
        enumerable: true,
        get: () => {
          reads[level]!++;
          return child;
        },
      });
    }
    const { reader } = readers({});
    const target = create(Kitchen);
    assert.equal(reader.readObject(Kitchen, target, json), true);
    // The top level's keys are read once more, to merge the message read into the target.
    assert.deepEqual(reads, [2, ...Array(levels - 1).fill(1)]);
    let depth = 0;
    for (let m = target as unknown as { child?: object }; m.child !== undefined; m = m.child as { child?: object }) depth++;
    assert.equal(depth, levels);
  });

  it("takes no value from Object.prototype for a field the object lacks", () => {
    const polluted = Object.prototype as unknown as Record<string, unknown>;
    try {
      polluted.i32 = 7;
      polluted.s = "polluted";
      for (const body of ["{}", '{"nope":1}', '{"s":"x","nope":1}', '{"child":{}}', '{"listChild":[{"b":true}]}']) {
        for (const options of [{}, { discardUnknown: false }]) check(Kitchen, body, options);
      }
      assert.equal(readers({ discardUnknown: false }).reader.readBody(Kitchen, create(Kitchen), '{"nope":1}'), false);
    } finally {
      delete polluted.i32;
      delete polluted.s;
    }
  });

  it("leaves the read to protobuf-es for a target of another type or a well-known type", () => {
    const { reader } = readers({});
    assert.equal(reader.readBody(ScalarsSchema, create(NestedSchema), "{}"), false);
    const any = registry.getMessage("google.protobuf.Struct")!;
    assert.equal(reader.readBody(any, create(any), '{"a":1}'), false);
  });
});
