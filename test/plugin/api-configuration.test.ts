// grpc_api_configuration: http rules from a google.api.Service file (YAML or JSON) for protos
// that carry no annotations, as protoc-gen-grpc-gateway's option of the same name.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FileDescriptorSet } from "@bufbuild/protobuf/wkt";
import { protocGenGrpcGatewayExpress } from "../../src/plugin.js";
import { compileProtos, createRequest } from "../support/compile-proto.js";

// A vendored service nobody may annotate, as grpc.health.v1 is.
const healthProto = `syntax = "proto3";
package vendored.health.v1;
import "vendored/health/v1/types.proto";

service Health {
  rpc Check(HealthCheckRequest) returns (HealthCheckResponse);
  rpc Watch(HealthCheckRequest) returns (stream HealthCheckResponse);
  rpc List(HealthCheckRequest) returns (HealthCheckResponse);
}
`;

// Imported by health.proto but not generated in these tests.
const typesProto = `syntax = "proto3";
package vendored.health.v1;

message HealthCheckRequest { string service = 1; }
message HealthCheckResponse { int32 status = 1; string detail = 2; }

service NotGenerated {
  rpc Ping(HealthCheckRequest) returns (HealthCheckResponse);
}
`;

const annotatedProto = `syntax = "proto3";
package annotated.v1;
import "google/api/annotations.proto";

service Notes {
  rpc Get(GetNoteRequest) returns (Note) {
    option (google.api.http) = { get: "/v1/notes/{id}" };
  }
}
message GetNoteRequest { string id = 1; }
message Note { string id = 1; string text = 2; }
`;

const yamlConfig = `# A google.api.Service, as Google's API configurations and grpc-gateway read it.
type: google.api.Service
config_version: 3
name: health.example.com

http:
  rules:
    - selector: vendored.health.v1.Health.Check
      get: /healthz/{service}
      response_body: status
      additional_bindings:
        - get: /healthz
        - post: /healthz:check
          body: "*"
    - selector: vendored.health.v1.Health.Watch
      get: /healthz/{service}:watch
    - selector: annotated.v1.Notes.Get
      custom:
        kind: SEARCH
        path: /v1/notes
    # A second rule for the same method adds routes too.
    - selector: vendored.health.v1.Health.Check
      put: /healthz/{service}
      body: "*"
`;

const jsonConfig = JSON.stringify({
  type: "google.api.Service",
  http: { rules: [{ selector: "vendored.health.v1.Health.Check", post: "/healthz", body: "*", responseBody: "detail" }] },
});

let set: FileDescriptorSet;
let dir: string;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(config: string, files = ["vendored/health/v1/health.proto", "annotated/v1/notes.proto"]): Map<string, string[]> {
  const response = protocGenGrpcGatewayExpress.run(createRequest(set, files, `target=ts,grpc_api_configuration=${config}`));
  return new Map(response.file.map((f) => [f.name, f.content.split("\n").filter((l) => l.startsWith("  { method:"))]));
}

