// Request bodies: body "*", a field, raw HttpBody, content types, size limits; replies.
import { Everything } from "../../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../../gen/testing/v1/everything_gateway.js";
import type { RecordedCall } from "../../support/recording-backend.js";
import type { Case, CaseGroup } from "../case.js";

const everything = [{ service: Everything, routes: EverythingRoutes }];
const json = { "Content-Type": "application/json" };

function posted(name: string, path: string, body: string, request: Record<string, unknown>, headers: Record<string, string> = json): Case {
  return { name, request: { method: "POST", path, headers, body }, call: { method: "Everything.Echo", request }, response: { status: 200 } };
}

function refused(name: string, path: string, body: string, status: number, messageIncludes: string, headers: Record<string, string> = json): Case {
  const code = status === 413 ? 8 : 3;
  return { name, request: { method: "POST", path, headers, body }, call: null, response: { status, error: { code, messageIncludes } } };
}

const upload = (call: RecordedCall) => {
  const r = call.request as unknown as { name?: string; body?: { contentType: string; data: Uint8Array }; contentType?: string; data?: Uint8Array };
  const raw = r.body ?? { contentType: r.contentType ?? "", data: r.data ?? new Uint8Array() };
  return { reply: { name: r.name ?? "", contentType: raw.contentType, size: BigInt(raw.data.length) } };
};

