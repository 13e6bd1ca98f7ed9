import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reflect } from "@bufbuild/protobuf/reflect";
import { status as Code } from "@grpc/grpc-js";
import { GatewayError } from "../../runtime/gateway-error.js";
import { compileQueryBinder, parseQuery, type QueryBindingOptions } from "../../runtime/binding/query.js";
import { Color, ScalarsSchema, type Scalars } from "../gen/testing/v1/everything_pb.js";

function bind(query: string, options: QueryBindingOptions = {}, bound: string[] = []): Scalars {
  const target = reflect(ScalarsSchema);
  compileQueryBinder(ScalarsSchema, bound, options).bind(query, target);
  return target.message as Scalars;
}

function refused(query: string, message: string, options: QueryBindingOptions = {}): void {
  assert.throws(
    () => bind(query, options),
    (err: unknown) => err instanceof GatewayError && err.code === Code.INVALID_ARGUMENT && err.message === message,
  );
}

describe("query: scalars", () => {
  it("binds every scalar kind by proto name", () => {
    const m = bind(
      "double_value=1.5&float_value=-2.25&int64_value=-9223372036854775808&uint64_value=18446744073709551615" +
        "&int32_value=-2147483648&fixed64_value=9007199254740993&fixed32_value=4294967295&bool_value=true" +
        "&string_value=h%C3%A9&bytes_value=aGk%3D&uint32_value=7&sfixed32_value=-3&sfixed64_value=-4&sint32_value=-5&sint64_value=-6",
    );
    assert.equal(m.doubleValue, 1.5);
    assert.equal(m.floatValue, -2.25);
    assert.equal(m.int64Value, -9223372036854775808n);
    assert.equal(m.uint64Value, 18446744073709551615n);
    assert.equal(m.int32Value, -2147483648);
    assert.equal(m.fixed64Value, 9007199254740993n);
    assert.equal(m.fixed32Value, 4294967295);
    assert.equal(m.boolValue, true);
    assert.equal(m.stringValue, "hé");
    assert.deepEqual(m.bytesValue, new Uint8Array([0x68, 0x69]));
    assert.equal(m.uint32Value, 7);
    assert.equal(m.sfixed32Value, -3);
    assert.equal(m.sfixed64Value, -4n);
    assert.equal(m.sint32Value, -5);
    assert.equal(m.sint64Value, -6n);
  });

  it("binds by JSON name", () => {
    const m = bind("doubleValue=2&int64Value=5&boolValue=false&stringValue=x&sint32Value=9");
    assert.equal(m.doubleValue, 2);
    assert.equal(m.int64Value, 5n);
    assert.equal(m.boolValue, false);
    assert.equal(m.stringValue, "x");
    assert.equal(m.sint32Value, 9);
  });

  for (const [text, want] of [
    ["1", true],
    ["t", true],
    ["T", true],
    ["TRUE", true],
    ["true", true],
    ["True", true],
    ["0", false],
    ["f", false],
    ["F", false],
    ["FALSE", false],
    ["false", false],
    ["False", false],
  ] as const) {
    it(`takes bool ${text} as ${want}`, () => {
      assert.equal(bind(`bool_value=${text}&bool_wrapper=${text}`).boolValue, want);
      assert.equal(bind(`bool_wrapper=${text}`).boolWrapper, want);
    });
  }

  it("takes special floats in strconv.ParseFloat forms", () => {
    assert.ok(Number.isNaN(bind("double_value=NaN").doubleValue));
    assert.ok(Number.isNaN(bind("double_value=nan").doubleValue));
    assert.equal(bind("double_value=Infinity").doubleValue, Infinity);
    assert.equal(bind("double_value=-Inf").doubleValue, -Infinity);
    assert.equal(bind("float_value=%2Binf").floatValue, Infinity);
    assert.equal(bind("double_value=.5").doubleValue, 0.5);
    assert.equal(bind("double_value=1e3").doubleValue, 1000);
    assert.equal(bind("double_value=-2.").doubleValue, -2);
  });

  it("takes signs and leading zeros on integers as Go's ParseInt does", () => {
    assert.equal(bind("int32_value=%2B5").int32Value, 5);
    assert.equal(bind("int32_value=007").int32Value, 7);
    assert.equal(bind("int32_value=-0").int32Value, 0);
    assert.ok(Object.is(bind("int32_value=-0").int32Value, 0));
  });

  it("refuses values of the wrong type, naming the parameter and the type", () => {
    refused("int32_value=abc", 'invalid value for query parameter "int32_value": "abc" is not a valid int32');
    refused("int32Value=1.0", 'invalid value for query parameter "int32Value": "1.0" is not a valid int32');
    refused("int32_value=2147483648", 'invalid value for query parameter "int32_value": "2147483648" is not a valid int32');
    refused("int32_value=", 'invalid value for query parameter "int32_value": "" is not a valid int32');
    refused("uint32_value=-1", 'invalid value for query parameter "uint32_value": "-1" is not a valid uint32');
    refused("fixed32_value=4294967296", 'invalid value for query parameter "fixed32_value": "4294967296" is not a valid fixed32');
    refused("int64_value=9223372036854775808", 'invalid value for query parameter "int64_value": "9223372036854775808" is not a valid int64');
    refused("uint64_value=%2B1", 'invalid value for query parameter "uint64_value": "+1" is not a valid uint64');
    refused("sint64_value=1e3", 'invalid value for query parameter "sint64_value": "1e3" is not a valid sint64');
    refused("bool_value=yes", 'invalid value for query parameter "bool_value": "yes" is not a valid bool');
    refused("double_value=0x10", 'invalid value for query parameter "double_value": "0x10" is not a valid double');
    refused("double_value=1e400", 'invalid value for query parameter "double_value": "1e400" is not a valid double');
    refused("float_value=1e39", 'invalid value for query parameter "float_value": "1e39" is not a valid float');
  });

  it("cuts a long bad value short in the message", () => {
    refused(`int32_value=${"9".repeat(70)}`, `invalid value for query parameter "int32_value": "${"9".repeat(64)}..." is not a valid int32`);
  });
});

