// Property tests of query binding: any query string binds or is a GatewayError (never another
// exception), and a message's query encoding binds back to the same message.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, equals, toJsonString } from "@bufbuild/protobuf";
import fc from "fast-check";
import { compileQueryBinder } from "../../runtime/binding/query.js";
import { GatewayError } from "../../runtime/gateway-error.js";
import { Color, ColorSchema, ScalarsSchema } from "../gen/testing/v1/everything_pb.js";

const binder = compileQueryBinder(ScalarsSchema, []);
const lenient = compileQueryBinder(ScalarsSchema, [], { unknownQueryParameters: "ignore" });

const queryPiece = fc.constantFrom(
  ..."&=+%[].,;",
  "%ZZ",
  "%",
  "%C3%A9",
  "%FF",
  "string_value",
  "stringValue",
  "int32_value",
  "repeated_string",
  "labels[k]",
  "labels[",
  "int_map[7]",
  "nested.name",
  "nested.child.name",
  "repeated_nested.name",
  "color",
  "timestamp",
  "duration",
  "field_mask",
  "bytes_value",
  "struct_value",
  "choice_a",
  "choice_b",
  "__proto__",
  "1",
  "-1",
  "1e400",
  "NaN",
  "true",
  "RED",
  "2020-01-01T00:00:00Z",
  "1.5s",
  "QUJD",
  "é",
);
const rawQuery = fc.oneof(
  fc.array(queryPiece, { maxLength: 20 }).map((xs) => xs.join("")),
  fc.string({ unit: "binary" }),
);

describe("query binding: properties", () => {
  test("any query string binds or fails with a GatewayError naming the problem", () => {
    fc.assert(
      fc.property(rawQuery, (query) => {
        for (const b of [binder, lenient]) {
          try {
            b.bind(query, create(ScalarsSchema));
          } catch (err) {
            if (!(err instanceof GatewayError)) throw err;
            assert.ok(err.rawMessage.length > 0);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  test("a message written as a query binds back to the same message", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 12 });
    const key = fc.stringMatching(/^[a-z0-9_]{1,6}$/);
    const message = fc.record({
      stringValue: text,
      int32Value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      int64Value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      uint32Value: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      boolValue: fc.boolean(),
      doubleValue: fc.double({ noNaN: true }),
      color: fc.constantFrom(Color.UNSPECIFIED, Color.RED, Color.GREEN),
      repeatedString: fc.array(text, { maxLength: 3 }),
      repeatedInt32: fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 3 }),
      labels: fc.dictionary(key, text, { maxKeys: 3 }),
    });
    fc.assert(
      fc.property(message, (init) => {
        const params = new URLSearchParams();
        params.append("string_value", init.stringValue);
        params.append("int32_value", String(init.int32Value));
        params.append("int64_value", String(init.int64Value));
        params.append("uint32_value", String(init.uint32Value));
        params.append("bool_value", String(init.boolValue));
        params.append("double_value", Object.is(init.doubleValue, -0) ? "-0" : String(init.doubleValue));
        params.append("color", ColorSchema.value[init.color]!.name);
        for (const s of init.repeatedString) params.append("repeated_string", s);
        for (const n of init.repeatedInt32) params.append("repeatedInt32", String(n));
        for (const [k, v] of Object.entries(init.labels)) params.append(`labels[${k}]`, v);
        const bound = create(ScalarsSchema);
        binder.bind(params.toString(), bound);
        const expected = create(ScalarsSchema, init);
        assert.ok(equals(ScalarsSchema, bound, expected), `${params} bound ${toJsonString(ScalarsSchema, bound)}`);
      }),
      { numRuns: 1000 },
    );
  });
});
