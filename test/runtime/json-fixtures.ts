/**
 * Message types and a seeded input generator for the differential tests of the compiled
 * JSON reader and writer against protobuf-es's reflective path.
 */
import { createFileRegistry, ScalarType, type DescField, type DescMessage, type FileRegistry } from "@bufbuild/protobuf";
import { compileProtos } from "../support/compile-proto.js";

const kitchen = `syntax = "proto3";
package fast.v1;
import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Mood {
  MOOD_UNSPECIFIED = 0;
  MOOD_HAPPY = 1;
  MOOD_SAD = 2;
}

enum Aliased {
  option allow_alias = true;
  ALIASED_UNSPECIFIED = 0;
  ALIASED_ONE = 1;
  ALIASED_UNO = 1;
}

message Kitchen {
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
  uint64 u64_num = 14 [jstype = JS_NUMBER];
  bool b = 15;
  string s = 16;
  bytes by = 17;
  Mood mood = 18;
  Aliased aliased = 19;
  Kitchen child = 20;
  repeated int32 list_i32 = 21;
  repeated int64 list_i64 = 22;
  repeated string list_s = 23;
  repeated bytes list_by = 24;
  repeated Mood list_mood = 25;
  repeated Kitchen list_child = 26;
  repeated double list_d = 27;
  repeated int64 list_i64_str = 28 [jstype = JS_STRING];
  map<string, string> map_ss = 29;
  map<int32, int64> map_i32 = 30;
  map<int64, Mood> map_i64 = 31;
  map<uint64, bytes> map_u64 = 32;
  map<bool, Kitchen> map_b = 33;
  map<sint32, float> map_s32 = 34;
  map<fixed64, string> map_fx64 = 35;
  map<string, google.protobuf.Value> map_value = 36;
  optional string opt_s = 37;
  optional int64 opt_i64 = 38;
  optional Mood opt_mood = 39;
  optional bytes opt_by = 40;
  optional double opt_d = 41;
  oneof pick {
    string pick_s = 42;
    int32 pick_i = 43;
    Mood pick_mood = 44;
    Kitchen pick_child = 45;
    google.protobuf.Timestamp pick_ts = 46;
    google.protobuf.Value pick_value = 47;
    google.protobuf.NullValue pick_null = 48;
    google.protobuf.StringValue pick_w = 74;
  }
  google.protobuf.Timestamp ts = 49;
  google.protobuf.Duration dur = 50;
  google.protobuf.FieldMask mask = 51;
  google.protobuf.Struct st = 52;
  google.protobuf.Value val = 53;
  google.protobuf.ListValue lv = 54;
  google.protobuf.Any any = 55;
  google.protobuf.Int64Value w_i64 = 56;
  google.protobuf.StringValue w_s = 57;
  google.protobuf.BytesValue w_by = 58;
  google.protobuf.BoolValue w_b = 59;
  repeated google.protobuf.Timestamp list_ts = 60;
  repeated google.protobuf.Any list_any = 61;
  map<string, google.protobuf.Struct> map_st = 62;
  repeated google.protobuf.Struct list_st = 63;
  google.protobuf.NullValue null_value = 64;
  repeated google.protobuf.NullValue list_null = 65;
  repeated google.protobuf.Value list_value = 66;
  string json_named = 67 [json_name = "custom"];
  repeated google.protobuf.Int32Value list_w = 68;
  google.protobuf.Empty empty = 69;
  oneof other {
    bytes other_by = 70;
    Mood other_mood = 71;
  }
  int32 field_9 = 72;
  string with_colon = 73 [json_name = "a:b"];
}
`;