describe("query: bytes", () => {
  it("takes standard and URL-safe base64, padded or not", () => {
    for (const text of ["_-8", "_-8%3D", "%2F%2B8%3D", "%2F%2B8"]) {
      assert.deepEqual(bind(`bytes_value=${text}`).bytesValue, new Uint8Array([0xff, 0xef]), text);
    }
    assert.deepEqual(bind("bytes_wrapper=aGk").bytesWrapper, new Uint8Array([0x68, 0x69]));
  });

  it("refuses a + that the query turned into a space, mixed alphabets and bad padding", () => {
    refused("bytes_value=a+b%3D", 'invalid value for query parameter "bytes_value": "a b=" is not a valid base64 value');
    refused("bytes_value=%2B_8", 'invalid value for query parameter "bytes_value": "+_8" is not a valid base64 value');
    refused("bytes_value=YQ%3D", 'invalid value for query parameter "bytes_value": "YQ=" is not a valid base64 value');
    refused("bytes_value=Y", 'invalid value for query parameter "bytes_value": "Y" is not a valid base64 value');
  });
});

describe("query: enums", () => {
  it("takes names and declared numbers", () => {
    assert.equal(bind("color=COLOR_RED").color, Color.RED);
    assert.equal(bind("color=2").color, Color.GREEN);
    assert.deepEqual(bind("repeated_color=COLOR_GREEN&repeatedColor=1&repeated_color=0").repeatedColor, [Color.GREEN, Color.RED, Color.UNSPECIFIED]);
    assert.equal(bind("nested.color=COLOR_RED").nested?.color, Color.RED);
  });

  it("refuses unknown names and undeclared numbers", () => {
    refused("color=PURPLE", 'invalid value for query parameter "color": "PURPLE" is not a valid testing.v1.Color');
    refused("color=7", 'invalid value for query parameter "color": "7" is not a valid testing.v1.Color');
    refused("color=red", 'invalid value for query parameter "color": "red" is not a valid testing.v1.Color');
    refused("repeated_color=COLOR_RED&repeated_color=X", 'invalid value for query parameter "repeated_color": "X" is not a valid testing.v1.Color');
  });
});

