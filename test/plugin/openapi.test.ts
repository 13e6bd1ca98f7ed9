// The OpenAPI documents the openapi* options write: each rule and field shape as the
// runtime routes, binds and marshals it, and valid OpenAPI 3.1 by a validator nobody here wrote.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { FileDescriptorSet } from "@bufbuild/protobuf/wkt";
import { Validator } from "@seriousme/openapi-schema-validator";
import { parse } from "yaml";
import { protocGenGrpcGatewayExpress } from "../../src/plugin.js";
import { compileProtos, createRequest } from "../support/compile-proto.js";

const shelfProto = `syntax = "proto3";
package shelf.v1;
import "google/api/annotations.proto";
import "google/api/field_behavior.proto";
import "google/api/resource.proto";
import "google/api/httpbody.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

// Keeps books on shelves.
service Shelves {
  // Reads a book.
  //
  // By its resource name.
  rpc GetBook(GetBookRequest) returns (Book) {
    option (google.api.http) = { get: "/v1/{name=shelves/*/books/*}" };
  }
  rpc Publish(GetBookRequest) returns (Book) {
    option deprecated = true;
    option (google.api.http) = { post: "/v1/{name=shelves/*/books/*}:publish" body: "*" };
  }
  rpc Files(GetBookRequest) returns (google.api.HttpBody) {
    option (google.api.http) = { get: "/v1/files/**" };
  }
  rpc Watch(GetBookRequest) returns (stream Book) {
    option (google.api.http) = { get: "/v1/watch/{name}" };
  }
  rpc Update(UpdateBookRequest) returns (Book) {
    option (google.api.http) = { patch: "/v1/books/{book.id}" body: "book" response_body: "title" };
  }
}

enum Genre { GENRE_UNSPECIFIED = 0; NOVEL = 1; }

message Filter { string author = 1; Filter deeper = 2; repeated Genre genres = 3; }

message GetBookRequest {
  string name = 1;
  int64 revision = 2;
  Filter filter = 3;
  map<string, string> labels = 4;
  google.protobuf.Struct extra = 5;
  google.protobuf.Timestamp as_of = 6;
  repeated string tags = 7;
}

message Book {
  option (google.api.resource) = { type: "shelf.example.com/Book" pattern: "shelves/{shelf}/books/{book}" };
  string id = 1 [(google.api.field_behavior) = IMMUTABLE];
  // The title, as printed.
  string title = 2 [(google.api.field_behavior) = REQUIRED];
  google.protobuf.Timestamp create_time = 3 [(google.api.field_behavior) = OUTPUT_ONLY];
  string secret = 4 [(google.api.field_behavior) = INPUT_ONLY, deprecated = true];
  optional int32 pages = 5;
  oneof cover { string color = 6; bytes image = 7; }
  google.protobuf.Int64Value copies = 8;
  string isbn = 9 [json_name = "ISBN"];
  map<int32, Genre> by_chapter = 10;
}

message UpdateBookRequest { Book book = 1; }
`;

// biome-ignore lint/suspicious/noExplicitAny: reading a generated document
type Json = Record<string, any>;

let set: FileDescriptorSet;

function generate(parameter: string): Map<string, string> {
  const response = protocGenGrpcGatewayExpress.run(createRequest(set, ["shelf/v1/shelf.proto"], parameter));
  assert.equal(response.error ?? "", "");
  return new Map(response.file.map((f) => [f.name, f.content]));
}

function document(parameter = "target=ts,openapi=json"): Json {
  const files = generate(parameter);
  return JSON.parse(files.get("shelf/v1/shelf.openapi.json")!) as Json;
}

