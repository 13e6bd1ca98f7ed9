// fast-check arbitraries of testing.v1.Scalars: every kind of field the gateway binds,
// limited to what the route's channel can carry (documented per option below).
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { DurationSchema, FieldMaskSchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { Color, NestedSchema, type Nested, type ScalarsSchema } from "../gen/testing/v1/everything_pb.js";

/** What the message travels in, which decides what it can hold. */
export interface ScalarsLimits {
  /**
   * In a query string: a message field is present only when one of its fields is (an empty
   * message sends no parameter), and repeated or map messages have no text form.
   */
  readonly query: boolean;
}

type ScalarsInit = MessageInitShape<typeof ScalarsSchema>;

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
// -0 is the default value, so it is never sent (and NaN never equals itself).
const double = fc.double({ noNaN: true }).map((n) => (Object.is(n, -0) ? 0 : n));
const float = fc.float({ noNaN: true }).map((n) => (Object.is(n, -0) ? 0 : n));
const text = fc.string({ unit: "grapheme", maxLength: 8 });
const color = fc.constantFrom(Color.UNSPECIFIED, Color.RED, Color.GREEN);
const identifier = fc.stringMatching(/^[a-z]{1,5}(_[a-z]{1,5})?$/);
// The query binder reads a map key up to the last "[" of the parameter name.
const mapKey = text.filter((k) => !k.includes("["));

function nested(query: boolean, depth: number): fc.Arbitrary<Nested> {
  return fc
    .record(
      {
        // In a query, a non-empty name keeps an otherwise empty message present.
        name: query ? text.filter((s) => s !== "") : text,
        amount: int32,
        child: depth > 0 ? fc.option(nested(query, depth - 1), { nil: undefined }) : fc.constant(undefined),
        tags: fc.array(text, { maxLength: 3 }),
        color,
      },
      { requiredKeys: query ? ["name"] : [] },
    )
    .map((init) => create(NestedSchema, init));
}

// Struct values JSON carries exactly: strings, booleans, null and integers.
const structValue: fc.Arbitrary<JsonObject> = fc.dictionary(text, fc.oneof(text, fc.boolean(), fc.constant(null), fc.integer()), { maxKeys: 3 });

/** Any Scalars the channel can carry. */
export function scalars(limits: ScalarsLimits): fc.Arbitrary<ScalarsInit> {
  const { query } = limits;
  const optional = { requiredKeys: [] as never[] };
  return fc
    .tuple(
      fc.record(
        {
          doubleValue: double,
          floatValue: float,
          int64Value: int64,
          uint64Value: uint64,
          int32Value: int32,
          fixed64Value: uint64,
          fixed32Value: uint32,
          boolValue: fc.boolean(),
          stringValue: text,
          bytesValue: fc.uint8Array({ maxLength: 8 }),
          uint32Value: uint32,
          sfixed32Value: int32,
          sfixed64Value: int64,
          sint32Value: int32,
          sint64Value: int64,
          color,
          nested: nested(query, 2),
          repeatedString: fc.array(text, { maxLength: 3 }),
          repeatedInt32: fc.array(int32, { maxLength: 3 }),
          repeatedColor: fc.array(color, { maxLength: 3 }),
          repeatedInt64: fc.array(int64, { maxLength: 3 }),
          labels: fc.dictionary(mapKey, text, { maxKeys: 3 }),
          intMap: fc.dictionary(int32.map(String), text, { maxKeys: 3 }),
          uuid: text,
        },
        optional,
      ),
      fc.record(
        {
          timestamp: fc.integer({ min: -62135596800000, max: 253402300799999 }).map((ms) => timestampFromMs(ms)),
          duration: fc
            .tuple(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), fc.integer({ min: 0, max: 999_999_999 }))
            .map(([seconds, nanos]) => create(DurationSchema, { seconds, nanos: seconds < 0n ? -nanos : nanos })),
          fieldMask: fc.array(identifier, { minLength: 1, maxLength: 3 }).map((paths) => create(FieldMaskSchema, { paths })),
          stringWrapper: text,
          int64Wrapper: int64,
          boolWrapper: fc.boolean(),
          doubleWrapper: double,
          bytesWrapper: fc.uint8Array({ maxLength: 8 }),
          optionalString: text,
          optionalInt32: int32,
          choice: fc.oneof(
            text.map((value) => ({ case: "choiceA" as const, value })),
            int32.map((value) => ({ case: "choiceB" as const, value })),
          ),
          structValue,
          repeatedNested: query ? fc.constant([]) : fc.array(nested(false, 1), { maxLength: 2 }),
          nestedMap: query ? fc.constant({}) : fc.dictionary(text, nested(false, 1), { maxKeys: 2 }),
        },
        optional,
      ),
    )
    .map(([a, b]) => ({ ...a, ...b }) as ScalarsInit);
}
