import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry, createRegistry, toJson, type DescField } from "@bufbuild/protobuf";
import { anyPack, AnySchema, DurationSchema, EmptySchema } from "@bufbuild/protobuf/wkt";
import { status as Code } from "@grpc/grpc-js";
import { GatewayError } from "../../runtime/gateway-error.js";
import { createJsonMarshaler, type JsonMarshalerOptions } from "../../runtime/marshal/json/marshaler.js";
import { compileProtos } from "../support/compile-proto.js";
import { message } from "./json-fixtures.js";
import { PayloadSchema } from "../gen/testing/v1/payloads_pb.js";
import { Color, NestedSchema, ScalarsSchema, type Scalars } from "../gen/testing/v1/everything_pb.js";
import { alsoWithoutCodeGeneration } from "../support/without-code-generation.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const field = (name: string): DescField => ScalarsSchema.fields.find((f) => f.name === name)!;

function read(body: string | Uint8Array, options: JsonMarshalerOptions = {}, into?: string): Scalars {
  const target = create(ScalarsSchema);
  const bytes = typeof body === "string" ? utf8(body) : body;
  createJsonMarshaler(options).unmarshal(bytes, ScalarsSchema, target, into === undefined ? undefined : field(into));
  return target;
}

function refused(body: string | Uint8Array, message: string | RegExp, options: JsonMarshalerOptions = {}, into?: string): void {
  assert.throws(
    () => read(body, options, into),
    (err: unknown) =>
      err instanceof GatewayError && err.code === Code.INVALID_ARGUMENT && (typeof message === "string" ? err.message === message : message.test(err.message)),
  );
}

const nestedDefaults = { name: "", amount: 0, child: null, tags: [], color: "COLOR_UNSPECIFIED" };

describe("json marshaler: unmarshal", () => {
  alsoWithoutCodeGeneration(import.meta.url);

  it("is application/json", () => {
    assert.equal(createJsonMarshaler().contentType, "application/json");
  });

  it("reads both name styles and every shape", () => {
    const m = read(
      '{"string_value":"x","int64Value":"5","nested":{"name":"n","child":{"amount":2}},"labels":{"a":"b"},"color":"COLOR_RED","duration":"2s","repeatedInt32":[1,2],"choiceB":3}',
    );
    assert.equal(m.stringValue, "x");
    assert.equal(m.int64Value, 5n);
    assert.equal(m.nested?.child?.amount, 2);
    assert.deepEqual(m.labels, { a: "b" });
    assert.equal(m.color, Color.RED);
    assert.equal(m.duration?.seconds, 2n);
    assert.deepEqual(m.repeatedInt32, [1, 2]);
    assert.deepEqual(m.choice, { case: "choiceB", value: 3 });
  });

  it("takes an empty or blank body as an empty message", () => {
    assert.deepEqual(read(""), create(ScalarsSchema));
    assert.deepEqual(read(" \n\t"), create(ScalarsSchema));
    assert.deepEqual(read("", {}, "nested"), create(ScalarsSchema));
  });

  it("discards unknown fields unless told not to, as protojson's DiscardUnknown does", () => {
    assert.equal(read('{"nope":1,"stringValue":"x"}').stringValue, "x");
    refused('{"nope":1}', 'cannot decode message testing.v1.Scalars from JSON: key "nope" is unknown', { discardUnknown: false });
  });

  it("refuses malformed JSON, wrong types, duplicates and bad UTF-8 as INVALID_ARGUMENT", () => {
    refused('{"stringValue":', /^cannot decode message testing\.v1\.Scalars from JSON: /);
    refused('{"int32Value":"abc"}', 'cannot decode field testing.v1.Scalars.int32_value from JSON: expected number (int32), got "abc"');
    refused('{"int32Value":1,"int32_value":2}', "cannot decode field testing.v1.Scalars.int32_value from JSON: set multiple times");
    refused("[1]", /^cannot decode message testing\.v1\.Scalars from JSON/);
    refused(new Uint8Array([0x7b, 0xff, 0x7d]), "request body is not valid UTF-8");
  });

  it("reads a field body into only that field, of any kind", () => {
    const nested = read('{"name":"n","amount":2}', {}, "nested");
    assert.equal(nested.nested?.name, "n");
    assert.equal(nested.nested?.amount, 2);
    assert.deepEqual(read('["a","b"]', {}, "repeated_string").repeatedString, ["a", "b"]);
    assert.equal(read('"42"', {}, "int64_value").int64Value, 42n);
    assert.equal(read("42", {}, "int64_value").int64Value, 42n);
    assert.deepEqual(read('{"1":"one"}', {}, "int_map").intMap, { 1: "one" });
    assert.equal(read('"2024-01-01T00:00:00Z"', {}, "timestamp").timestamp?.seconds, 1704067200n);
    assert.equal(read('"w"', {}, "string_wrapper").stringWrapper, "w");
    assert.equal(read("null", {}, "nested").nested, undefined);
  });

  it("refuses a field body of the wrong type, naming the field", () => {
    refused('"x"', /^cannot decode field testing\.v1\.Scalars\.int64_value from JSON: /, {}, "int64_value");
    refused('{"name":1}', /testing\.v1\.Nested\.name/, {}, "nested");
  });

  it("cannot be tricked into setting sibling fields from a field body", () => {
    refused('"x", "uuid": "evil"', /^cannot decode message testing\.v1\.Scalars from JSON: /, {}, "string_value");
  });

  it("reads Any holding a well-known type, with or without a registry; other types need the registry", () => {
    const json = '{"@type":"type.googleapis.com/google.protobuf.Duration","value":"1s"}';
    for (const options of [{}, { registry: createRegistry(NestedSchema) }]) {
      const target = create(AnySchema);
      createJsonMarshaler(options).unmarshal(utf8(json), AnySchema, target);
      assert.equal(target.typeUrl, "type.googleapis.com/google.protobuf.Duration");
    }
    const nested = '{"@type":"type.googleapis.com/testing.v1.Nested","name":"n"}';
    assert.throws(() => createJsonMarshaler().unmarshal(utf8(nested), AnySchema, create(AnySchema)), GatewayError);
    createJsonMarshaler({ registry: createRegistry(NestedSchema) }).unmarshal(utf8(nested), AnySchema, create(AnySchema));
  });
});

