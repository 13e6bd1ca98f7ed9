/**
 * The compiled binary encoder against protobuf-es's toBinary: the same bytes for every
 * message, or the same error, and the compiled code really encoding the messages it
 * vouches for (a test that only ever saw the fallback would prove nothing).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  create,
  createFileRegistry,
  fromBinary,
  fromJson,
  ScalarType,
  setExtension,
  toBinary,
  type DescField,
  type DescMessage,
  type Message,
} from "@bufbuild/protobuf";
import { encodeBinary, encodesItself } from "../../runtime/marshal/binary/encoder.js";
import { BenchService } from "../../bench/gen/bench/v1/bench_pb.js";
import { orderBody } from "../../bench/payloads.js";
import { compileProtos } from "../support/compile-proto.js";
import { message as fixture, random, randomBody, registry as jsonRegistry } from "./json-fixtures.js";

const wire = `syntax = "proto3";
package wire.v1;
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";

enum Tone {
  TONE_UNSPECIFIED = 0;
  TONE_LOW = 1;
  TONE_NEGATIVE = -3;
}

message Wire {
  double d = 1;
  float f = 2;
  int32 i32 = 3;
  uint32 u32 = 4;
  sint32 s32 = 5;
  fixed32 fx32 = 6;
  sfixed32 sfx32 = 7;
  int64 i64 = 8;
  uint64 u64 = 9;
  sint64 s64 = 10;
  fixed64 fx64 = 11;
  sfixed64 sfx64 = 12;
  int64 i64_str = 13 [jstype = JS_STRING];
  bool b = 14;
  string s = 15;
  bytes by = 16;
  Tone tone = 17;
  Wire child = 18;
  repeated int32 list_i32 = 19;
  repeated sint64 list_s64 = 20;
  repeated double list_d = 21;
  repeated bool list_b = 22;
  repeated Tone list_tone = 23;
  repeated fixed32 list_fx32 = 24 [packed = false];
  repeated int64 list_i64_unpacked = 25 [packed = false];
  repeated string list_s = 26;
  repeated bytes list_by = 27;
  repeated Wire list_child = 28;
  map<string, string> map_ss = 29;
  map<int32, int64> map_i32 = 30;
  map<int64, Tone> map_i64 = 31;
  map<uint64, bytes> map_u64 = 32;
  map<bool, Wire> map_b = 33;
  map<sint32, float> map_s32 = 34;
  map<fixed64, string> map_fx64 = 35;
  map<sfixed32, double> map_sfx32 = 36;
  optional string opt_s = 37;
  optional int64 opt_i64 = 38;
  optional Tone opt_tone = 39;
  optional double opt_d = 40;
  oneof pick {
    string pick_s = 41;
    int32 pick_i = 42;
    Wire pick_child = 43;
    google.protobuf.StringValue pick_w = 44;
    bytes pick_by = 45;
  }
  google.protobuf.Timestamp ts = 46;
  repeated google.protobuf.Int32Value list_w = 47;
  uint32 big_number = 536870911;
}

message Wrapped {
  google.protobuf.StringValue w = 1;
}

message Structured {
  google.protobuf.Struct st = 1;
}
`;

const delimited = `edition = "2023";
package wire.v1;

message Grouped {
  Grouped child = 1 [features.message_encoding = DELIMITED];
  int32 a = 2;
}
`;

const registry = createFileRegistry(compileProtos({ "wire/v1/wire.proto": wire, "wire/v1/delimited.proto": delimited }));
const Wire = registry.getMessage("wire.v1.Wire")!;

type Attempt = { bytes: Buffer } | { error: string };

function attempt(encode: () => Uint8Array): Attempt {
  try {
    return { bytes: Buffer.from(encode()) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Both encoders on `message`: the same bytes or the same error, with and without headroom. */
function assertSame(desc: DescMessage, message: Message, note = ""): void {
  const expected = attempt(() => toBinary(desc, message));
  assert.deepEqual(
    attempt(() => encodeBinary(desc, message)),
    expected,
    `${desc.typeName} ${note}`,
  );
  const framed = attempt(() => encodeBinary(desc, message, 5).subarray(5));
  assert.deepEqual(framed, expected, `${desc.typeName} with headroom ${note}`);
}

// --- a random message of any type, values drawn from the edges of each scalar type ---