describe("the openapi option", () => {
  before(() => (set = compileProtos({ "shelf/v1/shelf.proto": shelfProto })));

  it("writes nothing unless asked", () => {
    assert.deepEqual([...generate("target=ts").keys()], ["shelf/v1/shelf_gateway.ts"]);
  });

  it("writes a valid OpenAPI 3.1 document beside the routes, in JSON or YAML, merged or per file, whatever the target", async () => {
    const doc = document();
    const result = await new Validator().validate(doc as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    const yaml = generate("target=ts,openapi=yaml").get("shelf/v1/shelf.openapi.yaml")!;
    assert.deepEqual(parse(yaml), doc);
    const merged = generate("target=ts,openapi=json,openapi_merge=true,openapi_merge_file_name=api/all");
    assert.deepEqual(JSON.parse(merged.get("api/all.json")!).paths, doc.paths);
    const js = generate("openapi=json");
    assert.deepEqual([...js.keys()].sort(), ["shelf/v1/shelf.openapi.json", "shelf/v1/shelf_gateway.d.ts", "shelf/v1/shelf_gateway.js"]);
  });

  it("writes the documents alone with openapi_only, for a second plugin entry beside the routes", () => {
    const only = generate("target=ts,client=true,openapi=json,openapi_merge=true,openapi_only=true");
    assert.deepEqual([...only.keys()], ["openapi.json"]);
    assert.deepEqual(JSON.parse(only.get("openapi.json")!).paths, document().paths);
    assert.deepEqual([...generate("client=true,openapi=yaml,openapi_only=true").keys()], ["shelf/v1/shelf.openapi.yaml"]);
  });

  it("refuses bad values, naming the option", () => {
    assert.throws(() => generate("openapi=xml"), /option "openapi" must be json or yaml, got "xml"/);
    assert.throws(() => generate("target=ts,openapi_only=true"), /option "openapi_only" needs openapi=json or openapi=yaml/);
    assert.throws(() => generate("openapi=json,openapi_merge=maybe"), /option "openapi_merge" must be true or false/);
  });

  it("writes a multi-segment variable as one parameter with the pattern it matches, and keeps the verb", () => {
    const doc = document();
    const get = doc.paths["/v1/{name}"].get;
    assert.equal(get.summary, "Reads a book.");
    assert.equal(get.description, "Reads a book.\n\nBy its resource name.");
    assert.deepEqual(get.parameters[0].schema, { type: "string", pattern: "^shelves/[^/]+/books/[^/]+$" });
    const publish = doc.paths["/v1/{name}:publish"].post;
    assert.equal(publish.deprecated, true);
    assert.equal(publish.parameters.length, 1, "body * leaves no query parameters");
    assert.deepEqual(doc.paths["/v1/files/{_segment1}"].get.parameters[0].schema, { type: "string", pattern: "^.*$" });
  });

  it("lists every query parameter the binder accepts, nested, repeated, as maps, JSON and text forms", () => {
    const params = document().paths["/v1/{name}"].get.parameters as Json[];
    const byName = new Map<string, Json>(params.map((p) => [p.name, p]));
    const param = (name: string): Json => byName.get(name)!;
    assert.deepEqual(
      params.map((p) => p.name),
      ["name", "revision", "filter.author", "filter.genres", "labels", "extra", "asOf", "tags"],
      "a recursive message stops where it recurs",
    );
    assert.deepEqual(param("revision").schema, { type: "string", format: "int64", pattern: "^-?[0-9]+$" });
    assert.deepEqual(param("filter.genres").schema, { type: "array", items: { $ref: "#/components/schemas/shelf.v1.Genre" } });
    assert.equal(param("labels").style, "deepObject");
    assert.deepEqual(Object.keys(param("extra").content), ["application/json"]);
    assert.equal(param("asOf").schema.format, "date-time");
  });

  it("writes request and response bodies per body and response_body, HttpBody raw, streams per line", () => {
    const doc = document();
    const update = doc.paths["/v1/books/{book.id}"].patch;
    assert.deepEqual(update.requestBody.content["application/json"].schema.anyOf[0], { $ref: "#/components/schemas/shelf.v1.Book" });
    assert.deepEqual(update.responses["200"].content["application/json"].schema.type, "string");
    assert.deepEqual(update.responses.default, { $ref: "#/components/responses/Error" });
    assert.deepEqual(Object.keys(doc.paths["/v1/files/{_segment1}"].get.responses["200"].content), ["*/*"]);
    const watch = doc.paths["/v1/watch/{name}"].get;
    assert.equal(watch["x-grpc-streaming"], "server");
    assert.deepEqual(Object.keys(watch.responses["200"].content), ["application/json", "application/x-ndjson", "text/event-stream"]);
  });

  it("writes schemas as proto3 JSON: names, presence, oneofs, field behaviors, resources", () => {
    const book = document().components.schemas["shelf.v1.Book"];
    assert.deepEqual(book.required, ["title"]);
    assert.equal(book.properties.title.description, "The title, as printed.");
    assert.equal(book.properties.createTime.readOnly, true);
    assert.equal(book.properties.secret.writeOnly, true);
    assert.equal(book.properties.secret.deprecated, true);
    assert.match(book.properties.id.description, /Immutable/);
    assert.deepEqual(book.properties.pages.anyOf[1], { type: "null" }, "optional is null when unset");
    assert.equal(book.properties.color.anyOf, undefined, "an unset oneof member is left out, not null");
    assert.deepEqual(book.not, { anyOf: [{ required: ["color", "image"] }] });
    assert.equal(book.properties.image.contentEncoding, "base64");
    assert.equal(book.properties.copies.anyOf[0].type, "string", "Int64Value is a string, or null");
    assert.ok("ISBN" in book.properties, "json_name");
    assert.deepEqual(book.properties.byChapter.propertyNames, { pattern: "^-?[0-9]+$" });
    assert.deepEqual(book["x-google-resource"], { type: "shelf.example.com/Book", pattern: ["shelves/{shelf}/books/{book}"] });
  });

  it("follows the runtime's JSON options", () => {
    const doc = document("target=ts,openapi=json,openapi_use_proto_names=true,openapi_enums_as_numbers=true");
    assert.ok("create_time" in doc.components.schemas["shelf.v1.Book"].properties);
    assert.deepEqual(doc.components.schemas["shelf.v1.Genre"].enum, [0, 1]);
  });
});
