import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { findField } from "../../runtime/field-names.js";

// proto2 lets one field's JSON name be another's proto name: `foo_bar` (JSON fooBar) and
// `fooBar`, declared in both orders.
const file = create(FileDescriptorProtoSchema, {
  name: "clash.proto",
  package: "clash",
  syntax: "proto2",
  messageType: [
    {
      name: "SnakeFirst",
      field: [
        { name: "foo_bar", number: 1, type: 9, label: 1, jsonName: "fooBar" },
        { name: "fooBar", number: 2, type: 9, label: 1, jsonName: "fooBar" },
      ],
    },
    {
      name: "CamelFirst",
      field: [
        { name: "fooBar", number: 1, type: 9, label: 1, jsonName: "fooBar" },
        { name: "foo_bar", number: 2, type: 9, label: 1, jsonName: "fooBar" },
      ],
    },
  ],
});
const registry = createFileRegistry(file, () => undefined);
const snakeFirst = registry.getMessage("clash.SnakeFirst")!;
const camelFirst = registry.getMessage("clash.CamelFirst")!;
const numberOf = (schema: typeof snakeFirst, name: string, names: Parameters<typeof findField>[2]) => findField(schema, name, names)?.number;

describe("findField", () => {
  it("proto: proto names only", () => {
    assert.equal(numberOf(snakeFirst, "foo_bar", "proto"), 1);
    assert.equal(numberOf(snakeFirst, "fooBar", "proto"), 2);
    assert.equal(findField(snakeFirst, "nope", "proto"), undefined);
  });

  it("proto-first: a proto name wins over another field's JSON name, whatever the order", () => {
    assert.equal(numberOf(snakeFirst, "fooBar", "proto-first"), 2);
    assert.equal(numberOf(camelFirst, "fooBar", "proto-first"), 1);
  });

  it("last-declared: the field declared last wins, as protobuf-es's JSON reader", () => {
    assert.equal(numberOf(snakeFirst, "fooBar", "last-declared"), 2);
    assert.equal(numberOf(camelFirst, "fooBar", "last-declared"), 2);
    assert.equal(numberOf(camelFirst, "foo_bar", "last-declared"), 2);
  });
});
