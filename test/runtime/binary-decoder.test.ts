/**
 * The compiled binary decoder against protobuf-es's fromBinary: the same message from
 * every input, or the same error, and the compiled code really reading the inputs it
 * vouches for (a test that only ever saw the fallback would prove nothing).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry, fromBinary, fromJson, setExtension, toBinary, type DescMessage, type Message } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { decodeBinary, decodesItself } from "../../runtime/marshal/binary/decoder.js";
import { encodeBinary } from "../../runtime/marshal/binary/encoder.js";
import { compileProtos } from "../support/compile-proto.js";
import { BenchService } from "../../bench/gen/bench/v1/bench_pb.js";
import { orderBody } from "../../bench/payloads.js";
import { randomMessage, records, Wire, wireRegistry } from "../support/wire-messages.js";
import { alsoWithoutCodeGeneration } from "../support/without-code-generation.js";
import { message as fixture, random, randomBody, registry as jsonRegistry } from "./json-fixtures.js";

type Outcome = { message: Message } | { error: string };

function outcome(decode: () => Message): Outcome {
  try {
    return { message: decode() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Both decoders on `bytes`: the same message (prototype, bigints, views and all) or the same error. */
function assertSameRead(desc: DescMessage, bytes: Uint8Array, note = ""): void {
  assert.deepStrictEqual(
    outcome(() => decodeBinary(desc, bytes)),
    outcome(() => fromBinary(desc, bytes)),
    `${desc.typeName} ${note}`,
  );
}