const scalarPools: Record<ScalarType, readonly unknown[]> = {
  [ScalarType.DOUBLE]: [0, -0, 1.5, -2.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, Number.MIN_VALUE, 1e300],
  [ScalarType.FLOAT]: [0, -0, 1.5, 0.1, Number.NaN, Number.NEGATIVE_INFINITY, 3.4028234663852886e38, 1e-45],
  [ScalarType.INT32]: [0, 1, -1, 127, 128, 16383, 16384, 2147483647, -2147483648, -129],
  [ScalarType.UINT32]: [0, 1, 127, 128, 2097151, 2097152, 268435455, 268435456, 4294967295],
  [ScalarType.SINT32]: [0, 1, -1, 63, -64, 64, 2147483647, -2147483648],
  [ScalarType.FIXED32]: [0, 1, 4294967295, 123456789],
  [ScalarType.SFIXED32]: [0, -1, 2147483647, -2147483648],
  [ScalarType.INT64]: [0n, 1n, -1n, 127n, 128n, 2n ** 35n, 2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n],
  [ScalarType.UINT64]: [0n, 1n, 127n, 128n, 2n ** 49n, 2n ** 64n - 1n, 2n ** 63n],
  [ScalarType.SINT64]: [0n, 1n, -1n, -64n, 64n, 2n ** 63n - 1n, -(2n ** 63n)],
  [ScalarType.FIXED64]: [0n, 1n, 2n ** 64n - 1n, 2n ** 32n],
  [ScalarType.SFIXED64]: [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)],
  [ScalarType.BOOL]: [true, false],
  [ScalarType.STRING]: ["", "a", "héllo", "😀", "\ud800", "a\udc00b", "x".repeat(200), "é".repeat(70), "\u0000", "日本語"],
  [ScalarType.BYTES]: [new Uint8Array(0), new Uint8Array([0]), new Uint8Array([1, 2, 255]), new Uint8Array(300).fill(7)],
};

interface Gen {
  readonly next: () => number;
  depth: number;
}

const pick = <T>(g: Gen, items: readonly T[]): T => items[Math.floor(g.next() * items.length)]!;

function scalarValue(g: Gen, type: ScalarType, longAsString: boolean): unknown {
  const value = pick(g, scalarPools[type]);
  return longAsString && typeof value === "bigint" ? String(value) : value;
}

function enumValue(g: Gen, field: DescField): number {
  const values = field.enum!.values.map((v) => v.number);
  // Open enums take numbers they do not name.
  return g.next() < 0.8 ? pick(g, values) : pick(g, [5, 99, -7]);
}

function singular(g: Gen, field: DescField): unknown {
  if (field.message !== undefined) return randomMessage(g, field.message);
  if (field.enum !== undefined) return enumValue(g, field);
  return scalarValue(g, field.scalar!, field.fieldKind === "scalar" && field.longAsString);
}

function mapKey(g: Gen, type: ScalarType): string {
  switch (type) {
    case ScalarType.BOOL:
      return pick(g, ["true", "false"]);
    case ScalarType.STRING:
      return pick(g, ["", "k", "__proto__", "é", "1"]);
    default:
      return String(scalarValue(g, type, false));
  }
}

