/**
 * The compiled JSON writer against protobuf-es's toJson + the unpopulated-field filler +
 * JSON.stringify (the marshaler before the writer existed): the same text, character for
 * character, or the same error, for every message and every option.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createRegistry, setExtension, type DescMessage, type Message } from "@bufbuild/protobuf";
import { DurationSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import { createJsonMarshaler, type JsonMarshalerOptions } from "../../runtime/marshal/json/marshaler.js";
import { createReflectiveJson } from "../../runtime/marshal/json/reflective.js";
import { createJsonWriter, type JsonWriter } from "../../runtime/marshal/json/writer.js";
import { orderBody } from "../../bench/payloads.js";
import { BenchService } from "../../bench/gen/bench/v1/bench_pb.js";
import { NestedSchema, ScalarsSchema } from "../gen/testing/v1/everything_pb.js";
import { message, random, randomBody, registry } from "./json-fixtures.js";
import { alsoWithoutCodeGeneration } from "../support/without-code-generation.js";

const Kitchen = message("Kitchen");
const Legacy = message("Legacy");
const Modern = message("Modern");
const Plain2 = message("Plain2");
const Order = BenchService.method.createOrder.input;

const optionSets: JsonMarshalerOptions[] = [];
for (const useProtoNames of [false, true])
  for (const emitUnpopulated of [true, false])
    for (const enumsAsNumbers of [false, true])
      for (const withRegistry of [false, true]) optionSets.push({ useProtoNames, emitUnpopulated, enumsAsNumbers, ...(withRegistry ? { registry } : {}) });

interface Writers {
  readonly reference: ReturnType<typeof createReflectiveJson>;
  readonly marshaler: ReturnType<typeof createJsonMarshaler>;
  readonly writer: JsonWriter;
}

const writersByOptions = new Map<JsonMarshalerOptions, Writers>(
  optionSets.map((options) => [
    options,
    {
      reference: createReflectiveJson(options),
      marshaler: createJsonMarshaler(options),
      writer: createJsonWriter({
        useProtoNames: options.useProtoNames ?? false,
        emitUnpopulated: options.emitUnpopulated ?? true,
        enumsAsNumbers: options.enumsAsNumbers ?? false,
        registry: options.registry,
      }),
    },
  ]),
);

function attempt(write: () => string | Uint8Array): { text: string | Uint8Array } | { error: string } {
  try {
    return { text: write() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/**
 * Writes `message` with every option set, three ways, and asserts the same text or error.
 * Returns how many option sets the compiled writer wrote itself.
 */
function check(schema: DescMessage, message: Message): number {
  let written = 0;
  for (const [options, w] of writersByOptions) {
    const context = `${schema.typeName} ${JSON.stringify(options, (k, v: unknown) => (k === "registry" ? true : typeof v === "bigint" ? `${v}n` : v))}`;
    const reference = attempt(() => w.reference.write(schema, message));
    assert.deepStrictEqual(
      attempt(() => w.marshaler.marshal(schema, message)),
      reference,
      context,
    );
    const fast = w.writer.write(schema, message);
    if (fast !== undefined) {
      written++;
      assert.deepStrictEqual({ text: fast }, reference, context);
    }
  }
  return written;
}

const everyOption = optionSets.length;