const legacy = `syntax = "proto2";
package fast.v1;

enum Closed {
  CLOSED_ZERO = 0;
  CLOSED_ONE = 1;
  CLOSED_FIVE = 5;
}

message Legacy {
  optional int32 a = 1 [default = 7];
  optional string b = 2 [default = "bee"];
  optional Closed c = 3 [default = CLOSED_FIVE];
  required int64 r = 4;
  repeated Closed list_c = 5;
  map<string, Closed> map_c = 6;
  optional Legacy child = 7;
  optional bytes by = 8 [default = "x"];
  optional float f = 9 [default = inf];
  optional bool flag = 10;
  oneof o {
    int32 o_a = 11;
    Closed o_c = 12;
  }
  extensions 100 to 200;
}

message Plain2 {
  optional int32 a = 1;
  optional string b = 2;
  repeated int32 list = 3;
  optional Plain2 child = 4;
}

extend Legacy {
  optional int32 ext_i = 100;
}
`;

const modern = `edition = "2023";
package fast.v1;

enum Open2023 {
  OPEN_ZERO = 0;
  OPEN_ONE = 1;
}

enum Closed2023 {
  option features.enum_type = CLOSED;
  CLOSED2023_A = 1;
  CLOSED2023_B = 2;
}

message Modern {
  int32 explicit_i = 1;
  int32 implicit_i = 2 [features.field_presence = IMPLICIT];
  string explicit_s = 3;
  Closed2023 closed = 4;
  Open2023 open = 5 [features.field_presence = IMPLICIT];
  repeated int32 packed = 6;
  Modern child = 7;
  int64 with_default = 8 [default = 42];
}
`;

const odd = `syntax = "proto3";
package fast.v1;

message Odd {
  optional string constructor = 1;
  string value_of = 2;
  int32 plain = 3;
}

message Shuffled {
  optional int32 z = 3;
  optional string a = 1;
  Shuffled m = 2;
  int32 plain = 5;
  oneof o {
    int32 o_a = 4;
  }
}

message Crossed {
  string a = 1 [json_name = "b"];
  string b = 2 [json_name = "c"];
}

message NumericName {
  string x = 1 [json_name = "7"];
  string y = 2;
}
`;

/** The test types, compiled once, with the well-known types they import. */
export const registry: FileRegistry = createFileRegistry(
  compileProtos({ "fast/v1/kitchen.proto": kitchen, "fast/v1/legacy.proto": legacy, "fast/v1/modern.proto": modern, "fast/v1/odd.proto": odd }),
);

export const message = (name: string): DescMessage => registry.getMessage(`fast.v1.${name}`)!;

