// Property tests of JSON binding: any bytes unmarshal or fail with a GatewayError (never
// another exception), and the nesting limit agrees with the real depth of any JSON value.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { GatewayError } from "../../runtime/gateway-error.js";
import { createJsonMarshaler } from "../../runtime/marshal/json/marshaler.js";
import { checkJsonDepth } from "../../runtime/marshal/json/nesting.js";
import { ScalarsSchema } from "../gen/testing/v1/everything_pb.js";

const json = createJsonMarshaler();
const strict = createJsonMarshaler({ discardUnknown: false });

/** How deep arrays and objects nest in `value`: 0 for a scalar. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === "object") return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

const fieldName = fc.constantFrom(
  "stringValue",
  "int32Value",
  "int64_value",
  "repeatedString",
  "labels",
  "intMap",
  "nested",
  "repeatedNested",
  "color",
  "timestamp",
  "duration",
  "fieldMask",
  "structValue",
  "bytesValue",
  "stringWrapper",
  "choiceA",
  "choiceB",
  "__proto__",
  "x",
);

describe("JSON binding: properties", () => {
  test("any body unmarshals or fails with a GatewayError", () => {
    const body = fc.oneof(
      fc.json().map((t) => Buffer.from(t)),
      fc.dictionary(fieldName, fc.jsonValue()).map((o) => Buffer.from(JSON.stringify(o))),
      fc.string({ unit: "binary" }).map((t) => Buffer.from(t)),
      fc.uint8Array({ maxLength: 64 }),
    );
    fc.assert(
      fc.property(body, (bytes) => {
        for (const marshaler of [json, strict]) {
          try {
            marshaler.unmarshal(bytes, ScalarsSchema, create(ScalarsSchema));
          } catch (err) {
            if (!(err instanceof GatewayError)) throw err;
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  test("the nesting limit refuses exactly the values nested deeper than it, strings aside", () => {
    const nested = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, fc.string({ unit: "grapheme" }), fc.integer(), tie("array"), tie("object")),
      array: fc.array(tie("value"), { maxLength: 3 }),
      object: fc.dictionary(fc.string({ unit: "grapheme", maxLength: 4 }), tie("value"), { maxKeys: 3 }),
    })).value;
    fc.assert(
      fc.property(nested, fc.integer({ min: 1, max: 8 }), (value, limit) => {
        const bytes = Buffer.from(JSON.stringify(value));
        let refused = false;
        try {
          checkJsonDepth(bytes, limit, "x");
        } catch (err) {
          assert.ok(err instanceof GatewayError);
          refused = true;
        }
        // Text no longer than the limit is not scanned (it cannot nest deeper than its length).
        assert.equal(refused, depthOf(value) > limit, `${bytes} at limit ${limit}`);
      }),
      { numRuns: 2000 },
    );
  });
});
