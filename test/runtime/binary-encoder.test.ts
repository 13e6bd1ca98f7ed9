/**
 * The compiled binary encoder against protobuf-es's toBinary: the same bytes for every
 * message, or the same error, and the compiled code really encoding the messages it
 * vouches for (a test that only ever saw the fallback would prove nothing).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, fromJson, setExtension, toBinary, type DescMessage, type Message } from "@bufbuild/protobuf";
import { encodeBinary, encodesItself } from "../../runtime/marshal/binary/encoder.js";
import { BenchService } from "../../bench/gen/bench/v1/bench_pb.js";
import { orderBody } from "../../bench/payloads.js";
import { randomMessage, Wire, wireRegistry as registry } from "../support/wire-messages.js";
import { alsoWithoutCodeGeneration } from "../support/without-code-generation.js";
import { message as fixture, random, randomBody, registry as jsonRegistry } from "./json-fixtures.js";

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

describe("binary encoder", () => {
  alsoWithoutCodeGeneration(import.meta.url);

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
