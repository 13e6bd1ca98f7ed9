/**
 * The binary-to-JSON reply transcoder against what it stands in for, the binary decoder and
 * the JSON marshaler's writer: wherever it vouches for a reply's bytes, its text is byte for
 * byte the text the marshaler writes for the decoded message; where decoding fails, it never
 * vouches. It must vouch for what encoders write (a test that only saw it give up would
 * prove nothing), and give up where the decoded message is not its bytes in order.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { decodeBinary } from "../../runtime/marshal/binary/decoder.js";
import { createJsonMarshaler, type JsonMarshalerOptions } from "../../runtime/marshal/json/marshaler.js";
import type { Marshaler } from "../../runtime/marshal/marshaler.js";
import { transcodersOf } from "../../runtime/marshal/transcode/marshaler-transcoders.js";
import { orderBody } from "../../bench/payloads.js";
import { BenchService } from "../../bench/gen/bench/v1/bench_pb.js";
import { NestedSchema } from "../gen/testing/v1/everything_pb.js";
import { compileProtos } from "../support/compile-proto.js";
import { PlainWire, randomMessage, records, Wire, wireRegistry } from "../support/wire-messages.js";
import { alsoWithoutCodeGeneration } from "../support/without-code-generation.js";
import { message, random, randomBody, registry } from "./json-fixtures.js";

const Order = BenchService.method.createOrder.input;
const Modern = message("Modern");
const Crossed = message("Crossed");
const Kitchen = message("Kitchen");
const Legacy = message("Legacy");

const extended = createFileRegistry(
  compileProtos({
    "ext/v1/ext.proto": `syntax = "proto2";
package ext.v1;
message Host {
  optional string a = 1;
  optional string text = 2;
  extensions 100 to 200;
}
extend Host {
  optional int32 known = 100;
}`,
  }),
);
const Host = extended.getMessage("ext.v1.Host")!;
const nesting = createFileRegistry(
  compileProtos({
    "deep/v1/deep.proto": `syntax = "proto3";
package deep.v1;
import "google/protobuf/struct.proto";
import "google/protobuf/wrappers.proto";
message Deep {
  Deep child = 1;
  google.protobuf.Int32Value w = 2;
  google.protobuf.Value v = 3;
}`,
  }),
);
const Deep = nesting.getMessage("deep.v1.Deep")!;

const optionSets: JsonMarshalerOptions[] = [
  {},
  { emitUnpopulated: false },
  { useProtoNames: true, enumsAsNumbers: true },
  { registry },
  { emitUnpopulated: false, useProtoNames: true },
];
const marshalers = optionSets.map((options) => createJsonMarshaler(options));

/** The transcoder's text of `bytes`, or undefined where it does not vouch. */
function transcoded(schema: DescMessage, bytes: Uint8Array, m: Marshaler = marshalers[0]!): Buffer | undefined {
  const text = transcodersOf(m)!.reply.transcode(schema, bytes);
  return typeof text === "string" ? Buffer.from(text) : text;
}

/** Asserts the transcoder agrees with decoding and writing on `bytes`; returns whether it vouched. */
function check(schema: DescMessage, bytes: Uint8Array, m: Marshaler = marshalers[0]!, note = ""): boolean {
  let expected: Buffer | undefined;
  try {
    const text = m.marshal(schema, decodeBinary(schema, bytes));
    expected = Buffer.from(text as string);
  } catch {
    expected = undefined;
  }
  const written = transcoded(schema, bytes, m);
  if (written === undefined) return false;
  const context = `${schema.typeName} ${note} ${Buffer.from(bytes).toString("hex").slice(0, 200)}`;
  assert.ok(expected !== undefined, `vouched for bytes that do not decode: ${context}`);
  assert.equal(written.toString(), expected.toString(), context);
  assert.ok(written.equals(expected), `bytes: ${context}`);
  return true;
}

