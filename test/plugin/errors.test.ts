import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { FileDescriptorSet } from "@bufbuild/protobuf/wkt";
import { protocGenGrpcGatewayExpress } from "../../src/plugin.js";
import { compileProtos, createRequest } from "../support/compile-proto.js";

const messagesProto = `syntax = "proto3";
package bad.v1;
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Kind { KIND_UNSPECIFIED = 0; }

message GetRequest {
  message Sub { string name = 1; }
  string name = 1;
  int64 id = 2;
  Sub sub = 3;
  repeated string tags = 4;
  map<string, string> labels = 5;
  google.protobuf.Timestamp at = 6;
  google.protobuf.StringValue wrapped = 7;
  google.protobuf.Struct struct = 8;
  optional string maybe = 9;
  Kind kind = 10;
  oneof choice { string a = 11; int32 b = 12; }
  repeated Sub subs = 13;
  repeated Kind kinds = 14;
}

message Reply {
  string text = 1;
  GetRequest.Sub sub = 2;
}
`;

// One proto file per case, `bad/v1/<file>.proto`, each with its own services.
const cases: Record<string, string> = {
  missing_field: `service MissingField { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{missing}" }; } }`,
  missing_nested: `service MissingNested { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{sub.missing}" }; } }`,
  through_scalar: `service ThroughScalar { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{name.first}" }; } }`,
  through_wrapper: `service ThroughWrapper { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{wrapped.value}" }; } }`,
  repeated_field: `service RepeatedField { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{subs}" }; } }`,
  repeated_multi_segment: `service RepeatedMultiSegment { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{tags=tags/*}" }; } }`,
  repeated_accepted: `service RepeatedAccepted { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = {
    get: "/v1/{tags}/{kinds}"
    additional_bindings { get: "/v1/id/{id}/tags/{tags}" }
  }; } }`,
  map_field: `service MapField { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{labels}" }; } }`,
  message_field: `service MessageField { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{sub}" }; } }`,
  struct_field: `service StructField { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{struct}" }; } }`,
  multi_segment: `service MultiSegment { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{id=shelves/*}" }; } }`,
  twice: `service Twice { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{name}/{name}" }; } }`,
  bad_template: `service BadTemplate { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{name" }; } }`,
  no_slash: `service NoSlash { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "v1/things" }; } }`,
  body_missing: `service BodyMissing { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { post: "/v1/x" body: "missing" }; } }`,
  response_missing: `service ResponseMissing { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/x" response_body: "sub.missing" }; } }`,
  get_body: `service GetBody { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/x" body: "*" }; } }`,
  delete_body: `service DeleteBody { rpc Delete(GetRequest) returns (Reply) { option (google.api.http) = { delete: "/v1/x/{name}" body: "sub" }; } }`,
  nested_additional: `service NestedAdditional { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = {
    get: "/v1/x"
    additional_bindings { post: "/v1/y" body: "*" additional_bindings { get: "/v1/z" } }
  }; } }`,
  no_pattern: `service NoPattern { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { body: "*" }; } }`,
  no_pattern_additional: `service NoPatternAdditional { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = {
    get: "/v1/x" additional_bindings { body: "*" }
  }; } }`,
  custom_kind: `service CustomKind { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { custom { kind: "GET ME" path: "/v1/x" } }; } }`,
  custom_lower: `service CustomLower { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { custom { kind: "search" path: "/v1/x" } }; } }`,
  custom_any: `service CustomAny { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { custom { kind: "*" path: "/v1/x" } }; } }`,
  client_stream: `service ClientStream {
    rpc Up(stream GetRequest) returns (Reply) { option (google.api.http) = { post: "/v1/{name}" body: "*" }; }
    rpc Chat(stream GetRequest) returns (stream Reply) { option (google.api.http) = { post: "/v1/chat/{name}" body: "*" }; }
  }`,
  duplicate_method: `service DuplicateMethod { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = {
    get: "/v1/x/{name}" additional_bindings { get: "/v1/x/{id}" }
  }; } }`,
  duplicate_extents: `service DuplicateExtents {
    rpc ByName(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{name=messages/*}" }; }
    rpc ById(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/messages/{id}" }; }
  }`,
  duplicate_services: `
    service First { rpc Get(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{name=x/*}:do" }; } }
    service Second { rpc Find(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/{sub.name=x/*}:do" }; } }`,
  several: `service Several {
    rpc One(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/one/{missing}" body: "*" }; }
    rpc Two(GetRequest) returns (Reply) { option (google.api.http) = { get: "/v1/two" response_body: "missing" }; }
  }`,
  accepted: `service Accepted {
    rpc Get(GetRequest) returns (Reply) { option (google.api.http) = {
      get: "/v1/{maybe}/{at}/{wrapped}/{kind}/{a}/{sub.name}/{id}"
      additional_bindings { get: "/v1/{name}" }
      additional_bindings { get: "/v1/{name}:peek" }
      additional_bindings { post: "/v1/{name}" body: "sub.name" response_body: "sub" }
      additional_bindings { get: "/v1/{name=x/*}" }
      additional_bindings { get: "/v1/y/{name}" }
      additional_bindings { get: "/v1/{wrapped=files/**}" }
      additional_bindings { custom { kind: "LOCK" path: "/v1/{name}" } }
    }; }
    rpc Delete(GetRequest) returns (Reply) { option (google.api.http) = { delete: "/v1/{name}" body: "*" }; }
    rpc Up(stream GetRequest) returns (Reply) { option (google.api.http) = { post: "/v1/up" body: "*" }; }
  }`,
};