describe("binary decoder", () => {
  alsoWithoutCodeGeneration(import.meta.url);

  it("reads and writes messages too wide for generated code, or with high field numbers, as protobuf-es does", () => {
    const wide = Array.from({ length: 250 }, (_, i) => `  ${i % 2 === 0 ? "int64" : "string"} w_${i} = ${i + 1};`).join("\n");
    const set = compileProtos({
      "edge/v1/edge.proto": `syntax = "proto3";\npackage edge.v1;\nmessage Wide {\n${wide}\n}\nmessage High {\n  string a = 1;\n  int32 b = 300;\n  High c = 70000;\n  repeated string d = 536870911;\n}\n`,
    });
    const files = createFileRegistry(set);
    const Wide = files.getMessage("edge.v1.Wide")!;
    const High = files.getMessage("edge.v1.High")!;
    const wideInit: Record<string, unknown> = {};
    for (let i = 0; i < 250; i += 3) wideInit[`w${i}`] = i % 2 === 0 ? BigInt(i * 1000) : `value ${i}`;
    const messages: [DescMessage, Message][] = [
      [Wide, create(Wide, wideInit)],
      [High, create(High, { a: "x", b: 7, c: { a: "y", d: ["p", "q"] }, d: ["z"] })],
    ];
    for (const [desc, message] of messages) {
      const bytes = toBinary(desc, message);
      assert.deepEqual(Buffer.from(encodeBinary(desc, message)), Buffer.from(bytes), desc.typeName);
      assert.deepEqual(decodeBinary(desc, bytes), fromBinary(desc, bytes), desc.typeName);
      assert.equal(decodesItself(desc, bytes), true, desc.typeName);
    }
  });

  it("reads protobuf-es's message from random messages of every field kind, by itself", () => {
    const next = random(20261203);
    for (let i = 0; i < 3000; i++) {
      const bytes = toBinary(Wire, randomMessage({ next, depth: 0 }, Wire));
      assertSameRead(Wire, bytes, `#${i}`);
      assert.equal(decodesItself(Wire, bytes), true, `#${i}`);
    }
  });

  it("reads what protobuf-es reads from broken and merged input: truncated, altered, concatenated", () => {
    const next = random(99);
    let itself = 0;
    for (let i = 0; i < 1500; i++) {
      const first = Buffer.from(toBinary(Wire, randomMessage({ next, depth: 0 }, Wire)));
      const second = Buffer.from(toBinary(Wire, randomMessage({ next, depth: 0 }, Wire)));
      // Two encodings one after the other are one message: scalars replaced, lists appended, messages merged.
      const merged = Buffer.concat([first, second]);
      assertSameRead(Wire, merged, `merged #${i}`);
      if (decodesItself(Wire, merged)) itself++;
      if (first.length === 0) continue;
      const cut = Math.floor(next() * first.length);
      assertSameRead(Wire, first.subarray(0, cut), `cut at ${cut} #${i}`);
      const altered = Buffer.from(first);
      altered[Math.floor(next() * altered.length)] = Math.floor(next() * 256);
      assertSameRead(Wire, altered, `altered #${i}`);
      assertSameRead(Wire, Buffer.concat([first, Buffer.from([Math.floor(next() * 256), Math.floor(next() * 256)])]), `junk tail #${i}`);
    }
    assert.equal(itself, 1500);
  });

  it("reads the wire forms protobuf-es takes that its writer does not write", () => {
    const cases: [string, Uint8Array][] = [
      // list_i32 (19) is packed: one item unpacked, then a packed run.
      [
        "a packed list sent unpacked and packed",
        records((w) => w.tag(19, WireType.Varint).int32(-5).tag(19, WireType.LengthDelimited).fork().int32(1).int32(300).join()),
      ],
      // list_fx32 (24) is declared unpacked.
      ["an unpacked list sent packed", records((w) => w.tag(24, WireType.LengthDelimited).fork().fixed32(7).fixed32(4294967295).join())],
      ["an empty packed run", records((w) => w.tag(19, WireType.LengthDelimited).bytes(new Uint8Array(0)))],
      // map_ss (29): an entry without key, one without value, value before key, an unknown field inside, a key twice.
      ["a map entry without its key", records((w) => w.tag(29, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).string("v").join())],
      ["a map entry without its value", records((w) => w.tag(29, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string("k").join())],
      [
        "a map entry value first, with an unknown field",
        records((w) =>
          w
            .tag(29, WireType.LengthDelimited)
            .fork()
            .tag(2, WireType.LengthDelimited)
            .string("v")
            .tag(7, WireType.Varint)
            .int32(1)
            .tag(1, WireType.LengthDelimited)
            .string("k")
            .join(),
        ),
      ],
      [
        "a map key twice, and __proto__",
        records((w) =>
          w
            .tag(29, WireType.LengthDelimited)
            .fork()
            .tag(1, WireType.LengthDelimited)
            .string("__proto__")
            .tag(2, WireType.LengthDelimited)
            .string("a")
            .join()
            .tag(29, WireType.LengthDelimited)
            .fork()
            .tag(1, WireType.LengthDelimited)
            .string("__proto__")
            .tag(2, WireType.LengthDelimited)
            .string("b")
            .join(),
        ),
      ],
      // map_b (33): a message value in two records of one entry merges; no value is an empty message.
      [
        "a map message value in two records",
        records((w) =>
          w
            .tag(33, WireType.LengthDelimited)
            .fork()
            .tag(2, WireType.LengthDelimited)
            .fork()
            .tag(3, WireType.Varint)
            .int32(1)
            .join()
            .tag(2, WireType.LengthDelimited)
            .fork()
            .tag(15, WireType.LengthDelimited)
            .string("s")
            .join()
            .join(),
        ),
      ],
      ["a map message entry with no value", records((w) => w.tag(33, WireType.LengthDelimited).fork().tag(1, WireType.Varint).bool(true).join())],
      // map_u64 (32): an int64 key, and a bytes value missing (an empty array of its own).
      [
        "a 64-bit map key, bytes value missing",
        records((w) =>
          w
            .tag(32, WireType.LengthDelimited)
            .fork()
            .tag(1, WireType.Varint)
            .uint64(2n ** 64n - 1n)
            .join(),
        ),
      ],
      // child (18) twice: merged. pick (41 string, 43 message): the oneof switched, then the message merged.
      [
        "a message field twice",
        records((w) =>
          w
            .tag(18, WireType.LengthDelimited)
            .fork()
            .tag(3, WireType.Varint)
            .int32(1)
            .join()
            .tag(18, WireType.LengthDelimited)
            .fork()
            .tag(4, WireType.Varint)
            .uint32(2)
            .join(),
        ),
      ],
      [
        "a message field twice, each with an unknown field",
        records((w) =>
          w
            .tag(18, WireType.LengthDelimited)
            .fork()
            .tag(900, WireType.Varint)
            .int32(1)
            .join()
            .tag(18, WireType.LengthDelimited)
            .fork()
            .tag(901, WireType.Varint)
            .int32(2)
            .join(),
        ),
      ],
      [
        "a oneof switched, then its message merged",
        records((w) =>
          w
            .tag(41, WireType.LengthDelimited)
            .string("x")
            .tag(43, WireType.LengthDelimited)
            .fork()
            .tag(3, WireType.Varint)
            .int32(1)
            .join()
            .tag(43, WireType.LengthDelimited)
            .fork()
            .tag(15, WireType.LengthDelimited)
            .string("y")
            .join(),
        ),
      ],
      // Varints longer than they need be, and a bool of two bytes.
      ["an int32 in ten bytes", Buffer.from([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
      ["a uint32 with a high fifth byte", Buffer.from([0x20, 0xff, 0xff, 0xff, 0xff, 0x7f])],
      ["a bool in two bytes", Buffer.from([0x70, 0x80, 0x01])],
      ["a bool of zero in two bytes", Buffer.from([0x70, 0x80, 0x00])],
      ["a tag in two bytes for a small field", Buffer.from([0x98, 0x00, 0x05])],
      // Unknown fields of each wire type, kept in order; a group is protobuf-es's to skip.
      [
        "unknown fields of every wire type",
        records((w) =>
          w
            .tag(1000, WireType.Varint)
            .int64(-1n)
            .tag(1001, WireType.Bit64)
            .fixed64(3n)
            .tag(1002, WireType.Bit32)
            .fixed32(4)
            .tag(1003, WireType.LengthDelimited)
            .string("z"),
        ),
      ],
      [
        "an unknown group",
        records((w) => w.tag(1004, WireType.StartGroup).tag(1, WireType.Varint).int32(1).tag(1004, WireType.EndGroup).tag(3, WireType.Varint).int32(2)),
      ],
      ["an unmatched end group", records((w) => w.tag(1004, WireType.EndGroup))],
      ["the highest field number", records((w) => w.tag(536870911, WireType.Varint).uint32(9))],
      // Wrong wire types for known fields: what protobuf-es makes of them is its own.
      ["a string sent as a varint", records((w) => w.tag(15, WireType.Varint).int32(3))],
      ["a message sent as fixed32", records((w) => w.tag(18, WireType.Bit32).fixed32(3))],
      ["a double sent as a varint", records((w) => w.tag(1, WireType.Varint).int32(3))],
      // Strings: invalid UTF-8, a leading byte-order mark, multi-byte text.
      ["invalid UTF-8 in a string", Buffer.from([0x7a, 0x02, 0xc3, 0x28])],
      ["a byte-order mark", records((w) => w.tag(15, WireType.LengthDelimited).string("\ufeffhi"))],
      ["multi-byte text", records((w) => w.tag(15, WireType.LengthDelimited).string("日本語 😀 é"))],
      ["a length past the end", Buffer.from([0x7a, 0x05, 0x61])],
      ["a nested length past its parent", Buffer.from([0x92, 0x01, 0x02, 0x7a, 0x05, 0x61, 0x61, 0x61, 0x61, 0x61])],
      ["field number zero", Buffer.from([0x00, 0x01])],
      ["wire type 7", Buffer.from([0x0f, 0x01])],
      ["a tag of six bytes", Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00])],
      ["a varint of eleven bytes", Buffer.from([0x40, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
      ["an empty input", new Uint8Array(0)],
    ];
    for (const [note, bytes] of cases) assertSameRead(Wire, bytes, note);
    // The well-formed ones are the compiled code's.
    for (const note of [
      "a packed list sent unpacked and packed",
      "a map key twice, and __proto__",
      "a message field twice, each with an unknown field",
      "a oneof switched, then its message merged",
      "an int32 in ten bytes",
      "unknown fields of every wire type",
    ]) {
      assert.equal(decodesItself(Wire, cases.find(([n]) => n === note)![1]), true, note);
    }
    for (const note of ["an unknown group", "a string sent as a varint", "invalid UTF-8 in a string", "a length past the end"]) {
      assert.equal(decodesItself(Wire, cases.find(([n]) => n === note)![1]), false, note);
    }
  });

  it("gives bytes fields views of the input, of its own class", () => {
    const bytes = records((w) => w.tag(16, WireType.LengthDelimited).bytes(new Uint8Array([1, 2, 3])));
    const plain = new Uint8Array(bytes);
    assertSameRead(Wire, plain, "a Uint8Array");
    assertSameRead(Wire, Buffer.from(bytes), "a Buffer");
    const view = (decodeBinary(Wire, plain) as unknown as { by: Uint8Array }).by;
    assert.equal(view.buffer, plain.buffer);
    assert.equal(Buffer.isBuffer(view), false);
  });

  it("reads proto2, editions and odd names as protobuf-es does, closed enums included", () => {
    const next = random(11);
    for (const name of ["Legacy", "Modern", "Plain2", "Odd", "Shuffled", "Crossed", "NumericName"]) {
      const desc = fixture(name);
      let read = 0;
      let itself = 0;
      for (let i = 0; i < 800; i++) {
        let bytes: Uint8Array;
        try {
          bytes = toBinary(desc, fromJson(desc, JSON.parse(randomBody(desc, next, 0)), { registry: jsonRegistry }));
        } catch {
          continue;
        }
        read++;
        assertSameRead(desc, bytes, `#${i}`);
        if (decodesItself(desc, bytes)) itself++;
      }
      assert.ok(read > 100, `${name}: only ${read} random bodies read`);
      assert.ok(itself > read / 2, `${name}: ${itself} of ${read} read by the compiled code`);
    }
    const legacy = fixture("Legacy");
    // A proto2 message (defaults on its prototype) with an extension: read by the compiled code, the extension kept unknown.
    const withExtension = create(legacy, { r: 5n, a: 1, listC: [1, 5] });
    setExtension(withExtension, jsonRegistry.getExtension("fast.v1.ext_i")!, 77);
    const bytes = toBinary(legacy, withExtension);
    assertSameRead(legacy, bytes);
    assert.equal(decodesItself(legacy, bytes), true);
    // A closed enum's unknown number (field 3, c): protobuf-es files it with the unknown fields.
    const unknownEnum = records((w) => w.tag(3, WireType.Varint).int32(4).tag(4, WireType.Varint).int64(1n));
    assertSameRead(legacy, unknownEnum);
    assert.equal(decodesItself(legacy, unknownEnum), false);
    // Kitchen has Struct fields, held as JSON: protobuf-es reads it.
    assert.equal(decodesItself(fixture("Kitchen"), new Uint8Array(0)), false);
  });

  it("leaves wrappers, Struct and groups to protobuf-es", () => {
    const cases: [string, Record<string, unknown>][] = [
      ["wire.v1.Wrapped", { w: "x" }],
      ["wire.v1.Structured", { st: { a: 1, b: [true, null] } }],
      ["wire.v1.Grouped", { a: 1, child: { a: 2 } }],
    ];
    for (const [name, fields] of cases) {
      const desc = wireRegistry.getMessage(name)!;
      const init = name === "wire.v1.Grouped" ? { a: 1, child: create(desc, fields.child as never) } : fields;
      const bytes = toBinary(desc, create(desc, init as never));
      assertSameRead(desc, bytes);
      assert.equal(decodesItself(desc, bytes), false, name);
    }
  });

  it("refuses input nested past protobuf-es's recursion limit with its error", () => {
    let bytes: Uint8Array = records((w) => w.tag(3, WireType.Varint).int32(1));
    for (let i = 0; i < 100; i++) bytes = records((w) => w.tag(18, WireType.LengthDelimited).bytes(bytes));
    assertSameRead(Wire, bytes, "101 levels");
    assert.throws(() => decodeBinary(Wire, bytes), /maximum recursion depth/);
  });

  it("reads the bench's replies by itself", () => {
    const order = fromJson(BenchService.method.createOrder.output, JSON.parse(orderBody(1024)));
    const bytes = toBinary(BenchService.method.createOrder.output, order);
    assertSameRead(BenchService.method.createOrder.output, bytes);
    assert.equal(decodesItself(BenchService.method.createOrder.output, bytes), true);
    const item = toBinary(
      BenchService.method.getItem.output,
      create(BenchService.method.getItem.output, { id: "a", title: "b", priceCents: 5n, tags: ["x", "y"] }),
    );
    assertSameRead(BenchService.method.getItem.output, item);
    assert.equal(decodesItself(BenchService.method.getItem.output, item), true);
  });
});