describe("binary-to-JSON reply transcoder", () => {
  alsoWithoutCodeGeneration(import.meta.url);

  it("writes the marshaler's text of the bench's orders and of random messages of every field kind, by itself", () => {
    for (const size of [1024, 4096, 64 * 1024, 256 * 1024]) {
      const order = create(Order);
      marshalers[0]!.unmarshal(Buffer.from(orderBody(size)), Order, order);
      for (const m of marshalers) assert.ok(check(Order, toBinary(Order, order), m, `order ${size}`), `order of ${size} bytes`);
    }
    const next = random(20261203);
    for (let i = 0; i < 2500; i++) {
      const bytes = toBinary(PlainWire, randomMessage({ next, depth: 0 }, PlainWire));
      assert.ok(check(PlainWire, bytes, marshalers[i % marshalers.length], `#${i}`), `#${i} not vouched for`);
    }
    // Well-known types with JSON forms of their own (Timestamp, a singular wrapper, wrappers in a
    // list and a oneof) decoded alone and written by the writer, set or not.
    for (let i = 0; i < 1500; i++) {
      const wire = randomMessage({ next, depth: 0 }, Wire) as unknown as Record<string, unknown>;
      if (i % 2 === 0) wire.ts = { $typeName: "google.protobuf.Timestamp", seconds: BigInt(i * 1_000_003), nanos: (i * 7919) % 1_000_000_000 };
      if (i % 3 === 0)
        wire.listW = [
          { $typeName: "google.protobuf.Int32Value", value: i },
          { $typeName: "google.protobuf.Int32Value", value: 0 },
        ];
      if (i % 5 === 0) wire.pick = { case: "pickW", value: { $typeName: "google.protobuf.StringValue", value: `w${i}` } };
      const bytes = toBinary(Wire, wire as never);
      assert.ok(check(Wire, bytes, marshalers[i % marshalers.length], `wkt #${i}`), `wkt #${i} not vouched for`);
    }
    const Wrapped = wireRegistry.getMessage("wire.v1.Wrapped")!;
    for (const w of ["x", "", 'é"', undefined]) {
      for (const m of marshalers) assert.ok(check(Wrapped, toBinary(Wrapped, create(Wrapped, w === undefined ? {} : { w })), m), String(w));
    }
  });

  it("agrees with the marshaler on messages read from generated bodies, under every option set", () => {
    const next = random(7);
    const types = [Modern, Crossed, NestedSchema, Order, Kitchen, Legacy];
    let vouched = 0;
    let plain = 0;
    for (let i = 0; i < 2400; i++) {
      const schema = types[i % types.length]!;
      const read = create(schema);
      let bytes: Uint8Array;
      try {
        createJsonMarshaler({ registry }).unmarshal(Buffer.from(randomBody(schema, next, 0)), schema, read);
        bytes = toBinary(schema, read);
      } catch {
        // Refused, or a required field left unset: no reply to write.
        continue;
      }
      const ok = check(schema, bytes, marshalers[i % marshalers.length], `#${i}`);
      if (schema === Modern || schema === Crossed || schema === NestedSchema || schema === Order) {
        plain++;
        if (ok) vouched++;
      }
    }
    // Types without well-known fields or required ones: every message encoders write.
    assert.equal(vouched, plain);
  });

  it("never vouches for other text on broken, merged or shuffled bytes", () => {
    const next = random(99);
    for (let i = 0; i < 3000; i++) {
      const m = marshalers[i % marshalers.length]!;
      const bytes = toBinary(PlainWire, randomMessage({ next, depth: 0 }, PlainWire));
      const other = toBinary(PlainWire, randomMessage({ next, depth: 0 }, PlainWire));
      check(PlainWire, Buffer.concat([bytes, other]), m, "concatenated");
      if (bytes.length < 2) continue;
      check(PlainWire, bytes.subarray(0, Math.floor(next() * bytes.length)), m, "truncated");
      const flipped = Buffer.from(bytes);
      for (let j = 0; j < 3; j++) flipped[Math.floor(next() * flipped.length)]! ^= 1 << Math.floor(next() * 8);
      check(PlainWire, flipped, m, "flipped");
    }
  });

  it("follows the writer on strings, map keys, zeros, unknown fields and packing", () => {
    const strings = ["plain", 'q"uote', "back\\slash", "tab\tnew\nline\u0001\u001f\u007f", "héllo 日本語 😀", "\ufeffbom", "\u2028\u2029", ""];
    for (const s of strings) {
      assert.ok(check(NestedSchema, toBinary(NestedSchema, create(NestedSchema, { name: s, tags: [s, s] }))), JSON.stringify(s));
    }
    // Map keys in the order an object keeps them, the last entry of a key winning where the first stood.
    const labels = records((w) => {
      for (const [k, v] of [
        ["b", "1"],
        ["10", "2"],
        ["a", "3"],
        ["2", "4"],
        ["b", "5"],
        ["__proto__", "6"],
      ]) {
        w.tag(7, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(k!).tag(2, WireType.LengthDelimited).string(v!).join();
      }
      // An entry without a key, and one without a value.
      w.tag(7, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).string("no key").join();
      w.tag(7, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string("no value").join();
    });
    assert.ok(check(Order, labels));
    assert.match(transcoded(Order, labels)!.toString(), /"labels":\{"2":"4","10":"2","b":"5","a":"3","__proto__":"6","":"no key","no value":""\}/);
    // Zeros written on the wire, unknown fields between known ones, packed and unpacked items of one list.
    const mixed = records((w) => {
      w.tag(1, WireType.LengthDelimited).string("");
      w.tag(2, WireType.Varint).int32(0);
      w.tag(9, WireType.Varint).int32(5);
      w.tag(4, WireType.LengthDelimited).string("a");
      w.tag(4, WireType.LengthDelimited).string("b");
      w.tag(5, WireType.Varint).int32(0);
    });
    for (const m of marshalers) assert.ok(check(NestedSchema, mixed, m));
    const ints = records((w) => {
      w.tag(19, WireType.LengthDelimited).fork().int32(1).int32(-1).join();
      w.tag(19, WireType.Varint).int32(7);
      w.tag(19, WireType.LengthDelimited).fork().join();
    });
    for (const m of marshalers) assert.ok(check(PlainWire, ints, m));
    // An empty packed record and nothing else: an empty list, left out or written as the writer does.
    const empty = records((w) => w.tag(19, WireType.LengthDelimited).fork().join());
    for (const m of marshalers) assert.ok(check(PlainWire, empty, m));
  });

  it("gives up where the decoded message is not the bytes in order, and on types it leaves to the writer", () => {
    const givesUp = (schema: DescMessage, bytes: Uint8Array, why: string, m?: Marshaler) => {
      assert.equal(transcoded(schema, bytes, m), undefined, why);
      // Where it gives up, decoding and writing still give the text (or the error).
      check(schema, bytes, m);
    };
    givesUp(
      NestedSchema,
      records((w) => w.tag(2, WireType.Varint).int32(1).tag(1, WireType.LengthDelimited).string("late")),
      "fields out of number order",
    );
    givesUp(
      NestedSchema,
      records((w) => w.tag(1, WireType.LengthDelimited).string("first").tag(1, WireType.LengthDelimited).string("last")),
      "a singular field twice: the last wins",
    );
    givesUp(
      NestedSchema,
      records((w) => {
        w.tag(3, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string("a").join();
        w.tag(3, WireType.LengthDelimited).fork().tag(2, WireType.Varint).int32(2).join();
      }),
      "a message field twice: merged",
    );
    givesUp(
      NestedSchema,
      records((w) => w.tag(4, WireType.LengthDelimited).string("a").tag(5, WireType.Varint).int32(1).tag(4, WireType.LengthDelimited).string("b")),
      "a list's records apart",
    );
    givesUp(
      PlainWire,
      records((w) => w.tag(41, WireType.LengthDelimited).string("s").tag(42, WireType.Varint).int32(1)),
      "two members of a oneof: the last wins",
    );
    givesUp(
      PlainWire,
      records((w) => {
        w.tag(33, WireType.LengthDelimited).fork().tag(1, WireType.Varint).bool(true);
        w.tag(2, WireType.LengthDelimited).fork().tag(15, WireType.LengthDelimited).string("a").join();
        w.tag(2, WireType.LengthDelimited).fork().tag(3, WireType.Varint).int32(1).join();
        w.join();
      }),
      "a map entry with two message values: merged",
    );
    givesUp(
      NestedSchema,
      records((w) => w.tag(1, WireType.Varint).int32(1)),
      "a wire type the field does not take",
    );
    givesUp(NestedSchema, Buffer.from([0x0a, 0x02, 0xc3, 0x28]), "a string that is not UTF-8");
    givesUp(Host, Buffer.from([0x12, 0x02, 0xc3, 0x28]), "a proto2 string that is not UTF-8 (replacement characters)");
    givesUp(NestedSchema, Buffer.from([0x0a, 0x05, 0x61]), "truncated");
    // Unknown fields are left out, but an extension the registry knows is the writer's to write.
    const withExtension = records((w) => w.tag(1, WireType.LengthDelimited).string("a").tag(100, WireType.Varint).int32(3));
    assert.ok(check(Host, withExtension));
    givesUp(Host, withExtension, "a registered extension", createJsonMarshaler({ registry: extended }));
    // Well-known types with a JSON form of their own, required fields: the writer's.
    givesUp(Kitchen, toBinary(Kitchen, create(Kitchen, { s: "x" })), "a type with Any and Struct fields");
    givesUp(Legacy, toBinary(Legacy, create(Legacy, { r: 1n })), "required fields");
    // Past protobuf-es's recursion limit.
    let deep: Uint8Array = toBinary(NestedSchema, create(NestedSchema, { name: "leaf" }));
    for (let i = 0; i < 101; i++) deep = records((w) => w.tag(3, WireType.LengthDelimited).bytes(deep));
    assert.equal(transcoded(NestedSchema, deep), undefined, "too deep");
    // A well-known type decoded alone is counted from where it sits: a wrapper at depth 101,
    // or a Value whose own lists reach it, is too deep as in the whole message.
    const nested = (levels: number, inner: Uint8Array): Uint8Array => {
      let bytes = inner;
      for (let i = 0; i < levels; i++) bytes = records((w) => w.tag(1, WireType.LengthDelimited).bytes(bytes));
      return bytes;
    };
    const wrapper = records((w) => w.tag(2, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int32(5).join());
    let value = records((w) => w.tag(2, WireType.Bit64).double(1));
    for (let i = 0; i < 3; i++) {
      const inner = value;
      value = records((w) => w.tag(6, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(inner).join());
    }
    const inValue = records((w) => w.tag(3, WireType.LengthDelimited).bytes(value));
    assert.ok(check(Deep, nested(98, wrapper)), "a wrapper at depth 100");
    givesUp(Deep, nested(99, wrapper), "a wrapper at depth 101");
    assert.ok(check(Deep, nested(92, inValue)), "a Value's lists reaching depth 100");
    givesUp(Deep, nested(93, inValue), "a Value's lists past depth 100");
  });
});