export const body: CaseGroup = {
  name: "request and reply bodies",
  services: everything,
  cases: [
    posted("body * by JSON names", "/v1/echo", '{"stringValue":"x","int64Value":"5","nested":{"name":"n"}}', {
      stringValue: "x",
      int64Value: "5",
      nested: { name: "n" },
    }),
    posted("body * by proto names", "/v1/echo", '{"string_value":"x","repeated_int32":[1,2]}', { stringValue: "x", repeatedInt32: [1, 2] }),
    posted("unknown JSON fields are discarded", "/v1/echo", '{"nope":1,"stringValue":"x"}', { stringValue: "x" }),
    posted("an empty body is an empty message", "/v1/echo", "", {}),
    posted("Content-Type with a charset", "/v1/echo", '{"stringValue":"x"}', { stringValue: "x" }, { "Content-Type": "application/json; charset=utf-8" }),
    posted("no Content-Type is taken as JSON", "/v1/echo", '{"stringValue":"x"}', { stringValue: "x" }, {}),
    posted("body naming a message field", "/v1/echo/s/nested", '{"name":"n","amount":2}', { stringValue: "s", nested: { name: "n", amount: 2 } }),
    posted("body naming a repeated field", "/v1/echo/u/repeated", '["a","b"]', { uuid: "u", repeatedString: ["a", "b"] }),
    posted("body naming a scalar field", "/v1/echo/u/scalar", '"42"', { uuid: "u", int64Value: "42" }),
    posted("the path wins over the body for the same field", "/v1/echo/s/nested", '{"name":"n"}', { stringValue: "s", nested: { name: "n" } }),
    posted("a field body leaves the query for other fields", "/v1/echo/s/nested?int32_value=3", '{"name":"n"}', {
      stringValue: "s",
      int32Value: 3,
      nested: { name: "n" },
    }),
    posted("maps, enums, WKTs in the body", "/v1/echo", '{"labels":{"a":"b"},"color":"COLOR_RED","duration":"2s","timestamp":"2024-01-01T00:00:00Z"}', {
      labels: { a: "b" },
      color: "COLOR_RED",
      duration: "2s",
      timestamp: "2024-01-01T00:00:00Z",
    }),
    posted(
      "JSON integers beyond 2^53 reach int64 fields exactly",
      "/v1/echo",
      '{"int64Value":9007199254740993,"uint64Value":18446744073709551615,"sint64Value":-9223372036854775808}',
      {
        int64Value: "9007199254740993",
        uint64Value: "18446744073709551615",
        sint64Value: "-9223372036854775808",
      },
    ),
    posted("a big integer as a scalar field body stays exact", "/v1/echo/u/scalar", "9007199254740993", { uuid: "u", int64Value: "9007199254740993" }),
    posted("digits inside strings are left alone", "/v1/echo", '{"stringValue":"12345678901234567890","int64Value":"12"}', {
      stringValue: "12345678901234567890",
      int64Value: "12",
    }),
    refused("malformed JSON", "/v1/echo", '{"stringValue":', 400, "JSON"),
    refused("a wrong JSON type names the field", "/v1/echo", '{"int32Value":"abc"}', 400, "int32_value"),
    refused("an unknown enum name in the body names the field", "/v1/echo", '{"color":"PURPLE"}', 400, "color"),
    refused("an unsupported Content-Type is 415", "/v1/echo", "x", 415, "text/plain", { "Content-Type": "text/plain" }),
    {
      name: "PATCH with a field body fills an empty FieldMask from the JSON keys",
      request: { method: "PATCH", path: "/v1/nested/n1", headers: json, body: '{"name":"x","child":{"amount":1}}' },
      backend: () => ({ reply: { name: "done" } }),
      call: { method: "Everything.UpdateNested", request: { name: "n1", nested: { name: "x", child: { amount: 1 } }, updateMask: "child.amount,name" } },
      response: { status: 200, json: { name: "done", amount: 0, child: null, tags: [], color: "COLOR_UNSPECIFIED" } },
    },
    {
      name: "PATCH with an auto FieldMask and an unknown JSON key is 400 naming it (FieldMaskFromRequestBody)",
      request: { method: "PATCH", path: "/v1/nested/n1", headers: json, body: '{"name":"x","bogus":1}' },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: 'could not find field "bogus" in "testing.v1.Nested"' } },
    },
    {
      name: "PATCH with an auto FieldMask and an unknown nested JSON key names the nested message",
      request: { method: "PATCH", path: "/v1/nested/n1", headers: json, body: '{"child":{"amount":1,"nope":{}}}' },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: 'could not find field "nope" in "testing.v1.Nested"' } },
    },
    {
      name: "PATCH with a FieldMask the client sent discards unknown keys as any body does",
      request: { method: "PATCH", path: "/v1/nested/n1?update_mask=name", headers: json, body: '{"name":"x","bogus":1}' },
      call: { method: "Everything.UpdateNested", request: { name: "n1", nested: { name: "x" }, updateMask: "name" } },
      response: { status: 200 },
    },
    {
      name: "PATCH keeps a FieldMask the client sent",
      request: { method: "PATCH", path: "/v1/nested/n1?update_mask=amount", headers: json, body: '{"name":"x","amount":2}' },
      call: { method: "Everything.UpdateNested", request: { name: "n1", nested: { name: "x", amount: 2 }, updateMask: "amount" } },
      response: { status: 200 },
    },
    {
      name: "response_body answers with one field of the reply",
      request: { method: "GET", path: "/v1/nested/u1" },
      backend: () => ({ reply: { uuid: "u1", nested: { name: "inner", amount: 3 } } }),
      call: { method: "Everything.EchoNested", request: { uuid: "u1" } },
      response: { status: 200, json: { name: "inner", amount: 3, child: null, tags: [], color: "COLOR_UNSPECIFIED" } },
    },
    {
      name: "a dotted response_body answers with a nested field of the reply",
      request: { method: "GET", path: "/v1/nested/u1/child" },
      backend: () => ({ reply: { uuid: "u1", nested: { name: "outer", child: { name: "deep", amount: 2 } } } }),
      call: { method: "Everything.EchoNested", request: { uuid: "u1" } },
      response: { status: 200, json: { name: "deep", amount: 2, child: null, tags: [], color: "COLOR_UNSPECIFIED" } },
    },
    {
      name: "a dotted response_body through an unset message answers the empty message",
      request: { method: "GET", path: "/v1/nested/u2/child" },
      backend: () => ({ reply: { uuid: "u2" } }),
      call: { method: "Everything.EchoNested", request: { uuid: "u2" } },
      response: { status: 200, json: { name: "", amount: 0, child: null, tags: [], color: "COLOR_UNSPECIFIED" } },
    },
    {
      name: "an HttpBody reply is written raw with its content type",
      request: { method: "GET", path: "/v1/download/report" },
      backend: () => ({ reply: { contentType: "text/csv", data: Buffer.from("a,b\n1,2\n") } }),
      call: { method: "Everything.Download", request: { name: "report" } },
      response: { status: 200, text: "a,b\n1,2\n", headers: { "content-type": "text/csv" } },
    },
    {
      name: "an HttpBody request field takes the raw bytes and their content type",
      request: { method: "POST", path: "/v1/upload/f.pdf", headers: { "Content-Type": "application/pdf" }, body: Buffer.from([0x25, 0x50, 0x44, 0x46]) },
      backend: upload,
      call: { method: "Everything.Upload", request: { name: "f.pdf", body: { contentType: "application/pdf", data: "JVBERg==" } } },
      response: { status: 200, json: { name: "f.pdf", contentType: "application/pdf", size: "4" } },
    },
    {
      name: "an HttpBody request takes any content type whole",
      request: { method: "POST", path: "/v1/upload-raw", headers: { "Content-Type": "text/plain" }, body: "hello" },
      backend: upload,
      call: { method: "Everything.UploadRaw", request: { contentType: "text/plain", data: "aGVsbG8=" } },
      response: { status: 200, json: { name: "", contentType: "text/plain", size: "5" } },
    },
    {
      name: "google.protobuf.Empty in and out",
      request: { method: "GET", path: "/v1/ping" },
      call: { method: "Everything.Ping", request: {} },
      response: { status: 200, json: {} },
    },
    {
      name: "a GET route ignores a body sent with it",
      request: { method: "GET", path: "/v1/echo/g", headers: { "Content-Type": "text/plain" }, body: "ignored" },
      call: { method: "Everything.Echo", request: { stringValue: "g" } },
      response: { status: 200 },
    },
  ],
};

export const bodyLimits: CaseGroup = {
  name: "request body limit",
  services: everything,
  options: { maxRequestBytes: 64 },
  cases: [
    refused("a body over the limit is 413", "/v1/echo", JSON.stringify({ stringValue: "x".repeat(100) }), 413, "64 bytes"),
    posted("a body under the limit passes", "/v1/echo", '{"stringValue":"small"}', { stringValue: "small" }),
  ],
};
