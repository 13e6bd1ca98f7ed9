// (grpc_gateway_express.success): the plugin checks it, puts it in the route table and in
// the OpenAPI document (the runtime side is in the conformance table, cases/success.ts).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { protocGenGrpcGatewayExpress } from "../../src/plugin.js";
import { compileProtos, createRequest } from "../support/compile-proto.js";

const optionsProto = readFileSync(new URL("../../runtime/proto/grpc_gateway_express/options.proto", import.meta.url), "utf8");

function generate(success: string, returns = "Thing"): Map<string, string> {
  const source = `syntax = "proto3";
package s.v1;
import "google/api/annotations.proto";
import "grpc_gateway_express/options.proto";
service Things {
  rpc Make(Thing) returns (${returns}) {
    option (google.api.http) = { post: "/v1/things" body: "*" };
    option (grpc_gateway_express.success) = ${success};
  }
}
message Thing { string id = 1; repeated string tags = 2; Thing child = 3; }
`;
  const set = compileProtos({ "s/v1/s.proto": source, "grpc_gateway_express/options.proto": optionsProto });
  const response = protocGenGrpcGatewayExpress.run(createRequest(set, ["s/v1/s.proto"], "target=ts,openapi=json"));
  assert.equal(response.error ?? "", "");
  return new Map(response.file.map((f) => [f.name, f.content]));
}

function problem(success: string, returns?: string): string {
  try {
    generate(success, returns);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  assert.fail(`${success} was accepted`);
}

describe("(grpc_gateway_express.success)", () => {
  it("goes into the route table and the OpenAPI document", () => {
    const files = generate('{ status: 201 headers: [{ name: "Location" value: "/v1/things/{child.id}" }] }');
    assert.match(files.get("s/v1/s_gateway.ts")!, /successStatus: 201, successHeaders: \[\{ name: "Location", value: "\/v1\/things\/\{child.id\}" \}\] \}/);
    const op = JSON.parse(files.get("s/v1/s.openapi.json")!).paths["/v1/things"].post;
    assert.deepEqual(Object.keys(op.responses), ["201", "default"]);
    assert.deepEqual(op.responses["201"].headers.Location.schema, { type: "string" });
    const noContent = JSON.parse(generate("{ status: 204 }").get("s/v1/s.openapi.json")!).paths["/v1/things"].post.responses["204"];
    assert.equal(noContent.content, undefined);
  });

  it("refuses what the runtime could not send, naming the method", () => {
    assert.match(
      problem("{ status: 302 }"),
      /method Make, rule "post: \/v1\/things": option \(grpc_gateway_express.success\) status must be 200 to 299, got 302/,
    );
    assert.match(problem('{ headers: [{ name: "Bad Name" value: "x" }] }'), /header name "Bad Name" is not an HTTP token/);
    assert.match(problem('{ headers: [{ name: "Location" value: "/v1/{nope}" }] }'), /"nope" does not name a field of s.v1.Thing/);
    assert.match(
      problem('{ headers: [{ name: "Location" value: "/v1/{tags}" }] }'),
      /\{tags\} is a repeated field, but a header takes a singular scalar or enum/,
    );
    assert.match(problem('{ headers: [{ name: "Location" value: "/v1/{id" }] }'), /must start a field path closed by "}"/);
    assert.match(problem("{ status: 201 }", "stream Thing"), /applies to unary methods only/);
  });
});