describe("query: repeated, nested, maps", () => {
  it("repeats the key for repeated fields, across both name styles, and never splits commas", () => {
    const m = bind("repeated_string=a&repeated_string=b&repeatedString=c,d&repeated_int32=1&repeated_int32=2&repeated_int64=-3");
    assert.deepEqual(m.repeatedString, ["a", "b", "c,d"]);
    assert.deepEqual(m.repeatedInt32, [1, 2]);
    assert.deepEqual(m.repeatedInt64, [-3n]);
  });

  it("follows dots into messages by proto or JSON names at every level", () => {
    const m = bind("nested.name=n&nested.child.name=c&nested.child.tags=t1&nested.child.tags=t2&nested.amount=4&nested.child.child.amount=1");
    assert.equal(m.nested?.name, "n");
    assert.equal(m.nested?.amount, 4);
    assert.equal(m.nested?.child?.name, "c");
    assert.deepEqual(m.nested?.child?.tags, ["t1", "t2"]);
    assert.equal(m.nested?.child?.child?.amount, 1);
  });

  it("binds map entries as m[key]=value, with typed keys", () => {
    const m = bind("labels[env]=prod&labels%5Bteam%5D=core&int_map[7]=seven&intMap[-1]=minus");
    assert.deepEqual(m.labels, { env: "prod", team: "core" });
    assert.deepEqual(m.intMap, { 7: "seven", [-1]: "minus" });
  });

  it("refuses malformed map parameters", () => {
    refused("int_map[x]=y", 'invalid value for query parameter "int_map[x]": "x" is not a valid int32');
    refused("labels=x", 'query parameter "labels" names a map field; set entries as "labels[key]=value"');
    refused("labels[a]=1&labels[a]=2", 'query parameter "labels[a]" is given more than once but its field takes one value');
    refused("uuid[x]=1", 'query parameter "uuid[x]": "uuid" is not a map field');
    refused("nested_map[k]=v", 'query parameter "nested_map[k]": values of type testing.v1.Nested cannot be given as text');
  });

  it("refuses parameters that name a message or step through a non-message", () => {
    refused("nested=x", 'query parameter "nested" names a message field; set its fields, as in "nested.<field>"');
    refused("nested.child=x", 'query parameter "nested.child" names a message field; set its fields, as in "nested.child.<field>"');
    refused("repeated_nested=x", 'query parameter "repeated_nested": values of type testing.v1.Nested cannot be given as text');
    refused("int32_value.x=1", 'query parameter "int32_value.x": "int32_value" is not a message field');
    refused("repeated_nested.name=x", 'query parameter "repeated_nested.name": "repeated_nested" is not a message field');
    refused("string_wrapper.value=x", 'query parameter "string_wrapper.value": "string_wrapper" is not a message field');
  });
});

describe("query: well-known types", () => {
  it("takes Timestamp in RFC 3339", () => {
    const m = bind("timestamp=2024-01-02T03:04:05.5%2B01:00");
    assert.equal(m.timestamp?.seconds, BigInt(Date.UTC(2024, 0, 2, 2, 4, 5) / 1000));
    assert.equal(m.timestamp?.nanos, 500_000_000);
    refused("timestamp=yesterday", 'invalid value for query parameter "timestamp": "yesterday" is not a valid RFC 3339 timestamp');
  });

  it("takes Duration in Go's time.ParseDuration forms", () => {
    const cases: [string, bigint, number][] = [
      ["1.5s", 1n, 500_000_000],
      ["300ms", 0n, 300_000_000],
      ["1h30m", 5400n, 0],
      ["-1.5s", -1n, -500_000_000],
      ["0", 0n, 0],
      ["2us", 0n, 2000],
      ["1m0.000000001s", 60n, 1],
    ];
    for (const [text, seconds, nanos] of cases) {
      const d = bind(`duration=${encodeURIComponent(text)}`).duration;
      assert.deepEqual([d?.seconds, d?.nanos], [seconds, nanos], text);
    }
    for (const text of ["1", "1x", "s", ".s", "", "3000000h"]) {
      refused(`duration=${text}`, `invalid value for query parameter "duration": ${JSON.stringify(text)} is not a valid duration`);
    }
  });

  it("takes FieldMask as a comma list, paths as sent", () => {
    assert.deepEqual(bind("field_mask=a,nested.name,,displayName").fieldMask?.paths, ["a", "nested.name", "displayName"]);
  });

  it("takes wrappers by their inner value", () => {
    const m = bind("string_wrapper=w&int64_wrapper=-5&bool_wrapper=false&double_wrapper=2.5&bytes_wrapper=AA");
    assert.equal(m.stringWrapper, "w");
    assert.equal(m.int64Wrapper, -5n);
    assert.equal(m.boolWrapper, false);
    assert.equal(m.doubleWrapper, 2.5);
    assert.deepEqual(m.bytesWrapper, new Uint8Array([0]));
    assert.equal(bind("string_wrapper=").stringWrapper, "");
    refused("int64_wrapper=x", 'invalid value for query parameter "int64_wrapper": "x" is not a valid int64');
  });

  it("takes Struct as JSON", () => {
    assert.deepEqual(bind(`struct_value=${encodeURIComponent('{"a":1,"b":[true]}')}`).structValue, { a: 1, b: [true] });
    refused("struct_value=x", 'invalid value for query parameter "struct_value": "x" is not a valid JSON value for google.protobuf.Struct');
    refused("struct_value=1", 'invalid value for query parameter "struct_value": "1" is not a valid JSON value for google.protobuf.Struct');
  });
});

