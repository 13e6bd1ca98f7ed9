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

  test("only a body with more brackets than the limit is scanned, and then as before", () => {
    const refusal = { message: "x: JSON nests deeper than 10000 levels" };
    // The brackets counted in the bytes, and in the decoded text.
    const check = (body: string) => {
      const bytes = Buffer.from(body);
      let refused = 0;
      for (const text of [undefined, body]) {
        try {
          checkJsonDepth(bytes, 10_000, "x", text);
        } catch (err) {
          assert.deepEqual({ message: (err as Error).message, gateway: err instanceof GatewayError }, { ...refusal, gateway: true });
          refused++;
        }
      }
      assert.notEqual(refused, 1, "the two counts disagree");
      return refused === 2;
    };
    const nest = (n: number, open: string, close: string) => `${open.repeat(n)}${close.repeat(n)}`;
    // Just over the limit, in arrays, objects, or both: refused.
    assert.equal(check(nest(10_001, "[", "]")), true);
    assert.equal(check(`${'{"a":'.repeat(10_000)}{}${"}".repeat(10_000)}`), true);
    assert.equal(check(nest(5_001, '[{"a":', "}]")), true);
    // At the limit: accepted.
    assert.equal(check(nest(10_000, "[", "]")), false);
    assert.equal(check(`${'{"a":'.repeat(9_999)}{}${"}".repeat(9_999)}`), false);
    // Many more brackets than the limit, nested shallowly: accepted.
    assert.equal(check(`[${'{"a":[1]},'.repeat(20_000)}{}]`), false);
    // Brackets inside strings never count, whether they alone pass the limit or add to real nesting.
    assert.equal(check(`{"a":"${"[{".repeat(20_000)}","b":${nest(9_999, "[", "]")}}`), false);
    assert.equal(check(`["\\\\\\"[${"[".repeat(20_000)}", ${nest(9_999, "[", "]")}]`), false);
    assert.equal(check(`["${"[".repeat(20_000)}", ${nest(10_000, "[", "]")}]`), true);
  });

  test("a body too deep and not UTF-8 is refused for its depth, as when the depth was checked first", () => {
    const deep = Buffer.concat([Buffer.from("[".repeat(10_001)), Buffer.from([0xff]), Buffer.from("]".repeat(10_001))]);
    assert.throws(() => json.unmarshal(deep, ScalarsSchema, create(ScalarsSchema)), {
      message: "cannot decode message testing.v1.Scalars from JSON: JSON nests deeper than 10000 levels",
    });
    const shallow = Buffer.concat([Buffer.from("[".repeat(10_000)), Buffer.from([0xff]), Buffer.from("]".repeat(10_000))]);
    assert.throws(() => json.unmarshal(shallow, ScalarsSchema, create(ScalarsSchema)), { message: "request body is not valid UTF-8" });
  });
});