function randomMessage(g: Gen, desc: DescMessage): Message {
  const message = create(desc) as unknown as Record<string, unknown>;
  if (desc.typeName.startsWith("google.protobuf.")) return message as unknown as Message;
  g.depth++;
  for (const field of desc.fields) {
    if (g.next() > (g.depth > 2 ? 0.2 : 0.5)) continue;
    if (field.message !== undefined && g.depth > 3) continue;
    const local = field.localName;
    switch (field.fieldKind) {
      case "list": {
        const items = message[local] as unknown[];
        const n = Math.floor(g.next() * 4);
        for (let i = 0; i < n; i++) items.push(singular(g, field));
        break;
      }
      case "map": {
        const record = message[local] as Record<string, unknown>;
        const n = Math.floor(g.next() * 3);
        for (let i = 0; i < n; i++) {
          const key = mapKey(g, field.mapKey);
          Object.defineProperty(record, key, {
            value: field.mapKind === "message" ? randomMessage(g, field.message!) : singular(g, field),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        break;
      }
      default: {
        const value = singular(g, field);
        if (field.oneof !== undefined) message[field.oneof.localName] = { case: local, value };
        else message[local] = value;
      }
    }
  }
  g.depth--;
  return message as unknown as Message;
}

describe("binary encoder", () => {
  it("writes protobuf-es's bytes for random messages of every field kind, and encodes them itself", () => {
    const next = random(20261202);
    let itself = 0;
    for (let i = 0; i < 3000; i++) {
      const message = randomMessage({ next, depth: 0 }, Wire);
      assertSame(Wire, message, `#${i}`);
      if (encodesItself(Wire, message)) itself++;
    }
    // Every such message is one the compiled code vouches for.
    assert.equal(itself, 3000);
  });

  it("writes protobuf-es's bytes for messages read from random JSON (proto2, editions, odd names)", () => {
    const next = random(7);
    for (const name of ["Legacy", "Modern", "Plain2", "Odd", "Shuffled", "Crossed", "NumericName"]) {
      const desc = fixture(name);
      let read = 0;
      for (let i = 0; i < 600; i++) {
        let message: Message;
        try {
          message = fromJson(desc, JSON.parse(randomBody(desc, next, 0)), { registry: jsonRegistry });
        } catch {
          continue;
        }
        read++;
        assertSame(desc, message, `from JSON #${i}`);
      }
      assert.ok(read > 100, `${name}: only ${read} random bodies read`);
    }
    // A proto2 message with a required field set is the compiled code's; Kitchen has Struct fields and is not.
    assert.equal(encodesItself(fixture("Legacy"), create(fixture("Legacy"), { r: 1n })), true);
    assert.equal(encodesItself(fixture("Kitchen"), create(fixture("Kitchen"))), false);
  });

  it("writes the bench's 1 KB order as protobuf-es does, by itself", () => {
    const schema = BenchService.method.createOrder.input;
    const order = fromJson(schema, JSON.parse(orderBody(1024)));
    assertSame(schema, order);
    assert.equal(encodesItself(schema, order), true);
  });

  it("carries unknown fields and extensions after the known fields", () => {
    const legacy = fixture("Legacy");
    const ext = jsonRegistry.getExtension("fast.v1.ext_i")!;
    const message = create(legacy, { r: 5n, a: 1 });
    setExtension(message, ext, 77);
    assertSame(legacy, message);
    assert.equal(encodesItself(legacy, message), true);
    // Field 99 (varint) and 98 (bytes) are unknown to Wire: read, kept, written back.
    const withUnknown = fromBinary(Wire, Buffer.from([0x98, 0x06, 0x2a, 0x92, 0x06, 0x02, 0x68, 0x69, 0x18, 0x05]));
    assert.ok(withUnknown.$unknown !== undefined && withUnknown.$unknown.length > 0);
    assertSame(Wire, withUnknown);
    assert.equal(encodesItself(Wire, withUnknown), true);
  });

  it("leaves to protobuf-es what it does not vouch for, with protobuf-es's bytes or error", () => {
    // [what, the fields, whether the compiled code takes it]: where it does not, protobuf-es's bytes or error.
    const cases: [string, Record<string, unknown>, boolean][] = [
      ["int32 not an integer", { i32: 1.5 }, false],
      ["int32 out of range", { i32: 2 ** 31 }, false],
      ["int32 as a numeric string", { i32: "12" }, false],
      ["uint32 negative", { u32: -1 }, false],
      ["float out of float32 range", { f: 1e39 }, false],
      ["double as a string", { d: "1.5" }, false],
      ["int64 out of range", { i64: 2n ** 63n }, false],
      ["uint64 negative", { u64: -1n }, false],
      ["int64 as a non-integer", { i64: 1.5 }, false],
      ["int64 as bad text", { i64Str: "12x" }, false],
      ["string not a string", { s: 5 }, false],
      ["bytes not bytes", { by: "AQI=" }, false],
      ["bool not a boolean", { b: 1 }, false],
      ["list not an array", { listI32: 5 }, false],
      ["list item of the wrong type", { listS: ["a", 1] }, false],
      ["bool map key neither true nor false", { mapB: { yes: create(Wire) } }, false],
      ["int32 map key not a number", { mapI32: { x: 1n } }, false],
      ["int64 map key out of range", { mapI64: { "9223372036854775808": 1 } }, false],
      ["map value missing", { mapSs: { k: undefined } }, false],
      ["message of another type", { child: create(fixture("Plain2")) }, false],
      ["oneof not an object", { pick: undefined }, false],
      ["unknown fields not a list", { $unknown: 5 }, false],
      // What protobuf-es's int64 parsing (BigInt of the value) and map key parsing (parseInt) accept, taken alike.
      ["int64 as a number", { i64: 5 }, true],
      ["int64 as text of JS_STRING", { i64Str: "-12" }, true],
      ["int64 as hex text", { i64Str: "0x10" }, true],
      ["int32 map key with a fraction", { mapI32: { "1.5": 1n } }, true],
    ];
    for (const [note, fields, itself] of cases) {
      const message = create(Wire) as unknown as Record<string, unknown>;
      Object.assign(message, fields);
      assertSame(Wire, message as unknown as Message, note);
      assert.equal(encodesItself(Wire, message as unknown as Message), itself, note);
    }
    // A required field unset: protobuf-es's error.
    const legacy = create(fixture("Legacy"));
    assertSame(fixture("Legacy"), legacy, "required field unset");
    assert.throws(() => encodeBinary(fixture("Legacy"), legacy), /required field not set/);
    // Types held in another shape, and groups: protobuf-es encodes them.
    const wrapped = registry.getMessage("wire.v1.Wrapped")!;
    const structured = registry.getMessage("wire.v1.Structured")!;
    const grouped = registry.getMessage("wire.v1.Grouped")!;
    for (const [desc, fields] of [
      [wrapped, { w: "x" }],
      [structured, { st: { a: 1, b: [true, null] } }],
      [grouped, { a: 1, child: create(grouped, { a: 2 }) }],
    ] as const) {
      const message = create(desc, fields as never);
      assertSame(desc, message);
      assert.equal(encodesItself(desc, message), false, desc.typeName);
    }
  });
});