describe("query: presence and oneofs", () => {
  it("sets optional fields, even to their zero value", () => {
    const m = bind("optional_string=&optional_int32=0");
    assert.equal(m.optionalString, "");
    assert.equal(m.optionalInt32, 0);
    assert.equal(bind("").optionalString, undefined);
  });

  it("sets a oneof member by either name", () => {
    assert.deepEqual(bind("choice_b=4").choice, { case: "choiceB", value: 4 });
    assert.deepEqual(bind("choiceA=x").choice, { case: "choiceA", value: "x" });
  });

  it("refuses two members of one oneof", () => {
    refused("choice_a=x&choice_b=1", 'invalid value for query parameter "choice_b": oneof "choice" already has "choice_a" set');
  });
});

describe("query: duplicates and unknown parameters", () => {
  it("refuses a singular field given twice, under one name or both", () => {
    refused("int32_value=1&int32_value=2", 'query parameter "int32_value" is given more than once but its field takes one value');
    refused("int32_value=1&int32Value=1", 'query parameter "int32Value" is given more than once but its field takes one value');
    refused("choice_a=x&choiceA=y", 'query parameter "choiceA" is given more than once but its field takes one value');
    refused("nested.name=a&nested.name=b", 'query parameter "nested.name" is given more than once but its field takes one value');
  });

  it("refuses unknown parameters by default, saying where the name failed", () => {
    refused("nope=1", 'unknown query parameter "nope": testing.v1.Scalars has no field "nope"');
    refused("nested.nope=1", 'unknown query parameter "nested.nope": testing.v1.Nested has no field "nope"');
    refused("=1", 'unknown query parameter "": testing.v1.Scalars has no field ""');
  });

  it("ignores unknown parameters when told, but not bad values or shapes", () => {
    const ignore = { unknownQueryParameters: "ignore" } as const;
    assert.equal(bind("nope=1&nested.nope=2&int32_value=3", ignore).int32Value, 3);
    refused("int32_value=x", 'invalid value for query parameter "int32_value": "x" is not a valid int32', ignore);
    refused("nested=x", 'query parameter "nested" names a message field; set its fields, as in "nested.<field>"', ignore);
  });

  it("keeps working past its cache of resolved keys", () => {
    const keys = Array.from({ length: 1500 }, (_, i) => `k${i}=1`).join("&");
    const target = reflect(ScalarsSchema);
    const binder = compileQueryBinder(ScalarsSchema, [], { unknownQueryParameters: "ignore" });
    binder.bind(keys, target);
    binder.bind(`${keys}&int32_value=9`, target);
    assert.equal((target.message as Scalars).int32Value, 9);
  });
});

describe("query: fields bound by path or body", () => {
  it("ignores parameters on or under a bound field", () => {
    const m = bind("string_value=q&nested=x&nested.bogus=1&nested.name=y&int32_value=1", {}, ["string_value", "nested"]);
    assert.equal(m.stringValue, "");
    assert.equal(m.nested, undefined);
    assert.equal(m.int32Value, 1);
  });

  it("filters by field, whichever name the parameter uses", () => {
    assert.equal(bind("stringValue=q", {}, ["string_value"]).stringValue, "");
  });

  it("still binds siblings of a bound nested field", () => {
    const m = bind("nested.name=q&nested.amount=2", {}, ["nested.name"]);
    assert.equal(m.nested?.name, "");
    assert.equal(m.nested?.amount, 2);
  });
});

describe("query: decoding", () => {
  it("decodes as URLSearchParams does, but refuses malformed escapes", () => {
    assert.equal(bind("string_value=a+b%20c").stringValue, "a b c");
    assert.equal(bind("string_value=%E2%82%AC").stringValue, "€");
    assert.throws(() => bind("string_value=%zz%"), { message: 'malformed percent-escape in the value of query parameter "string_value"' });
    assert.throws(() => bind("string_value=%FF"), { message: 'malformed percent-escape in the value of query parameter "string_value"' });
    assert.throws(() => bind("string%zz=1"), { message: 'malformed percent-escape in query parameter name "string%zz"' });
    assert.equal(bind("string_value=a=b").stringValue, "a=b");
    assert.equal(bind("string_value").stringValue, "");
    assert.equal(bind("&&int32_value=1&").int32Value, 1);
    assert.equal(bind("string%5Fvalue=x").stringValue, "x");
  });

  it("visits keys and values in order, as URLSearchParams yields well-formed ones", () => {
    const collect = (raw: string) => {
      const pairs: [string, string][] = [];
      parseQuery(raw, (k, v) => pairs.push([k, v]));
      return pairs;
    };
    assert.deepEqual(collect("b=1&a=2&b=3&c&=4"), [
      ["b", "1"],
      ["a", "2"],
      ["b", "3"],
      ["c", ""],
      ["", "4"],
    ]);
    for (const raw of ["a=1&b=%7A&c+d=e+f", "x=%E2%82%AC", "a=1;b=2", "&&a==&"]) {
      assert.deepEqual(collect(raw), [...new URLSearchParams(raw)], raw);
    }
  });
});
