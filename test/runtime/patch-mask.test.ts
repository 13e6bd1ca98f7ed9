// grpc-gateway's FieldMaskFromRequestBody (runtime/fieldmask.go) for the well-known types whose
// JSON is an object: Struct and Value paths follow the JSON keys; Any needs "@type".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry, type Message } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema,
  type FieldMask,
  file_google_protobuf_any,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
} from "@bufbuild/protobuf/wkt";
import { compileBinding } from "../../runtime/binding/binding.js";
import type { Marshaler } from "../../runtime/marshal/marshaler.js";

const message = 11;
const optional = 1;
const repeated = 3;
const file = create(FileDescriptorProtoSchema, {
  name: "patch.proto",
  package: "patch",
  syntax: "proto3",
  dependency: ["google/protobuf/any.proto", "google/protobuf/field_mask.proto", "google/protobuf/struct.proto"],
  messageType: [
    {
      name: "Doc",
      field: [
        { name: "props", number: 1, type: message, label: optional, typeName: ".google.protobuf.Struct", jsonName: "props" },
        { name: "value", number: 2, type: message, label: optional, typeName: ".google.protobuf.Value", jsonName: "value" },
        { name: "extra", number: 3, type: message, label: optional, typeName: ".google.protobuf.Any", jsonName: "extra" },
        { name: "extras", number: 4, type: message, label: repeated, typeName: ".google.protobuf.Any", jsonName: "extras" },
        { name: "child", number: 5, type: message, label: optional, typeName: ".patch.Doc", jsonName: "child" },
      ],
    },
    {
      name: "UpdateDocRequest",
      field: [
        { name: "doc", number: 1, type: message, label: optional, typeName: ".patch.Doc", jsonName: "doc" },
        { name: "update_mask", number: 2, type: message, label: optional, typeName: ".google.protobuf.FieldMask", jsonName: "updateMask" },
      ],
    },
  ],
  service: [{ name: "Docs", method: [{ name: "UpdateDoc", inputType: ".patch.UpdateDocRequest", outputType: ".patch.Doc" }] }],
});
const wkt = [file_google_protobuf_any, file_google_protobuf_field_mask, file_google_protobuf_struct];
const registry = createFileRegistry(file, (name) => wkt.find((f) => f.proto.name === name));
const updateDoc = registry.getService("patch.Docs")!.method.updateDoc!;
const binding = compileBinding({ method: updateDoc, httpMethod: "PATCH", path: "/v1/docs", body: "doc" });
// The mask is worked out from the JSON text; the body's own decoding is not what is tested here.
const ignoring: Marshaler = { contentType: "application/json", unmarshal: () => {}, marshal: () => "" };

function mask(body: string): string[] | undefined {
  const bound = binding.bind({ pathParams: {}, rawQuery: "", body: new TextEncoder().encode(body), marshaler: ignoring }) as Message & {
    updateMask?: FieldMask;
  };
  return bound.updateMask?.paths;
}

describe("binding: the PATCH mask of Struct, Value and Any fields", () => {
  it("a Struct gives a path per JSON leaf, keys as sent; an empty one gives none", () => {
    assert.deepEqual(mask('{"props":{"b":{"c":1,"d_e":[1]},"a":null}}'), ["props.a", "props.b.c", "props.b.d_e"]);
    assert.deepEqual(mask('{"props":{}}'), []);
    assert.deepEqual(mask('{"props":null,"child":{"props":{"x":1}}}'), ["child.props.x", "props"]);
  });

  it("a Value is a leaf unless it is an object", () => {
    assert.deepEqual(mask('{"value":3}'), ["value"]);
    assert.deepEqual(mask('{"value":[{"a":1}]}'), ["value"]);
    assert.deepEqual(mask('{"value":{"a":{"b":1}}}'), ["value.a.b"]);
  });

  it("an Any is a leaf when it names its type, INVALID_ARGUMENT when it does not", () => {
    assert.deepEqual(mask('{"extra":{"@type":"type.googleapis.com/google.protobuf.Empty"},"child":{"extra":{"@type":"x/y","v":1}}}'), ["child.extra", "extra"]);
    assert.deepEqual(mask('{"extras":[{"value":1}],"extra":null}'), ["extra", "extras"]);
    assert.throws(() => mask('{"child":{"extra":{"value":1}}}'), { code: 3, message: 'could not find field @type in "extra" in message "patch.Doc"' });
  });
});