function errorOf(config: string, files?: string[]): string {
  try {
    run(config, files);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  assert.fail(`${config} was accepted`);
}

describe("grpc_api_configuration", () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "api-config-"));
    set = compileProtos({
      "vendored/health/v1/health.proto": healthProto,
      "vendored/health/v1/types.proto": typesProto,
      "annotated/v1/notes.proto": annotatedProto,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("binds methods without annotations from a YAML file, rule by rule with additional_bindings, in file order", () => {
    const files = run(write("health.yaml", yamlConfig));
    assert.deepEqual(files.get("vendored/health/v1/health_gateway.ts"), [
      `  { method: Health.method.check, httpMethod: "GET", path: "/healthz/{service}", responseBody: "status" },`,
      `  { method: Health.method.check, httpMethod: "GET", path: "/healthz" },`,
      `  { method: Health.method.check, httpMethod: "POST", path: "/healthz:check", body: "*" },`,
      `  { method: Health.method.check, httpMethod: "PUT", path: "/healthz/{service}", body: "*" },`,
      `  { method: Health.method.watch, httpMethod: "GET", path: "/healthz/{service}:watch" },`,
    ]);
  });

  it("adds a file's rules to a method's own annotation, the file's first, as grpc-gateway", () => {
    assert.deepEqual(run(write("health.yaml", yamlConfig)).get("annotated/v1/notes_gateway.ts"), [
      `  { method: Notes.method.get, httpMethod: "SEARCH", path: "/v1/notes" },`,
      `  { method: Notes.method.get, httpMethod: "GET", path: "/v1/notes/{id}" },`,
    ]);
  });

  it("reads JSON too, with proto or JSON field names", () => {
    assert.deepEqual(run(write("health.json", jsonConfig)).get("vendored/health/v1/health_gateway.ts"), [
      `  { method: Health.method.check, httpMethod: "POST", path: "/healthz", body: "*", responseBody: "detail" },`,
    ]);
  });

  it("takes a relative path from where protoc or buf runs", () => {
    write("relative.yaml", yamlConfig);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(run("relative.yaml").get("vendored/health/v1/health_gateway.ts")?.length, 5);
    } finally {
      process.chdir(cwd);
    }
  });

  it("fails on a selector that names no method of the files being generated, naming the selector", () => {
    const config = write("typo.yaml", "http:\n  rules:\n    - selector: vendored.health.v1.Health.Chek\n      get: /healthz\n");
    assert.equal(errorOf(config), `${config}: selector "vendored.health.v1.Health.Chek" names no method in the files being generated`);
    const imported = write("imported.yaml", "http:\n  rules:\n    - selector: vendored.health.v1.NotGenerated.Ping\n      get: /ping\n");
    assert.equal(
      errorOf(imported),
      `${imported}: selector "vendored.health.v1.NotGenerated.Ping" names a method of vendored/health/v1/types.proto, which is not among the files being generated`,
    );
  });

  it("fails on a wildcard selector, an unknown key in a rule, or a rule without a selector", () => {
    const wildcard = write("wildcard.yaml", "http:\n  rules:\n    - selector: vendored.health.v1.Health.*\n      get: /healthz\n");
    assert.equal(errorOf(wildcard), `grpc_api_configuration ${wildcard}: selector "vendored.health.v1.Health.*" must name a single method, without wildcards`);
    const misspelled = write(
      "misspelled.yaml",
      "http:\n  rules:\n    - selector: vendored.health.v1.Health.Check\n      get: /healthz\n      additional_binding: []\n",
    );
    assert.match(errorOf(misspelled), new RegExp(`^grpc_api_configuration ${misspelled}: http is not a google.api.Http: .*additional_binding`));
    const noSelector = write("no-selector.yaml", "http:\n  rules:\n    - get: /healthz\n");
    assert.equal(
      errorOf(noSelector),
      `grpc_api_configuration ${noSelector}: http.rules[0] has no selector; name the method it binds, e.g. selector: my.pkg.v1.MyService.MyMethod`,
    );
  });

  it("checks a file's rules like annotations, naming the file in the message", () => {
    const bad = write("bad.yaml", "http:\n  rules:\n    - selector: vendored.health.v1.Health.List\n      get: /healthz/{missing}\n");
    assert.equal(
      errorOf(bad),
      `vendored/health/v1/health.proto: service vendored.health.v1.Health, method List, rule "get: /healthz/{missing}" (${bad}): ` +
        `path variable "missing" does not name a field of vendored.health.v1.HealthCheckRequest`,
    );
  });

  it("fails on a file it cannot read or parse", () => {
    const missing = join(dir, "missing.yaml");
    assert.match(
      errorOf(missing),
      new RegExp(`^grpc_api_configuration ${missing}: cannot read the file \\(.*\\); the path is relative to where protoc or buf runs$`),
    );
    const broken = write("broken.yaml", "http: [unclosed\n");
    assert.match(errorOf(broken), new RegExp(`^grpc_api_configuration ${broken}: not valid YAML or JSON: `));
  });
});