describe("compiled JSON writer", () => {
  alsoWithoutCodeGeneration(import.meta.url);

  it("writes plain messages itself, as protobuf-es and the filler did", () => {
    const order = create(Order);
    createJsonMarshaler().unmarshal(new TextEncoder().encode(orderBody(1024)), Order, order);
    const plain: [DescMessage, Message][] = [
      [Order, order],
      [Order, create(Order)],
      [NestedSchema, create(NestedSchema, { name: "n", child: { amount: 2 } })],
      [
        ScalarsSchema,
        create(ScalarsSchema, {
          optionalInt32: 0,
          choice: { case: "choiceA", value: "a" },
          nested: {},
          stringWrapper: "w",
          structValue: { a: [1, { b: null }] },
        }),
      ],
      [Legacy, create(Legacy, { r: 1n })],
      [Legacy, create(Legacy, { r: 0n, a: 0, b: "", c: 0, child: { r: 2n }, listC: [1, 5], mapC: { k: 0 }, o: { case: "oC", value: 1 } })],
      [Modern, create(Modern)],
      [Modern, create(Modern, { explicitI: 0, implicitI: 0, withDefault: 42n, child: {} })],
      [Plain2, create(Plain2, { a: 1, child: { b: "x" } })],
      [message("Odd"), create(message("Odd"))],
      [message("Shuffled"), create(message("Shuffled"))],
      [message("Shuffled"), create(message("Shuffled"), { a: "a", m: { z: 1 }, o: { case: "oA", value: 0 } })],
    ];
    for (const [schema, m] of plain) {
      const written = check(schema, m);
      // Odd's field names are Object.prototype's: the filler cannot fill them, the slow path writes them.
      if (schema.typeName === "fast.v1.Odd") assert.equal(written, 0);
      else assert.equal(written, everyOption, `not written: ${schema.typeName}`);
    }
  });

  it("writes odd values exactly as JSON.stringify did", () => {
    const k = (init: Record<string, unknown>) => create(Kitchen, init);
    const values: Message[] = [
      k({ d: Number.NaN, f: Number.POSITIVE_INFINITY, opt_d: -0, listD: [Number.NEGATIVE_INFINITY, -0, 1e21, 5e-324] }),
      k({ d: -0, f: 1e39, i32: Number.NaN, u32: 1.5, s32: -0, fx32: Number.POSITIVE_INFINITY }),
      k({ i64: 2n ** 70n, u64: -1n, s64: "12x", fx64: 12, sfx64: 1.5, i64Str: "007", u64Num: 9007199254740993n }),
      k({ s: 'q"b\\s\u0000\u001f\u007f\u2028\ud800😀é/', listS: ["\n", "\ud83d", "\udc00x", ""], mapSs: { 'a"b': "\t", __proto__: "p", "": "" } }),
      k({
        by: new Uint8Array([0, 255, 62, 63]),
        listBy: [new Uint8Array(0), new Uint8Array([1])],
        optBy: new Uint8Array(0),
        mapU64: { "1": new Uint8Array([251]) },
      }),
      k({ mood: 99, aliased: 1, listMood: [0, 7, -1], optMood: 0, mapI64: { "-5": 2 }, pick: { case: "pickMood", value: 42 } }),
      k({
        mapI32: { 1: 5n, "-0": 0n },
        mapB: { true: create(Kitchen), false: create(Kitchen, { s: "f" }) },
        mapS32: { "3": Number.NaN },
        mapFx64: { "18446744073709551615": "max" },
      }),
      k({ st: { a: [1, "x", null, true, { b: [] }], "": {}, __proto__: { z: 0 } }, listSt: [{}, { n: 1.5 }], mapSt: { k: { v: "w" } } }),
      k({ st: null, listSt: [[1, 2], "x"] }),
      k({ st: { bad: Number.NaN } }),
      k({ st: { bad: undefined } }),
      // biome-ignore lint/suspicious/noSparseArray: a hole is what this case feeds the writer
      k({ st: { hole: [1, , 3] } }),
      k({ val: create(ValueSchema, { kind: { case: "numberValue", value: 2 } }), lv: { values: [] }, listValue: [create(ValueSchema)], mapValue: {} }),
      k({ ts: { seconds: 1n, nanos: 5000 }, dur: { seconds: -1n, nanos: -500000000 }, mask: { paths: ["a_b", "c"] }, listTs: [{ seconds: 0n }] }),
      k({ ts: { seconds: 999999999999n } }),
      k({ mask: { paths: ["a__b"] } }),
      k({ wI64: 5n, wS: "", wBy: new Uint8Array([1]), wB: false, listW: [{ value: 3 }], pick: { case: "pickW", value: { value: "w" } } }),
      k({ any: { typeUrl: "type.googleapis.com/fast.v1.Plain2", value: new Uint8Array([8, 1]) }, listAny: [{}] }),
      k({ any: { typeUrl: "type.googleapis.com/nope.Nope", value: new Uint8Array(0) } }),
      k({ nullValue: 0, listNull: [0, 0], pick: { case: "pickNull", value: 0 } }),
      k({ pick: { case: "pickValue", value: create(ValueSchema) } }),
      k({ pick: { case: "pickChild", value: create(Kitchen, { s: "c", child: {} }) }, other: { case: "otherBy", value: new Uint8Array(0) } }),
      k({ empty: {}, jsonNamed: "j", withColon: ":", field9: 9 }),
      k({ s: 5 }),
      k({ b: "yes" }),
      k({ child: { s: "x" } }),
      k({ listChild: [create(Kitchen), undefined] }),
      k({ listI32: "not a list" }),
    ];
    const wrongType = create(Kitchen);
    (wrongType as unknown as Record<string, unknown>).child = create(Plain2);
    values.push(wrongType);
    let written = 0;
    for (const m of values) written += check(Kitchen, m);
    // Only errors and set Any fields (whose packed message the reflective path fills) are left to protobuf-es.
    assert.equal(written, 14 * everyOption);
  });

  it("writes proto2 defaults, required fields and extensions as before", () => {
    check(Legacy, create(Legacy));
    const withExtension = create(Legacy, { r: 1n });
    setExtension(withExtension, registry.getExtension("fast.v1.ext_i")!, 5);
    check(Legacy, withExtension);
    const noRegistryWriter = writersByOptions.get(optionSets[0]!)!.writer;
    assert.equal(typeof noRegistryWriter.write(Legacy, withExtension), "string");
    check(Legacy, create(Legacy, { r: 1n, c: 7, listC: [3], f: Number.POSITIVE_INFINITY, by: new Uint8Array([120]) }));
  });

  it("agrees with protobuf-es on hundreds of messages read from generated bodies", () => {
    const next = random(99);
    const reader = createJsonMarshaler({ registry });
    const types = [Kitchen, Kitchen, Legacy, Modern, ScalarsSchema, Order];
    let checked = 0;
    for (let i = 0; checked < 400; i++) {
      const schema = types[i % types.length]!;
      const target = create(schema);
      try {
        reader.unmarshal(new TextEncoder().encode(randomBody(schema, next, 0.02)), schema, target);
      } catch {
        continue;
      }
      check(schema, target);
      checked++;
    }
  });

  it("writes a message field that response_body names as before", () => {
    const m = create(ScalarsSchema, { nested: { name: "n", child: {} } });
    const field = ScalarsSchema.fields.find((f) => f.name === "nested")!;
    for (const [options, w] of writersByOptions) {
      const expected = w.reference.write(NestedSchema, m.nested!);
      assert.equal(w.marshaler.marshal(ScalarsSchema, m, field), expected, JSON.stringify(options.useProtoNames));
    }
  });

  it("leaves well-known types at the top to protobuf-es", () => {
    const w = writersByOptions.get(optionSets[0]!)!;
    assert.equal(w.writer.write(DurationSchema, create(DurationSchema, { seconds: 1n })), undefined);
    assert.equal(w.marshaler.marshal(DurationSchema, create(DurationSchema, { seconds: 1n })), '"1s"');
    const registryWriter = createJsonMarshaler({ registry: createRegistry(DurationSchema) });
    assert.equal(typeof registryWriter.marshal(ScalarsSchema, create(ScalarsSchema)), "string");
  });
});