const enumError = (path: string, value: string, enumName = "testing.v1.Color") =>
  `invalid value for field "${path}": ${value} is not a value of enum ${enumName}`;

describe("json marshaler: unknown keys and enum values", () => {
  it("refuses an unknown enum name, naming the field, whether or not unknown keys are discarded", () => {
    refused('{"color":"PURPLE"}', enumError("color", '"PURPLE"'));
    refused('{"color":"PURPLE"}', enumError("color", '"PURPLE"'), { discardUnknown: false });
    refused('{"color":"color_red"}', enumError("color", '"color_red"'));
    refused('{"color":true}', enumError("color", "true"));
    refused('{"color":1.5}', enumError("color", "1.5"));
    refused('{"color":{}}', enumError("color", "{...}"));
  });

  it("names the path of an unknown enum name in nested messages, lists and maps", () => {
    refused('{"nested":{"child":{"child":{"color":"PURPLE"}}}}', enumError("nested.child.child.color", '"PURPLE"'));
    refused('{"repeatedColor":["COLOR_RED",2,"PURPLE"]}', enumError("repeated_color[2]", '"PURPLE"'));
    refused('{"repeated_nested":[{},{"child":{"color":"PURPLE"}}]}', enumError("repeated_nested[1].child.color", '"PURPLE"'));
    refused('{"nestedMap":{"a":{},"b":{"color":"PURPLE"}}}', enumError("nested_map[b].color", '"PURPLE"'));
  });

  it("names the path from the body field when only a field is read", () => {
    refused('{"child":{"color":"PURPLE"}}', enumError("nested.child.color", '"PURPLE"'), {}, "nested");
    refused('["COLOR_RED","PURPLE"]', enumError("repeated_color[1]", '"PURPLE"'), {}, "repeated_color");
    refused('"PURPLE"', enumError("color", '"PURPLE"'), {}, "color");
    refused('{"k":{"color":"PURPLE","nope":1}}', enumError("nested_map[k].color", '"PURPLE"'), {}, "nested_map");
    const m = read('{"k":{"color":"COLOR_GREEN","nope":1}}', {}, "nested_map");
    assert.equal(m.nestedMap["k"]?.color, Color.GREEN);
  });

  it("takes enum values by number, known or not, and null as the zero value", () => {
    assert.equal(read('{"color":2}').color, Color.GREEN);
    assert.equal(read('{"color":7}').color, 7);
    assert.equal(read('{"color":null,"nope":1}').color, Color.UNSPECIFIED);
    assert.deepEqual(read('{"repeatedColor":[1,"COLOR_GREEN",9],"nope":1}').repeatedColor, [Color.RED, Color.GREEN, 9]);
    assert.equal(read('{"nestedMap":{"k":{"color":1}},"nope":1}').nestedMap["k"]?.color, Color.RED);
    // Out of the int32 range: protobuf-es's own error, which names the field.
    refused('{"color":4294967296}', /^cannot decode field testing\.v1\.Scalars\.color from JSON: /);
  });

  it("discards unknown keys at every depth, and merges lists read before them once", () => {
    const m = read(
      '{"repeatedInt32":[1,2],"nope":1,"nested":{"tags":["t"],"nope":{},"child":{"nope":[1],"name":"c"}},' +
        '"repeatedNested":[{"nope":1,"name":"a"}],"nestedMap":{"k":{"nope":null,"amount":3}},"choice_b":4}',
    );
    assert.deepEqual(m.repeatedInt32, [1, 2]);
    assert.deepEqual(m.nested?.tags, ["t"]);
    assert.equal(m.nested?.child?.name, "c");
    assert.equal(m.repeatedNested[0]?.name, "a");
    assert.equal(m.nestedMap["k"]?.amount, 3);
    assert.deepEqual(m.choice, { case: "choiceB", value: 4 });
    assert.deepEqual(read('{"nope":1}', {}, "nested").nested, create(NestedSchema));
    assert.deepEqual(read('[{"name":"a","nope":1}]', {}, "repeated_nested").repeatedNested, [create(NestedSchema, { name: "a" })]);
  });

  it("still reports a bad enum value beside discarded keys, before or after them", () => {
    refused('{"nope":1,"nested":{"nope":2,"child":{"nope":3,"color":"PURPLE"}}}', enumError("nested.child.color", '"PURPLE"'));
    refused('{"repeatedColor":["PURPLE"],"nope":1}', enumError("repeated_color[0]", '"PURPLE"'));
  });

  it("rejects unknown keys at any depth when told not to discard them", () => {
    const strict = { discardUnknown: false };
    refused('{"nested":{"child":{"nope":1}}}', 'cannot decode message testing.v1.Nested from JSON: key "nope" is unknown', strict);
    refused('{"nestedMap":{"k":{"nope":1}}}', 'cannot decode message testing.v1.Nested from JSON: key "nope" is unknown', strict);
  });

  it("keeps protobuf-es's errors once unknown keys are gone", () => {
    refused('{"nope":1,"int32Value":"abc"}', 'cannot decode field testing.v1.Scalars.int32_value from JSON: expected number (int32), got "abc"');
    refused('{"nope":1,"choiceA":"a","choiceB":1}', /^cannot decode oneof testing\.v1\.Scalars\.choice from JSON: oneof set multiple times/);
    refused('{"nope":1,"stringValue":"a","stringValue":"b"}', 'cannot decode message testing.v1.Scalars from JSON: duplicate object key "stringValue"');
    const deep = `{"nope":1,"nested":${'{"child":'.repeat(300)}{}${"}".repeat(301)}`;
    refused(deep, /maximum recursion depth of 100 reached/);
  });

  it("leaves the JSON forms of well-known types alone, Struct keys included", () => {
    const m = read(
      '{"nope":1,"structValue":{"nope":{"color":"PURPLE","list":[null,{"x":1}]}},"timestamp":"2024-01-01T00:00:00Z",' +
        '"duration":"1.5s","fieldMask":"a.b,c","stringWrapper":"w","int64Wrapper":"5","boolWrapper":false}',
    );
    assert.deepEqual(toJson(ScalarsSchema, m, { alwaysEmitImplicit: false }), {
      structValue: { nope: { color: "PURPLE", list: [null, { x: 1 }] } },
      timestamp: "2024-01-01T00:00:00Z",
      duration: "1.500s",
      fieldMask: "a.b,c",
      stringWrapper: "w",
      int64Wrapper: "5",
      boolWrapper: false,
    });
  });

  it("keeps map keys such as __proto__ as keys", () => {
    const m = read('{"nope":1,"nestedMap":{"__proto__":{"name":"p","nope":1}},"labels":{"__proto__":"x"}}');
    assert.equal(Object.getOwnPropertyDescriptor(m.nestedMap, "__proto__")?.value?.name, "p");
    assert.equal(Object.getOwnPropertyDescriptor(m.labels, "__proto__")?.value, "x");
  });

  describe("with enum maps, NullValue, Value and Any", () => {
    const set = compileProtos({
      "screen/v1/palette.proto": `syntax = "proto3";
package screen.v1;
import "google/protobuf/any.proto";
import "google/protobuf/struct.proto";
enum Shade {
  SHADE_UNSPECIFIED = 0;
  SHADE_DARK = 1;
}
message Palette {
  map<string, Shade> shades = 1;
  google.protobuf.NullValue null_value = 2;
  google.protobuf.Value value = 3;
  repeated google.protobuf.Any extras = 4;
  oneof pick {
    Shade shade = 5;
    Palette inner = 6;
  }
}
`,
    });
    const registry = createFileRegistry(set);
    const palette = registry.getMessage("screen.v1.Palette")!;
    const url = "type.googleapis.com/screen.v1.Palette";
    const readPalette = (json: string, options: JsonMarshalerOptions = {}) => {
      const target = create(palette);
      createJsonMarshaler({ registry, ...options }).unmarshal(utf8(json), palette, target);
      return toJson(palette, target, { registry });
    };
    const refusedPalette = (json: string, message: string, options: JsonMarshalerOptions = {}) =>
      assert.throws(
        () => readPalette(json, options),
        (err: unknown) => err instanceof GatewayError && err.code === Code.INVALID_ARGUMENT && err.message === message,
      );
    const shadeError = (path: string, value: string) => enumError(path, value, "screen.v1.Shade");

    it("refuses an unknown enum name in a map value or a oneof, naming the entry", () => {
      refusedPalette('{"shades":{"a":"SHADE_DARK","b":"SHADE_PURPLE"}}', shadeError("shades[b]", '"SHADE_PURPLE"'));
      refusedPalette('{"inner":{"inner":{"shade":"SHADE_PURPLE"}}}', shadeError("inner.inner.shade", '"SHADE_PURPLE"'));
      assert.deepEqual(readPalette('{"shades":{"a":1,"b":"SHADE_DARK"},"nope":1,"inner":{"shade":"SHADE_DARK","nope":1}}'), {
        shades: { a: "SHADE_DARK", b: "SHADE_DARK" },
        inner: { shade: "SHADE_DARK" },
      });
    });

    it("reads NullValue and Value as before", () => {
      assert.deepEqual(readPalette('{"nullValue":null,"value":{"nope":[1,"SHADE_PURPLE"]},"nope":1}'), {
        value: { nope: [1, "SHADE_PURPLE"] },
      });
      refusedPalette('{"nullValue":"NOTHING"}', enumError("null_value", '"NOTHING"', "google.protobuf.NullValue"));
    });

    it("screens the contents of Any by the registry, in both of its forms", () => {
      refusedPalette(`{"extras":[{"@type":"${url}","nope":1,"shades":{"k":"SHADE_PURPLE"}}]}`, shadeError("extras[0].shades[k]", '"SHADE_PURPLE"'));
      const nested = `{"@type":"type.googleapis.com/google.protobuf.Any","value":{"@type":"${url}","shade":"SHADE_PURPLE"}}`;
      refusedPalette(`{"extras":[{},${nested}]}`, shadeError("extras[1].shade", '"SHADE_PURPLE"'));
      assert.deepEqual(readPalette(`{"extras":[{"@type":"${url}","nope":1,"inner":{"nope":2,"shade":1}}],"nope":3}`), {
        extras: [{ "@type": url, inner: { shade: "SHADE_DARK" } }],
      });
      refusedPalette(`{"extras":[{"@type":"${url}","nope":1}]}`, 'cannot decode message screen.v1.Palette from JSON: key "nope" is unknown', {
        discardUnknown: false,
      });
    });
  });
});