let set: FileDescriptorSet;

function run(files: readonly string[], parameter = "target=ts") {
  return protocGenGrpcGatewayExpress.run(
    createRequest(
      set,
      files.map((f) => `bad/v1/${f}.proto`),
      parameter,
    ),
  );
}

// The whole message of the error generation fails with.
function errorOf(file: string, parameter?: string): string {
  try {
    run([file], parameter);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  assert.fail(`generation of ${file} did not fail`);
}

// The expected message for the first rule of method Get of the case's only service.
function expected(file: string, service: string, rule: string, problem: string, method = "Get"): string {
  return `bad/v1/${file}.proto: service bad.v1.${service}, method ${method}, ${rule}: ${problem}`;
}

describe("rules that fail generation", () => {
  before(() => {
    const files: Record<string, string> = { "bad/v1/messages.proto": messagesProto };
    for (const [name, services] of Object.entries(cases)) {
      files[`bad/v1/${name}.proto`] =
        `syntax = "proto3";\npackage bad.v1;\nimport "google/api/annotations.proto";\nimport "bad/v1/messages.proto";\n${services}\n`;
    }
    set = compileProtos(files);
  });

  const table: [file: string, service: string, rule: string, problem: string][] = [
    ["missing_field", "MissingField", `rule "get: /v1/{missing}"`, `path variable "missing" does not name a field of bad.v1.GetRequest`],
    [
      "missing_nested",
      "MissingNested",
      `rule "get: /v1/{sub.missing}"`,
      `path variable "sub.missing" does not name a field of bad.v1.GetRequest: bad.v1.GetRequest.Sub has no field "missing"`,
    ],
    [
      "through_scalar",
      "ThroughScalar",
      `rule "get: /v1/{name.first}"`,
      `path variable "name.first" does not name a field of bad.v1.GetRequest: ` +
        `bad.v1.GetRequest.name is a scalar field (string), not a singular message, so it has no field "first"`,
    ],
    [
      "through_wrapper",
      "ThroughWrapper",
      `rule "get: /v1/{wrapped.value}"`,
      `path variable "wrapped.value" does not name a field of bad.v1.GetRequest: ` +
        `bad.v1.GetRequest.wrapped is a message field (google.protobuf.StringValue), which binds as a whole, so it has no field "value"`,
    ],
    [
      "repeated_field",
      "RepeatedField",
      `rule "get: /v1/{subs}"`,
      `path variable "subs" names a repeated field of messages (bad.v1.GetRequest.Sub); ` +
        `a repeated path variable takes a comma-separated list of scalars or enums`,
    ],
    [
      "repeated_multi_segment",
      "RepeatedMultiSegment",
      `rule "get: /v1/{tags=tags/*}"`,
      `path variable "tags" captures "tags/*", so it must name a string field, not a repeated field`,
    ],
    [
      "map_field",
      "MapField",
      `rule "get: /v1/{labels}"`,
      `path variable "labels" names a map field; path variables bind singular fields and repeated scalars or enums only`,
    ],
    [
      "message_field",
      "MessageField",
      `rule "get: /v1/{sub}"`,
      `path variable "sub" names a message field (bad.v1.GetRequest.Sub); ` +
        `path variables bind scalars, enums, and the well-known types Timestamp, Duration, FieldMask and wrappers`,
    ],
    [
      "struct_field",
      "StructField",
      `rule "get: /v1/{struct}"`,
      `path variable "struct" names a message field (google.protobuf.Struct); ` +
        `path variables bind scalars, enums, and the well-known types Timestamp, Duration, FieldMask and wrappers`,
    ],
    [
      "multi_segment",
      "MultiSegment",
      `rule "get: /v1/{id=shelves/*}"`,
      `path variable "id" captures "shelves/*", so it must name a string field, not a scalar field (int64)`,
    ],
    ["twice", "Twice", `rule "get: /v1/{name}/{name}"`, `invalid path template: duplicate variable "name" at position 11 in "/v1/{name}/{name}"`],
    ["body_missing", "BodyMissing", `rule "post: /v1/x"`, `body "missing" does not name a field of bad.v1.GetRequest`],
    [
      "response_missing",
      "ResponseMissing",
      `rule "get: /v1/x"`,
      `response_body "sub.missing" does not name a field of bad.v1.Reply: bad.v1.GetRequest.Sub has no field "missing"`,
    ],
    ["get_body", "GetBody", `rule "get: /v1/x"`, `a GET rule must not have a body, but it sets body "*"`],
    ["nested_additional", "NestedAdditional", `additional binding "post: /v1/y"`, "an additional binding must not have additional_bindings of its own"],
    ["no_pattern", "NoPattern", `rule "(no pattern)"`, "it must set one of get, put, post, delete, patch or custom"],
    ["no_pattern_additional", "NoPatternAdditional", `additional binding "(no pattern)"`, "it must set one of get, put, post, delete, patch or custom"],
    ["custom_kind", "CustomKind", `rule "custom GET ME: /v1/x"`, `custom kind "GET ME" is not a method the Node.js HTTP server accepts (see http.METHODS)`],
    ["custom_lower", "CustomLower", `rule "custom search: /v1/x"`, `custom kind "search" is not a method the Node.js HTTP server accepts (see http.METHODS)`],
    ["custom_any", "CustomAny", `rule "custom *: /v1/x"`, `custom kind "*" (any method) is not supported; write one rule per HTTP method`],
    [
      "duplicate_method",
      "DuplicateMethod",
      `additional binding "get: /v1/x/{id}"`,
      `GET /v1/x/{id} matches the same requests as service bad.v1.DuplicateMethod, method Get, rule "get: /v1/x/{name}"`,
    ],
  ];
  for (const [file, service, rule, problem] of table) {
    it(`${file}: ${problem}`, () => {
      assert.equal(errorOf(file), expected(file, service, rule, problem));
    });
  }

  it("names the position of an unparsable template", () => {
    assert.equal(
      errorOf("bad_template"),
      expected("bad_template", "BadTemplate", `rule "get: /v1/{name"`, `invalid path template: unclosed "{" at position 4 in "/v1/{name"`),
    );
    assert.equal(
      errorOf("no_slash"),
      expected("no_slash", "NoSlash", `rule "get: v1/things"`, `invalid path template: template must start with "/" at position 0 in "v1/things"`),
    );
  });

  it("refuses a body on DELETE unless allow_delete_body=true", () => {
    assert.equal(
      errorOf("delete_body"),
      expected(
        "delete_body",
        "DeleteBody",
        `rule "delete: /v1/x/{name}"`,
        `a DELETE rule must not have a body unless allow_delete_body=true, but it sets body "sub"`,
        "Delete",
      ),
    );
    const response = run(["delete_body"], "target=ts,allow_delete_body=true");
    assert.match(response.file[0]?.content ?? "", /httpMethod: "DELETE", path: "\/v1\/x\/\{name\}", body: "sub" \}/);
  });

  it("refuses path variables on client-streaming and bidi methods", () => {
    const problem = "a client-streaming method cannot bind path variables, since its request is a stream of messages";
    assert.equal(
      errorOf("client_stream"),
      [
        expected("client_stream", "ClientStream", `rule "post: /v1/{name}"`, problem, "Up"),
        expected("client_stream", "ClientStream", `rule "post: /v1/chat/{name}"`, problem, "Chat"),
      ].join("\n"),
    );
  });

  it("refuses two routes of one file that match the same requests with the same verb", () => {
    assert.equal(
      errorOf("duplicate_services"),
      expected(
        "duplicate_services",
        "Second",
        `rule "get: /v1/{sub.name=x/*}:do"`,
        `GET /v1/{sub.name=x/*}:do matches the same requests as service bad.v1.First, method Get, rule "get: /v1/{name=x/*}:do"`,
        "Find",
      ),
    );
    // Variable extents do not tell routes apart: both match GET /v1/messages/<one segment>.
    assert.equal(
      errorOf("duplicate_extents"),
      expected(
        "duplicate_extents",
        "DuplicateExtents",
        `rule "get: /v1/messages/{id}"`,
        `GET /v1/messages/{id} matches the same requests as service bad.v1.DuplicateExtents, method ByName, rule "get: /v1/{name=messages/*}"`,
        "ById",
      ),
    );
  });

  it("reports every problem of every file, one per line", () => {
    // Files come in the request's (dependency, then name) order, not file_to_generate's.
    assert.throws(() => run(["several", "missing_field"]), {
      message: [
        expected("missing_field", "MissingField", `rule "get: /v1/{missing}"`, `path variable "missing" does not name a field of bad.v1.GetRequest`),
        expected("several", "Several", `rule "get: /v1/one/{missing}"`, `path variable "missing" does not name a field of bad.v1.GetRequest`, "One"),
        expected("several", "Several", `rule "get: /v1/one/{missing}"`, `a GET rule must not have a body, but it sets body "*"`, "One"),
        expected("several", "Several", `rule "get: /v1/two"`, `response_body "missing" does not name a field of bad.v1.Reply`, "Two"),
      ].join("\n"),
    });
  });

  it("accepts repeated scalar and enum path variables, which take comma-separated lists, as grpc-gateway", () => {
    const content = run(["repeated_accepted"]).file[0]?.content ?? "";
    const routes = content.split("\n").filter((l) => l.startsWith("  { method:"));
    assert.deepEqual(routes, [
      `  { method: RepeatedAccepted.method.get, httpMethod: "GET", path: "/v1/{tags}/{kinds}" },`,
      `  { method: RepeatedAccepted.method.get, httpMethod: "GET", path: "/v1/id/{id}/tags/{tags}" },`,
    ]);
  });

  it("accepts what grpc-gateway accepts: optional, well-known, enum and oneof variables, dotted bodies, distinct shapes", () => {
    const content = run(["accepted"], "target=ts,allow_delete_body=true").file[0]?.content ?? "";
    const routes = content.split("\n").filter((l) => l.startsWith("  { method:"));
    assert.deepEqual(routes, [
      `  { method: Accepted.method.get, httpMethod: "GET", path: "/v1/{maybe}/{at}/{wrapped}/{kind}/{a}/{sub.name}/{id}" },`,
      `  { method: Accepted.method.get, httpMethod: "GET", path: "/v1/{name}" },`,
      `  { method: Accepted.method.get, httpMethod: "GET", path: "/v1/{name}:peek" },`,
      `  { method: Accepted.method.get, httpMethod: "POST", path: "/v1/{name}", body: "sub.name", responseBody: "sub" },`,
      `  { method: Accepted.method.get, httpMethod: "GET", path: "/v1/{name=x/*}" },`,
      `  { method: Accepted.method.get, httpMethod: "GET", path: "/v1/y/{name}" },`,
      `  { method: Accepted.method.get, httpMethod: "GET", path: "/v1/{wrapped=files/**}" },`,
      `  { method: Accepted.method.get, httpMethod: "LOCK", path: "/v1/{name}" },`,
      `  { method: Accepted.method.delete, httpMethod: "DELETE", path: "/v1/{name}", body: "*" },`,
      `  { method: Accepted.method.up, httpMethod: "POST", path: "/v1/up", body: "*" },`,
    ]);
  });
});

describe("plugin options", () => {
  const optionError = (parameter: string) => {
    try {
      run(["accepted"], parameter);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    assert.fail(`options ${parameter} were accepted`);
  };

  it("refuses an unknown option, naming it", () => {
    assert.equal(
      optionError("target=ts,generate_unbound_methods=true,generate_unbound=true"),
      `invalid option "generate_unbound_methods=true,generate_unbound=true": unknown option "generate_unbound"`,
    );
  });

  it("refuses a boolean option that is not true or false", () => {
    assert.equal(
      optionError("target=ts,allow_delete_body=yes"),
      `invalid option "allow_delete_body=yes": option "allow_delete_body" must be true or false, got "yes"`,
    );
  });

  it("refuses an empty runtime_import", () => {
    assert.equal(
      optionError("target=ts,runtime_import="),
      `invalid option "runtime_import=": option "runtime_import" needs a module specifier, e.g. runtime_import=grpc-gateway-express/runtime`,
    );
  });
});