/** A small deterministic PRNG (mulberry32), so that failures reproduce. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// JSON texts of values, valid for a kind first, then doubtful or wrong.
const scalarTexts: Record<ScalarType, [valid: string[], doubtful: string[]]> = {
  [ScalarType.DOUBLE]: [
    ["1.5", "-0", "0", "1e300", '"NaN"', '"Infinity"', '"-Infinity"', '"2.5"', '"1e3"', "3"],
    ['"nan"', '" 1"', '""', '"1e400"', "true", '"x"', "[]"],
  ],
  [ScalarType.FLOAT]: [
    ["1.5", "-0", "3.4028234663852886e38", '"NaN"', '"-Infinity"', '"0.1"'],
    ["1e39", '"1e39"', '"Inf"', "{}", "false"],
  ],
  [ScalarType.INT32]: [
    ["1", "-1", "0", "-0", "2147483647", "-2147483648", '"12"', '"-7"', "1e2", '"1e2"', '"0x10"'],
    ["2147483648", "1.5", '"1.5"', '" 12"', '""', '"abc"', "true", "[]"],
  ],
  [ScalarType.UINT32]: [
    ["0", "4294967295", '"5"', "-0"],
    ["-1", "4294967296", '"-1"', '"x"'],
  ],
  [ScalarType.SINT32]: [["-5", '"-5"'], ["2147483648"]],
  [ScalarType.FIXED32]: [["7", '"7"'], ["-7"]],
  [ScalarType.SFIXED32]: [["-7", '"-7"'], ['"7.5"']],
  [ScalarType.INT64]: [
    ["1", "-1", '"9007199254740993"', "9007199254740993", '"-9223372036854775808"', '"0x1F"', '" 5"', '"012"', "1e3"],
    ['"9223372036854775808"', "1.5", '"1.5"', '""', "true", '"1e3"', "{}"],
  ],
  [ScalarType.UINT64]: [
    ["1", '"18446744073709551615"', "18446744073709551615", "0"],
    ["-1", '"-1"', '"18446744073709551616"'],
  ],
  [ScalarType.SINT64]: [["-3", '"-3"'], ['"x"']],
  [ScalarType.FIXED64]: [["3", '"3"'], ["-3"]],
  [ScalarType.SFIXED64]: [["-3", '"-3"'], ["0.5"]],
  [ScalarType.BOOL]: [
    ["true", "false"],
    ['"true"', "1", "0"],
  ],
  [ScalarType.STRING]: [
    ['"x"', '""', '"a:b"', '"\\u00e9\\n\\"q\\""', '"😀"', '"\\u2028"', '"::"'],
    ['"\\ud800"', "1", "true", "[]"],
  ],
  [ScalarType.BYTES]: [
    ['"AQID"', '"AQ-_"', '"AQ=="', '""', '"AQI"', '"AQ\\nID"', '"AQ=ID"'],
    ['"!!"', '"A"', "1", '"a:b"'],
  ],
};

const mapKeys: Partial<Record<ScalarType, [valid: string[], doubtful: string[]]>> = {
  [ScalarType.STRING]: [["a", "", "__proto__", "k:v", "é"], ["\ud800"]],
  [ScalarType.BOOL]: [
    ["true", "false"],
    ["yes", "1", "True"],
  ],
  [ScalarType.INT32]: [
    ["1", "-2", "0", "-0", "1e1", "0x1"],
    ["1.5", " 1", "", "2147483648"],
  ],
  [ScalarType.SINT32]: [["1", "-2"], ["x"]],
  [ScalarType.INT64]: [
    ["1", "-2", "007", "-0", "0", "9223372036854775807"],
    ["9223372036854775808", "", "x"],
  ],
  [ScalarType.UINT64]: [
    ["1", "18446744073709551615", "0001"],
    ["-1", "x"],
  ],
  [ScalarType.FIXED64]: [["1", "20"], ["-20"]],
};

const wktTexts: Record<string, [valid: string[], doubtful: string[]]> = {
  "google.protobuf.Timestamp": [
    ['"2024-01-01T00:00:00Z"', '"2024-01-01T10:00:00.5+01:00"', "null"],
    ['"yesterday"', "1", '"0000-01-01T00:00:00Z"'],
  ],
  "google.protobuf.Duration": [
    ['"1.5s"', '"-0.5s"', '"3s"'],
    ['"1m"', "1"],
  ],
  "google.protobuf.FieldMask": [
    ['"a.b,cD"', '""'],
    ['"a_b"', "1"],
  ],
  "google.protobuf.Struct": [
    ['{"a":1,"b":[null,{"c":"d:e"}],"e":{}}', "{}", '{"__proto__":1}'],
    ["[]", '"x"'],
  ],
  "google.protobuf.Value": [["null", "1", '"x"', '[1,{"a":[]}]', '{"k":true}'], []],
  "google.protobuf.ListValue": [["[]", '[1,"a:b",null]'], ["{}"]],
  "google.protobuf.Any": [
    ['{"@type":"type.googleapis.com/fast.v1.Plain2","a":1}', '{"@type":"type.googleapis.com/google.protobuf.Duration","value":"2s"}', "{}"],
    ['{"@type":"type.googleapis.com/nope.Nope"}', '{"a":1}', '{"@type":"type.googleapis.com/fast.v1.Plain2","nope":1}'],
  ],
  "google.protobuf.Int64Value": [['"5"', "5", "null"], ['"x"']],
  "google.protobuf.Int32Value": [["5", '"5"'], ["5.5"]],
  "google.protobuf.StringValue": [['"w"', "null"], ["1"]],
  "google.protobuf.BytesValue": [['"AQID"'], ['"!"']],
  "google.protobuf.BoolValue": [["true", "null"], ['"true"']],
  "google.protobuf.Empty": [
    ["{}", "null"],
    ['{"a":1}', "1"],
  ],
};

interface Gen {
  readonly next: () => number;
  /** Chance of a doubtful value, an unknown key, a duplicate. */
  readonly mischief: number;
  depth: number;
}