describe("json marshaler: marshal", () => {
  it("writes JSON names and every unpopulated field, as grpc-gateway's default does", () => {
    const out = JSON.parse(createJsonMarshaler().marshal(NestedSchema, create(NestedSchema, { name: "n" })) as string);
    assert.deepEqual(out, { ...nestedDefaults, name: "n" });
  });

  it("writes null for unset messages, leaves out unset proto3 optionals and oneof members, as protojson", () => {
    const out = JSON.parse(createJsonMarshaler().marshal(ScalarsSchema, create(ScalarsSchema, { nested: { child: {} } })) as string);
    assert.equal(out.timestamp, null);
    assert.equal(out.stringWrapper, null);
    assert.equal(out.structValue, null);
    assert.equal("optionalString" in out || "optionalInt32" in out, false);
    assert.equal(out.int64Value, "0");
    assert.deepEqual(out.nested, { ...nestedDefaults, child: { ...nestedDefaults } });
    assert.equal("choiceA" in out || "choiceB" in out, false);
  });

  it("writes null for unset proto2 optional and editions explicit-presence fields, as protojson", () => {
    const legacy = JSON.parse(createJsonMarshaler().marshal(message("Legacy"), create(message("Legacy"), { r: 1n })) as string);
    assert.deepEqual(legacy, { a: null, b: null, c: null, r: "1", listC: [], mapC: {}, child: null, by: null, f: null, flag: null });
    const modern = JSON.parse(createJsonMarshaler().marshal(message("Modern"), create(message("Modern"))) as string);
    assert.deepEqual(modern, { explicitI: null, implicitI: 0, explicitS: null, closed: null, open: "OPEN_ZERO", packed: [], child: null, withDefault: null });
  });

  it("writes a packed message with @type first and its unpopulated fields; well-known types resolve unregistered", () => {
    const marshaler = createJsonMarshaler({ registry: createRegistry(PayloadSchema) });
    const m = create(PayloadSchema, {
      item: anyPack(PayloadSchema, create(PayloadSchema, { name: "inner" })),
      items: [anyPack(DurationSchema, create(DurationSchema, { seconds: 2n })), anyPack(EmptySchema, create(EmptySchema))],
    });
    const text = marshaler.marshal(PayloadSchema, m) as string;
    const out = JSON.parse(text);
    const unset = { plain: 0, item: null, items: [] };
    assert.deepEqual(out.item, { "@type": "type.googleapis.com/testing.v1.Payload", name: "inner", ...unset });
    assert.deepEqual(Object.keys(out.item)[0], "@type");
    assert.deepEqual(out.items, [
      { "@type": "type.googleapis.com/google.protobuf.Duration", value: "2s" },
      { "@type": "type.googleapis.com/google.protobuf.Empty" },
    ]);
    assert.deepEqual(Object.keys(out.items[0]), ["@type", "value"]);
    const bare = JSON.parse(createJsonMarshaler({ registry: createRegistry(PayloadSchema), emitUnpopulated: false }).marshal(PayloadSchema, m) as string);
    assert.deepEqual(Object.keys(bare.item), ["@type", "name"]);
    // And read back; an Empty wrapped in "value" (what protojson reads) is read too.
    const back = create(PayloadSchema);
    marshaler.unmarshal(new TextEncoder().encode(text), PayloadSchema, back);
    assert.equal(marshaler.marshal(PayloadSchema, back), text);
    const wrapped = create(PayloadSchema);
    marshaler.unmarshal(new TextEncoder().encode('{"item":{"@type":"type.googleapis.com/google.protobuf.Empty","value":{}}}'), PayloadSchema, wrapped);
    assert.equal(wrapped.item?.typeUrl, "type.googleapis.com/google.protobuf.Empty");
  });

  it("fills unpopulated fields inside lists and maps of messages", () => {
    const m = create(ScalarsSchema, { repeatedNested: [{ name: "a" }], nestedMap: { k: { amount: 1 } } });
    const out = JSON.parse(createJsonMarshaler().marshal(ScalarsSchema, m) as string);
    assert.deepEqual(out.repeatedNested, [{ ...nestedDefaults, name: "a" }]);
    assert.deepEqual(out.nestedMap, { k: { ...nestedDefaults, amount: 1 } });
  });

  it("leaves unpopulated fields out when told", () => {
    const out = createJsonMarshaler({ emitUnpopulated: false }).marshal(NestedSchema, create(NestedSchema, { name: "n", color: Color.GREEN }));
    assert.equal(out, '{"name":"n","color":"COLOR_GREEN"}');
  });

  it("writes proto names and enum numbers when told", () => {
    const out = createJsonMarshaler({ useProtoNames: true, enumsAsNumbers: true, emitUnpopulated: false }).marshal(
      ScalarsSchema,
      create(ScalarsSchema, { int32Value: 1, color: Color.RED }),
    );
    assert.equal(out, '{"int32_value":1,"color":1}');
    const all = JSON.parse(createJsonMarshaler({ useProtoNames: true, enumsAsNumbers: true }).marshal(NestedSchema, create(NestedSchema)) as string);
    assert.deepEqual(all, { name: "", amount: 0, child: null, tags: [], color: 0 });
  });

  it("writes only the field a response_body names", () => {
    const m = create(ScalarsSchema, { nested: { name: "inner" }, repeatedString: ["a"], int64Value: 7n, labels: { a: "b" }, optionalInt32: 3 });
    const json = createJsonMarshaler();
    assert.deepEqual(JSON.parse(json.marshal(ScalarsSchema, m, field("nested")) as string), { ...nestedDefaults, name: "inner" });
    assert.equal(json.marshal(ScalarsSchema, m, field("repeated_string")), '["a"]');
    assert.equal(json.marshal(ScalarsSchema, m, field("int64_value")), '"7"');
    assert.equal(json.marshal(ScalarsSchema, m, field("labels")), '{"a":"b"}');
    assert.equal(json.marshal(ScalarsSchema, m, field("optional_int32")), "3");
    assert.equal(json.marshal(ScalarsSchema, m, field("color")), '"COLOR_UNSPECIFIED"');
  });

  it("writes unset response_body fields as their empty value", () => {
    const m = create(ScalarsSchema);
    const json = createJsonMarshaler({ emitUnpopulated: false });
    assert.equal(json.marshal(ScalarsSchema, m, field("nested")), "{}");
    assert.equal(json.marshal(ScalarsSchema, m, field("repeated_string")), "[]");
    assert.equal(json.marshal(ScalarsSchema, m, field("string_value")), '""');
    assert.equal(json.marshal(ScalarsSchema, m, field("optional_string")), "null");
    assert.equal(json.marshal(ScalarsSchema, m, field("timestamp")), '"1970-01-01T00:00:00Z"');
  });

  it("writes wrappers and Struct fields in their JSON form", () => {
    const m = create(ScalarsSchema, { stringWrapper: "w", structValue: { a: [1, "x"] } });
    const json = createJsonMarshaler();
    assert.equal(json.marshal(ScalarsSchema, m, field("string_wrapper")), '"w"');
    assert.equal(json.marshal(ScalarsSchema, m, field("struct_value")), '{"a":[1,"x"]}');
    const out = JSON.parse(json.marshal(ScalarsSchema, m) as string);
    assert.deepEqual([out.stringWrapper, out.structValue], ["w", { a: [1, "x"] }]);
  });

  it("writes Any with a registry", () => {
    const any = anyPack(DurationSchema, create(DurationSchema, { seconds: 1n }));
    const out = createJsonMarshaler({ registry: createRegistry(DurationSchema) }).marshal(AnySchema, any);
    assert.deepEqual(JSON.parse(out as string), { "@type": "type.googleapis.com/google.protobuf.Duration", value: "1s" });
  });
});
