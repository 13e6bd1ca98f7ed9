// Query parameter binding: every field shape, both name styles, and every refusal.
import { Everything } from "../../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../../gen/testing/v1/everything_gateway.js";
import type { Case, CaseGroup } from "../case.js";

function bound(name: string, query: string, request: Record<string, unknown>): Case {
  return {
    name,
    request: { method: "GET", path: `/v1/echo/q?${query}` },
    call: { method: "Everything.Echo", request: { stringValue: "q", ...request } },
    response: { status: 200 },
  };
}

function refused(name: string, query: string, messageIncludes: string): Case {
  return {
    name,
    request: { method: "GET", path: `/v1/echo/q?${query}` },
    call: null,
    response: { status: 400, error: { code: 3, messageIncludes } },
  };
}

export const query: CaseGroup = {
  name: "query parameters",
  services: [{ service: Everything, routes: EverythingRoutes }],
  cases: [
    bound("scalars by JSON name", "int32Value=5&doubleValue=1.5&boolValue=true&floatValue=-2", {
      int32Value: 5,
      doubleValue: 1.5,
      boolValue: true,
      floatValue: -2,
    }),
    bound("scalars by proto name", "int32_value=5&uint32_value=7&sint64_value=-3", { int32Value: 5, uint32Value: 7, sint64Value: "-3" }),
    bound("64-bit integers beyond 2^53 as decimal strings", "int64_value=-9007199254740993&uint64_value=18446744073709551615&fixed64_value=9007199254740993", {
      int64Value: "-9007199254740993",
      uint64Value: "18446744073709551615",
      fixed64Value: "9007199254740993",
    }),
    bound("bool in strconv.ParseBool forms", "bool_value=1", { boolValue: true }),
    bound("enum by name", "color=COLOR_RED", { color: "COLOR_RED" }),
    bound("enum by number", "color=2", { color: "COLOR_GREEN" }),
    bound("repeated by repeating the key", "repeated_string=a&repeated_string=b&repeatedInt32=1&repeatedInt32=2", {
      repeatedString: ["a", "b"],
      repeatedInt32: [1, 2],
    }),
    bound("repeated enums by name and number", "repeated_color=COLOR_RED&repeated_color=2", { repeatedColor: ["COLOR_RED", "COLOR_GREEN"] }),
    bound("dotted nesting into messages", "nested.name=x&nested.child.amount=3", { nested: { name: "x", child: { amount: 3 } } }),
    bound("dotted nesting by JSON names", "nested.child.tags=t1&nested.child.tags=t2", { nested: { child: { tags: ["t1", "t2"] } } }),
    bound("map entries as m[key]=v", "labels[env]=prod&labels[team]=core", { labels: { env: "prod", team: "core" } }),
    bound("map with integer keys", "int_map[7]=seven", { intMap: { "7": "seven" } }),
    bound("bytes as standard base64", "bytes_value=aGVsbG8%3D", { bytesValue: "aGVsbG8=" }),
    bound("bytes as URL-safe base64 without padding", "bytes_value=_-8", { bytesValue: "/+8=" }),
    bound("Timestamp in RFC 3339", "timestamp=2024-01-02T03:04:05.5Z", { timestamp: "2024-01-02T03:04:05.500Z" }),
    bound("Duration as seconds", "duration=1.5s", { duration: "1.500s" }),
    bound("FieldMask as a comma list", "field_mask=string_value,nested.name", { fieldMask: "stringValue,nested.name" }),
    bound("wrapper types by their inner value", "string_wrapper=w&int64_wrapper=5&bool_wrapper=false&double_wrapper=2.5", {
      stringWrapper: "w",
      int64Wrapper: "5",
      boolWrapper: false,
      doubleWrapper: 2.5,
    }),
    bound("an optional field set to its zero value is present", "optional_int32=0&optional_string=", { optionalInt32: 0, optionalString: "" }),
    bound("a oneof member", "choice_b=4", { choiceB: 4 }),
    bound("+ and %20 decode to spaces", "string_wrapper=a+b%20c", { stringWrapper: "a b c" }),
    bound("a parameter for a field bound by the path is ignored", "string_value=other&int32_value=1", { int32Value: 1 }),
    bound("special floats", "double_value=NaN&float_value=-Infinity", { doubleValue: "NaN", floatValue: "-Infinity" }),
    refused("a duplicate singular key", "int32_value=1&int32_value=2", "int32_value"),
    refused("an unknown parameter", "nope=1", "nope"),
    refused("a wrong-typed value", "int32_value=abc", "int32_value"),
    refused("an int32 out of range", "int32_value=4294967296", "int32_value"),
    refused("an unknown enum name", "color=PURPLE", "color"),
    refused("a bad bool", "bool_value=maybe", "bool_value"),
    refused("a bad Timestamp", "timestamp=yesterday", "timestamp"),
    refused("two members of one oneof", "choice_a=x&choice_b=1", "choice"),
    refused("a parameter naming a message field directly", "nested=x", "nested"),
    refused("a nested unknown field", "nested.nope=1", "nested.nope"),
    refused("a malformed escape in a value names the parameter", "string_wrapper=%ZZ", 'the value of query parameter "string_wrapper"'),
    refused("an escape that is not UTF-8", "string_wrapper=%FF%FE", "string_wrapper"),
    refused("a malformed escape in a name", "nested.na%ZZme=1", "malformed percent-escape in query parameter name"),
    refused("a key nested deeper than protobuf allows", `${"nested.child.".repeat(60)}name=x`, "nests deeper than 100 fields"),
    refused("a long malformed number is refused, not backtracked over", `double_value=${"1".repeat(15000)}.x`, "double_value"),
  ],
};

export const queryIgnoringUnknown: CaseGroup = {
  name: "query parameters with unknownQueryParameters: ignore",
  services: [{ service: Everything, routes: EverythingRoutes }],
  options: { unknownQueryParameters: "ignore" },
  cases: [
    bound("an unknown parameter is ignored", "nope=1&int32_value=2", { int32Value: 2 }),
    refused("a bad value is still refused", "int32_value=x", "int32_value"),
  ],
};
