/**
 * The compiled JSON reader against protobuf-es's reflective path (the marshaler before
 * the reader existed): for every input, the same message or the same error, and a target
 * left untouched whenever the reader does not vouch for its result.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { GatewayError } from "../../runtime/gateway-error.js";
import { quoteUnsafeIntegers } from "../../runtime/marshal/json/integers.js";
import { createJsonMarshaler, type JsonMarshalerOptions } from "../../runtime/marshal/json/marshaler.js";
import { createJsonReader, type JsonReader } from "../../runtime/marshal/json/reader.js";
import { createReflectiveJson, type ReflectiveJson } from "../../runtime/marshal/json/reflective.js";
import { orderBody } from "../../bench/payloads.js";
import { BenchService } from "../../bench/gen/bench/v1/bench_pb.js";
import { NestedSchema, ScalarsSchema } from "../gen/testing/v1/everything_pb.js";
import { message, random, randomBody, registry } from "./json-fixtures.js";

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

const fieldOf = (schema: DescMessage, name: string) => schema.fields.find((f) => f.name === name)!;

describe("compiled JSON reader", () => {
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

  it("leaves the read to protobuf-es for a target of another type or a well-known type", () => {
    const { reader } = readers({});
    assert.equal(reader.readBody(ScalarsSchema, create(NestedSchema), "{}"), false);
    const any = registry.getMessage("google.protobuf.Struct")!;
    assert.equal(reader.readBody(any, create(any), '{"a":1}'), false);
  });
});