const pick = <T>(g: Gen, items: readonly T[]): T => items[Math.floor(g.next() * items.length)]!;

/** A JSON text for a message of `desc`, mostly valid, sometimes not, never the same twice. */
export function randomBody(desc: DescMessage, next: () => number, mischief = 0.08): string {
  return messageText({ next, mischief, depth: 0 }, desc);
}

function messageText(g: Gen, desc: DescMessage): string {
  const wkt = wktTexts[desc.typeName];
  if (wkt !== undefined) return choose(g, wkt);
  g.depth++;
  const parts: string[] = [];
  for (const field of desc.fields) {
    if (g.next() > (g.depth > 2 ? 0.15 : 0.45)) continue;
    const key = g.next() < 0.5 ? field.jsonName : field.name;
    parts.push(`${JSON.stringify(key)}:${fieldText(g, field)}`);
    if (g.next() < g.mischief / 4) parts.push(`${JSON.stringify(g.next() < 0.5 ? field.name : field.jsonName)}:${fieldText(g, field)}`);
  }
  if (g.next() < g.mischief) parts.splice(Math.floor(g.next() * (parts.length + 1)), 0, `"nope":${pick(g, ["1", '{"x":[1,"y:z"]}', "null", '"a:b"'])}`);
  if (g.next() < g.mischief / 2 && parts.length > 0) parts.push(pick(g, parts));
  g.depth--;
  // Shuffled: protobuf-es reports the first problem in key order.
  for (let i = parts.length - 1; i > 0; i--) {
    const j = Math.floor(g.next() * (i + 1));
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  return `{${parts.join(",")}}`;
}

function fieldText(g: Gen, field: DescField): string {
  if (g.next() < 0.05) return "null";
  switch (field.fieldKind) {
    case "list": {
      if (g.next() < g.mischief / 2) return pick(g, ['"x"', "{}", "[null]"]);
      const n = Math.floor(g.next() * 3);
      return `[${Array.from({ length: n }, () => singular(g, field)).join(",")}]`;
    }
    case "map": {
      if (g.next() < g.mischief / 2) return pick(g, ["[]", '"x"']);
      const n = Math.floor(g.next() * 3);
      const keys = mapKeys[field.mapKey] ?? [["1"], []];
      const entries = Array.from({ length: n }, () => `${JSON.stringify(choose(g, keys))}:${singular(g, field)}`);
      return `{${entries.join(",")}}`;
    }
    default:
      return singular(g, field);
  }
}

function singular(g: Gen, field: DescField): string {
  if (field.message !== undefined) return g.depth > 3 ? "{}" : messageText(g, field.message);
  if (field.enum !== undefined) {
    if (field.enum.typeName === "google.protobuf.NullValue")
      return choose(g, [
        ["null", '"NULL_VALUE"', "0"],
        ['"NOPE"', "1"],
      ]);
    const names = field.enum.values.flatMap((v) => [JSON.stringify(v.name), String(v.number)]);
    return choose(g, [names, ['"NOPE"', "99", "1.5", "true", "4294967296", JSON.stringify(field.enum.values[0]!.name.toLowerCase())]]);
  }
  return choose(g, scalarTexts[field.scalar!]);
}

function choose(g: Gen, [valid, doubtful]: readonly [readonly string[], readonly string[]]): string {
  return doubtful.length > 0 && g.next() < g.mischief ? pick(g, doubtful) : pick(g, valid);
}
