/**
 * Messages for the binary codec tests: a proto3 message with a field of every kind and
 * scalar type (wire.v1.Wire), types protobuf-es holds in another shape (wrappers, Struct,
 * a group), and random messages of any type with values drawn from the edges of each
 * scalar type.
 */
import { create, createFileRegistry, ScalarType, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { compileProtos } from "./compile-proto.js";

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

export const wireRegistry = createFileRegistry(compileProtos({ "wire/v1/wire.proto": wire, "wire/v1/delimited.proto": delimited }));
export const Wire = wireRegistry.getMessage("wire.v1.Wire")!;

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

export interface Gen {
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

export function randomMessage(g: Gen, desc: DescMessage): Message {
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

/** Wire without its well-known-type fields: every field kind, in a message the reply transcoder writes by itself. */
export const PlainWire: DescMessage = createFileRegistry(
  compileProtos({
    "plainwire/v1/wire.proto": wire.replace(/^(?:import .*|.*google\.protobuf\..*)$/gm, "").replace("package wire.v1;", "package plainwire.v1;"),
  }),
).getMessage("plainwire.v1.Wire")!;

/** Records written by hand, for the wire forms an encoder never writes but a reader must take. */
export function records(write: (w: BinaryWriter) => void): Uint8Array {
  const writer = new BinaryWriter();
  write(writer);
  return writer.finish();
}
